#include "lvsi/radiomics/extractor.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <type_traits>

#include "detail/python_literal.h"
#include "detail/texture.h"
#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/core/sha1.h"
#include "lvsi/core/logging.h"
#include "lvsi/core/parallel.h"
#include "lvsi/io/image_io.h"
#include "lvsi/preprocessing/filters.h"
#include "lvsi/preprocessing/image_ops.h"
#include "lvsi/radiomics/features.h"
#include "lvsi/version.h"

#include <Eigen/Core>

namespace lvsi::radiomics {
namespace {

using preprocessing::IndexBox;

// A Python tuple of floats, "(a, b, c)".
std::string PyTuple(const std::array<double, 3>& v) {
  return "(" + FormatPythonFloat(v[0]) + ", " + FormatPythonFloat(v[1]) + ", " + FormatPythonFloat(v[2]) + ")";
}

// A Python tuple of whole numbers.
template <class Int, std::size_t N>
std::string PyTuple(const std::array<Int, N>& v) {
  std::string out = "(";
  for (std::size_t n = 0; n < N; ++n) out += (n ? ", " : "") + std::to_string(v[n]);
  return out + ")";
}

// A continuous index to a physical point in ITK's order of operations
// (SimpleITK's TransformContinuousIndexToPhysicalPoint): the sum of
// (direction * spacing) * index, then the origin.
std::array<double, 3> ItkPhysicalPoint(const Geometry& g, const std::array<double, 3>& index) {
  std::array<double, 3> p{};
  for (int r = 0; r < 3; ++r) {
    double sum = 0;
    for (int c = 0; c < 3; ++c) sum += g.direction[3 * r + c] * g.spacing[c] * index[c];
    p[r] = sum + g.origin[r];
  }
  return p;
}

// SHA-1 of an image's voxels in the type they were stored with, as
// SimpleITK's Hash() computes pyradiomics' diagnostics_Image-original_Hash
// (the values, converted back, in little-endian order).  Fed in blocks.
class VoxelHash {
 public:
  // (The stored type is looked up once, not for every block.)
  explicit VoxelHash(const std::string& type)
      : feed_(type == "int8"      ? &VoxelHash::Feed<std::int8_t>
              : type == "uint8"   ? &VoxelHash::Feed<std::uint8_t>
              : type == "int16"   ? &VoxelHash::Feed<std::int16_t>
              : type == "uint16"  ? &VoxelHash::Feed<std::uint16_t>
              : type == "int32"   ? &VoxelHash::Feed<std::int32_t>
              : type == "uint32"  ? &VoxelHash::Feed<std::uint32_t>
              : type == "float32" ? &VoxelHash::Feed<float>
                                  : &VoxelHash::Feed<double>) {}
  void Add(const double* v, std::size_t count) { (this->*feed_)(v, count); }
  std::string Hex() { return sha_.HexDigest(); }

 private:
  template <class T>
  void Feed(const double* v, std::size_t count) {
    if constexpr (std::is_same_v<T, double>) {
      sha_.Add(v, count * sizeof(double));
    } else {
      T buffer[512];
      while (count > 0) {
        const std::size_t n = std::min(count, std::size(buffer));
        for (std::size_t k = 0; k < n; ++k) buffer[k] = static_cast<T>(v[k]);
        sha_.Add(buffer, n * sizeof(T));
        v += n;
        count -= n;
      }
    }
  }
  void (VoxelHash::*feed_)(const double*, std::size_t);
  Sha1 sha_;
};

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

// Number of fully connected components of a mask (26-connected; 8 in a
// one-voxel-thick image), as pyradiomics counts VolumeNum (SimpleITK's
// ConnectedComponent filter with FullyConnectedOn).
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
      for (long dz = -1; dz <= 1; ++dz)
        for (long dy = -1; dy <= 1; ++dy)
          for (long dx = -1; dx <= 1; ++dx) {
            const long px = x + dx, py = y + dy, pz = z + dz;
            if (px < 0 || py < 0 || pz < 0 || px >= sx || py >= sy || pz >= sz) continue;
            const std::size_t m = static_cast<std::size_t>(px + sx * (py + sy * pz));
            if (mask[m] && !seen[m]) {
              seen[m] = 1;
              stack.push_back(m);
            }
          }
    }
  }
  return components;
}

// pyradiomics' addMaskElements: the diagnostics_Mask-<prefix>_* group of a
// mask reported on `grid` (its size, spacing and index space), given as
// `mask` whose voxel (0, 0, 0) is voxel `offset` of `grid`, with the ROI's
// statistics of `values(n)` (the image at mask voxel n) when `values` is
// given (pyradiomics leaves them out for the original mask).
template <class Values>
void AddMaskElements(std::vector<std::pair<std::string, std::string>>& diag, const std::string& prefix,
                     const Geometry& grid, const Mask& mask, const std::array<std::size_t, 3>& offset,
                     const Values* values) {
  const std::string key = "diagnostics_Mask-" + prefix + "_";
  const Geometry& g = mask.geometry();
  std::array<std::size_t, 3> lo{g.size[0], g.size[1], g.size[2]}, hi{0, 0, 0};
  double sum[3] = {0, 0, 0}, count = 0, total = 0, low = 0, high = 0;
  for (std::size_t k = 0, n = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i, ++n) {
        if (!mask[n]) continue;
        lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
        hi = {std::max(hi[0], i), std::max(hi[1], j), std::max(hi[2], k)};
        sum[0] += static_cast<double>(i);  // whole numbers: exact in any order
        sum[1] += static_cast<double>(j);
        sum[2] += static_cast<double>(k);
        if (values) {
          const double v = (*values)(n);
          low = count == 0 ? v : std::min(low, v);
          high = count == 0 ? v : std::max(high, v);
          total += v;
        }
        count += 1;
      }
  diag.emplace_back(key + "Spacing", PyTuple(grid.spacing));
  diag.emplace_back(key + "Size", PyTuple(grid.size));
  std::array<std::size_t, 6> box{};
  for (int d = 0; d < 3; ++d) {
    box[d] = lo[d] + offset[d];
    box[3 + d] = hi[d] - lo[d] + 1;
  }
  diag.emplace_back(key + "BoundingBox", PyTuple(box));
  diag.emplace_back(key + "VoxelNum", std::to_string(static_cast<long>(count)));
  diag.emplace_back(key + "VolumeNum", std::to_string(CountComponents(mask)));
  const std::array<double, 3> center{sum[0] / count + static_cast<double>(offset[0]),
                                     sum[1] / count + static_cast<double>(offset[1]),
                                     sum[2] / count + static_cast<double>(offset[2])};
  diag.emplace_back(key + "CenterOfMassIndex", PyTuple(center));
  diag.emplace_back(key + "CenterOfMass", PyTuple(ItkPhysicalPoint(grid, center)));
  if (!values) return;
  diag.emplace_back(key + "Mean", FormatPythonFloat(total / count));
  diag.emplace_back(key + "Minimum", FormatPythonFloat(low));
  diag.emplace_back(key + "Maximum", FormatPythonFloat(high));
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

// diagnostics_Configuration_Settings: pyradiomics' settings dict, its
// defaults in its order with the values given, then the settings given that
// it has no default for, in the order given.
std::string SettingsText(const ExtractionParameters& p) {
  std::vector<std::pair<std::string, std::string>> items = {
      {"minimumROIDimensions", "2"}, {"minimumROISize", "None"}, {"normalize", "False"}, {"normalizeScale", "1"},
      {"removeOutliers", "None"}, {"resampledPixelSpacing", "None"}, {"interpolator", "'sitkBSpline'"},
      {"preCrop", "False"}, {"padDistance", "5"}, {"distances", "[1]"}, {"force2D", "False"},
      {"force2Ddimension", "0"}, {"resegmentRange", "None"}, {"label", "1"}, {"additionalInfo", "True"}};
  auto set = [&items](const std::string& key, const std::string& literal) {
    const auto it = std::find_if(items.begin(), items.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != items.end()) it->second = literal;
    else items.emplace_back(key, literal);
  };
  for (const auto& [key, yaml] : p.applied_settings) set(key, detail::PythonLiteral(yaml));
  set("label", std::to_string(p.settings.label));  // as execute(label=...) does
  std::string out = "{";
  for (const auto& [key, literal] : items) out += (out.size() > 1 ? ", '" : "'") + key + "': " + literal;
  return out + "}";
}

// diagnostics_Configuration_EnabledImageTypes: {'<type>': {<settings>}, ...}.
std::string ImageTypesText(const ExtractionParameters& p) {
  std::string out = "{";
  for (const auto& type : p.image_type_order) {
    out += (out.size() > 1 ? ", '" : "'") + type + "': {";
    bool first = true;
    for (const auto& [key, yaml] : p.image_types.at(type)) {
      out += (first ? "'" : ", '") + key + "': " + detail::PythonLiteral(yaml);
      first = false;
    }
    out += "}";
  }
  return out + "}";
}

// The versions of lvsi and the libraries its values depend on, under
// pyradiomics' key pattern (diagnostics_Versions_<name>).
std::vector<std::pair<std::string, std::string>> Versions() {
  const std::string eigen = std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                            std::to_string(EIGEN_MINOR_VERSION);
  return {{"diagnostics_Versions_lvsi", Version()},
          {"diagnostics_Versions_ITK", LVSI_ITK_VERSION},
          {"diagnostics_Versions_Eigen", eigen},
#ifdef __clang__
          {"diagnostics_Versions_Compiler", "clang " __clang_version__}};
#else
          {"diagnostics_Versions_Compiler", "GCC " __VERSION__}};
#endif
}

// The named features of `cls` that pyradiomics computes: it raises a
// DeprecationWarning instead of a value for these deprecated ones, which
// then have no column even when named (lvsi's feature classes still compute
// them for callers who ask).  An empty list (all non-deprecated features)
// stays empty.
std::vector<std::string> PyradiomicsComputes(const std::string& cls, const std::vector<std::string>& names) {
  static const std::set<std::pair<std::string, std::string>> kNotComputed = {
      {"glcm", "Dissimilarity"}, {"glcm", "Homogeneity1"}, {"glcm", "Homogeneity2"}, {"glcm", "SumVariance"},
      {"gldm", "GrayLevelNonUniformityNormalized"}, {"gldm", "DependencePercentage"}};
  std::vector<std::string> kept;
  for (const std::string& name : names) {
    if (kNotComputed.count({cls, name})) {
      Log(LogLevel::kDebug, "feature " + cls + "_" + name + " is deprecated in pyradiomics, which computes no value");
      continue;
    }
    kept.push_back(name);
  }
  return kept;
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
             const std::string& image_pixel_type, int threads, bool voxel = false)
      : p_(parameters), s_(parameters.settings), image_(image), labels_(labels), pixel_type_(image_pixel_type),
        threads_(threads), voxel_(voxel) {}

  ExtractionResult Run() {
    const auto start = std::chrono::steady_clock::now();
    if (GetLogLevel() <= LogLevel::kDebug) {  // (the texts are not made for nothing)
      Log(LogLevel::kDebug, "Calculating features with label: " + std::to_string(s_.label));
      Log(LogLevel::kDebug, "Enabled image types: " + ImageTypesText(p_));
      Log(LogLevel::kDebug, "Current settings: " + SettingsText(p_));
    }
    CheckLabels();
    if (s_.additional_info) OriginalDiagnostics();
    Preprocess();
    Shape();
    PrepareFilters();
    FilterImages();
    FeatureClasses();
    result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::move(result_);
  }

  // Voxel-based: the same checks, preprocessing and filters on the ROI box
  // grown by kernelRadius (pyradiomics' crop), then a kernel per ROI voxel.
  VoxelResult RunVoxel(MapGrid grid) {
    const auto start = std::chrono::steady_clock::now();
    Log(LogLevel::kDebug, "Calculating voxel-based features with label " + std::to_string(s_.label) +
                              ", kernelRadius " + std::to_string(s_.kernel_radius) +
                              (s_.masked_kernel ? " (masked kernels)" : " (unmasked kernels)"));
    CheckLabels();
    if (s_.additional_info) OriginalDiagnostics();
    Preprocess();
    for (const auto& [cls, names] : p_.feature_classes)
      if (cls.rfind("shape", 0) == 0)
        Log(LogLevel::kWarning, cls + " features are not available in voxel-based extraction; skipped");
    GrowBoxForKernels();
    PrepareFilters();
    FilterImages();
    VoxelResult out;
    VoxelClasses(grid, out);
    out.diagnostics = std::move(result_.diagnostics);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
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

  // Versions, configuration, and the image and mask as loaded (pyradiomics'
  // GeneralInfo and loadImage).
  void OriginalDiagnostics() {
    auto& diag = result_.diagnostics;
    diag = Versions();
    diag.emplace_back("diagnostics_Configuration_Settings", SettingsText(p_));
    diag.emplace_back("diagnostics_Configuration_EnabledImageTypes", ImageTypesText(p_));
    const Geometry& g = image_.geometry();
    // One pass over the image gives its hash and statistics (the
    // diagnostics', and the normaliser's when normalising).
    VoxelHash hash(pixel_type_);
    statistics_ = preprocessing::IntensityStatistics::Of(
        image_, [&hash](const double* block, std::size_t count) { hash.Add(block, count); });
    diag.emplace_back("diagnostics_Image-original_Hash", hash.Hex());
    diag.emplace_back("diagnostics_Image-original_Dimensionality", g.size[2] > 1 ? "3D" : "2D");
    diag.emplace_back("diagnostics_Image-original_Spacing", PyTuple(g.spacing));
    diag.emplace_back("diagnostics_Image-original_Size", PyTuple(g.size));
    diag.emplace_back("diagnostics_Image-original_Mean", FormatPythonFloat(statistics_->mean));
    diag.emplace_back("diagnostics_Image-original_Minimum", FormatPythonFloat(statistics_->minimum));
    diag.emplace_back("diagnostics_Image-original_Maximum", FormatPythonFloat(statistics_->maximum));
    // The mask hash is over its labels as unsigned 32-bit numbers (pyradiomics
    // casts the mask to UInt32 first); the int32 label map has those bytes.
    Sha1 mask_hash;
    mask_hash.Add(labels_.data(), labels_.size() * sizeof(std::int32_t));
    diag.emplace_back("diagnostics_Mask-original_Hash", mask_hash.HexDigest());
    // The rest from the label's box, reported in the label map's indices.
    Geometry box = labels_.geometry();
    box.size = scan_.box.Size();
    AddMaskElements<NoValues>(diag, "original", labels_.geometry(), LabelsToMask(box, scan_.box.lower), scan_.box.lower,
                              nullptr);
  }

  // No image values (pyradiomics' original mask group).
  using NoValues = double (*)(std::size_t);

  // The resampled image and mask (pyradiomics' "interpolated" groups).
  void InterpolatedDiagnostics() {
    auto& diag = result_.diagnostics;
    const Geometry& g = img_.geometry();
    double low = img_.size() ? img_[0] : 0, high = low, total = 0;
    for (std::size_t n = 0; n < img_.size(); ++n) {
      low = std::min(low, img_[n]);
      high = std::max(high, img_[n]);
      total += img_[n];
    }
    diag.emplace_back("diagnostics_Image-interpolated_Spacing", PyTuple(g.spacing));
    diag.emplace_back("diagnostics_Image-interpolated_Size", PyTuple(g.size));
    diag.emplace_back("diagnostics_Image-interpolated_Mean", FormatPythonFloat(total / static_cast<double>(img_.size())));
    diag.emplace_back("diagnostics_Image-interpolated_Minimum", FormatPythonFloat(low));
    diag.emplace_back("diagnostics_Image-interpolated_Maximum", FormatPythonFloat(high));
    const auto values = [this](std::size_t n) { return img_[n]; };
    AddMaskElements(diag, "interpolated", g, mask_, {0, 0, 0}, &values);
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
      if (s_.additional_info) {
        // pyradiomics' "corrected" group: the mask on the image grid, with
        // the (normalised) image's values.
        std::optional<preprocessing::Normalizer> normal;
        if (s_.normalize) normal.emplace(Statistics(), s_.normalize_scale, s_.remove_outliers);
        const auto values = [&](std::size_t n) { return normal ? (*normal)(image_[n]) : image_[n]; };
        AddMaskElements(result_.diagnostics, "corrected", image_.geometry(), mask_, {0, 0, 0}, &values);
      }
    } else if (resample_) {
      mask_ = LabelsToMask(labels_.geometry(), {0, 0, 0});
    }
    preprocessing::MaskCheckSettings check{s_.minimum_roi_dimensions, {}};
    if (s_.minimum_roi_size) check.minimum_roi_size = static_cast<std::size_t>(*s_.minimum_roi_size);
    if (resample_) {
      const auto& r = *s_.resampled_pixel_spacing;
      Log(LogLevel::kDebug, "Resampling image and mask to spacing (" + FormatPythonFloat(r[0]) + ", " +
                               FormatPythonFloat(r[1]) + ", " + FormatPythonFloat(r[2]) + ") with " + s_.interpolator);
      preprocessing::ResampleSettings rs;
      rs.spacing = *s_.resampled_pixel_spacing;
      rs.interpolator = preprocessing::ParseInterpolator(s_.interpolator);
      rs.pad_distance = s_.pad_distance;
      rs.image_pixel_type = StorageType(pixel_type_);
      std::tie(img_, mask_) = preprocessing::ResampleToSpacing(
          s_.normalize ? preprocessing::NormalizeImage(image_, s_.normalize_scale, s_.remove_outliers) : image_, mask_,
          rs);
      if (s_.additional_info) InterpolatedDiagnostics();
    } else {
      CropAndNormalise(same_grid, check);
    }
    box_ = preprocessing::CheckMask(mask_, check);
    texture_mask_ = mask_;
    if (!s_.resegment_range.empty()) {
      texture_mask_ = preprocessing::ResegmentMask(img_, mask_, s_.resegment_range,
                                                   preprocessing::ParseResegmentMode(s_.resegment_mode));
      box_ = preprocessing::CheckMask(texture_mask_, check);
      if (s_.additional_info) {
        // Reported on the grid pyradiomics resegments on: the resampled or
        // pre-cropped image, else the whole image.
        const bool own_grid = resample_ || s_.pre_crop;
        const auto values = [this](std::size_t n) { return img_[n]; };
        AddMaskElements(result_.diagnostics, "resegmented", own_grid ? img_.geometry() : image_.geometry(),
                        texture_mask_, own_grid ? std::array<std::size_t, 3>{0, 0, 0} : offset_, &values);
      }
    }
  }

  // Everything below looks at the ROI's box only: crop first (with the pad
  // distance, as preCrop does) so the work scales with the ROI, then
  // normalise with the whole image's statistics.
  void CropAndNormalise(bool same_grid, const preprocessing::MaskCheckSettings& check) {
    // Voxel-based extraction crops the box grown by kernelRadius from the
    // whole image (or, with preCrop, from the pre-cropped one): keep room
    // for it.
    const auto pad = static_cast<std::size_t>(
        voxel_ && !s_.pre_crop ? std::max(s_.pad_distance, s_.kernel_radius) : s_.pad_distance);
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

  // Shape features on the (non-resegmented) mask cropped to the box, as
  // pyradiomics does; computed once, before the image types.
  void Shape() {
    const Mask& shape_mask = s_.resegment_shape ? texture_mask_ : mask_;
    const Mask shape_crop = preprocessing::CropMask(shape_mask, box_, 0);
    // A one-slice image is pyradiomics' 2-D input: shape2D without
    // force2D, no 3-D shape.
    const bool two_d = image_.geometry().size[2] == 1;
    const int out_axis = 2 - s_.texture.force2d_dimension;  // pyradiomics axis k is lvsi axis 2 - k
    // (shape, then shape2D, whatever the parameter file's order, as
    // pyradiomics' computeShape.)
    for (const std::string cls : {"shape", "shape2D"}) {
      const auto enabled = p_.feature_classes.find(cls);
      if (enabled == p_.feature_classes.end()) continue;
      const auto& names = enabled->second;
      FeatureList f;
      if (cls == "shape") {
        if (two_d) {
          Log(LogLevel::kWarning, "shape features are only available for 3D input (for 2D input, use shape2D); "
                                  "found 2D input");
          continue;
        }
        f = ShapeFeatures(shape_crop).Compute(names);
      } else if (cls == "shape2D") {
        if (two_d) {
          f = Shape2DFeatures(shape_crop, 0).Compute(names);
        } else if (!s_.texture.force2d) {
          Log(LogLevel::kWarning, "shape2D: parameter force2D must be set to True to enable shape2D extraction");
          continue;
        } else if (box_.Size()[static_cast<std::size_t>(out_axis)] > 1) {
          Log(LogLevel::kWarning, "shape2D: the ROI is " + std::to_string(box_.Size()[static_cast<std::size_t>(out_axis)]) +
                                      " voxels thick along force2Ddimension " +
                                      std::to_string(s_.texture.force2d_dimension) + ", cannot calculate 2D shape");
          continue;
        } else {
          f = Shape2DFeatures(shape_crop, s_.texture.force2d_dimension).Compute(names);
        }
      }
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
    log_sigmas_.resize(types.size());
    std::vector<FilterTask> tasks;
    for (std::size_t t = 0; t < types.size(); ++t) {
      ExtractionParameters local;
      local.settings = s_;
      for (const auto& [key, value] : p_.image_types.at(types[t])) local.ApplySetting(key, value);
      outputs_[t].settings = local.settings;
      if (GetLogLevel() <= LogLevel::kDebug) {
        std::string custom;
        for (const auto& [key, yaml] : p_.image_types.at(types[t]))
          custom += (custom.empty() ? "'" : ", '") + key + "': " + detail::PythonLiteral(yaml);
        Log(LogLevel::kDebug, "Adding image type \"" + types[t] + "\" with custom settings: {" + custom + "}");
      }
      if (types[t] != "LoG") {
        tasks.push_back({t, 0});
        continue;
      }
      // As pyradiomics: an image under 4 voxels along an axis gets no LoG
      // image, and a sigma that needs more than the image (ceil(sigma /
      // spacing) + 1 voxels per axis) is skipped, each with a warning.
      const ExtractionSettings& ts = outputs_[t].settings;
      const Geometry& g = full_->geometry();
      if (std::min({g.size[0], g.size[1], g.size[2]}) < 4) {
        Log(LogLevel::kWarning, "LoG: image too small to apply the LoG filter (" + Describe(g) + "); no LoG image");
        continue;
      }
      for (std::size_t k = 0; k < ts.log_sigma.size(); ++k) {
        const double sigma = ts.log_sigma[k];
        bool fits = true;
        for (int d = 0; d < 3; ++d) fits = fits && static_cast<double>(g.size[d]) >= std::ceil(sigma / g.spacing[d]) + 1;
        if (!fits) {
          Log(LogLevel::kWarning, "LoG: sigma " + ts.log_sigma_text[k] + " mm / spacing + 1 exceeds the image (" +
                                      Describe(g) + "); this sigma is skipped");
          continue;
        }
        log_regions_[t].push_back(Region(preprocessing::LogContext(g, sigma)));
        log_sigmas_[t].push_back(k);
        tasks.push_back({t, log_sigmas_[t].size() - 1});
      }
      outputs_[t].images.resize(log_sigmas_[t].size());
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

  // The LoG image of type t's kept sigma `item` (log_sigmas_[t][item]), from
  // the normalised copy or from the loaded image in place, normalising what
  // it reads.
  void LogImage(std::size_t t, std::size_t item) {
    const ExtractionSettings& ts = outputs_[t].settings;
    const std::size_t k = log_sigmas_[t][item];
    IndexBox reg = log_regions_[t][item];
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
    outputs_[t].images[item] = {"log-sigma-" + label + "-mm-3D",
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
      const std::string& name = outputs_[t].images[i].first;
      Log(LogLevel::kDebug, "Calculating features for " + name + " image");
      rois[t][i] = Roi::Build(outputs_[t].images[i].second, texture_crop_,
                              preprocessing::DiscretizationSettings{ts.bin_width, ts.bin_count});
      const std::size_t bins = rois[t][i].bin_edges.size() - 1;
      Log(LogLevel::kDebug, name + ": Calculated " + std::to_string(bins) + " bins for " +
                                (ts.bin_count ? "bin count " + std::to_string(*ts.bin_count)
                                              : "bin width " + FormatPythonFloat(ts.bin_width)) +
                                " (" + std::to_string(rois[t][i].gray_levels.size()) + " grey levels present)");
      // A fixed bin width giving fewer than 16 or more than 128 bins on the
      // original image makes texture features unstable: a warning there
      // (once per case), a note for derived images, whose ranges differ by
      // design.
      if (!ts.bin_count && (bins < 16 || bins > 128))
        Log(name == "original" ? LogLevel::kWarning : LogLevel::kDebug,
            name + ": bin width " + FormatPythonFloat(ts.bin_width) + " gives " + std::to_string(bins) +
                " bins; a width giving 16-128 bins is advised for reproducible texture features");
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
    const std::vector<std::string> names = PyradiomicsComputes(cls, p_.feature_classes.at(cls));
    if (names.empty() && !p_.feature_classes.at(cls).empty()) return {};  // only features pyradiomics leaves out
    std::vector<double> values;
    const std::vector<FeatureInfo>* infos = nullptr;
    auto run = [&](const auto& family) {
      infos = &std::decay_t<decltype(family)>::Features();
      // A feature that fails is NaN with the reason logged, and the case
      // goes on (pyradiomics' semantics); lvsi computes a class's features
      // together, so the class's features are NaN.
      try {
        values = family.Values(names);
      } catch (const std::exception& e) {
        Log(LogLevel::kError, "FAILED: " + prefix + "_" + cls + ": " + e.what() + "; its features are NaN");
        values.assign(detail::ResolveNames(*infos, names, cls.c_str()).size(), std::nan(""));
      }
    };
    Log(LogLevel::kDebug, "Computing " + cls + " (" + prefix + ")");
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

  // pyradiomics' voxel crop: the ROI box grown by kernelRadius on every
  // side, clamped to the image.
  void GrowBoxForKernels() {
    const auto r = static_cast<std::size_t>(s_.kernel_radius);
    const Geometry& g = img_.geometry();
    for (int d = 0; d < 3; ++d) {
      box_.lower[d] = box_.lower[d] > r ? box_.lower[d] - r : 0;
      box_.upper[d] = std::min(g.size[d] - 1, box_.upper[d] + r);
    }
  }

  // Every (filtered image, class, feature) map: for each image the grey
  // levels of the whole ROI (or crop), then the kernels in parallel, each
  // voxel writing its own map entries.
  void VoxelClasses(MapGrid grid, VoxelResult& out) {
    struct ClassPlan {
      std::string cls;
      std::vector<std::string> names;  // what PyradiomicsComputes keeps (empty: all)
      std::size_t first = 0;           // index of its first map, per image
      std::size_t count = 0;
    };
    std::vector<ClassPlan> plans;
    std::size_t per_image = 0;
    for (const auto& cls : p_.class_order) {
      if (cls.rfind("shape", 0) == 0) continue;
      ClassPlan plan{cls, PyradiomicsComputes(cls, p_.feature_classes.at(cls)), per_image, 0};
      if (plan.names.empty() && !p_.feature_classes.at(cls).empty()) continue;
      plan.count = detail::ResolveNames(FeatureClassInfo(cls), plan.names, cls.c_str()).size();
      per_image += plan.count;
      plans.push_back(std::move(plan));
    }
    const Geometry& crop = texture_crop_.geometry();
    std::vector<std::size_t> roi_voxels;  // indices in the crop, raster order
    for (std::size_t n = 0; n < texture_crop_.size(); ++n)
      if (texture_crop_[n]) roi_voxels.push_back(n);
    out.voxel_count = roi_voxels.size();
    // The maps' grid and where the crop's voxels land on it.
    Geometry map_grid = crop;
    std::array<std::size_t, 3> at{0, 0, 0};
    if (grid == MapGrid::kImage) {
      map_grid = full_->geometry();
      at = box_full_.lower;
    }
    std::vector<std::size_t> map_index(roi_voxels.size());
    for (std::size_t v = 0; v < roi_voxels.size(); ++v) {
      const std::size_t n = roi_voxels[v];
      const std::size_t x = n % crop.size[0], y = n / crop.size[0] % crop.size[1], z = n / (crop.size[0] * crop.size[1]);
      map_index[v] = (x + at[0]) + map_grid.size[0] * ((y + at[1]) + map_grid.size[1] * (z + at[2]));
    }
    std::vector<std::string> map_names;
    for (std::size_t t = 0; t < outputs_.size(); ++t)
      for (const auto& [prefix, image] : outputs_[t].images)
        for (const ClassPlan& plan : plans)
          for (const std::string_view name :
               detail::ResolveNames(FeatureClassInfo(plan.cls), plan.names, plan.cls.c_str()))
            map_names.push_back(prefix + "_" + plan.cls + "_" + std::string(name));
    // The maps are fresh memory, about 1 s per 300 MiB on one core here
    // (page faults): filled on every thread.
    out.maps.resize(map_names.size());
    ParallelFor(0, map_names.size(), [&](std::size_t k) {
      out.maps[k] = {std::move(map_names[k]), Image(map_grid, s_.init_value)};
    }, threads_);
    std::size_t image_index = 0;
    for (std::size_t t = 0; t < outputs_.size(); ++t) {
      const ExtractionSettings& ts = outputs_[t].settings;
      for (const auto& [prefix, image] : outputs_[t].images) {
        const std::size_t base = image_index++ * per_image;
        Log(LogLevel::kDebug, "Calculating voxel-based features for " + prefix + " image (" +
                                  std::to_string(roi_voxels.size()) + " kernels)");
        // Grey levels of the whole ROI, or with unmasked kernels of the
        // whole crop (pyradiomics bins the array its kernels read).
        const Mask binned = ts.masked_kernel ? texture_crop_ : Mask(crop, 1);
        const Roi whole = Roi::Build(image, binned, preprocessing::DiscretizationSettings{ts.bin_width, ts.bin_count});
        const detail::KernelShape shape{ts.kernel_radius, ts.texture.force2d ? 2 - ts.texture.force2d_dimension : -1};
        constexpr std::size_t kChunk = 64;
        const std::size_t chunks = (roi_voxels.size() + kChunk - 1) / kChunk;
        ParallelFor(0, chunks, [&](std::size_t c) {
          Roi kernel;
          detail::KernelBuffers buffers;
          const std::size_t end = std::min(roi_voxels.size(), (c + 1) * kChunk);
          for (std::size_t v = c * kChunk; v < end; ++v) {
            detail::BuildKernel(whole, roi_voxels[v], shape, buffers, &kernel);
            for (const ClassPlan& plan : plans) {
              const std::vector<double> values = KernelValues(plan.cls, plan.names, plan.count, kernel, whole, ts);
              for (std::size_t k = 0; k < values.size(); ++k)
                out.maps[base + plan.first + k].second.data()[map_index[v]] = values[k];
            }
          }
        }, threads_);
      }
    }
  }

  // One class's values on a kernel (NaN when the class fails there, as a
  // failed feature in pyradiomics).
  static std::vector<double> KernelValues(const std::string& cls, const std::vector<std::string>& names,
                                          std::size_t count, const Roi& kernel, const Roi& whole,
                                          const ExtractionSettings& ts) {
    try {
      if (cls == "firstorder") return FirstOrderFeatures(kernel, ts.voxel_array_shift).Values(names);
      if (cls == "glcm") {
        std::vector<double> v = GlcmFeatures(kernel, ts.texture).Values(names);
        // pyradiomics' voxel matrices span every grey level of the ROI: a
        // kernel of one level has Q eigenvalues {1, 0, ...}, so MCC is 0
        // there (the 1 of a flat ROI needs a flat ROI).
        if (kernel.gray_levels.size() == 1 && whole.gray_levels.size() > 1) {
          const auto names_used = detail::ResolveNames(GlcmFeatures::Features(), names, "glcm");
          for (std::size_t k = 0; k < names_used.size(); ++k)
            if (names_used[k] == "MCC" && !std::isnan(v[k])) v[k] = 0;
        }
        return v;
      }
      if (cls == "glrlm") return GlrlmFeatures(kernel, ts.texture).Values(names);
      if (cls == "glszm") return GlszmFeatures(kernel, ts.texture).Values(names);
      if (cls == "gldm") return GldmFeatures(kernel, ts.texture).Values(names);
      if (cls == "ngtdm") return NgtdmFeatures(kernel, ts.texture).Values(names);
    } catch (const Interrupted&) {
      throw;  // (an interrupt stops the extraction, it is no failed feature)
    } catch (const std::exception&) {
    }
    return std::vector<double>(count, std::nan(""));
  }

  const ExtractionParameters& p_;
  const ExtractionSettings& s_;
  const Image& image_;
  const LabelImage& labels_;
  const std::string& pixel_type_;
  const int threads_;
  const bool voxel_;
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
  std::vector<std::vector<IndexBox>> log_regions_;  // per type: the regions of its kept sigmas
  std::vector<std::vector<std::size_t>> log_sigmas_;  // per type: the sigmas kept (indices into log_sigma)
  IndexBox log_union_;
  bool log_copy_ = false;
  Image log_input_;
};

}  // namespace

ExtractionResult FeatureExtractor::Execute(const Image& image, const LabelImage& labels,
                                           const std::string& image_pixel_type) const {
  return Extraction(parameters_, image, labels, image_pixel_type, threads_).Run();
}

const Image& VoxelResult::Map(const std::string& name) const {
  for (const auto& [n, map] : maps)
    if (n == name) return map;
  throw InvalidArgument("no voxel map named '" + name + "'");
}

VoxelResult FeatureExtractor::ExecuteVoxel(const Image& image, const LabelImage& labels,
                                           const std::string& image_pixel_type, MapGrid grid) const {
  return Extraction(parameters_, image, labels, image_pixel_type, threads_, true).RunVoxel(grid);
}

namespace {

// Reads image and mask (a vector mask gives its label_channel, as
// pyradiomics' getMask; a scalar mask ignores the setting) and runs
// `extract(image, labels, pixel_type)`, naming the file in its errors.
template <class Extract>
auto WithFiles(const std::string& image_path, const std::string& mask_path, int label_channel, Extract extract) {
  Log(LogLevel::kDebug, "Loading image and mask (" + image_path + ", " + mask_path + ")");
  const io::ImageInfo info = io::ReadImageInfo(image_path);
  const Image image = io::ReadImage(image_path);
  io::ImageReadSettings mask_settings;
  mask_settings.component = label_channel;
  const LabelImage labels = io::ReadLabelImage(mask_path, mask_settings);
  try {
    return extract(image, labels, info.pixel_type);
  } catch (const GeometryError& e) {
    throw GeometryError(mask_path, e.problem());
  } catch (const DataError& e) {
    throw DataError(e.input() == Input::kImage ? image_path : mask_path, e.problem());
  }
}

}  // namespace

VoxelResult FeatureExtractor::ExecuteVoxelFiles(const std::string& image_path, const std::string& mask_path,
                                                MapGrid grid) const {
  return WithFiles(image_path, mask_path, parameters_.settings.label_channel,
                   [&](const Image& image, const LabelImage& labels, const std::string& pixel_type) {
                     return ExecuteVoxel(image, labels, pixel_type, grid);
                   });
}

ExtractionResult FeatureExtractor::ExecuteFiles(const std::string& image_path, const std::string& mask_path) const {
  return WithFiles(image_path, mask_path, parameters_.settings.label_channel,
                   [&](const Image& image, const LabelImage& labels, const std::string& pixel_type) {
                     return Execute(image, labels, pixel_type);
                   });
}

}  // namespace lvsi::radiomics
