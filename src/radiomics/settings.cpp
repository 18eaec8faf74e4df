#include "lvsi/radiomics/settings.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/preprocessing/discretization.h"
#include "lvsi/preprocessing/image_ops.h"
#include "lvsi/radiomics/features.h"

namespace lvsi::radiomics {
namespace {

const std::vector<std::string>& ImageTypeNames() {
  static const std::vector<std::string> kTypes{"Original", "LoG", "Wavelet", "Square", "SquareRoot",
                                               "Logarithm", "Exponential", "Gradient", "LBP2D", "LBP3D"};
  return kTypes;
}

[[noreturn]] void BadType(const std::string& key, const std::string& expected, const YAML::Node& node) {
  YAML::Emitter e;
  e << YAML::Flow << node;
  throw InvalidArgument("setting '" + key + "' must be " + expected + ", got '" + e.c_str() + "'");
}

bool IsNullNode(const YAML::Node& n) { return !n || n.IsNull(); }

double AsDouble(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) BadType(key, "a number", n);
  double v;
  if (!ParseDouble(n.Scalar(), &v) || !std::isfinite(v)) BadType(key, "a number", n);
  return v;
}

int AsInt(const YAML::Node& n, const std::string& key) {
  const double v = AsDouble(n, key);
  if (v != std::floor(v) || std::abs(v) > 2e9) BadType(key, "a whole number", n);
  return static_cast<int>(v);
}

bool AsBool(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) BadType(key, "true or false", n);
  const std::string s = n.Scalar();
  if (s == "true" || s == "True" || s == "TRUE" || s == "yes") return true;
  if (s == "false" || s == "False" || s == "FALSE" || s == "no") return false;
  BadType(key, "true or false", n);
}

std::string AsString(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) BadType(key, "a string", n);
  return n.Scalar();
}

std::vector<double> AsDoubleList(const YAML::Node& n, const std::string& key) {
  if (n.IsScalar()) return {AsDouble(n, key)};
  if (!n.IsSequence()) BadType(key, "a list of numbers", n);
  std::vector<double> out;
  for (const auto& item : n) out.push_back(AsDouble(item, key));
  return out;
}

using Setter = std::function<void(ExtractionSettings&, const YAML::Node&, const std::string&)>;

const std::map<std::string, Setter>& Setters() {
  static const std::map<std::string, Setter> kSetters = {
      {"label", [](auto& s, auto& n, auto& k) { s.label = AsInt(n, k); }},
      {"label_channel", [](auto& s, auto& n, auto& k) { s.label_channel = AsInt(n, k); }},
      {"minimumROIDimensions", [](auto& s, auto& n, auto& k) { s.minimum_roi_dimensions = AsInt(n, k); }},
      {"minimumROISize", [](auto& s, auto& n, auto& k) {
         if (IsNullNode(n)) s.minimum_roi_size.reset(); else s.minimum_roi_size = AsInt(n, k); }},
      {"geometryTolerance", [](auto& s, auto& n, auto& k) {
         if (IsNullNode(n)) s.geometry_tolerance.reset(); else s.geometry_tolerance = AsDouble(n, k); }},
      {"correctMask", [](auto& s, auto& n, auto& k) { s.correct_mask = AsBool(n, k); }},
      {"additionalInfo", [](auto& s, auto& n, auto& k) { s.additional_info = AsBool(n, k); }},
      {"normalize", [](auto& s, auto& n, auto& k) { s.normalize = AsBool(n, k); }},
      {"normalizeScale", [](auto& s, auto& n, auto& k) { s.normalize_scale = AsDouble(n, k); }},
      {"removeOutliers", [](auto& s, auto& n, auto& k) {
         if (IsNullNode(n)) s.remove_outliers.reset(); else s.remove_outliers = AsDouble(n, k); }},
      {"resampledPixelSpacing", [](auto& s, auto& n, auto& k) {
         if (IsNullNode(n)) { s.resampled_pixel_spacing.reset(); return; }
         const auto v = AsDoubleList(n, k);
         if (v.size() != 3) BadType(k, "a list of 3 spacings [mm]", n);
         s.resampled_pixel_spacing = std::array<double, 3>{v[0], v[1], v[2]}; }},
      {"interpolator", [](auto& s, auto& n, auto& k) {
         if (IsNullNode(n)) { s.interpolator.clear(); return; }
         if (n.IsScalar()) {
           // SimpleITK enum values are accepted as numbers too.
           double v;
           if (ParseDouble(n.Scalar(), &v)) {
             static const char* kByNumber[] = {"", "sitkNearestNeighbor", "sitkLinear", "sitkBSpline", "sitkGaussian",
                                               "sitkLabelGaussian", "sitkHammingWindowedSinc", "sitkCosineWindowedSinc",
                                               "sitkWelchWindowedSinc", "sitkLanczosWindowedSinc", "sitkBlackmanWindowedSinc"};
             if (!(v >= 1 && v <= 10) || v != std::floor(v)) BadType(k, "an interpolator name or SimpleITK number 1-10", n);
             const int i = static_cast<int>(v);
             s.interpolator = kByNumber[i];
             return;
           }
         }
         s.interpolator = AsString(n, k);
         preprocessing::ParseInterpolator(s.interpolator); }},
      {"padDistance", [](auto& s, auto& n, auto& k) { s.pad_distance = AsInt(n, k); }},
      {"preCrop", [](auto& s, auto& n, auto& k) { s.pre_crop = AsBool(n, k); }},
      {"resegmentRange", [](auto& s, auto& n, auto& k) {
         if (IsNullNode(n)) s.resegment_range.clear(); else s.resegment_range = AsDoubleList(n, k); }},
      {"resegmentMode", [](auto& s, auto& n, auto& k) { s.resegment_mode = AsString(n, k); }},
      {"resegmentShape", [](auto& s, auto& n, auto& k) { s.resegment_shape = AsBool(n, k); }},
      {"binWidth", [](auto& s, auto& n, auto& k) { s.bin_width = AsDouble(n, k); }},
      {"binCount", [](auto& s, auto& n, auto& k) {
         if (IsNullNode(n)) s.bin_count.reset(); else s.bin_count = AsInt(n, k); }},
      {"voxelArrayShift", [](auto& s, auto& n, auto& k) { s.voxel_array_shift = AsDouble(n, k); }},
      {"distances", [](auto& s, auto& n, auto& k) {
         s.texture.distances.clear();
         for (double d : AsDoubleList(n, k)) {
           if (d != std::floor(d)) BadType(k, "a list of whole numbers", n);
           s.texture.distances.push_back(static_cast<int>(d));
         } }},
      {"symmetricalGLCM", [](auto& s, auto& n, auto& k) { s.texture.symmetrical_glcm = AsBool(n, k); }},
      {"weightingNorm", [](auto& s, auto& n, auto& k) {
         if (IsNullNode(n)) s.texture.weighting_norm.clear(); else s.texture.weighting_norm = AsString(n, k); }},
      {"gldm_a", [](auto& s, auto& n, auto& k) { s.texture.gldm_a = AsInt(n, k); }},
      {"force2D", [](auto& s, auto& n, auto& k) { s.texture.force2d = AsBool(n, k); }},
      {"force2Ddimension", [](auto& s, auto& n, auto& k) { s.texture.force2d_dimension = AsInt(n, k); }},
      {"sigma", [](auto& s, auto& n, auto& k) {
         s.log_sigma = AsDoubleList(n, k);
         s.log_sigma_text.clear();
         auto text_of = [](const YAML::Node& item) {
           std::string t = item.Scalar();
           const bool integer = t.find_first_of(".eE") == std::string::npos;
           if (integer) return t;
           double v = 0;
           ParseDouble(t, &v);
           std::string r = FormatDouble(v);  // Python's repr of a float
           if (r.find_first_of(".e") == std::string::npos) r += ".0";
           return r;
         };
         if (n.IsScalar()) s.log_sigma_text.push_back(text_of(n));
         else for (const auto& item : n) s.log_sigma_text.push_back(text_of(item)); }},
      {"wavelet", [](auto& s, auto& n, auto& k) { s.wavelet = AsString(n, k); }},
      {"start_level", [](auto& s, auto& n, auto& k) { s.wavelet_start_level = AsInt(n, k); }},
      {"level", [](auto& s, auto& n, auto& k) { s.wavelet_level = AsInt(n, k); }},
      {"gradientUseSpacing", [](auto& s, auto& n, auto& k) { s.gradient_use_spacing = AsBool(n, k); }},
      {"lbp2DRadius", [](auto& s, auto& n, auto& k) { s.lbp2d_radius = AsDouble(n, k); }},
      {"lbp2DSamples", [](auto& s, auto& n, auto& k) { s.lbp2d_samples = AsInt(n, k); }},
      {"lbp2DMethod", [](auto& s, auto& n, auto& k) { s.lbp2d_method = AsString(n, k); }},
      {"lbp3DLevels", [](auto& s, auto& n, auto& k) { s.lbp3d_levels = AsInt(n, k); }},
      {"lbp3DIcosphereRadius", [](auto& s, auto& n, auto& k) { s.lbp3d_icosphere_radius = AsDouble(n, k); }},
      {"lbp3DIcosphereSubdivision", [](auto& s, auto& n, auto& k) { s.lbp3d_icosphere_subdivision = AsInt(n, k); }},
      {"kernelRadius", [](auto& s, auto& n, auto& k) { s.kernel_radius = AsInt(n, k); }},
      {"maskedKernel", [](auto& s, auto& n, auto& k) { s.masked_kernel = AsBool(n, k); }},
      {"initValue", [](auto& s, auto& n, auto& k) {
         // YAML's NaN (.nan) is a common choice for outside the ROI.
         const bool nan = n.IsScalar() && (n.Scalar() == ".nan" || n.Scalar() == ".NaN" || n.Scalar() == ".NAN");
         s.init_value = nan ? std::nan("") : AsDouble(n, k);
       }},
      {"voxelBatch", [](auto& s, auto& n, auto& k) { s.voxel_batch = AsInt(n, k); }},
  };
  return kSetters;
}

// The settings of voxel-based extraction (pyradiomics --mode voxel).
bool IsVoxelSetting(const std::string& key) {
  return key == "kernelRadius" || key == "maskedKernel" || key == "initValue" || key == "voxelBatch";
}

}  // namespace

bool ExtractionSettings::IsValid(std::string* why) const {
  preprocessing::DiscretizationSettings disc{bin_width, bin_count};
  std::string reason;
  if (!disc.IsValid(&reason)) return Invalid(why, reason);
  if (minimum_roi_dimensions < 1 || minimum_roi_dimensions > 3)
    return Invalid(why, "minimumROIDimensions must be 1, 2 or 3");
  if (minimum_roi_size && *minimum_roi_size < 1) return Invalid(why, "minimumROISize must be >= 1");
  if (!(normalize_scale > 0)) return Invalid(why, "normalizeScale must be positive");
  if (remove_outliers && !(*remove_outliers > 0)) return Invalid(why, "removeOutliers must be positive");
  if (resampled_pixel_spacing)
    for (double s : *resampled_pixel_spacing)
      if (!(s >= 0)) return Invalid(why, "resampledPixelSpacing must be >= 0 (0 keeps the original)");
  if (!interpolator.empty()) {
    try {
      preprocessing::ParseInterpolator(interpolator);
    } catch (const InvalidArgument& e) {
      return Invalid(why, e.what());
    }
  }
  if (pad_distance < 0) return Invalid(why, "padDistance must be >= 0");
  if (kernel_radius < 1 || kernel_radius > 50) return Invalid(why, "kernelRadius must be 1..50 voxels");
  if (std::isinf(init_value)) return Invalid(why, "initValue must be a number or NaN, not infinite");
  if (label_channel < 0) return Invalid(why, "label_channel must be >= 0 (0-based)");
  if (resegment_range.size() > 2) return Invalid(why, "resegmentRange takes 1 or 2 thresholds");
  if (resegment_mode != "absolute" && resegment_mode != "relative" && resegment_mode != "sigma")
    return Invalid(why, "resegmentMode must be absolute, relative or sigma");
  if (!texture.IsValid(&reason)) return Invalid(why, reason);
  for (double s : log_sigma)
    if (!(s > 0)) return Invalid(why, "sigma must be > 0, got " + std::to_string(s));
  if (wavelet_level < 1 || wavelet_start_level < 0) return Invalid(why, "wavelet level must be >= 1 and start_level >= 0");
  if (wavelet_start_level + wavelet_level > 10)
    return Invalid(why, "wavelet start_level + level must be at most 10 (pyradiomics pads each axis to a multiple of "
                        "2^(start_level + level)), got " + std::to_string(wavelet_start_level + wavelet_level));
  // Finite values where they flow into sizes, offsets or bin indices.
  auto finite = [&](double v, const char* key) {
    return std::isfinite(v) || Invalid(why, std::string(key) + " must be a finite number, got " + FormatDouble(v));
  };
  if (!finite(normalize_scale, "normalizeScale") || !finite(voxel_array_shift, "voxelArrayShift") ||
      !finite(texture.gldm_a, "gldm_a") || (remove_outliers && !finite(*remove_outliers, "removeOutliers")) ||
      (geometry_tolerance && !finite(*geometry_tolerance, "geometryTolerance")))
    return false;
  for (double s : log_sigma)
    if (!finite(s, "sigma")) return false;
  for (double r : resegment_range)
    if (std::isnan(r)) return Invalid(why, "resegmentRange must hold numbers, got nan");
  if (texture.gldm_a < 0) return Invalid(why, "gldm_a must be >= 0");
  if (geometry_tolerance && *geometry_tolerance < 0) return Invalid(why, "geometryTolerance must be >= 0");
  if (pad_distance > 10000) return Invalid(why, "padDistance must be at most 10000 voxels");
  if (label_channel > 100000) return Invalid(why, "label_channel must be at most 100000");
  return true;
}

namespace {

std::string YamlNumber(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  return FormatDouble(v);
}

template <class T, class Format>
std::string YamlList(const std::vector<T>& values, Format format) {
  std::string out = "[";
  for (std::size_t n = 0; n < values.size(); ++n) out += (n ? ", " : "") + format(values[n]);
  return out + "]";
}

// A YAML scalar for a string: quoted (with every byte that is not printable
// ASCII escaped, so the text stays on one line) unless it is a plain word.
std::string YamlString(const std::string& s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
  if (plain && !std::isdigit(static_cast<unsigned char>(s[0])) && s[0] != '-' && s[0] != '.') return s;
  YAML::Emitter e;
  e.SetOutputCharset(YAML::EscapeNonAscii);
  e << YAML::DoubleQuoted << s;
  return e.c_str();
}

// An image type's setting overrides as a one-line flow mapping.  The
// values are YAML text as the parameter file gave them; they are emitted
// again, quoted and escaped where needed (a value may hold '#', braces or
// control bytes; found by fuzz_parameters).
std::string YamlOverrides(const std::map<std::string, std::string>& overrides) {
  YAML::Emitter e;
  e.SetOutputCharset(YAML::EscapeNonAscii);
  e << YAML::Flow << YAML::BeginMap;
  for (const auto& [key, text] : overrides) {
    e << YAML::Key << key << YAML::Value;
    try {
      e << YAML::Load(text);
    } catch (const YAML::Exception&) {
      e << text;
    }
  }
  e << YAML::EndMap;
  return e.c_str();
}

const char* YamlBool(bool b) { return b ? "true" : "false"; }

}  // namespace

std::string ExtractionParameters::ToYaml() const {
  const ExtractionSettings& s = settings;
  auto integer = [](int v) { return std::to_string(v); };
  std::string y = "# every value that determines the extraction (lvsi ExtractionParameters::ToYaml)\nsetting:\n";
  auto put = [&](const std::string& key, const std::string& value) { y += "  " + key + ": " + value + "\n"; };
  put("label", integer(s.label));
  put("label_channel", integer(s.label_channel));
  put("minimumROIDimensions", integer(s.minimum_roi_dimensions));
  if (s.minimum_roi_size) put("minimumROISize", integer(*s.minimum_roi_size));
  put("correctMask", YamlBool(s.correct_mask));
  if (s.geometry_tolerance) put("geometryTolerance", YamlNumber(*s.geometry_tolerance));
  put("additionalInfo", YamlBool(s.additional_info));
  put("normalize", YamlBool(s.normalize));
  put("normalizeScale", YamlNumber(s.normalize_scale));
  if (s.remove_outliers) put("removeOutliers", YamlNumber(*s.remove_outliers));
  if (s.resampled_pixel_spacing)
    put("resampledPixelSpacing",
        YamlList(std::vector<double>(s.resampled_pixel_spacing->begin(), s.resampled_pixel_spacing->end()), YamlNumber));
  put("interpolator", s.interpolator.empty() ? "~" : YamlString(s.interpolator));  // (~: none, as the file said)
  put("padDistance", integer(s.pad_distance));
  put("preCrop", YamlBool(s.pre_crop));
  if (!s.resegment_range.empty()) put("resegmentRange", YamlList(s.resegment_range, YamlNumber));
  put("resegmentMode", YamlString(s.resegment_mode));
  put("resegmentShape", YamlBool(s.resegment_shape));
  put("binWidth", YamlNumber(s.bin_width));
  if (s.bin_count) put("binCount", integer(*s.bin_count));
  put("voxelArrayShift", YamlNumber(s.voxel_array_shift));
  put("distances", YamlList(s.texture.distances, integer));
  put("symmetricalGLCM", YamlBool(s.texture.symmetrical_glcm));
  if (!s.texture.weighting_norm.empty()) put("weightingNorm", YamlString(s.texture.weighting_norm));
  put("gldm_a", YamlNumber(s.texture.gldm_a));
  put("force2D", YamlBool(s.texture.force2d));
  put("force2Ddimension", integer(s.texture.force2d_dimension));
  // sigma as written (image-type names are built from that text).
  if (!s.log_sigma_text.empty()) put("sigma", YamlList(s.log_sigma_text, [](const std::string& t) { return t; }));
  else if (!s.log_sigma.empty()) put("sigma", YamlList(s.log_sigma, YamlNumber));
  put("wavelet", YamlString(s.wavelet));
  put("start_level", integer(s.wavelet_start_level));
  put("level", integer(s.wavelet_level));
  put("gradientUseSpacing", YamlBool(s.gradient_use_spacing));
  put("lbp2DRadius", YamlNumber(s.lbp2d_radius));
  put("lbp2DSamples", integer(s.lbp2d_samples));
  put("lbp2DMethod", YamlString(s.lbp2d_method));
  put("lbp3DLevels", integer(s.lbp3d_levels));
  put("lbp3DIcosphereRadius", YamlNumber(s.lbp3d_icosphere_radius));
  put("lbp3DIcosphereSubdivision", integer(s.lbp3d_icosphere_subdivision));
  y += "imageType:\n";
  for (const auto& type : image_type_order) {
    const auto it = image_types.find(type);
    y += "  " + type + ": " + (it == image_types.end() ? std::string("{}") : YamlOverrides(it->second)) + "\n";
  }
  y += "featureClass:\n";
  for (const auto& cls : class_order) {
    const auto it = feature_classes.find(cls);
    y += "  " + cls + ": " + (it == feature_classes.end() || it->second.empty() ? "~" : YamlList(it->second, YamlString)) +
         "\n";
  }
  return y;
}

ExtractionParameters ExtractionParameters::Defaults() {
  ExtractionParameters p;
  p.class_order = FeatureClassNames();  // all eight, shape2D included (computed when it applies)
  for (const auto& c : p.class_order) p.feature_classes[c] = {};
  return p;
}

void ExtractionParameters::ApplySetting(const std::string& key, const std::string& yaml_value) {
  YAML::Node node;
  try {
    node = YAML::Load(yaml_value);
  } catch (const YAML::Exception& e) {
    throw InvalidArgument("setting '" + key + "': not valid YAML: " + e.what());
  }
  const auto& setters = Setters();
  auto it = setters.find(key);
  if (it == setters.end()) {
    std::string list;
    for (const auto& [k, f] : setters) list += (list.empty() ? "" : ", ") + k;
    throw InvalidArgument("unknown setting '" + key + "' (known settings: " + list + ")");
  }
  it->second(settings, node, key);
  const auto given = std::find_if(applied_settings.begin(), applied_settings.end(),
                                  [&](const auto& kv) { return kv.first == key; });
  if (given != applied_settings.end()) given->second = yaml_value;
  else applied_settings.emplace_back(key, yaml_value);
}

namespace {
ExtractionParameters ParseParameterNodes(const std::string& yaml_text, const std::string& source);
}  // namespace

ExtractionParameters ParseParameters(const std::string& yaml_text, const std::string& source) {
  try {
    return ParseParameterNodes(yaml_text, source);
  } catch (const YAML::Exception& e) {
    // A key, class or feature name that is not text (a list or mapping
    // where a name belongs), found by fuzz_parameters.
    throw InvalidArgument(source + ": a value of the wrong kind: " + e.what());
  }
}

namespace {
ExtractionParameters ParseParameterNodes(const std::string& yaml_text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw FormatError(source, std::string("not valid YAML: ") + e.what());
  }
  ExtractionParameters p = ExtractionParameters::Defaults();
  if (IsNullNode(root)) return p;
  if (!root.IsMap()) throw FormatError(source, "a parameter file must be a YAML mapping");
  auto where = [&](const std::string& what) { return source + ": " + what; };
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = it->first.as<std::string>();
    // (A copy: a yaml-cpp iterator's -> yields a temporary, so a reference
    // to its member would dangle.  Nodes are handles; copies are cheap.)
    const YAML::Node value = it->second;
    if (key == "setting") {
      if (IsNullNode(value)) continue;
      if (!value.IsMap()) throw InvalidArgument(where("'setting' must be a mapping"));
      for (auto s = value.begin(); s != value.end(); ++s) {
        YAML::Emitter e;
        e << YAML::Flow << s->second;
        try {
          p.ApplySetting(s->first.as<std::string>(), IsNullNode(s->second) ? "~" : e.c_str());
        } catch (const InvalidArgument& err) {
          throw InvalidArgument(where(err.what()));
        }
      }
    } else if (key == "imageType") {
      // Empty or absent: the original image only, as pyradiomics.
      if (IsNullNode(value) || (value.IsMap() && value.size() == 0)) continue;
      if (!value.IsMap()) throw InvalidArgument(where("'imageType' must be a mapping"));
      p.image_types.clear();
      p.image_type_order.clear();
      for (auto t = value.begin(); t != value.end(); ++t) {
        const std::string type = t->first.as<std::string>();
        const auto& known = ImageTypeNames();
        if (std::find(known.begin(), known.end(), type) == known.end())
          throw InvalidArgument(where("unknown image type '" + type +
                                      "' (Original, LoG, Wavelet, Square, SquareRoot, Logarithm, Exponential, Gradient, LBP2D, LBP3D)"));
        auto& overrides = p.image_types[type];
        p.image_type_order.push_back(type);
        const YAML::Node options = t->second;
        if (IsNullNode(options)) continue;
        if (!options.IsMap()) throw InvalidArgument(where("settings of image type '" + type + "' must be a mapping"));
        for (auto s = options.begin(); s != options.end(); ++s) {
          YAML::Emitter e;
          e << YAML::Flow << s->second;
          const std::string skey = s->first.as<std::string>();
          ExtractionParameters probe;  // validates key and type
          try {
            probe.ApplySetting(skey, e.c_str());
          } catch (const InvalidArgument& err) {
            throw InvalidArgument(where("image type '" + type + "': " + err.what()));
          }
          overrides[skey] = e.c_str();
        }
      }
    } else if (key == "featureClass") {
      // Empty or absent: every class, as pyradiomics.
      if (IsNullNode(value) || (value.IsMap() && value.size() == 0)) continue;
      if (!value.IsMap()) throw InvalidArgument(where("'featureClass' must be a mapping"));
      p.feature_classes.clear();
      p.class_order.clear();
      for (auto c = value.begin(); c != value.end(); ++c) {
        const std::string cls = c->first.as<std::string>();
        const std::vector<FeatureInfo>* infos;
        try {
          infos = &FeatureClassInfo(cls);
        } catch (const InvalidArgument& err) {
          throw InvalidArgument(where(err.what()));
        }
        std::vector<std::string> names;
        const YAML::Node listed = c->second;
        if (!IsNullNode(listed)) {
          if (!listed.IsSequence())
            throw InvalidArgument(where("features of class '" + cls + "' must be a list"));
          for (const auto& f : listed) {
            const std::string name = f.as<std::string>();
            if (std::none_of(infos->begin(), infos->end(), [&](const FeatureInfo& i) { return i.name == name; }))
              throw InvalidArgument(where("class '" + cls + "' has no feature '" + name + "'"));
            names.push_back(name);
          }
        }
        p.feature_classes[cls] = names;
        p.class_order.push_back(cls);
      }
    } else if (key == "voxelSetting") {
      // pyradiomics applies this section's settings in voxel-based
      // extraction only; segment-based extraction ignores them.
      if (IsNullNode(value) || (value.IsMap() && value.size() == 0)) continue;
      if (!value.IsMap()) throw InvalidArgument(where("'voxelSetting' must be a mapping"));
      for (auto v = value.begin(); v != value.end(); ++v) {
        const std::string vkey = v->first.as<std::string>();
        if (!IsVoxelSetting(vkey))
          throw InvalidArgument(where("unknown voxel setting '" + vkey + "' (kernelRadius, maskedKernel, initValue, voxelBatch)"));
        YAML::Emitter e;
        e << YAML::Flow << v->second;
        try {
          p.ApplySetting(vkey, IsNullNode(v->second) ? "~" : e.c_str());
        } catch (const InvalidArgument& err) {
          throw InvalidArgument(where(err.what()));
        }
      }
    } else if (key == "ibsi") {
      throw InvalidArgument(where("an IBSI configuration (section 'ibsi'): IBSI mode reads it (lvsi_radiomics "
                                  "--format ibsi, ibsi::ReadSettings); pyradiomics mode's sections are imageType, "
                                  "featureClass, setting, voxelSetting"));
    } else {
      throw InvalidArgument(where("unknown section '" + key + "' (imageType, featureClass, setting, voxelSetting)"));
    }
  }
  std::string why;
  if (!p.settings.IsValid(&why)) throw InvalidArgument(where(why));
  return p;
}

}  // namespace

ExtractionParameters ReadParameterFile(const std::string& path) {
  return ParseParameters(ReadTextFile(path), path);
}

}  // namespace lvsi::radiomics
