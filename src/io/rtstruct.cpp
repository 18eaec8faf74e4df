#include "lvsi/io/rtstruct.h"

#include <gdcmAttribute.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmUIDGenerator.h>
#include <gdcmWriter.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "lvsi/core/error.h"

namespace lvsi::io {
namespace {

constexpr const char* kRtStructSopClass = "1.2.840.10008.5.1.4.1.1.481.3";

struct ParsedRoi {
  RtStructRoi info;
  std::vector<Contour> contours;
};

std::string TrimDicom(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  return s;
}

gdcm::SmartPointer<gdcm::SequenceOfItems> Sequence(const gdcm::DataSet& ds, uint16_t g,
                                                   uint16_t e) {
  const gdcm::Tag tag(g, e);
  if (!ds.FindDataElement(tag)) return nullptr;
  return ds.GetDataElement(tag).GetValueAsSQ();
}

std::vector<ParsedRoi> Parse(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw IoError(path, "file does not exist");
  gdcm::Reader reader;
  reader.SetFileName(path.c_str());
  if (!reader.Read()) throw FormatError(path, "not a readable DICOM file");
  const gdcm::DataSet& ds = reader.GetFile().GetDataSet();
  gdcm::Attribute<0x0008, 0x0060> modality;
  modality.SetFromDataSet(ds);
  if (TrimDicom(modality.GetValue()) != "RTSTRUCT")
    throw FormatError(path, "not a DICOM RT Structure Set (modality '" +
                                TrimDicom(modality.GetValue()) + "')");
  std::map<int, ParsedRoi> rois;
  std::vector<int> order;
  if (auto sq = Sequence(ds, 0x3006, 0x0020)) {
    for (gdcm::SequenceOfItems::SizeType n = 1; n <= sq->GetNumberOfItems(); ++n) {
      const gdcm::DataSet& item = sq->GetItem(n).GetNestedDataSet();
      gdcm::Attribute<0x3006, 0x0022> number;
      gdcm::Attribute<0x3006, 0x0026> name;
      number.SetFromDataSet(item);
      name.SetFromDataSet(item);
      ParsedRoi roi;
      roi.info.number = number.GetValue();
      roi.info.name = TrimDicom(name.GetValue());
      order.push_back(roi.info.number);
      rois[roi.info.number] = roi;
    }
  }
  if (rois.empty()) throw FormatError(path, "RT Structure Set has no StructureSetROISequence");
  if (auto sq = Sequence(ds, 0x3006, 0x0039)) {
    for (gdcm::SequenceOfItems::SizeType n = 1; n <= sq->GetNumberOfItems(); ++n) {
      const gdcm::DataSet& item = sq->GetItem(n).GetNestedDataSet();
      gdcm::Attribute<0x3006, 0x0084> ref;
      ref.SetFromDataSet(item);
      auto it = rois.find(ref.GetValue());
      if (it == rois.end()) continue;
      auto contours = Sequence(item, 0x3006, 0x0040);
      if (!contours) continue;
      for (gdcm::SequenceOfItems::SizeType c = 1; c <= contours->GetNumberOfItems(); ++c) {
        const gdcm::DataSet& cds = contours->GetItem(c).GetNestedDataSet();
        gdcm::Attribute<0x3006, 0x0042> type;
        type.SetFromDataSet(cds);
        if (cds.FindDataElement(gdcm::Tag(0x3006, 0x0042)) &&
            TrimDicom(type.GetValue()) != "CLOSED_PLANAR")
          continue;  // points and open polylines enclose no area
        gdcm::Attribute<0x3006, 0x0050> data;
        data.SetFromDataSet(cds);
        const unsigned count = data.GetNumberOfValues();
        if (count < 9 || count % 3 != 0)
          throw FormatError(path, "ROI '" + it->second.info.name +
                                      "': a contour has malformed ContourData (" +
                                      std::to_string(count) + " values)");
        Contour contour;
        const double* values = data.GetValues();
        for (unsigned v = 0; v < count; v += 3)
          contour.points.push_back({values[v], values[v + 1], values[v + 2]});
        it->second.contours.push_back(std::move(contour));
      }
    }
  }
  std::vector<ParsedRoi> out;
  for (int number : order) {
    auto& roi = rois[number];
    roi.info.contours = roi.contours.size();
    out.push_back(roi);
  }
  return out;
}

// Toggles the voxels of slice k whose centres lie inside the polygon
// (crossing-number test), so that nested contours make holes.
void RasterisePolygon(const std::vector<std::array<double, 2>>& poly, std::size_t k, Mask* mask) {
  const Geometry& g = mask->geometry();
  double jmin = poly[0][1], jmax = poly[0][1];
  for (const auto& p : poly) {
    jmin = std::min(jmin, p[1]);
    jmax = std::max(jmax, p[1]);
  }
  const long j0 = std::max(0L, static_cast<long>(std::ceil(jmin)));
  const long j1 = std::min(static_cast<long>(g.size[1]) - 1, static_cast<long>(std::floor(jmax)));
  std::vector<double> crossings;
  for (long j = j0; j <= j1; ++j) {
    const double y = static_cast<double>(j);
    crossings.clear();
    for (std::size_t a = 0, b = poly.size() - 1; a < poly.size(); b = a++) {
      const auto& p = poly[a];
      const auto& q = poly[b];
      if ((p[1] > y) != (q[1] > y))
        crossings.push_back(p[0] + (y - p[1]) * (q[0] - p[0]) / (q[1] - p[1]));
    }
    std::sort(crossings.begin(), crossings.end());
    for (std::size_t c = 0; c + 1 < crossings.size(); c += 2) {
      const long i0 = std::max(0L, static_cast<long>(std::ceil(crossings[c])));
      const long i1 = std::min(static_cast<long>(g.size[0]) - 1,
                               static_cast<long>(std::ceil(crossings[c + 1])) - 1);
      for (long i = i0; i <= i1; ++i)
        (*mask)(static_cast<std::size_t>(i), static_cast<std::size_t>(j), k) ^= 1;
    }
  }
}

}  // namespace

std::vector<RtStructRoi> ListRtStructRois(const std::string& path) {
  std::vector<RtStructRoi> out;
  for (const auto& roi : Parse(path)) out.push_back(roi.info);
  return out;
}

Mask ReadRtStructMask(const std::string& path, const std::string& roi_name,
                      const Geometry& reference) {
  const auto rois = Parse(path);
  auto it = std::find_if(rois.begin(), rois.end(),
                         [&](const ParsedRoi& r) { return r.info.name == roi_name; });
  if (it == rois.end()) {
    std::string names;
    for (const auto& r : rois) names += (names.empty() ? "'" : ", '") + r.info.name + "'";
    throw InvalidArgument(path + ": no ROI named '" + roi_name + "' (ROIs: " + names + ")");
  }
  Mask mask(reference, 0);
  for (const auto& contour : it->contours) {
    std::vector<std::array<double, 2>> poly;
    double ksum = 0.0;
    for (const auto& p : contour.points) {
      const auto idx = reference.PhysicalToIndex(p);
      poly.push_back({idx[0], idx[1]});
      ksum += idx[2];
    }
    const long k = std::lround(ksum / static_cast<double>(contour.points.size()));
    if (k < 0 || k >= static_cast<long>(reference.size[2])) continue;
    RasterisePolygon(poly, static_cast<std::size_t>(k), &mask);
  }
  if (CountVoxels(mask) == 0)
    throw DataError(path, "ROI '" + roi_name + "' covers no voxel of the reference grid " +
                              Describe(reference));
  return mask;
}

void WriteRtStruct(const std::string& path,
                   const std::vector<std::pair<std::string, std::vector<Contour>>>& rois) {
  gdcm::Writer writer;
  gdcm::File& file = writer.GetFile();
  gdcm::DataSet& ds = file.GetDataSet();
  gdcm::UIDGenerator uid;
  auto put = [](gdcm::DataSet& d, auto attribute) { d.Replace(attribute.GetAsDataElement()); };
  put(ds, gdcm::Attribute<0x0008, 0x0016>{kRtStructSopClass});
  put(ds, gdcm::Attribute<0x0008, 0x0018>{uid.Generate()});
  put(ds, gdcm::Attribute<0x0008, 0x0060>{"RTSTRUCT"});
  put(ds, gdcm::Attribute<0x0020, 0x000d>{uid.Generate()});
  put(ds, gdcm::Attribute<0x0020, 0x000e>{uid.Generate()});
  put(ds, gdcm::Attribute<0x3006, 0x0002>{"lvsi"});

  auto make_sq = [] {
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq = new gdcm::SequenceOfItems;
    sq->SetLengthToUndefined();
    return sq;
  };
  auto insert_sq = [](gdcm::DataSet& d, uint16_t g, uint16_t e,
                      const gdcm::SmartPointer<gdcm::SequenceOfItems>& sq) {
    gdcm::DataElement de(gdcm::Tag(g, e));
    de.SetVR(gdcm::VR::SQ);
    de.SetValue(*sq);
    de.SetVLToUndefined();
    d.Replace(de);
  };
  auto roi_sq = make_sq();
  auto contour_sq = make_sq();
  int number = 1;
  for (const auto& [name, contours] : rois) {
    gdcm::Item roi_item;
    roi_item.SetVLToUndefined();
    put(roi_item.GetNestedDataSet(), gdcm::Attribute<0x3006, 0x0022>{number});
    put(roi_item.GetNestedDataSet(), gdcm::Attribute<0x3006, 0x0026>{name.c_str()});
    roi_sq->AddItem(roi_item);

    gdcm::Item rc_item;
    rc_item.SetVLToUndefined();
    gdcm::DataSet& rc = rc_item.GetNestedDataSet();
    put(rc, gdcm::Attribute<0x3006, 0x0084>{number});
    auto contours_sq = make_sq();
    for (const auto& contour : contours) {
      gdcm::Item c_item;
      c_item.SetVLToUndefined();
      gdcm::DataSet& cds = c_item.GetNestedDataSet();
      put(cds, gdcm::Attribute<0x3006, 0x0042>{"CLOSED_PLANAR"});
      put(cds, gdcm::Attribute<0x3006, 0x0046>{static_cast<int>(contour.points.size())});
      std::vector<double> flat;
      for (const auto& p : contour.points) flat.insert(flat.end(), p.begin(), p.end());
      gdcm::Attribute<0x3006, 0x0050> data;
      data.SetValues(flat.data(), static_cast<unsigned>(flat.size()), true);
      cds.Replace(data.GetAsDataElement());
      contours_sq->AddItem(c_item);
    }
    insert_sq(rc, 0x3006, 0x0040, contours_sq);
    contour_sq->AddItem(rc_item);
    ++number;
  }
  insert_sq(ds, 0x3006, 0x0020, roi_sq);
  insert_sq(ds, 0x3006, 0x0039, contour_sq);
  file.GetHeader().SetDataSetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
  writer.SetFileName(path.c_str());
  if (!writer.Write()) throw IoError(path, "cannot write RT Structure Set");
}

}  // namespace lvsi::io
