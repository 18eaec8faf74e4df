#include "lvsi/io/rtstruct.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "detail/dicom_api.h"
#include "lvsi/core/error.h"

namespace lvsi::io {
namespace {

using detail::ParsedRoi;

std::vector<ParsedRoi> Parse(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw IoError(path, "file does not exist");
  return detail::Dicom().parse_rtstruct(path);
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
  detail::Dicom().write_rtstruct(path, rois);
}

}  // namespace lvsi::io
