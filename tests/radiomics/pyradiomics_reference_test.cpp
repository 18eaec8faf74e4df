// Parity with pyradiomics: every baseline column of
// ../shared/reference/pyradiomics/baseline (or $LVSI_PYRADIOMICS_REFERENCE)
// is re-run with that column's settings and every original_* value compared.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "lvsi/core/csv.h"
#include "lvsi/io/image_io.h"
#include "lvsi/radiomics/extractor.h"
#include "test_util.h"

namespace lvsi::radiomics {
namespace {
namespace fs = std::filesystem;

// Splits a Python literal at top-level commas.
std::vector<std::string> SplitTopLevel(const std::string& s) {
  std::vector<std::string> out;
  int depth = 0;
  bool quoted = false;
  std::string cur;
  for (char c : s) {
    if (c == '\'') quoted = !quoted;
    if (!quoted && (c == '[' || c == '(' || c == '{')) ++depth;
    if (!quoted && (c == ']' || c == ')' || c == '}')) --depth;
    if (!quoted && depth == 0 && c == ',') {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

// pyradiomics' settings dict literal -> (key, YAML value) pairs.
std::vector<std::pair<std::string, std::string>> ParseSettingsLiteral(std::string text) {
  text = Trim(text);
  if (text.size() >= 2 && text.front() == '{') text = text.substr(1, text.size() - 2);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : SplitTopLevel(text)) {
    const auto colon = item.find(':');
    std::string key = Trim(item.substr(0, colon));
    std::string value = Trim(item.substr(colon + 1));
    key = key.substr(1, key.size() - 2);
    if (value == "None") value = "~";
    else if (value == "True") value = "true";
    else if (value == "False") value = "false";
    for (auto& c : value)
      if (c == '\'') c = ' ';
    out.emplace_back(key, Trim(value));
  }
  return out;
}

// Mesh-based shape features that pyradiomics before 2.1 computed with a
// marching-cubes table it later corrected.
bool MeshDerived(const std::string& name) {
  for (const char* f : {"MeshVolume", "SurfaceArea", "SurfaceVolumeRatio", "Sphericity", "Compactness1",
                        "Compactness2", "SphericalDisproportion"})
    if (name == std::string("original_shape_") + f) return true;
  return false;
}

bool OlderThan21(const std::string& version) {
  return version.rfind("0.", 0) == 0 || version.rfind("1.", 0) == 0 || version.rfind("2.0", 0) == 0;
}

// name -> value of filtered/<case>.csv (pyradiomics 3.1.0), if present.
std::map<std::string, double> ReadNewerReference(const std::string& dir, const std::string& test_case) {
  std::map<std::string, double> out;
  const std::string path = dir + "/filtered/" + test_case + ".csv";
  if (!fs::exists(path)) return out;
  const CsvDocument doc = ReadCsv(path);
  for (const auto& row : doc.rows) {
    double v;
    if (ParseDouble(row[1], &v)) out[row[0]] = v;
  }
  return out;
}

// The label map of `path` reduced to its one axial slice whose label-1
// voxels number `voxel_num` and whose in-plane bounding box is the first
// two corners and sizes of `bounding_box` ("(x, y, 0, w, h, 1)"), or
// nullopt when no slice matches.
std::optional<LabelImage> LabelSliceMatching(const std::string& path, const std::string& voxel_num,
                                             const std::string& bounding_box) {
  std::vector<long> box;
  for (const auto& part : SplitTopLevel(bounding_box.substr(1, bounding_box.size() - 2)))
    box.push_back(std::stol(Trim(part)));
  if (box.size() != 6 || box[5] != 1) return std::nullopt;
  const long wanted = std::stol(voxel_num);
  LabelImage labels = io::ReadLabelImage(path);
  const Geometry& g = labels.geometry();
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    long count = 0, x0 = 1L << 30, y0 = 1L << 30, x1 = -1, y1 = -1;
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i)
        if (labels(i, j, k) == 1) {
          ++count;
          x0 = std::min(x0, static_cast<long>(i));
          x1 = std::max(x1, static_cast<long>(i));
          y0 = std::min(y0, static_cast<long>(j));
          y1 = std::max(y1, static_cast<long>(j));
        }
    if (count != wanted || x0 != box[0] || y0 != box[1] || x1 - x0 + 1 != box[3] || y1 - y0 + 1 != box[4]) continue;
    for (std::size_t n = 0; n < labels.size(); ++n)
      if (n / (g.size[0] * g.size[1]) != k) labels[n] = 0;
    return labels;
  }
  return std::nullopt;
}

TEST(PyradiomicsReference, EveryBaselineValueMatches) {
  const std::string dir = testing::ReferenceDir("LVSI_PYRADIOMICS_REFERENCE", "pyradiomics");
  LVSI_SKIP_UNLESS_EXISTS(dir + "/baseline");
  std::size_t compared = 0, within = 0, skipped_columns = 0, substituted = 0, skipped_values = 0, derived_columns = 0,
              columns_named = 0;
  for (const auto& entry : fs::directory_iterator(dir + "/baseline")) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("baseline_", 0) != 0 || entry.path().extension() != ".csv") continue;
    const std::string cls = file.substr(9, file.size() - 13);
    const CsvDocument doc = ReadCsv(entry.path().string());
    std::map<std::string, std::size_t> row_of;
    for (std::size_t r = 0; r < doc.rows.size(); ++r) row_of[doc.rows[r][0]] = r;
    for (std::size_t col = 1; col < doc.header.size(); ++col) {
      const std::string column = doc.header[col];
      const std::string test_case = doc.rows[row_of.at("diagnostics_Configuration_TestCase")][col];
      std::string image = dir + "/" + test_case + "_image.nrrd";
      std::string mask = dir + "/" + test_case + "_label.nrrd";
      // pyradiomics' 2-D cases (<case>_2D) are the 3-D image with one slice
      // of its label map; when their files are absent, that slice is found
      // from the column's own diagnostics (voxel count and bounding box).
      std::optional<LabelImage> slice_labels;
      const std::string base = test_case.size() > 3 && test_case.substr(test_case.size() - 3) == "_2D"
                                   ? test_case.substr(0, test_case.size() - 3) : "";
      if ((!fs::exists(image) || !fs::exists(mask)) && !base.empty() &&
          fs::exists(dir + "/" + base + "_image.nrrd") && fs::exists(dir + "/" + base + "_label.nrrd")) {
        slice_labels = LabelSliceMatching(dir + "/" + base + "_label.nrrd",
                                          doc.rows[row_of.at("diagnostics_Mask-original_VoxelNum")][col],
                                          doc.rows[row_of.at("diagnostics_Mask-original_BoundingBox")][col]);
        if (slice_labels) {
          image = dir + "/" + base + "_image.nrrd";
          ++derived_columns;
        }
      }
      if (!slice_labels && (!fs::exists(image) || !fs::exists(mask))) {
        std::printf("[ skipped ] %s/%s: test case files %s_{image,label}.nrrd not present\n", cls.c_str(),
                    column.c_str(), test_case.c_str());
        ++skipped_columns;
        continue;
      }
      ExtractionParameters params = ExtractionParameters::Defaults();
      params.feature_classes = {{cls, {}}};
      params.class_order = {cls};
      bool interpolates = false;
      for (const auto& [key, value] : ParseSettingsLiteral(doc.rows[row_of.at("diagnostics_Configuration_Settings")][col])) {
        params.ApplySetting(key, value);
      }
      if (cls == "shape") params.settings.resegment_range.clear();  // as pyradiomics' tests do
      interpolates = params.settings.resampled_pixel_spacing.has_value() && !params.settings.interpolator.empty();
      const double tolerance = interpolates ? 1e-4 : 1e-6;
      // Baseline columns written by pyradiomics < 2.1 hold mesh values from a
      // marching-cubes table pyradiomics later corrected; those values are
      // checked against pyradiomics 3.1.0's for the same case instead.
      const auto version_row = row_of.find("diagnostics_Versions_PyRadiomics");
      const bool stale_mesh = cls == "shape" && version_row != row_of.end() &&
                              OlderThan21(doc.rows[version_row->second][col]) && !interpolates;
      const auto newer = stale_mesh ? ReadNewerReference(dir, test_case) : std::map<std::string, double>{};
      const ExtractionResult result =
          slice_labels ? FeatureExtractor(params).Execute(io::ReadImage(image), *slice_labels,
                                                          io::ReadImageInfo(image).pixel_type)
                       : FeatureExtractor(params).ExecuteFiles(image, mask);
      std::map<std::string, double> got(result.features.begin(), result.features.end());
      // The same columns as pyradiomics: every feature of the baseline
      // column, and nothing else (deprecated features without a value in
      // pyradiomics have no column).
      std::set<std::string> baseline_names, lvsi_names;
      for (const auto& row : doc.rows)
        if (row[0].rfind("original_", 0) == 0 && !row[col].empty()) baseline_names.insert(row[0]);
      for (const auto& [name, value] : result.features) lvsi_names.insert(name);
      EXPECT_EQ(lvsi_names, baseline_names) << column << ": lvsi's feature columns differ from pyradiomics'";
      ++columns_named;
      for (const auto& row : doc.rows) {
        const std::string& name = row[0];
        if (name.rfind("original_", 0) != 0 || row[col].empty()) continue;
        double expected;
        ASSERT_TRUE(ParseDouble(row[col], &expected)) << name << " " << row[col];
        if (stale_mesh && MeshDerived(name)) {
          auto n = newer.find(name);
          if (n == newer.end()) {
            ++skipped_values;
            continue;
          }
          expected = n->second;
          ++substituted;
        }
        ++compared;
        auto it = got.find(name);
        if (it == got.end()) {
          ADD_FAILURE() << column << ": lvsi did not compute " << name;
          continue;
        }
        const double diff = std::abs(it->second - expected);
        const double scale = std::max(std::abs(expected), std::abs(it->second));
        if (std::getenv("LVSI_REFERENCE_VERBOSE"))
          std::printf("%s %s %.3g\n", column.c_str(), name.c_str(), diff / std::max(scale, 1e-300));
        if (diff <= tolerance * scale || diff < 1e-12) {
          ++within;
        } else {
          ADD_FAILURE() << column << " " << name << ": lvsi " << FormatDouble(it->second) << ", pyradiomics "
                        << FormatDouble(expected) << " (relative difference " << diff / scale << ")";
        }
      }
    }
  }
  std::printf("compared %zu features, %zu within tolerance; feature names of %zu columns compared\n", compared, within,
              columns_named);
  std::printf("(%zu baseline columns without test images; %zu 2-D columns run on the slice of the 3-D label map "
              "their diagnostics name; %zu mesh values of pyradiomics < 2.1 checked against pyradiomics 3.1.0 "
              "instead, %zu skipped for want of it)\n",
              skipped_columns, derived_columns, substituted, skipped_values);
  EXPECT_GT(compared, 0u);
  EXPECT_EQ(compared, within);
}

// Numbers in a diagnostics value: "(162, 84, 11)" -> 162, 84, 11; "3057" ->
// 3057; nothing for a hash or a dict.
std::vector<double> NumbersOf(const std::string& text) {
  std::string inner = Trim(text);
  if (inner.size() >= 2 && inner.front() == '(' && inner.back() == ')') inner = inner.substr(1, inner.size() - 2);
  std::vector<double> out;
  for (const auto& part : SplitTopLevel(inner)) {
    double v;
    if (!ParseDouble(Trim(part), &v)) return {};
    out.push_back(v);
  }
  return out;
}

// The one-slice label map pyradiomics' 2-D cases use: slice `k` of `labels`
// as an image one voxel thick, placed where that slice lies (the point in
// ITK's order of operations, as SimpleITK's slicing places it).
LabelImage OneSlice(const LabelImage& labels, std::size_t k) {
  Geometry g = labels.geometry();
  for (int r = 0; r < 3; ++r) {
    double sum = 0;
    for (int c = 0; c < 3; ++c) sum += g.direction[3 * r + c] * g.spacing[c] * (c == 2 ? static_cast<double>(k) : 0.0);
    g.origin[r] = sum + labels.geometry().origin[r];
  }
  g.size[2] = 1;
  LabelImage slice(g, 0);
  for (std::size_t j = 0; j < g.size[1]; ++j)
    for (std::size_t i = 0; i < g.size[0]; ++i) slice(i, j, 0) = labels(i, j, k);
  return slice;
}

// Every diagnostics_* row of the baselines that does not name versions,
// re-run with its column's settings: hashes, settings and image types as
// text, every number of the others (bounding boxes, centres of mass,
// sizes, spacings, statistics) to 1e-12, or 1e-6 after resampling.
TEST(PyradiomicsReference, EveryBaselineDiagnosticMatches) {
  const std::string dir = testing::ReferenceDir("LVSI_PYRADIOMICS_REFERENCE", "pyradiomics");
  LVSI_SKIP_UNLESS_EXISTS(dir + "/baseline");
  std::size_t compared = 0, columns = 0;
  std::map<std::string, std::size_t> per_group;
  for (const auto& entry : fs::directory_iterator(dir + "/baseline")) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("baseline_", 0) != 0 || entry.path().extension() != ".csv") continue;
    const CsvDocument doc = ReadCsv(entry.path().string());
    std::map<std::string, std::size_t> row_of;
    for (std::size_t r = 0; r < doc.rows.size(); ++r) row_of[doc.rows[r][0]] = r;
    for (std::size_t col = 1; col < doc.header.size(); ++col) {
      const std::string column = file + "/" + doc.header[col];
      auto cell = [&](const std::string& row) { return doc.rows[row_of.at(row)][col]; };
      const std::string test_case = cell("diagnostics_Configuration_TestCase");
      const bool two_d = test_case.size() > 3 && test_case.substr(test_case.size() - 3) == "_2D";
      const std::string base = two_d ? test_case.substr(0, test_case.size() - 3) : test_case;
      const std::string image_path = dir + "/" + base + "_image.nrrd", mask_path = dir + "/" + base + "_label.nrrd";
      if (!fs::exists(image_path) || !fs::exists(mask_path)) continue;
      ExtractionParameters params = ExtractionParameters::Defaults();
      params.feature_classes = {{"firstorder", {"Mean"}}};
      params.class_order = {"firstorder"};
      for (const auto& [key, value] : ParseSettingsLiteral(cell("diagnostics_Configuration_Settings")))
        params.ApplySetting(key, value);
      const Image image = io::ReadImage(image_path);
      LabelImage labels = io::ReadLabelImage(mask_path);
      if (two_d) {
        // pyradiomics' 2-D cases: the slice of the label map with the most
        // voxels, as a one-slice mask (corrected onto the image's grid).
        std::size_t best = 0, most = 0;
        const Geometry& g = labels.geometry();
        for (std::size_t k = 0; k < g.size[2]; ++k) {
          std::size_t count = 0;
          for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i) count += labels(i, j, k) == params.settings.label;
          if (count > most) {
            most = count;
            best = k;
          }
        }
        labels = OneSlice(labels, best);
      }
      const ExtractionResult result = FeatureExtractor(params).Execute(image, labels, io::ReadImageInfo(image_path).pixel_type);
      std::map<std::string, std::string> got(result.diagnostics.begin(), result.diagnostics.end());
      const bool interpolated = params.settings.resampled_pixel_spacing.has_value();
      ++columns;
      for (const auto& row : doc.rows) {
        const std::string& name = row[0];
        if (name.rfind("diagnostics_", 0) != 0 || row[col].empty()) continue;
        if (name.rfind("diagnostics_Versions_", 0) == 0 || name == "diagnostics_Configuration_TestCase") continue;
        const auto it = got.find(name);
        if (it == got.end()) {
          ADD_FAILURE() << column << ": lvsi reports no " << name;
          continue;
        }
        ++compared;
        ++per_group[name.substr(12, name.find('_', 12) - 12)];
        if (name == "diagnostics_Configuration_Settings") {
          // Key by key: the baselines come from pyradiomics versions with
          // other defaults and dict orders.
          const auto expected = ParseSettingsLiteral(row[col]);
          std::map<std::string, std::string> ours;
          for (const auto& kv : ParseSettingsLiteral(it->second)) ours.insert(kv);
          for (const auto& [key, value] : expected) {
            const auto o = ours.find(key);
            if (o == ours.end()) ADD_FAILURE() << column << ": Configuration_Settings has no '" << key << "'";
            else EXPECT_EQ(o->second, value) << column << ": Configuration_Settings '" << key << "'";
          }
          continue;
        }
        const std::vector<double> expected = NumbersOf(row[col]), ours = NumbersOf(it->second);
        if (expected.empty()) {
          EXPECT_EQ(it->second, row[col]) << column << " " << name;
          continue;
        }
        ASSERT_EQ(ours.size(), expected.size()) << column << " " << name << ": lvsi " << it->second << ", pyradiomics " << row[col];
        const bool resampled_values = interpolated && name.find("interpolated") != std::string::npos;
        const double tolerance = resampled_values ? 1e-6 : 1e-12;
        for (std::size_t k = 0; k < expected.size(); ++k)
          EXPECT_LE(std::abs(ours[k] - expected[k]), tolerance * std::max(1.0, std::abs(expected[k])))
              << column << " " << name << ": lvsi " << it->second << ", pyradiomics " << row[col];
      }
    }
  }
  std::printf("compared %zu diagnostics in %zu baseline columns:", compared, columns);
  for (const auto& [group, n] : per_group) std::printf(" %s %zu,", group.c_str(), n);
  std::printf("\n");
  EXPECT_GT(compared, 0u);
}

// The shared parameter file of the filtered reference gives pyradiomics'
// columns in pyradiomics' order: the names of filtered/<case>.csv, one by
// one (shape first, then each image type in the file's order, each class in
// the file's order, the features in pyradiomics' order).
TEST(PyradiomicsReference, FilteredParameterFileGivesPyradiomicsColumnsInOrder) {
  const std::string dir = testing::ReferenceDir("LVSI_PYRADIOMICS_REFERENCE", "pyradiomics");
  LVSI_SKIP_UNLESS_EXISTS(dir + "/filtered/params.yaml");
  const FeatureExtractor extractor(ReadParameterFile(dir + "/filtered/params.yaml"));
  std::size_t cases = 0;
  for (const std::string test_case : {"brain1", "breast1"}) {
    const std::string reference = dir + "/filtered/" + test_case + ".csv";
    if (!fs::exists(reference) || !fs::exists(dir + "/" + test_case + "_image.nrrd")) continue;
    std::vector<std::string> expected;
    for (const auto& row : ReadCsv(reference).rows) expected.push_back(row[0]);
    const ExtractionResult r = extractor.ExecuteFiles(dir + "/" + test_case + "_image.nrrd", dir + "/" + test_case + "_label.nrrd");
    std::vector<std::string> names;
    for (const auto& [name, value] : r.features) names.push_back(name);
    EXPECT_EQ(names, expected) << test_case;
    ++cases;
  }
  EXPECT_GT(cases, 0u);
}

}  // namespace
}  // namespace lvsi::radiomics
