// lvsi's DICOM plugin (see dicom_api.h): image series through ITK's GDCM
// reader and writer, RT Structure Sets through GDCM.  Loaded on demand by
// lvsi_io; not linked by anything.
#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkBMPImageIO.h>
#include <itkBioRadImageIO.h>
#include <itkGiplImageIO.h>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageSeriesReader.h>
#include <itkJPEGImageIO.h>
#include <itkLSMImageIO.h>
#include <itkMRCImageIO.h>
#include <itkPNGImageIO.h>
#include <itkStimulateImageIO.h>
#include <itkTIFFImageIO.h>
#include <itkVTKImageIO.h>
#include <itkImageSeriesWriter.h>
#include <itkMetaDataObject.h>
#include <gdcmAttribute.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmUIDGenerator.h>
#include <gdcmWriter.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "detail/dicom_api.h"
#include "detail/dicom_structure.h"
#include "detail/itk_info.h"
#include "lvsi/core/error.h"
#include "lvsi/core/itk_interop.h"

namespace lvsi::io::detail {
namespace fs = std::filesystem;
namespace {

constexpr const char* kRtStructSopClass = "1.2.840.10008.5.1.4.1.1.481.3";

std::vector<std::string> SeriesFiles(const std::string& folder, std::string* uid) {
  auto names = itk::GDCMSeriesFileNames::New();
  names->SetUseSeriesDetails(true);
  names->SetDirectory(folder);
  const auto uids = names->GetSeriesUIDs();
  if (uids.empty()) throw FormatError(folder, "no DICOM image series in this folder");
  if (uid->empty()) {
    if (uids.size() > 1) {
      std::string list;
      for (const auto& u : uids) list += "\n  " + u;
      throw FormatError(folder, std::to_string(uids.size()) +
                                    " DICOM series in this folder; choose one by UID:" + list);
    }
    *uid = uids.front();
  }
  // With series details the UID key may carry suffixes; match by prefix.
  for (const auto& u : uids) {
    if (u == *uid || u.rfind(*uid, 0) == 0) return names->GetFileNames(u);
  }
  throw FormatError(folder, "no DICOM series with UID " + *uid);
}

// The files of the chosen series, in slice order.
std::vector<std::string> FilesOf(const std::string& path, const std::string& series_uid) {
  std::string uid = series_uid;
  try {
    return SeriesFiles(path, &uid);
  } catch (const itk::ExceptionObject& e) {
    throw FormatError(path, std::string("cannot scan DICOM folder: ") + e.GetDescription());
  }
}

// The header of a series' first file.
ImageInfo InfoOfFirst(const std::string& path, const std::vector<std::string>& files) {
  const std::string& file = files.front();
  ImageInfo info;
  try {
    auto io = itk::GDCMImageIO::New();
    io->SetFileName(file);
    if (!io->CanReadFile(file.c_str())) throw FormatError(path, "not a readable DICOM file: " + file);
    io->ReadImageInformation();
    if (io->GetNumberOfComponents() != 1)
      throw FormatError(path, "has " + std::to_string(io->GetNumberOfComponents()) +
                                  " components per voxel; lvsi needs a scalar image");
    CheckVoxelLimit(*io, path, files.size());
    info = InfoOf(*io);
  } catch (const itk::ExceptionObject& e) {
    throw FormatError(path, std::string("cannot read image header: ") + e.GetDescription());
  }
  return info;
}

ImageInfo ReadInfo(const std::string& path, const std::string& series_uid) {
  return InfoOfFirst(path, FilesOf(path, series_uid));
}

// A reader's output, converted once to double; ITK's errors as FormatError
// naming `path`.
template <typename Reader>
Image Run(Reader* reader, const std::string& path) {
  try {
    reader->Update();
    return FromItkImage<double>(reader->GetOutput());
  } catch (const itk::ExceptionObject& e) {
    std::string what = e.GetDescription();
    if (what.empty()) what = e.what();
    throw FormatError(path, "cannot read image: " + what);
  }
}

// The series read in its stored component type, converted once to double.
template <typename Native>
Image ReadSeriesAs(const std::string& path, const std::vector<std::string>& files) {
  auto reader = itk::ImageSeriesReader<itk::Image<Native, 3>>::New();
  reader->SetImageIO(itk::GDCMImageIO::New());
  reader->SetFileNames(files);
  return Run(reader.GetPointer(), path);
}

// The folder is scanned once: its file list serves the header and the read.
Image ReadSeries(const std::string& path, const std::string& series_uid) {
  const auto files = FilesOf(path, series_uid);
  return WithPixelType(InfoOfFirst(path, files).pixel_type,
                       [&](auto native) { return ReadSeriesAs<decltype(native)>(path, files); });
}

std::vector<DicomSeriesInfo> ListSeries(const std::string& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw IoError(folder, "DICOM folder does not exist");
  std::vector<DicomSeriesInfo> out;
  try {
    auto names = itk::GDCMSeriesFileNames::New();
    names->SetUseSeriesDetails(true);
    names->SetDirectory(folder);
    for (const auto& uid : names->GetSeriesUIDs()) {
      DicomSeriesInfo info;
      info.series_uid = uid;
      const auto files = names->GetFileNames(uid);
      info.num_files = files.size();
      if (!files.empty()) {
        auto io = itk::GDCMImageIO::New();
        io->SetFileName(files.front());
        io->ReadImageInformation();
        const auto& dict = io->GetMetaDataDictionary();
        itk::ExposeMetaData<std::string>(dict, "0008|103e", info.description);
        itk::ExposeMetaData<std::string>(dict, "0008|0060", info.modality);
        std::string real_uid;
        if (itk::ExposeMetaData<std::string>(dict, "0020|000e", real_uid)) {
          while (!real_uid.empty() && (real_uid.back() == ' ' || real_uid.back() == '\0'))
            real_uid.pop_back();
          info.series_uid = real_uid;
        }
      }
      out.push_back(info);
    }
  } catch (const itk::ExceptionObject& e) {
    throw FormatError(folder, std::string("cannot scan DICOM folder: ") + e.GetDescription());
  }
  return out;
}

void WriteSeries(const Image& image, const std::string& folder, const std::string& series_description) {
  using ImageType = itk::Image<std::int16_t, 3>;
  using SliceType = itk::Image<std::int16_t, 2>;
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw OutputError(folder, "cannot create folder: " + ec.message());
  const Geometry& g = image.geometry();
  try {
    auto itk_image = ToItkImage<std::int16_t>(image);
    auto io = itk::GDCMImageIO::New();
    io->KeepOriginalUIDOn();
    gdcm::UIDGenerator uids;
    const std::string study_uid = uids.Generate();
    const std::string series_uid = uids.Generate();
    const std::string frame_uid = uids.Generate();
    auto format = [](double v) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6f", v);
      return std::string(buf);
    };
    // One dictionary per slice with the tags that place it in space.
    itk::ImageSeriesWriter<ImageType, SliceType>::DictionaryArrayType dictionaries;
    std::vector<itk::MetaDataDictionary> storage(g.size[2]);
    const std::string orientation =
        format(g.direction[0]) + "\\" + format(g.direction[3]) + "\\" + format(g.direction[6]) +
        "\\" + format(g.direction[1]) + "\\" + format(g.direction[4]) + "\\" +
        format(g.direction[7]);
    for (std::size_t k = 0; k < g.size[2]; ++k) {
      auto& dict = storage[k];
      const auto p = g.IndexToPhysical({0.0, 0.0, static_cast<double>(k)});
      itk::EncapsulateMetaData<std::string>(dict, "0008|0060", "MR");
      itk::EncapsulateMetaData<std::string>(dict, "0008|0016", "1.2.840.10008.5.1.4.1.1.4");
      itk::EncapsulateMetaData<std::string>(dict, "0008|0018", uids.Generate());
      itk::EncapsulateMetaData<std::string>(dict, "0008|103e", series_description);
      itk::EncapsulateMetaData<std::string>(dict, "0020|000d", study_uid);
      itk::EncapsulateMetaData<std::string>(dict, "0020|000e", series_uid);
      itk::EncapsulateMetaData<std::string>(dict, "0020|0052", frame_uid);
      itk::EncapsulateMetaData<std::string>(dict, "0020|0013", std::to_string(k + 1));
      itk::EncapsulateMetaData<std::string>(
          dict, "0020|0032", format(p[0]) + "\\" + format(p[1]) + "\\" + format(p[2]));
      itk::EncapsulateMetaData<std::string>(dict, "0020|0037", orientation);
      itk::EncapsulateMetaData<std::string>(dict, "0018|0050", format(g.spacing[2]));
      itk::EncapsulateMetaData<std::string>(dict, "0028|0030",
                                            format(g.spacing[1]) + "\\" + format(g.spacing[0]));
      dictionaries.push_back(&dict);
    }
    std::vector<std::string> files;
    for (std::size_t k = 0; k < g.size[2]; ++k) {
      char name[32];
      std::snprintf(name, sizeof name, "slice%04zu.dcm", k + 1);
      files.push_back((fs::path(folder) / name).string());
    }
    auto writer = itk::ImageSeriesWriter<ImageType, SliceType>::New();
    writer->SetInput(itk_image);
    writer->SetImageIO(io);
    writer->SetFileNames(files);
    writer->SetMetaDataDictionaryArray(&dictionaries);
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    throw OutputError(folder, std::string("cannot write DICOM series: ") + e.GetDescription());
  }
}

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

std::vector<ParsedRoi> ParseRtStruct(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw IoError(path, "file does not exist");
  CheckDicomStructure(path);
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
  if (!writer.Write()) throw OutputError(path, "cannot write RT Structure Set");
}

// ------------------------------------------------------ other formats

// The first of ITK's readers that can read `path` (a single DICOM file
// first), with its header read; FormatError naming the file otherwise.
itk::ImageIOBase::Pointer OtherIo(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw IoError(path, "file does not exist");
  const itk::ImageIOBase::Pointer candidates[] = {
      itk::GDCMImageIO::New().GetPointer(),  itk::PNGImageIO::New().GetPointer(),
      itk::TIFFImageIO::New().GetPointer(),  itk::JPEGImageIO::New().GetPointer(),
      itk::BMPImageIO::New().GetPointer(),   itk::VTKImageIO::New().GetPointer(),
      itk::GiplImageIO::New().GetPointer(),  itk::MRCImageIO::New().GetPointer(),
      itk::LSMImageIO::New().GetPointer(),   itk::BioRadImageIO::New().GetPointer(),
      itk::StimulateImageIO::New().GetPointer()};
  for (const auto& io : candidates) {
    if (!io->CanReadFile(path.c_str())) continue;
    try {
      io->SetFileName(path);
      io->ReadImageInformation();
    } catch (const itk::ExceptionObject& e) {
      throw FormatError(path, std::string("cannot read image header (") + io->GetNameOfClass() + "): " + e.GetDescription());
    }
    CheckVoxelLimit(*io, path);
    if (io->GetNumberOfComponents() != 1)
      throw FormatError(path, "has " + std::to_string(io->GetNumberOfComponents()) +
                                  " components per voxel (colour?); lvsi needs a scalar image");
    for (unsigned d = 3; d < io->GetNumberOfDimensions(); ++d)
      if (io->GetDimensions(d) > 1)
        throw FormatError(path, "is a " + std::to_string(io->GetNumberOfDimensions()) + "-D image; lvsi reads 2-D and 3-D images");
    return io;
  }
  throw FormatError(path, "no image reader recognises this file (lvsi reads NIfTI, NRRD, MetaImage, DICOM, and "
                          "through ITK PNG, TIFF, JPEG, BMP, VTK, GIPL, MRC, LSM, Bio-Rad, Stimulate)");
}

ImageInfo ReadOtherInfo(const std::string& path) { return InfoOf(*OtherIo(path)); }

template <typename Native>
Image ReadOtherAs(const std::string& path, itk::ImageIOBase* io) {
  auto reader = itk::ImageFileReader<itk::Image<Native, 3>>::New();
  reader->SetImageIO(io);
  reader->SetFileName(path);
  return Run(reader.GetPointer(), path);
}

Image ReadOther(const std::string& path) {
  const auto io = OtherIo(path);
  return WithPixelType(InfoOf(*io).pixel_type, [&](auto native) { return ReadOtherAs<decltype(native)>(path, io); });
}

}  // namespace
}  // namespace lvsi::io::detail

const lvsi::io::detail::DicomApi* lvsi_io_dicom_api() {
  using namespace lvsi::io::detail;
  static const DicomApi api{kDicomApiVersion, &ReadInfo,      &ReadSeries,    &ListSeries,
                            &WriteSeries,     &ParseRtStruct, &WriteRtStruct, &ReadOtherInfo,
                            &ReadOther};
  return &api;
}
