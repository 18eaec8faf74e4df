// IBSI mode end to end (lvsi/radiomics/ibsi.h): the `ibsi:` section of a
// parameter file, IBSI's image processing and every feature family, and the
// IBSI table.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "lvsi/io/image_io.h"
#include "lvsi/radiomics/ibsi.h"

namespace lvsi::radiomics::ibsi {
namespace {

[[noreturn]] void Bad(const std::string& source, const std::string& what) {
  throw InvalidArgument(source + ": ibsi: " + what);
}

void OnlyKeys(const YAML::Node& map, const std::set<std::string>& keys, const std::string& source,
              const std::string& section) {
  if (!map.IsMap()) Bad(source, "'" + section + "' must be a mapping");
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string key = it->first.as<std::string>();
    if (!keys.count(key)) {
      std::string known;
      for (const auto& k : keys) known += (known.empty() ? "" : ", ") + k;
      Bad(source, "unknown key '" + key + "' in '" + section + "' (" + known + ")");
    }
  }
}

double Number(const YAML::Node& node, const std::string& source, const std::string& key) {
  try {
    const double v = node.as<double>();
    if (!std::isfinite(v)) Bad(source, "'" + key + "' must be a finite number");
    return v;
  } catch (const YAML::Exception&) {
    Bad(source, "'" + key + "' must be a number");
  }
}

bool Flag(const YAML::Node& node, const std::string& source, const std::string& key) {
  try {
    return node.as<bool>();
  } catch (const YAML::Exception&) {
    Bad(source, "'" + key + "' must be true or false");
  }
}

std::string Text(const YAML::Node& node, const std::string& source, const std::string& key,
                 const std::set<std::string>& allowed) {
  std::string v;
  try {
    v = node.as<std::string>();
  } catch (const YAML::Exception&) {
    Bad(source, "'" + key + "' must be text");
  }
  if (!allowed.count(v)) {
    std::string known;
    for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
    Bad(source, "'" + key + "' is '" + v + "' (" + known + ")");
  }
  return v;
}

// IBSI's bins (IBSI 1, 2.7), as doubles so that a caller can check the
// range before making them integers: fixed bin size from `origin`, and
// fixed bin number N over [low, high] (the top value in bin N; everything
// in bin 1 when low == high).
double FixedSizeBin(double x, double origin, double width) { return std::floor((x - origin) / width) + 1; }

double FixedNumberBin(double x, int bins, double low, double high) {
  if (!(high > low)) return 1;
  return std::min(std::floor(bins * (x - low) / (high - low)) + 1, static_cast<double>(bins));
}

// Grey levels 1.. of the intensity mask's voxels (0 elsewhere).
struct Discretised {
  LabelImage levels;
  int grey_levels = 0;
};

Discretised Discretise(const Image& image, const LabelImage& intensity_mask, const Settings& s, double roi_min,
                       double roi_max) {
  Discretised d{LabelImage(image.geometry(), 0), 0};
  const double low = s.range_low.value_or(roi_min);
  for (std::size_t n = 0; n < image.size(); ++n) {
    if (intensity_mask[n] == 0) continue;
    const double level = s.discretisation == Discretisation::kFixedBinSize  // (checked before it becomes an integer)
                             ? FixedSizeBin(image[n], low, s.bin_width)
                             : FixedNumberBin(image[n], s.bin_count, roi_min, roi_max);
    if (!(level >= 1 && level <= kMaxGreyLevels))
      throw DataError(Input::kImage, "IBSI discretisation: grey level " + std::to_string(level) + " (at most " +
                                         std::to_string(kMaxGreyLevels) +
                                         ": a bin width too small for the intensities)");
    d.levels[n] = static_cast<std::int32_t>(level);
    d.grey_levels = std::max(d.grey_levels, static_cast<int>(level));
  }
  if (s.discretisation == Discretisation::kFixedBinNumber) d.grey_levels = s.bin_count;
  return d;
}

}  // namespace

Settings ParseSettings(const std::string& yaml_text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw FormatError(source, std::string("not valid YAML: ") + e.what());
  }
  Settings s;
  try {  // (yaml-cpp throws where a key or value is of the wrong kind, e.g. a mapping as a key)
    if (!root.IsMap() || !root["ibsi"]) throw InvalidArgument(source + ": no 'ibsi' section (an IBSI configuration)");
    for (auto it = root.begin(); it != root.end(); ++it)
      if (it->first.as<std::string>() != "ibsi")
        throw InvalidArgument(source + ": an IBSI configuration has only the section 'ibsi', not '" +
                              it->first.as<std::string>() + "' (pyradiomics' sections belong in a file of their own)");
    const YAML::Node ibsi = root["ibsi"];
    OnlyKeys(ibsi, {"dimensions", "round_input", "interpolation", "resegmentation", "discretisation", "ivh", "label"},
             source, "ibsi");
    if (ibsi["dimensions"]) {
      const std::string d = Text(ibsi["dimensions"], source, "dimensions", {"2D", "3D", "all"});
      s.three_d = d != "2D";
      s.all_aggregations = d == "all";
    }
    if (ibsi["round_input"]) s.round_input = Flag(ibsi["round_input"], source, "round_input");
    if (ibsi["label"]) {
      const double label = Number(ibsi["label"], source, "label");
      if (label != std::floor(label) || label < 1 || label > 2147483647.0) Bad(source, "'label' must be a positive integer");
      s.label = static_cast<int>(label);
    }
    if (const YAML::Node in = ibsi["interpolation"]; in && !in.IsNull()) {
      OnlyKeys(in, {"spacing", "method", "round", "roi_partial_volume"}, source, "interpolation");
      if (!in["spacing"] || !in["spacing"].IsSequence() || (in["spacing"].size() != 3 && in["spacing"].size() != 2))
        Bad(source, "'interpolation: spacing' must be a list of 3 (or, in 2D, 2) numbers [mm]");
      std::array<double, 3> spacing{0, 0, 0};
      for (std::size_t a = 0; a < in["spacing"].size(); ++a) {
        spacing[a] = Number(in["spacing"][a], source, "spacing");
        if (!(spacing[a] > 0) || spacing[a] > 1000) Bad(source, "'interpolation: spacing' values must be in (0, 1000] mm");
      }
      if (in["spacing"].size() == 2 && s.three_d) Bad(source, "'interpolation: spacing' needs 3 values in 3D");
      s.spacing = spacing;
      if (in["method"]) {
        const std::string m = Text(in["method"], source, "method", {"nearest", "linear", "cubic_spline"});
        s.interpolator = m == "nearest" ? Interpolator::kNearest : m == "linear" ? Interpolator::kLinear
                                                                                : Interpolator::kCubicSpline;
      }
      if (in["round"]) s.round_intensities = Flag(in["round"], source, "round");
      if (in["roi_partial_volume"]) {
        s.partial_volume = Number(in["roi_partial_volume"], source, "roi_partial_volume");
        if (!(s.partial_volume > 0 && s.partial_volume <= 1)) Bad(source, "'roi_partial_volume' must be in (0, 1]");
      }
    }
    if (const YAML::Node r = ibsi["resegmentation"]; r && !r.IsNull()) {
      OnlyKeys(r, {"range", "outlier_sigma"}, source, "resegmentation");
      if (r["range"] && !r["range"].IsNull()) {
        if (!r["range"].IsSequence() || r["range"].size() != 2) Bad(source, "'range' must be [low, high] (either may be null)");
        if (!r["range"][0].IsNull()) s.range_low = Number(r["range"][0], source, "range");
        if (!r["range"][1].IsNull()) s.range_high = Number(r["range"][1], source, "range");
        if (s.range_low && s.range_high && !(*s.range_low < *s.range_high)) Bad(source, "'range' needs low < high");
      }
      if (r["outlier_sigma"] && !r["outlier_sigma"].IsNull()) {
        s.outlier_sigma = Number(r["outlier_sigma"], source, "outlier_sigma");
        if (!(*s.outlier_sigma > 0)) Bad(source, "'outlier_sigma' must be positive");
      }
    }
    const auto read_bins = [&](const YAML::Node& node, const std::string& section, bool allow_none,
                               Discretisation* method, double* width, int* count) {
      OnlyKeys(node, {"method", "bin_width", "bins"}, source, section);
      const std::string m = Text(node["method"] ? node["method"] : YAML::Node("?"), source, section + ": method",
                                 allow_none ? std::set<std::string>{"none", "fbs", "fbn"} : std::set<std::string>{"fbs", "fbn"});
      *method = m == "none" ? Discretisation::kNone : m == "fbs" ? Discretisation::kFixedBinSize
                                                                  : Discretisation::kFixedBinNumber;
      if (*method == Discretisation::kFixedBinSize) {
        if (!node["bin_width"]) Bad(source, "'" + section + "' with method fbs needs 'bin_width'");
        *width = Number(node["bin_width"], source, "bin_width");
        if (!(*width > 0)) Bad(source, "'" + section + ": bin_width' must be positive");
      } else if (*method == Discretisation::kFixedBinNumber) {
        if (!node["bins"]) Bad(source, "'" + section + "' with method fbn needs 'bins'");
        const double bins = Number(node["bins"], source, "bins");
        if (bins != std::floor(bins) || bins < 1 || bins > 100000) Bad(source, "'" + section + ": bins' must be 1..100000");
        *count = static_cast<int>(bins);
      }
    };
    if (!ibsi["discretisation"]) Bad(source, "'discretisation' is required (method fbs with bin_width, or fbn with bins)");
    read_bins(ibsi["discretisation"], "discretisation", false, &s.discretisation, &s.bin_width, &s.bin_count);
    if (ibsi["ivh"]) read_bins(ibsi["ivh"], "ivh", true, &s.ivh, &s.ivh_bin_width, &s.ivh_bin_count);
  } catch (const YAML::Exception& e) {
    throw InvalidArgument(source + ": ibsi: a value of the wrong kind: " + e.what());
  }
  return s;
}

Settings ReadSettings(const std::string& path) { return ParseSettings(ReadTextFile(path), path); }

std::vector<Feature> Extract(const Image& original, const LabelImage& labels, const Settings& s) {
  if (labels.geometry().size != original.geometry().size)
    throw GeometryError(Input::kMask, "IBSI mode: the mask's grid differs from the image's");
  Image image = original;
  if (s.round_input)
    for (double& v : image.values()) v = std::nearbyint(v);
  LabelImage roi(labels.geometry(), 0);
  for (std::size_t n = 0; n < roi.size(); ++n) roi[n] = labels[n] == s.label ? 1 : 0;
  if (std::none_of(roi.values().begin(), roi.values().end(), [](std::int32_t v) { return v != 0; }))
    throw DataError(Input::kMask, "label " + std::to_string(s.label) + " is not present in the mask");
  for (double v : image.values())
    if (!std::isfinite(v)) throw DataError(Input::kImage, "IBSI mode: the image holds NaN or infinite values");
  if (s.spacing) {
    image = InterpolateImage(image, *s.spacing, !s.three_d, s.round_intensities, s.interpolator);
    roi = InterpolateMask(roi, *s.spacing, !s.three_d, s.partial_volume);
    if (std::none_of(roi.values().begin(), roi.values().end(), [](std::int32_t v) { return v != 0; }))
      throw DataError(Input::kMask, "IBSI mode: no voxel of the interpolated ROI reaches the partial volume threshold");
  }
  // Re-segmentation: the intensity mask is the morphological mask within
  // the range and (IBSI's outlier filtering) within mean +/- n sigma of the
  // morphological mask's intensities.
  double mean = 0, sd = 0, count = 0;
  for (std::size_t n = 0; n < roi.size(); ++n)
    if (roi[n]) mean += image[n], count += 1;
  mean /= count;
  for (std::size_t n = 0; n < roi.size(); ++n)
    if (roi[n]) sd += (image[n] - mean) * (image[n] - mean);
  sd = std::sqrt(sd / count);
  LabelImage intensity(roi.geometry(), 0);
  std::vector<double> intensities;
  double roi_min = std::numeric_limits<double>::infinity(), roi_max = -roi_min;
  for (std::size_t n = 0; n < roi.size(); ++n) {
    if (!roi[n]) continue;
    const double x = image[n];
    if (s.range_low && x < *s.range_low) continue;
    if (s.range_high && x > *s.range_high) continue;
    if (s.outlier_sigma && std::abs(x - mean) > *s.outlier_sigma * sd) continue;
    intensity[n] = 1;
    intensities.push_back(x);
    roi_min = std::min(roi_min, x);
    roi_max = std::max(roi_max, x);
  }
  if (intensities.empty()) throw DataError(Input::kImage, "IBSI mode: re-segmentation leaves no voxel in the ROI");
  const Discretised d = Discretise(image, intensity, s, roi_min, roi_max);

  std::vector<Feature> out;
  const auto add = [&](std::vector<Feature> f) { out.insert(out.end(), f.begin(), f.end()); };
  add(MorphologyFeatures(image, roi, intensity));
  add(LocalIntensityFeatures(image, intensity));
  add(IntensityStatistics(intensities));
  add(IntensityHistogramFeatures(d.levels, d.grey_levels));
  // The intensity-volume histogram: on the intensities (calibrated,
  // discrete: 1 unit steps), on fixed-size bins (their centres) or on
  // fixed-number bins (the bin numbers).
  {
    std::vector<double> x;
    double low = 0, high = 0, step = 1;
    if (s.ivh == Discretisation::kNone) {
      x = intensities;
      low = s.range_low.value_or(roi_min);
      high = s.range_high.value_or(roi_max);
    } else if (s.ivh == Discretisation::kFixedBinSize) {
      const double origin = s.range_low.value_or(roi_min), w = s.ivh_bin_width;
      for (double v : intensities) x.push_back(origin + (FixedSizeBin(v, origin, w) - 0.5) * w);  // the bin's centre
      low = origin + w / 2;
      high = origin + (std::ceil((s.range_high.value_or(roi_max) - origin) / w) - 0.5) * w;
      step = w;
    } else {
      for (double v : intensities) x.push_back(FixedNumberBin(v, s.ivh_bin_count, roi_min, roi_max));
      low = 1;
      high = s.ivh_bin_count;
    }
    if (high > low) {
      add(IntensityVolumeFeatures(x, low, high, step));
    } else {  // one intensity: every fraction is of the whole volume
      add(IntensityVolumeFeatures(x, low, low + step, step));
    }
  }
  const std::vector<Aggregation> directional =
      s.all_aggregations ? AllAggregations()
      : s.three_d        ? std::vector<Aggregation>{Aggregation::k3DAveraged, Aggregation::k3DMerged}
                         : std::vector<Aggregation>{Aggregation::k2DAveraged, Aggregation::k2DSliceMerged,
                                                    Aggregation::k25DDirectionMerged, Aggregation::k25DMerged};
  const std::vector<Aggregation> regional =
      s.all_aggregations ? RegionAggregations()
      : s.three_d        ? std::vector<Aggregation>{Aggregation::k3D}
                         : std::vector<Aggregation>{Aggregation::k2D, Aggregation::k25D};
  for (Aggregation a : directional) add(CooccurrenceFeatures(d.levels, d.grey_levels, a));
  for (Aggregation a : directional) add(RunLengthFeatures(d.levels, d.grey_levels, a));
  for (Aggregation a : regional) add(SizeZoneFeatures(d.levels, d.grey_levels, a));
  for (Aggregation a : regional) add(DistanceZoneFeatures(d.levels, d.grey_levels, a, &roi));
  for (Aggregation a : regional) add(ToneDifferenceFeatures(d.levels, d.grey_levels, a));
  for (Aggregation a : regional) add(DependenceFeatures(d.levels, d.grey_levels, a));
  return out;
}

std::vector<Feature> ExtractFiles(const std::string& image_path, const std::string& mask_path, const Settings& s) {
  const Image image = io::ReadImage(image_path);
  const LabelImage mask = io::ReadLabelImage(mask_path);
  try {
    return Extract(image, mask, s);
  } catch (const DataError& e) {
    throw DataError(e.input() == Input::kMask ? mask_path : image_path, e.what());
  } catch (const GeometryError& e) {
    throw GeometryError(mask_path, e.what());
  }
}

std::string TableCsv(const std::vector<Feature>& features) {
  std::ostringstream csv;
  csv << "family,feature,ibsi_code,aggregation,value\n";
  csv.precision(17);
  for (const auto& f : features) {
    csv << CsvEscape(f.family) << ',' << CsvEscape(f.name) << ',' << CsvEscape(f.code) << ','
        << CsvEscape(AggregationName(f.aggregation)) << ',' << f.value << '\n';
  }
  return csv.str();
}

}  // namespace lvsi::radiomics::ibsi
