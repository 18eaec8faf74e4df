#include "lvsi/radiomics/extractor.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <optional>
#include <sstream>
#include <type_traits>

#include "detail/texture.h"
#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/parallel.h"
#include "lvsi/io/image_io.h"
#include "lvsi/preprocessing/filters.h"
#include "lvsi/preprocessing/image_ops.h"
#include "lvsi/radiomics/features.h"
#include "lvsi/version.h"

namespace lvsi::radiomics {
namespace {

using preprocessing::IndexBox;

std::string Triple(double a, double b, double c) {
  return "(" + FormatDouble(a) + ", " + FormatDouble(b) + ", " + FormatDouble(c) + ")";
}

// A 64-bit content hash of voxel values for the diagnostics: eight lanes
// of 8-byte words mixed with multiply-xorshift steps (eight independent
// chains keep the multiplier busy), then the bytes after the last whole
// group of 64 into lane 0, the lanes folded together.  Fed in pieces, every
// piece but the last a multiple of 64 bytes.
class ContentHash {
 public:
  explicit ContentHash(std::size_t total_bytes) {
    for (int l = 0; l < kLanes; ++l) lane_[l] = (0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(l + 1)) ^ total_bytes;
  }
  void Add(const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    std::size_t n = 0;
    for (; n + 8 * kLanes <= bytes; n += 8 * kLanes)
      for (int l = 0; l < kLanes; ++l) {
        std::uint64_t w;
        std::memcpy(&w, p + n + 8 * l, 8);
        lane_[l] = Mix(lane_[l], w);
      }
    for (; n < bytes; ++n) lane_[0] = Mix(lane_[0], p[n]);
  }
  std::string Hex() const {
    std::uint64_t h = lane_[0];
    for (int l = 1; l < kLanes; ++l) h = Mix(h, lane_[l]);
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
  }

 private:
  static constexpr int kLanes = 8;
  static std::uint64_t Mix(std::uint64_t h, std::uint64_t w) {
    h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
    return h ^ (h >> 29);
  }
  std::uint64_t lane_[kLanes];
};

template <typename T>
std::string HashOf(const Volume<T>& v) {
  ContentHash hash(v.size() * sizeof(T));
  hash.Add(v.data(), v.size() * sizeof(T));
  return hash.Hex();
}

// One pass over the label map: voxels with the label, their bounding box,
// and how many of them are NaN or infinite in the image.
struct LabelScan {
  std::size_t count = 0, non_finite = 0;
  IndexBox box;
};

LabelScan ScanLabels(const LabelImage& labels, const Image& image, int label) {
  LabelScan scan;
  const auto& g = labels.geometry();
  const bool same_size = image.geometry().size == g.size;
  std::array<std::size_t, 3> lo{g.size[0], g.size[1], g.size[2]}, hi{0, 0, 0};
  // Most planes and rows hold no label: a branch-free test (which
  // vectorises) passes over them before the per-voxel work.
  auto holds = [label](const std::int32_t* v, std::size_t count) {
    int any = 0;
    for (std::size_t i = 0; i < count; ++i) any |= v[i] == label;
    return any != 0;
  };
  const std::size_t plane = g.size[0] * g.size[1];
  std::size_t n = 0;
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    if (!holds(labels.data() + n, plane)) {
      n += plane;
      continue;
    }
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      const std::int32_t* row = labels.data() + n;
      if (!holds(row, g.size[0])) {
        n += g.size[0];
        continue;
      }
      std::size_t first = g.size[0], last = 0;
      for (std::size_t i = 0; i < g.size[0]; ++i)
        if (row[i] == label) {
          if (first == g.size[0]) first = i;
          last = i;
          ++scan.count;
          if (same_size && !std::isfinite(image[n + i])) ++scan.non_finite;
        }
      n += g.size[0];
      if (first == g.size[0]) continue;
      lo = {std::min(lo[0], first), std::min(lo[1], j), std::min(lo[2], k)};
      hi = {std::max(hi[0], last), std::max(hi[1], j), std::max(hi[2], k)};
    }
  }
  scan.box.lower = lo;
  scan.box.upper = hi;
  return scan;
}

// Number of 6-connected components of a mask (as SimpleITK's default
// ConnectedComponent filter counts them).
std::size_t CountComponents(const Mask& mask) {
  const auto& g = mask.geometry();
  std::vector<char> seen(mask.size(), 0);
  std::vector<std::size_t> stack;
  std::size_t components = 0;
  const long sx = static_cast<long>(g.size[0]), sy = static_cast<long>(g.size[1]), sz = static_cast<long>(g.size[2]);
  for (std::size_t n = 0; n < mask.size(); ++n) {
    if (!mask[n] || seen[n]) continue;
    ++components;
    stack.push_back(n);
    seen[n] = 1;
    while (!stack.empty()) {
      const long k = static_cast<long>(stack.back());
      stack.pop_back();
      const long x = k % sx, y = (k / sx) % sy, z = k / (sx * sy);
      const long nb[6][3] = {{x - 1, y, z}, {x + 1, y, z}, {x, y - 1, z}, {x, y + 1, z}, {x, y, z - 1}, {x, y, z + 1}};
      for (const auto& p : nb) {
        if (p[0] < 0 || p[1] < 0 || p[2] < 0 || p[0] >= sx || p[1] >= sy || p[2] >= sz) continue;
        const std::size_t m = static_cast<std::size_t>(p[0] + sx * (p[1] + sy * p[2]));
        if (mask[m] && !seen[m]) {
          seen[m] = 1;
          stack.push_back(m);
        }
      }
    }
  }
  return components;
}

preprocessing::StoragePixelType StorageType(const std::string& name) {
  using T = preprocessing::StoragePixelType;
  if (name == "int8") return T::kInt8;
  if (name == "uint8") return T::kUInt8;
  if (name == "int16") return T::kInt16;
  if (name == "uint16") return T::kUInt16;
  if (name == "int32") return T::kInt32;
  if (name == "uint32") return T::kUInt32;
  if (name == "float32") return T::kFloat32;
  return T::kFloat64;
}

// The LBP settings of an image type; `storage` is the voxel type the
// filtered image has in pyradiomics (the input's, unless normalised).
preprocessing::Lbp2DSettings Lbp2D(const ExtractionSettings& s, preprocessing::StoragePixelType storage) {
  preprocessing::Lbp2DSettings l;
  l.radius = s.lbp2d_radius;
  l.samples = s.lbp2d_samples;
  l.method = preprocessing::ParseLbpMethod(s.lbp2d_method);
  l.axis = s.texture.force2d_dimension;
  l.storage = storage;
  return l;
}

preprocessing::Lbp3DSettings Lbp3D(const ExtractionSettings& s, preprocessing::StoragePixelType storage) {
  preprocessing::Lbp3DSettings l;
  l.levels = s.lbp3d_levels;
  l.icosphere_radius = s.lbp3d_icosphere_radius;
  l.icosphere_subdivision = s.lbp3d_icosphere_subdivision;
  l.storage = storage;
  return l;
}

std::string SettingsText(const ExtractionSettings& s) {
  std::ostringstream o;
  o << "{'label': " << s.label << ", 'binWidth': " << FormatDouble(s.bin_width);
  if (s.bin_count) o << ", 'binCount': " << *s.bin_count;
  o << ", 'voxelArrayShift': " << FormatDouble(s.voxel_array_shift) << ", 'normalize': " << (s.normalize ? "True" : "False")
    << ", 'normalizeScale': " << FormatDouble(s.normalize_scale) << ", 'interpolator': '" << s.interpolator << "'"
    << ", 'padDistance': " << s.pad_distance << ", 'minimumROIDimensions': " << s.minimum_roi_dimensions
    << ", 'force2D': " << (s.texture.force2d ? "True" : "False") << ", 'force2Ddimension': " << s.texture.force2d_dimension
    << ", 'symmetricalGLCM': " << (s.texture.symmetrical_glcm ? "True" : "False") << ", 'gldm_a': " << s.texture.gldm_a;
  if (s.resampled_pixel_spacing) {
    const auto& r = *s.resampled_pixel_spacing;
    o << ", 'resampledPixelSpacing': [" << FormatDouble(r[0]) << ", " << FormatDouble(r[1]) << ", " << FormatDouble(r[2]) << "]";
  }
  if (!s.resegment_range.empty()) {
    o << ", 'resegmentRange': [";
    for (std::size_t n = 0; n < s.resegment_range.size(); ++n) o << (n ? ", " : "") << FormatDouble(s.resegment_range[n]);
    o << "], 'resegmentMode': '" << s.resegment_mode << "'";
  }
  if (!s.texture.weighting_norm.empty()) o << ", 'weightingNorm': '" << s.texture.weighting_norm << "'";
  o << "}";
  return o.str();
}

// How far (voxels) the repeated level-1 SWT reaches from an output voxel.
std::size_t WaveletReach(const preprocessing::WaveletSettings& ws) {
  return static_cast<std::size_t>(ws.start_level + ws.level) * preprocessing::WaveletLength(ws.wavelet);
}

}  // namespace

double ExtractionResult::Feature(const std::string& name) const {
  for (const auto& [n, v] : features)
    if (n == name) return v;
  throw InvalidArgument("no feature '" + name + "' in the extraction result");
}

std::string ExtractionResult::BriefReport() const {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%zu features in %.4f s", features.size(), seconds);
  return buf;
}

FeatureTable ExtractionResult::ToTable(const std::string& case_id) const {
  FeatureTable t;
  t.AppendRow(case_id, features);
  for (const auto& [k, v] : diagnostics) t.metadata()[k] = v;
  return t;
}

FeatureExtractor::FeatureExtractor(ExtractionParameters parameters) : parameters_(std::move(parameters)) {
  std::string why;
  if (!parameters_.settings.IsValid(&why)) throw InvalidArgument("invalid extraction settings: " + why);
  if (parameters_.image_type_order.empty()) throw InvalidArgument("no image type enabled");
  for (const auto& type : parameters_.image_type_order) {
    // Per-type settings must be valid too.
    ExtractionParameters local;
    local.settings = parameters_.settings;
    for (const auto& [key, value] : parameters_.image_types.at(type)) local.ApplySetting(key, value);
    if (!local.settings.IsValid(&why)) throw InvalidArgument("image type " + type + ": " + why);
    if (type == "LoG" && local.settings.log_sigma.empty())
      throw InvalidArgument("image type LoG needs 'sigma' (a list of sigmas in mm)");
    if (type == "Wavelet") {
      preprocessing::WaveletSettings ws{local.settings.wavelet, local.settings.wavelet_start_level,
                                        local.settings.wavelet_level, false, 0};
      if (!ws.IsValid(&why)) throw InvalidArgument("image type Wavelet: " + why);
    }
    if (type == "LBP2D" && !Lbp2D(local.settings, preprocessing::StoragePixelType::kFloat64).IsValid(&why))
      throw InvalidArgument("image type LBP2D: " + why);
    if (type == "LBP3D" && !Lbp3D(local.settings, preprocessing::StoragePixelType::kFloat64).IsValid(&why))
      throw InvalidArgument("image type LBP3D: " + why);
  }
}

ExtractionResult FeatureExtractor::Execute(const Image& image, const LabelImage& labels,
                                           const std::string& image_pixel_type) const {
  const auto start = std::chrono::steady_clock::now();
  const ExtractionSettings& s = parameters_.settings;
  ExtractionResult result;

  const LabelScan scan = ScanLabels(labels, image, s.label);
  if (scan.count == 0) throw DataError(Input::kMask, "label " + std::to_string(s.label) + " is not present in the mask");
  if (scan.non_finite)
    throw DataError(Input::kImage, std::to_string(scan.non_finite) + " voxel(s) inside the ROI are NaN or infinite");
  // The mask, restricted to the label's box grown by padDistance when the
  // grids agree (all later steps look at that box only), else whole.
  auto labels_to_mask = [&](const Geometry& grid, const std::array<std::size_t, 3>& lo) {
    Mask m(grid, 0);
    std::size_t n = 0;
    for (std::size_t k = 0; k < grid.size[2]; ++k)
      for (std::size_t j = 0; j < grid.size[1]; ++j)
        for (std::size_t i = 0; i < grid.size[0]; ++i, ++n)
          m[n] = labels(lo[0] + i, lo[1] + j, lo[2] + k) == s.label;
    return m;
  };

  auto& diag = result.diagnostics;
  std::optional<preprocessing::IntensityStatistics> statistics;  // of the whole image
  if (s.additional_info) {
    diag.emplace_back("diagnostics_Versions_lvsi", Version());
    diag.emplace_back("diagnostics_Configuration_Settings", SettingsText(s));
    std::string types = "{";
    for (const auto& [t, o] : parameters_.image_types) types += (types.size() > 1 ? ", '" : "'") + t + "': {}";
    diag.emplace_back("diagnostics_Configuration_EnabledImageTypes", types + "}");
    const Geometry& g = image.geometry();
    // One pass over the image gives its hash and statistics (the
    // diagnostics', and the normaliser's when normalising).
    ContentHash hash(image.size() * sizeof(double));
    statistics = preprocessing::IntensityStatistics::Of(
        image, [&hash](const double* block, std::size_t count) { hash.Add(block, count * sizeof(double)); });
    diag.emplace_back("diagnostics_Image-original_Hash", hash.Hex());
    diag.emplace_back("diagnostics_Image-original_Dimensionality", g.size[2] > 1 ? "3D" : "2D");
    diag.emplace_back("diagnostics_Image-original_Spacing", Triple(g.spacing[0], g.spacing[1], g.spacing[2]));
    diag.emplace_back("diagnostics_Image-original_Size", Triple(double(g.size[0]), double(g.size[1]), double(g.size[2])));
    diag.emplace_back("diagnostics_Image-original_Mean", FormatDouble(statistics->mean));
    diag.emplace_back("diagnostics_Image-original_Minimum", FormatDouble(statistics->minimum));
    diag.emplace_back("diagnostics_Image-original_Maximum", FormatDouble(statistics->maximum));
    diag.emplace_back("diagnostics_Mask-original_Hash", HashOf(labels));
  }

  // Geometry of image and mask must agree, unless the mask is resampled.
  std::string why;
  GeometryTolerance tol;
  if (s.geometry_tolerance) tol.coordinate = tol.direction = *s.geometry_tolerance;
  const bool resample = s.resampled_pixel_spacing && !s.interpolator.empty();
  const bool same_grid = SameGeometry(image.geometry(), labels.geometry(), tol, &why);
  Mask mask;
  if (!resample && !same_grid) {
    if (!s.correct_mask)
      throw GeometryError(Input::kMask, "mask grid does not match the image grid: " + why + " (enable correctMask)");
    mask = preprocessing::ResampleMaskToGrid(labels_to_mask(labels.geometry(), {0, 0, 0}), image.geometry());
  } else if (resample) {
    mask = labels_to_mask(labels.geometry(), {0, 0, 0});
  }
  preprocessing::MaskCheckSettings check{s.minimum_roi_dimensions, {}};
  if (s.minimum_roi_size) check.minimum_roi_size = static_cast<std::size_t>(*s.minimum_roi_size);
  Image img;
  std::array<std::size_t, 3> offset{0, 0, 0};  // img's lower corner in the full image
  if (resample) {
    preprocessing::ResampleSettings rs;
    rs.spacing = *s.resampled_pixel_spacing;
    rs.interpolator = preprocessing::ParseInterpolator(s.interpolator);
    rs.pad_distance = s.pad_distance;
    rs.image_pixel_type = StorageType(image_pixel_type);
    std::tie(img, mask) = preprocessing::ResampleToSpacing(
        s.normalize ? preprocessing::NormalizeImage(image, s.normalize_scale, s.remove_outliers) : image, mask, rs);
  } else {
    // Everything below looks at the ROI's box only: crop first (with the
    // pad distance, as preCrop does) so the work scales with the ROI, then
    // normalise with the whole image's statistics.
    if (same_grid) {
      // Crop straight from the label map: lower corner and size of the
      // label's box grown by padDistance, clamped to the image.
      const Geometry& g = image.geometry();
      IndexBox padded = scan.box;
      for (int d = 0; d < 3; ++d) {
        padded.lower[d] = scan.box.lower[d] > static_cast<std::size_t>(s.pad_distance)
                              ? scan.box.lower[d] - static_cast<std::size_t>(s.pad_distance) : 0;
        padded.upper[d] = std::min(g.size[d] - 1, scan.box.upper[d] + static_cast<std::size_t>(s.pad_distance));
      }
      img = preprocessing::CropImage(image, padded, 0);
      mask = labels_to_mask(img.geometry(), padded.lower);
      offset = padded.lower;
    } else {
      const IndexBox pre = preprocessing::CheckMask(mask, check);
      std::tie(img, mask) = preprocessing::CropToBox(image, mask, pre, static_cast<std::size_t>(s.pad_distance));
      for (int d = 0; d < 3; ++d)
        offset[d] = pre.lower[d] > static_cast<std::size_t>(s.pad_distance) ? pre.lower[d] - static_cast<std::size_t>(s.pad_distance) : 0;
    }
    if (s.normalize) {
      if (!statistics) statistics = preprocessing::IntensityStatistics::Of(image);
      img = preprocessing::NormalizeImage(img, *statistics, s.normalize_scale, s.remove_outliers);
    }
  }
  IndexBox box = preprocessing::CheckMask(mask, check);
  Mask texture_mask = mask;
  if (!s.resegment_range.empty()) {
    texture_mask = preprocessing::ResegmentMask(img, mask, s.resegment_range,
                                                preprocessing::ParseResegmentMode(s.resegment_mode));
    box = preprocessing::CheckMask(texture_mask, check);
  }
  if (s.additional_info) {
    const auto size = box.Size();
    diag.emplace_back("diagnostics_Mask-original_BoundingBox",
                      "(" + std::to_string(box.lower[0]) + ", " + std::to_string(box.lower[1]) + ", " +
                          std::to_string(box.lower[2]) + ", " + std::to_string(size[0]) + ", " +
                          std::to_string(size[1]) + ", " + std::to_string(size[2]) + ")");
    double cx = 0, cy = 0, cz = 0, vox = 0;
    const auto& g = texture_mask.geometry();
    for (std::size_t n = 0; n < texture_mask.size(); ++n)
      if (texture_mask[n]) {
        cx += static_cast<double>(n % g.size[0]);
        cy += static_cast<double>((n / g.size[0]) % g.size[1]);
        cz += static_cast<double>(n / (g.size[0] * g.size[1]));
        vox += 1;
      }
    diag.emplace_back("diagnostics_Mask-original_VoxelNum", std::to_string(static_cast<long>(vox)));
    diag.emplace_back("diagnostics_Mask-original_VolumeNum", std::to_string(CountComponents(texture_mask)));
    diag.emplace_back("diagnostics_Mask-original_CenterOfMassIndex", Triple(cx / vox, cy / vox, cz / vox));
    const auto com = g.IndexToPhysical({cx / vox, cy / vox, cz / vox});
    diag.emplace_back("diagnostics_Mask-original_CenterOfMass", Triple(com[0], com[1], com[2]));
  }

  // Shape features on the (non-resegmented) mask cropped to the box, as
  // pyradiomics does; computed once, before the image types.
  const Mask& shape_mask = s.resegment_shape ? texture_mask : mask;
  const Mask shape_crop = preprocessing::CropMask(shape_mask, box, 0);
  for (const auto& cls : parameters_.class_order) {
    const auto& names = parameters_.feature_classes.at(cls);
    FeatureList f;
    if (cls == "shape") f = ShapeFeatures(shape_crop).Compute(names);
    if (cls == "shape2D" && s.texture.force2d) f = Shape2DFeatures(shape_crop, s.texture.force2d_dimension).Compute(names);
    for (const auto& [name, value] : f) result.features.emplace_back("original_" + cls + "_" + name, value);
  }

  // The image filters see the whole loaded image, as pyradiomics' image
  // types do: the (normalised) input, or the resampled grid.  A normalised
  // input is not materialised: each filter normalises the region it reads
  // (the same function of each voxel), and the whole image's largest
  // magnitude comes from its extremes, the normalisation being monotone.
  const bool filtered_types = parameters_.image_type_order.size() > 1 || parameters_.image_type_order.front() != "Original";
  const Image* full = resample ? &img : &image;
  std::optional<preprocessing::Normalizer> normalizer;
  if (!resample && s.normalize && filtered_types) {
    if (!statistics) statistics = preprocessing::IntensityStatistics::Of(image);
    normalizer.emplace(*statistics, s.normalize_scale, s.remove_outliers);
  }
  auto full_region = [&](const IndexBox& reg) {
    if (!normalizer) return preprocessing::CropImage(*full, reg, 0);
    // Cropped and normalised in one pass over the region's rows.
    const Geometry& g = full->geometry();
    Geometry pg = g;
    pg.origin = g.IndexToPhysical({static_cast<double>(reg.lower[0]), static_cast<double>(reg.lower[1]),
                                   static_cast<double>(reg.lower[2])});
    pg.size = reg.Size();
    // Row by row, each copied and then normalised while in cache (the
    // region is never zeroed first).
    std::vector<double> data;
    data.reserve(pg.NumVoxels());
    for (std::size_t k = reg.lower[2]; k <= reg.upper[2]; ++k)
      for (std::size_t j = reg.lower[1]; j <= reg.upper[1]; ++j) {
        const double* row = full->data() + reg.lower[0] + g.size[0] * (j + g.size[1] * k);
        const std::size_t at = data.size();
        data.insert(data.end(), row, row + pg.size[0]);
        normalizer->Apply(data.data() + at, data.data() + at, pg.size[0]);
      }
    return Image(pg, std::move(data));
  };
  double full_max_abs = 0;
  if (filtered_types) {
    if (normalizer)
      full_max_abs = std::max({0.0, std::abs((*normalizer)(statistics->minimum)), std::abs((*normalizer)(statistics->maximum))});
    else
      full_max_abs = preprocessing::MaxAbs(*full);
  }
  if (resample) offset = {0, 0, 0};
  IndexBox box_full = box;  // the ROI box in full-image indices
  for (int d = 0; d < 3; ++d) {
    box_full.lower[d] += offset[d];
    box_full.upper[d] += offset[d];
  }
  const Mask texture_crop = preprocessing::CropMask(texture_mask, box, 0);
  // pyradiomics hands the filters an image of the stored voxel type unless
  // it was normalised (LBP results are written into such an array).
  const preprocessing::StoragePixelType filter_storage =
      s.normalize ? preprocessing::StoragePixelType::kFloat64 : StorageType(image_pixel_type);

  // The region of the full image a filter needs around the ROI box.
  auto region = [&](const std::array<std::size_t, 3>& pad) {
    IndexBox r = box_full;
    const Geometry& g = full->geometry();
    for (int d = 0; d < 3; ++d) {
      r.lower[d] = box_full.lower[d] > pad[d] ? box_full.lower[d] - pad[d] : 0;
      r.upper[d] = std::min(g.size[d] - 1, box_full.upper[d] + pad[d]);
    }
    return r;
  };
  // Crops a filtered region back to the ROI box.
  auto to_box = [&](const Image& filtered, const IndexBox& reg) {
    IndexBox b;
    for (int d = 0; d < 3; ++d) {
      b.lower[d] = box_full.lower[d] - reg.lower[d];
      b.upper[d] = box_full.upper[d] - reg.lower[d];
    }
    return preprocessing::CropImage(filtered, b, 0);
  };

  // Each image type yields one or more (name, image cropped to the box).
  const std::vector<std::string>& types = parameters_.image_type_order;
  struct TypeOutput {
    ExtractionSettings settings;
    std::vector<std::pair<std::string, Image>> images;
  };
  std::vector<TypeOutput> outputs(types.size());
  // LoG: each sigma filters its region (the ROI box plus its context), one
  // task per sigma, from the normalised copy made below or from the loaded
  // image in place, normalising what it reads.  log_regions[t][k]: sigma
  // k's region, in full-image indices.
  std::vector<std::vector<IndexBox>> log_regions(types.size());
  struct FilterTask {
    std::size_t type, item;  // item: the sigma of a LoG type, else 0
  };
  std::vector<FilterTask> tasks;
  for (std::size_t t = 0; t < types.size(); ++t) {
    ExtractionParameters local;
    local.settings = s;
    for (const auto& [key, value] : parameters_.image_types.at(types[t])) local.ApplySetting(key, value);
    outputs[t].settings = local.settings;
    if (types[t] != "LoG") {
      tasks.push_back({t, 0});
      continue;
    }
    const ExtractionSettings& ts = outputs[t].settings;
    const Geometry& g = full->geometry();
    for (std::size_t k = 0; k < ts.log_sigma.size(); ++k) {
      const double sigma = ts.log_sigma[k];
      for (int d = 0; d < 3; ++d)
        if (g.size[d] < 4 || static_cast<double>(g.size[d]) < std::ceil(sigma / g.spacing[d]) + 1)
          throw InvalidArgument("LoG sigma " + ts.log_sigma_text[k] + " mm does not fit the image (" + Describe(g) +
                                "): it needs ceil(sigma/spacing) + 1 and at least 4 voxels per axis");
      log_regions[t].push_back(region(preprocessing::LogContext(g, sigma)));
      tasks.push_back({t, k});
    }
    outputs[t].images.resize(ts.log_sigma.size());
  }
  // With normalisation, the LoG filters of a small union of regions read
  // one normalised copy of it (normalised once, not once per sigma and axis
  // term; the same values): measured 3 % faster on breast1 (0.9 MB).  A
  // large one is read and normalised in place, where the filters wait for
  // memory anyway and a copy only added time (brain1, 8.5 MB).
  // (Every region holds the ROI box, so the union starts from it.)
  IndexBox log_union = box_full;
  bool any_log = false;
  for (const auto& regions : log_regions)
    for (const IndexBox& r : regions) {
      for (int d = 0; d < 3; ++d) {
        log_union.lower[d] = std::min(log_union.lower[d], r.lower[d]);
        log_union.upper[d] = std::max(log_union.upper[d], r.upper[d]);
      }
      any_log = true;
    }
  const std::array<std::size_t, 3> union_size = log_union.Size();
  const bool log_copy = any_log && normalizer &&
                        union_size[0] * union_size[1] * union_size[2] * sizeof(double) <= (std::size_t{2} << 20);
  Image log_input;
  if (log_copy) log_input = full_region(log_union);
  ParallelFor(0, tasks.size(), [&](std::size_t n) {
    const std::size_t t = tasks[n].type;
    const std::string& type = types[t];
    const ExtractionSettings& ts = outputs[t].settings;
    if (type == "LoG") {
      const std::size_t k = tasks[n].item;
      IndexBox reg = log_regions[t][k];
      std::array<std::size_t, 3> lo{}, hi{};
      for (int d = 0; d < 3; ++d) {
        lo[d] = box_full.lower[d] - reg.lower[d];
        hi[d] = box_full.upper[d] - reg.lower[d];
      }
      std::string label = ts.log_sigma_text[k];
      std::replace(label.begin(), label.end(), '.', '-');
      const Image* input = full;
      if (log_copy) {  // the region within the normalised copy
        input = &log_input;
        for (int d = 0; d < 3; ++d) {
          reg.lower[d] -= log_union.lower[d];
          reg.upper[d] -= log_union.lower[d];
        }
      }
      outputs[t].images[k] = {"log-sigma-" + label + "-mm-3D",
                              preprocessing::LaplacianOfGaussian(*input, ts.log_sigma[k], reg, lo, hi,
                                                                 normalizer && !log_copy ? &*normalizer : nullptr)};
      return;
    }
    std::vector<std::pair<std::string, Image>>& images = outputs[t].images;
    if (type == "Original") {
      images.emplace_back("original", preprocessing::CropImage(img, box, 0));
    } else if (type == "Wavelet") {
      preprocessing::WaveletSettings ws{ts.wavelet, ts.wavelet_start_level, ts.wavelet_level, ts.texture.force2d,
                                        ts.texture.force2d_dimension};
      // Periodic boundaries: along an axis where the filters' reach stays
      // inside the image on both sides of the box, a crop is exact; along
      // the others the lines stay whole.
      const std::size_t reach = WaveletReach(ws);
      IndexBox reg = region({reach, reach, reach});
      for (int d = 0; d < 3; ++d)
        if (box_full.lower[d] < reach || box_full.upper[d] + reach >= full->geometry().size[d]) {
          reg.lower[d] = 0;
          reg.upper[d] = full->geometry().size[d] - 1;
        }
      std::array<std::size_t, 3> lo{}, hi{};
      for (int d = 0; d < 3; ++d) {
        lo[d] = box_full.lower[d] - reg.lower[d];
        hi[d] = box_full.upper[d] - reg.lower[d];
      }
      for (auto& [name, band] : preprocessing::WaveletDecomposition(full_region(reg), ws, lo, hi)) {
        const bool numbered = name.find('-') != std::string::npos;
        images.emplace_back("wavelet" + (numbered ? name : "-" + name), std::move(band));
      }
    } else if (type == "Square" || type == "SquareRoot" || type == "Logarithm" || type == "Exponential") {
      const Image roi_box = preprocessing::CropImage(img, box, 0);
      if (type == "Square") images.emplace_back("square", preprocessing::SquareFilter(roi_box, full_max_abs));
      if (type == "SquareRoot") images.emplace_back("squareroot", preprocessing::SquareRootFilter(roi_box, full_max_abs));
      if (type == "Logarithm") images.emplace_back("logarithm", preprocessing::LogarithmFilter(roi_box, full_max_abs));
      if (type == "Exponential") images.emplace_back("exponential", preprocessing::ExponentialFilter(roi_box, full_max_abs));
    } else if (type == "Gradient") {
      const IndexBox reg = region({1, 1, 1});
      images.emplace_back("gradient", to_box(preprocessing::GradientMagnitude(full_region(reg),
                                                                             ts.gradient_use_spacing), reg));
    } else if (type == "LBP2D") {
      const preprocessing::Lbp2DSettings ls = Lbp2D(ts, filter_storage);
      const IndexBox reg = region(preprocessing::Lbp2DContext(ls));
      images.emplace_back("lbp-2D", to_box(preprocessing::LocalBinaryPattern2D(full_region(reg), ls),
                                           reg));
    } else if (type == "LBP3D") {
      const preprocessing::Lbp3DSettings ls = Lbp3D(ts, filter_storage);
      const IndexBox reg = region(preprocessing::Lbp3DContext(ls));
      // The (resegmented) ROI on the region's grid: pyradiomics samples at its voxels only.
      const Image part = full_region(reg);
      Mask roi(part.geometry(), 0);
      for (std::size_t k = 0; k < texture_crop.geometry().size[2]; ++k)
        for (std::size_t j = 0; j < texture_crop.geometry().size[1]; ++j)
          for (std::size_t i = 0; i < texture_crop.geometry().size[0]; ++i)
            roi(i + box_full.lower[0] - reg.lower[0], j + box_full.lower[1] - reg.lower[1],
                k + box_full.lower[2] - reg.lower[2]) = texture_crop(i, j, k);
      for (auto& [name, lbp] : preprocessing::LocalBinaryPattern3D(part, roi, ls))
        images.emplace_back(name, to_box(lbp, reg));
    } else {
      throw InvalidArgument("image type '" + type + "' is not available in this version of lvsi");
    }
    // LBP values undefined in the ROI are NaN, which no feature can bin.
    if (type == "LBP2D" || type == "LBP3D") {
      const char* why = type == "LBP2D" ? " ROI voxel(s) have a flat neighbourhood (lbp2DMethod var is NaN there)"
                                        : " ROI voxel(s) have all icosphere samples equal (kurtosis undefined, as in scipy)";
      for (const auto& [name, lbp] : images) {
        std::size_t undefined = 0;
        for (std::size_t n = 0; n < lbp.size(); ++n) undefined += texture_crop[n] && std::isnan(lbp[n]);
        if (undefined) throw DataError(Input::kImage, name + ": " + std::to_string(undefined) + why);
      }
    }
  }, threads_);

  // Then every (filtered image, feature class) pair, in parallel.
  struct Job {
    std::size_t type, image;
    std::string cls;
  };
  std::vector<Job> jobs;
  for (std::size_t t = 0; t < outputs.size(); ++t)
    for (std::size_t i = 0; i < outputs[t].images.size(); ++i)
      for (const auto& cls : parameters_.class_order)
        if (cls.rfind("shape", 0) != 0) jobs.push_back({t, i, cls});
  std::vector<std::vector<Roi>> rois(outputs.size());
  std::vector<std::pair<std::size_t, std::size_t>> filtered;  // (type, image)
  for (std::size_t t = 0; t < outputs.size(); ++t) {
    rois[t].resize(outputs[t].images.size());
    for (std::size_t i = 0; i < outputs[t].images.size(); ++i) filtered.emplace_back(t, i);
  }
  ParallelFor(0, filtered.size(), [&](std::size_t n) {
    const auto [t, i] = filtered[n];
    const ExtractionSettings& ts = outputs[t].settings;
    rois[t][i] = Roi::Build(outputs[t].images[i].second, texture_crop,
                            preprocessing::DiscretizationSettings{ts.bin_width, ts.bin_count});
  }, threads_);
  std::vector<FeatureList> blocks(jobs.size());
  ParallelFor(0, jobs.size(), [&](std::size_t n) {
    const Job& job = jobs[n];
    const ExtractionSettings& ts = outputs[job.type].settings;
    const Roi& roi = rois[job.type][job.image];
    const auto& names = parameters_.feature_classes.at(job.cls);
    // The values alone, named here (each full name is one allocation).
    std::vector<double> values;
    const std::vector<FeatureInfo>* infos = nullptr;
    auto run = [&](const auto& family) {
      values = family.Values(names);
      infos = &std::decay_t<decltype(family)>::Features();
    };
    if (job.cls == "firstorder") run(FirstOrderFeatures(roi, ts.voxel_array_shift));
    else if (job.cls == "glcm") run(GlcmFeatures(roi, ts.texture));
    else if (job.cls == "glrlm") run(GlrlmFeatures(roi, ts.texture));
    else if (job.cls == "glszm") run(GlszmFeatures(roi, ts.texture));
    else if (job.cls == "gldm") run(GldmFeatures(roi, ts.texture));
    else if (job.cls == "ngtdm") run(NgtdmFeatures(roi, ts.texture));
    if (!infos) return;
    const std::vector<std::string_view> resolved = detail::ResolveNames(*infos, names, job.cls.c_str());
    const std::string& prefix = outputs[job.type].images[job.image].first;
    blocks[n].reserve(values.size());
    for (std::size_t k = 0; k < values.size(); ++k) {
      std::string full_name;
      full_name.reserve(prefix.size() + job.cls.size() + resolved[k].size() + 2);
      full_name.append(prefix).append("_").append(job.cls).append("_").append(resolved[k]);
      blocks[n].emplace_back(std::move(full_name), values[k]);
    }
  }, threads_);
  std::size_t total = result.features.size();
  for (const auto& block : blocks) total += block.size();
  result.features.reserve(total);
  for (auto& block : blocks)
    for (auto& f : block) result.features.push_back(std::move(f));
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

ExtractionResult FeatureExtractor::ExecuteFiles(const std::string& image_path, const std::string& mask_path) const {
  const io::ImageInfo info = io::ReadImageInfo(image_path);
  const Image image = io::ReadImage(image_path);
  const LabelImage labels = io::ReadLabelImage(mask_path);
  try {
    return Execute(image, labels, info.pixel_type);
  } catch (const GeometryError& e) {
    throw GeometryError(mask_path, e.problem());
  } catch (const DataError& e) {
    throw DataError(e.input() == Input::kImage ? image_path : mask_path, e.problem());
  }
}

}  // namespace lvsi::radiomics
