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

namespace {

// One extraction, as pyradiomics' execute() runs it, in stages: the label
// and image checks with the original image's diagnostics, the
// preprocessing (geometry check, resampling or cropping, normalisation,
// mask checks, resegmentation) with the mask's diagnostics, shape, the
// image types' filters, then every (image, feature class) pair.
class Extraction {
 public:
  Extraction(const ExtractionParameters& parameters, const Image& image, const LabelImage& labels,
             const std::string& image_pixel_type, int threads)
      : p_(parameters), s_(parameters.settings), image_(image), labels_(labels), pixel_type_(image_pixel_type),
        threads_(threads) {}

  ExtractionResult Run() {
    const auto start = std::chrono::steady_clock::now();
    CheckLabels();
    if (s_.additional_info) OriginalDiagnostics();
    Preprocess();
    if (s_.additional_info) MaskDiagnostics();
    Shape();
    PrepareFilters();
    FilterImages();
    FeatureClasses();
    result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::move(result_);
  }

 private:
  // Each image type's settings and its images (name, image cropped to the box).
  struct TypeOutput {
    ExtractionSettings settings;
    std::vector<std::pair<std::string, Image>> images;
  };
  struct FilterTask {
    std::size_t type, item;  // item: the sigma of a LoG type, else 0
  };

  void CheckLabels() {
    scan_ = ScanLabels(labels_, image_, s_.label);
    if (scan_.count == 0) throw DataError(Input::kMask, "label " + std::to_string(s_.label) + " is not present in the mask");
    if (scan_.non_finite)
      throw DataError(Input::kImage, std::to_string(scan_.non_finite) + " voxel(s) inside the ROI are NaN or infinite");
  }

  // The mask on `grid`, read from the label map from its index `lo`.
  Mask LabelsToMask(const Geometry& grid, const std::array<std::size_t, 3>& lo) const {
    Mask m(grid, 0);
    std::size_t n = 0;
    for (std::size_t k = 0; k < grid.size[2]; ++k)
      for (std::size_t j = 0; j < grid.size[1]; ++j)
        for (std::size_t i = 0; i < grid.size[0]; ++i, ++n)
          m[n] = labels_(lo[0] + i, lo[1] + j, lo[2] + k) == s_.label;
    return m;
  }

  void OriginalDiagnostics() {
    auto& diag = result_.diagnostics;
    diag.emplace_back("diagnostics_Versions_lvsi", Version());
    diag.emplace_back("diagnostics_Configuration_Settings", SettingsText(s_));
    std::string types = "{";
    for (const auto& [t, o] : p_.image_types) types += (types.size() > 1 ? ", '" : "'") + t + "': {}";
    diag.emplace_back("diagnostics_Configuration_EnabledImageTypes", types + "}");
    const Geometry& g = image_.geometry();
    // One pass over the image gives its hash and statistics (the
    // diagnostics', and the normaliser's when normalising).
    ContentHash hash(image_.size() * sizeof(double));
    statistics_ = preprocessing::IntensityStatistics::Of(
        image_, [&hash](const double* block, std::size_t count) { hash.Add(block, count * sizeof(double)); });
    diag.emplace_back("diagnostics_Image-original_Hash", hash.Hex());
    diag.emplace_back("diagnostics_Image-original_Dimensionality", g.size[2] > 1 ? "3D" : "2D");
    diag.emplace_back("diagnostics_Image-original_Spacing", Triple(g.spacing[0], g.spacing[1], g.spacing[2]));
    diag.emplace_back("diagnostics_Image-original_Size", Triple(double(g.size[0]), double(g.size[1]), double(g.size[2])));
    diag.emplace_back("diagnostics_Image-original_Mean", FormatDouble(statistics_->mean));
    diag.emplace_back("diagnostics_Image-original_Minimum", FormatDouble(statistics_->minimum));
    diag.emplace_back("diagnostics_Image-original_Maximum", FormatDouble(statistics_->maximum));
    diag.emplace_back("diagnostics_Mask-original_Hash", HashOf(labels_));
  }

  // The whole image's statistics (computed once, when first needed).
  const preprocessing::IntensityStatistics& Statistics() {
    if (!statistics_) statistics_ = preprocessing::IntensityStatistics::Of(image_);
    return *statistics_;
  }

  void Preprocess() {
    // Geometry of image and mask must agree, unless the mask is resampled.
    std::string why;
    GeometryTolerance tol;
    if (s_.geometry_tolerance) tol.coordinate = tol.direction = *s_.geometry_tolerance;
    resample_ = s_.resampled_pixel_spacing && !s_.interpolator.empty();
    const bool same_grid = SameGeometry(image_.geometry(), labels_.geometry(), tol, &why);
    if (!resample_ && !same_grid) {
      if (!s_.correct_mask)
        throw GeometryError(Input::kMask, "mask grid does not match the image grid: " + why + " (enable correctMask)");
      mask_ = preprocessing::ResampleMaskToGrid(LabelsToMask(labels_.geometry(), {0, 0, 0}), image_.geometry());
    } else if (resample_) {
      mask_ = LabelsToMask(labels_.geometry(), {0, 0, 0});
    }
    preprocessing::MaskCheckSettings check{s_.minimum_roi_dimensions, {}};
    if (s_.minimum_roi_size) check.minimum_roi_size = static_cast<std::size_t>(*s_.minimum_roi_size);
    if (resample_) {
      preprocessing::ResampleSettings rs;
      rs.spacing = *s_.resampled_pixel_spacing;
      rs.interpolator = preprocessing::ParseInterpolator(s_.interpolator);
      rs.pad_distance = s_.pad_distance;
      rs.image_pixel_type = StorageType(pixel_type_);
      std::tie(img_, mask_) = preprocessing::ResampleToSpacing(
          s_.normalize ? preprocessing::NormalizeImage(image_, s_.normalize_scale, s_.remove_outliers) : image_, mask_,
          rs);
    } else {
      CropAndNormalise(same_grid, check);
    }
    box_ = preprocessing::CheckMask(mask_, check);
    texture_mask_ = mask_;
    if (!s_.resegment_range.empty()) {
      texture_mask_ = preprocessing::ResegmentMask(img_, mask_, s_.resegment_range,
                                                   preprocessing::ParseResegmentMode(s_.resegment_mode));
      box_ = preprocessing::CheckMask(texture_mask_, check);
    }
  }

  // Everything below looks at the ROI's box only: crop first (with the pad
  // distance, as preCrop does) so the work scales with the ROI, then
  // normalise with the whole image's statistics.
  void CropAndNormalise(bool same_grid, const preprocessing::MaskCheckSettings& check) {
    const auto pad = static_cast<std::size_t>(s_.pad_distance);
    if (same_grid) {
      // Crop straight from the label map: lower corner and size of the
      // label's box grown by padDistance, clamped to the image.
      const Geometry& g = image_.geometry();
      IndexBox padded = scan_.box;
      for (int d = 0; d < 3; ++d) {
        padded.lower[d] = scan_.box.lower[d] > pad ? scan_.box.lower[d] - pad : 0;
        padded.upper[d] = std::min(g.size[d] - 1, scan_.box.upper[d] + pad);
      }
      img_ = preprocessing::CropImage(image_, padded, 0);
      mask_ = LabelsToMask(img_.geometry(), padded.lower);
      offset_ = padded.lower;
    } else {
      const IndexBox pre = preprocessing::CheckMask(mask_, check);
      std::tie(img_, mask_) = preprocessing::CropToBox(image_, mask_, pre, pad);
      for (int d = 0; d < 3; ++d) offset_[d] = pre.lower[d] > pad ? pre.lower[d] - pad : 0;
    }
    if (s_.normalize)
      img_ = preprocessing::NormalizeImage(img_, Statistics(), s_.normalize_scale, s_.remove_outliers);
  }

  void MaskDiagnostics() {
    auto& diag = result_.diagnostics;
    const auto size = box_.Size();
    diag.emplace_back("diagnostics_Mask-original_BoundingBox",
                      "(" + std::to_string(box_.lower[0]) + ", " + std::to_string(box_.lower[1]) + ", " +
                          std::to_string(box_.lower[2]) + ", " + std::to_string(size[0]) + ", " +
                          std::to_string(size[1]) + ", " + std::to_string(size[2]) + ")");
    double cx = 0, cy = 0, cz = 0, vox = 0;
    const auto& g = texture_mask_.geometry();
    for (std::size_t n = 0; n < texture_mask_.size(); ++n)
      if (texture_mask_[n]) {
        cx += static_cast<double>(n % g.size[0]);
        cy += static_cast<double>((n / g.size[0]) % g.size[1]);
        cz += static_cast<double>(n / (g.size[0] * g.size[1]));
        vox += 1;
      }
    diag.emplace_back("diagnostics_Mask-original_VoxelNum", std::to_string(static_cast<long>(vox)));
    diag.emplace_back("diagnostics_Mask-original_VolumeNum", std::to_string(CountComponents(texture_mask_)));
    diag.emplace_back("diagnostics_Mask-original_CenterOfMassIndex", Triple(cx / vox, cy / vox, cz / vox));
    const auto com = g.IndexToPhysical({cx / vox, cy / vox, cz / vox});
    diag.emplace_back("diagnostics_Mask-original_CenterOfMass", Triple(com[0], com[1], com[2]));
  }

  // Shape features on the (non-resegmented) mask cropped to the box, as
  // pyradiomics does; computed once, before the image types.
  void Shape() {
    const Mask& shape_mask = s_.resegment_shape ? texture_mask_ : mask_;
    const Mask shape_crop = preprocessing::CropMask(shape_mask, box_, 0);
    for (const auto& cls : p_.class_order) {
      const auto& names = p_.feature_classes.at(cls);
      FeatureList f;
      if (cls == "shape") f = ShapeFeatures(shape_crop).Compute(names);
      if (cls == "shape2D" && s_.texture.force2d)
        f = Shape2DFeatures(shape_crop, s_.texture.force2d_dimension).Compute(names);
      for (const auto& [name, value] : f) result_.features.emplace_back("original_" + cls + "_" + name, value);
    }
  }

  // The image filters see the whole loaded image, as pyradiomics' image
  // types do: the (normalised) input, or the resampled grid.  A normalised
  // input is not materialised: each filter normalises the region it reads
  // (the same function of each voxel), and the whole image's largest
  // magnitude comes from its extremes, the normalisation being monotone.
  void PrepareFilters() {
    const bool filtered_types = p_.image_type_order.size() > 1 || p_.image_type_order.front() != "Original";
    full_ = resample_ ? &img_ : &image_;
    if (!resample_ && s_.normalize && filtered_types)
      normalizer_.emplace(Statistics(), s_.normalize_scale, s_.remove_outliers);
    if (filtered_types) {
      if (normalizer_)
        full_max_abs_ = std::max({0.0, std::abs((*normalizer_)(statistics_->minimum)),
                                  std::abs((*normalizer_)(statistics_->maximum))});
      else
        full_max_abs_ = preprocessing::MaxAbs(*full_);
    }
    if (resample_) offset_ = {0, 0, 0};
    box_full_ = box_;  // the ROI box in full-image indices
    for (int d = 0; d < 3; ++d) {
      box_full_.lower[d] += offset_[d];
      box_full_.upper[d] += offset_[d];
    }
    texture_crop_ = preprocessing::CropMask(texture_mask_, box_, 0);
    // pyradiomics hands the filters an image of the stored voxel type unless
    // it was normalised (LBP results are written into such an array).
    filter_storage_ = s_.normalize ? preprocessing::StoragePixelType::kFloat64 : StorageType(pixel_type_);
  }

  // The region `reg` of the full image, cropped and (when normalising)
  // normalised in one pass over its rows, each copied and then normalised
  // while in cache (the region is never zeroed first).
  Image FullRegion(const IndexBox& reg) const {
    if (!normalizer_) return preprocessing::CropImage(*full_, reg, 0);
    const Geometry& g = full_->geometry();
    Geometry pg = g;
    pg.origin = g.IndexToPhysical({static_cast<double>(reg.lower[0]), static_cast<double>(reg.lower[1]),
                                   static_cast<double>(reg.lower[2])});
    pg.size = reg.Size();
    std::vector<double> data;
    data.reserve(pg.NumVoxels());
    for (std::size_t k = reg.lower[2]; k <= reg.upper[2]; ++k)
      for (std::size_t j = reg.lower[1]; j <= reg.upper[1]; ++j) {
        const double* row = full_->data() + reg.lower[0] + g.size[0] * (j + g.size[1] * k);
        const std::size_t at = data.size();
        data.insert(data.end(), row, row + pg.size[0]);
        normalizer_->Apply(data.data() + at, data.data() + at, pg.size[0]);
      }
    return Image(pg, std::move(data));
  }

  // The region of the full image a filter needs around the ROI box.
  IndexBox Region(const std::array<std::size_t, 3>& pad) const {
    IndexBox r = box_full_;
    const Geometry& g = full_->geometry();
    for (int d = 0; d < 3; ++d) {
      r.lower[d] = box_full_.lower[d] > pad[d] ? box_full_.lower[d] - pad[d] : 0;
      r.upper[d] = std::min(g.size[d] - 1, box_full_.upper[d] + pad[d]);
    }
    return r;
  }

  // The ROI box within region `reg` (lower and upper corners).
  void BoxIn(const IndexBox& reg, std::array<std::size_t, 3>* lo, std::array<std::size_t, 3>* hi) const {
    for (int d = 0; d < 3; ++d) {
      (*lo)[d] = box_full_.lower[d] - reg.lower[d];
      (*hi)[d] = box_full_.upper[d] - reg.lower[d];
    }
  }

  // Crops a filtered region back to the ROI box.
  Image ToBox(const Image& filtered, const IndexBox& reg) const {
    IndexBox b;
    BoxIn(reg, &b.lower, &b.upper);
    return preprocessing::CropImage(filtered, b, 0);
  }

  // One task per image type, and one per sigma of a LoG type (whose region,
  // the ROI box plus its context, goes to log_regions_[type][sigma]).
  std::vector<FilterTask> PlanFilters() {
    const std::vector<std::string>& types = p_.image_type_order;
    outputs_.resize(types.size());
    log_regions_.resize(types.size());
    std::vector<FilterTask> tasks;
    for (std::size_t t = 0; t < types.size(); ++t) {
      ExtractionParameters local;
      local.settings = s_;
      for (const auto& [key, value] : p_.image_types.at(types[t])) local.ApplySetting(key, value);
      outputs_[t].settings = local.settings;
      if (types[t] != "LoG") {
        tasks.push_back({t, 0});
        continue;
      }
      const ExtractionSettings& ts = outputs_[t].settings;
      const Geometry& g = full_->geometry();
      for (std::size_t k = 0; k < ts.log_sigma.size(); ++k) {
        const double sigma = ts.log_sigma[k];
        for (int d = 0; d < 3; ++d)
          if (g.size[d] < 4 || static_cast<double>(g.size[d]) < std::ceil(sigma / g.spacing[d]) + 1)
            throw InvalidArgument("LoG sigma " + ts.log_sigma_text[k] + " mm does not fit the image (" + Describe(g) +
                                  "): it needs ceil(sigma/spacing) + 1 and at least 4 voxels per axis");
        log_regions_[t].push_back(Region(preprocessing::LogContext(g, sigma)));
        tasks.push_back({t, k});
      }
      outputs_[t].images.resize(ts.log_sigma.size());
    }
    return tasks;
  }

  // With normalisation, the LoG filters of a small union of regions read
  // one normalised copy of it (normalised once, not once per sigma and axis
  // term; the same values): measured 3 % faster on breast1 (0.9 MB).  A
  // large one is read and normalised in place, where the filters wait for
  // memory anyway and a copy only added time (brain1, 8.5 MB).
  // (Every region holds the ROI box, so the union starts from it.)
  void PrepareLogInput() {
    log_union_ = box_full_;
    bool any_log = false;
    for (const auto& regions : log_regions_)
      for (const IndexBox& r : regions) {
        for (int d = 0; d < 3; ++d) {
          log_union_.lower[d] = std::min(log_union_.lower[d], r.lower[d]);
          log_union_.upper[d] = std::max(log_union_.upper[d], r.upper[d]);
        }
        any_log = true;
      }
    const std::array<std::size_t, 3> union_size = log_union_.Size();
    log_copy_ = any_log && normalizer_ &&
                union_size[0] * union_size[1] * union_size[2] * sizeof(double) <= (std::size_t{2} << 20);
    if (log_copy_) log_input_ = FullRegion(log_union_);
  }

  void FilterImages() {
    const std::vector<FilterTask> tasks = PlanFilters();
    PrepareLogInput();
    ParallelFor(0, tasks.size(), [&](std::size_t n) {
      const std::size_t t = tasks[n].type;
      if (p_.image_type_order[t] == "LoG") LogImage(t, tasks[n].item);
      else FilterImage(t);
    }, threads_);
  }

  // Sigma k of LoG type t, from the normalised copy or from the loaded
  // image in place, normalising what it reads.
  void LogImage(std::size_t t, std::size_t k) {
    const ExtractionSettings& ts = outputs_[t].settings;
    IndexBox reg = log_regions_[t][k];
    std::array<std::size_t, 3> lo{}, hi{};
    BoxIn(reg, &lo, &hi);
    std::string label = ts.log_sigma_text[k];
    std::replace(label.begin(), label.end(), '.', '-');
    const Image* input = full_;
    if (log_copy_) {  // the region within the normalised copy
      input = &log_input_;
      for (int d = 0; d < 3; ++d) {
        reg.lower[d] -= log_union_.lower[d];
        reg.upper[d] -= log_union_.lower[d];
      }
    }
    outputs_[t].images[k] = {"log-sigma-" + label + "-mm-3D",
                             preprocessing::LaplacianOfGaussian(*input, ts.log_sigma[k], reg, lo, hi,
                                                                normalizer_ && !log_copy_ ? &*normalizer_ : nullptr)};
  }

  // Image type t other than LoG.
  void FilterImage(std::size_t t) {
    const std::string& type = p_.image_type_order[t];
    const ExtractionSettings& ts = outputs_[t].settings;
    std::vector<std::pair<std::string, Image>>& images = outputs_[t].images;
    if (type == "Original") {
      images.emplace_back("original", preprocessing::CropImage(img_, box_, 0));
    } else if (type == "Wavelet") {
      WaveletImages(ts, &images);
    } else if (type == "Square" || type == "SquareRoot" || type == "Logarithm" || type == "Exponential") {
      const Image roi_box = preprocessing::CropImage(img_, box_, 0);
      if (type == "Square") images.emplace_back("square", preprocessing::SquareFilter(roi_box, full_max_abs_));
      if (type == "SquareRoot") images.emplace_back("squareroot", preprocessing::SquareRootFilter(roi_box, full_max_abs_));
      if (type == "Logarithm") images.emplace_back("logarithm", preprocessing::LogarithmFilter(roi_box, full_max_abs_));
      if (type == "Exponential") images.emplace_back("exponential", preprocessing::ExponentialFilter(roi_box, full_max_abs_));
    } else if (type == "Gradient") {
      const IndexBox reg = Region({1, 1, 1});
      images.emplace_back("gradient", ToBox(preprocessing::GradientMagnitude(FullRegion(reg), ts.gradient_use_spacing), reg));
    } else if (type == "LBP2D") {
      const preprocessing::Lbp2DSettings ls = Lbp2D(ts, filter_storage_);
      const IndexBox reg = Region(preprocessing::Lbp2DContext(ls));
      images.emplace_back("lbp-2D", ToBox(preprocessing::LocalBinaryPattern2D(FullRegion(reg), ls), reg));
    } else if (type == "LBP3D") {
      Lbp3DImages(ts, &images);
    } else {
      throw InvalidArgument("image type '" + type + "' is not available in this version of lvsi");
    }
    // LBP values undefined in the ROI are NaN, which no feature can bin.
    if (type == "LBP2D" || type == "LBP3D") {
      const char* why = type == "LBP2D" ? " ROI voxel(s) have a flat neighbourhood (lbp2DMethod var is NaN there)"
                                        : " ROI voxel(s) have all icosphere samples equal (kurtosis undefined, as in scipy)";
      for (const auto& [name, lbp] : images) {
        std::size_t undefined = 0;
        for (std::size_t n = 0; n < lbp.size(); ++n) undefined += texture_crop_[n] && std::isnan(lbp[n]);
        if (undefined) throw DataError(Input::kImage, name + ": " + std::to_string(undefined) + why);
      }
    }
  }

  void WaveletImages(const ExtractionSettings& ts, std::vector<std::pair<std::string, Image>>* images) const {
    preprocessing::WaveletSettings ws{ts.wavelet, ts.wavelet_start_level, ts.wavelet_level, ts.texture.force2d,
                                      ts.texture.force2d_dimension};
    // Periodic boundaries: along an axis where the filters' reach stays
    // inside the image on both sides of the box, a crop is exact; along
    // the others the lines stay whole.
    const std::size_t reach = WaveletReach(ws);
    IndexBox reg = Region({reach, reach, reach});
    for (int d = 0; d < 3; ++d)
      if (box_full_.lower[d] < reach || box_full_.upper[d] + reach >= full_->geometry().size[d]) {
        reg.lower[d] = 0;
        reg.upper[d] = full_->geometry().size[d] - 1;
      }
    std::array<std::size_t, 3> lo{}, hi{};
    BoxIn(reg, &lo, &hi);
    for (auto& [name, band] : preprocessing::WaveletDecomposition(FullRegion(reg), ws, lo, hi)) {
      const bool numbered = name.find('-') != std::string::npos;
      images->emplace_back("wavelet" + (numbered ? name : "-" + name), std::move(band));
    }
  }

  void Lbp3DImages(const ExtractionSettings& ts, std::vector<std::pair<std::string, Image>>* images) const {
    const preprocessing::Lbp3DSettings ls = Lbp3D(ts, filter_storage_);
    const IndexBox reg = Region(preprocessing::Lbp3DContext(ls));
    // The (resegmented) ROI on the region's grid: pyradiomics samples at its voxels only.
    const Image part = FullRegion(reg);
    Mask roi(part.geometry(), 0);
    const Geometry& cg = texture_crop_.geometry();
    for (std::size_t k = 0; k < cg.size[2]; ++k)
      for (std::size_t j = 0; j < cg.size[1]; ++j)
        for (std::size_t i = 0; i < cg.size[0]; ++i)
          roi(i + box_full_.lower[0] - reg.lower[0], j + box_full_.lower[1] - reg.lower[1],
              k + box_full_.lower[2] - reg.lower[2]) = texture_crop_(i, j, k);
    for (auto& [name, lbp] : preprocessing::LocalBinaryPattern3D(part, roi, ls)) images->emplace_back(name, ToBox(lbp, reg));
  }

  // Every (filtered image, feature class) pair, in parallel: the images'
  // discretised ROIs first, then the classes' values, named here (each full
  // name is one allocation).
  void FeatureClasses() {
    struct Job {
      std::size_t type, image;
      std::string cls;
    };
    std::vector<Job> jobs;
    for (std::size_t t = 0; t < outputs_.size(); ++t)
      for (std::size_t i = 0; i < outputs_[t].images.size(); ++i)
        for (const auto& cls : p_.class_order)
          if (cls.rfind("shape", 0) != 0) jobs.push_back({t, i, cls});
    std::vector<std::vector<Roi>> rois(outputs_.size());
    std::vector<std::pair<std::size_t, std::size_t>> filtered;  // (type, image)
    for (std::size_t t = 0; t < outputs_.size(); ++t) {
      rois[t].resize(outputs_[t].images.size());
      for (std::size_t i = 0; i < outputs_[t].images.size(); ++i) filtered.emplace_back(t, i);
    }
    ParallelFor(0, filtered.size(), [&](std::size_t n) {
      const auto [t, i] = filtered[n];
      const ExtractionSettings& ts = outputs_[t].settings;
      rois[t][i] = Roi::Build(outputs_[t].images[i].second, texture_crop_,
                              preprocessing::DiscretizationSettings{ts.bin_width, ts.bin_count});
    }, threads_);
    std::vector<FeatureList> blocks(jobs.size());
    ParallelFor(0, jobs.size(), [&](std::size_t n) {
      const Job& job = jobs[n];
      blocks[n] = ClassFeatures(job.cls, rois[job.type][job.image], outputs_[job.type].settings,
                                outputs_[job.type].images[job.image].first);
    }, threads_);
    std::size_t total = result_.features.size();
    for (const auto& block : blocks) total += block.size();
    result_.features.reserve(total);
    for (auto& block : blocks)
      for (auto& f : block) result_.features.push_back(std::move(f));
  }

  // Class `cls` of one image's ROI, named "<prefix>_<cls>_<feature>".
  FeatureList ClassFeatures(const std::string& cls, const Roi& roi, const ExtractionSettings& ts,
                            const std::string& prefix) const {
    const auto& names = p_.feature_classes.at(cls);
    std::vector<double> values;
    const std::vector<FeatureInfo>* infos = nullptr;
    auto run = [&](const auto& family) {
      values = family.Values(names);
      infos = &std::decay_t<decltype(family)>::Features();
    };
    if (cls == "firstorder") run(FirstOrderFeatures(roi, ts.voxel_array_shift));
    else if (cls == "glcm") run(GlcmFeatures(roi, ts.texture));
    else if (cls == "glrlm") run(GlrlmFeatures(roi, ts.texture));
    else if (cls == "glszm") run(GlszmFeatures(roi, ts.texture));
    else if (cls == "gldm") run(GldmFeatures(roi, ts.texture));
    else if (cls == "ngtdm") run(NgtdmFeatures(roi, ts.texture));
    FeatureList block;
    if (!infos) return block;
    const std::vector<std::string_view> resolved = detail::ResolveNames(*infos, names, cls.c_str());
    block.reserve(values.size());
    for (std::size_t k = 0; k < values.size(); ++k) {
      std::string full_name;
      full_name.reserve(prefix.size() + cls.size() + resolved[k].size() + 2);
      full_name.append(prefix).append("_").append(cls).append("_").append(resolved[k]);
      block.emplace_back(std::move(full_name), values[k]);
    }
    return block;
  }

  const ExtractionParameters& p_;
  const ExtractionSettings& s_;
  const Image& image_;
  const LabelImage& labels_;
  const std::string& pixel_type_;
  const int threads_;
  ExtractionResult result_;
  LabelScan scan_;
  std::optional<preprocessing::IntensityStatistics> statistics_;  // of the whole image
  bool resample_ = false;
  Image img_;                                   // the preprocessed image (cropped, or resampled)
  Mask mask_, texture_mask_;                    // on img_'s grid; texture_mask_ after resegmentation
  std::array<std::size_t, 3> offset_{0, 0, 0};  // img_'s lower corner in the full image
  IndexBox box_;                                // the ROI box on img_'s grid
  const Image* full_ = nullptr;                 // what the filters read
  std::optional<preprocessing::Normalizer> normalizer_;
  double full_max_abs_ = 0;
  IndexBox box_full_;  // the ROI box in full-image indices
  Mask texture_crop_;
  preprocessing::StoragePixelType filter_storage_ = preprocessing::StoragePixelType::kFloat64;
  std::vector<TypeOutput> outputs_;
  std::vector<std::vector<IndexBox>> log_regions_;
  IndexBox log_union_;
  bool log_copy_ = false;
  Image log_input_;
};

}  // namespace

ExtractionResult FeatureExtractor::Execute(const Image& image, const LabelImage& labels,
                                           const std::string& image_pixel_type) const {
  return Extraction(parameters_, image, labels, image_pixel_type, threads_).Run();
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
