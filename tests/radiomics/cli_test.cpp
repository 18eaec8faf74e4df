// lvsi_radiomics end to end, as pyradiomics' command line behaves: output
// formats and paths, appending, batch columns and labels, failed and bad
// batch rows, per-case files reused on rerun, setting overrides, NaN
// skipping, validation, logging, and the exit status.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "lvsi/core/csv.h"
#include "lvsi/io/image_io.h"
#include "lvsi/radiomics/extractor.h"
#include "lvsi/radiomics/ibsi.h"
#include "test_util.h"

namespace lvsi {
namespace {
namespace fs = std::filesystem;

int RunCli(const std::string& args) {
  const int status = std::system((std::string(LVSI_RADIOMICS_CLI) + " " + args).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A 12 x 11 x 6 image whose ROI (label `label`) is a 6 x 6 x 4 block; an
// empty mask when `empty_mask`.
void MakeCase(const std::string& dir, const std::string& name, bool empty_mask, int label = 1) {
  Geometry g;
  g.size = {12, 11, 6};
  Image img(g);
  LabelImage lab(g, 0);
  for (std::size_t n = 0; n < img.size(); ++n) img[n] = static_cast<double>((n * 37) % 101);
  if (!empty_mask)
    for (std::size_t k = 1; k < 5; ++k)
      for (std::size_t j = 2; j < 8; ++j)
        for (std::size_t i = 3; i < 9; ++i) lab(i, j, k) = label;
  io::WriteImage(img, dir + "/" + name + "_image.nrrd", {io::PixelType::kInt16, true});
  io::WriteLabelImage(lab, dir + "/" + name + "_label.nrrd");
}

std::string Cell(const CsvDocument& doc, std::size_t row, const std::string& column) {
  const long c = doc.ColumnIndex(column);
  return c < 0 || row >= doc.rows.size() ? "(absent)" : doc.rows[row][static_cast<std::size_t>(c)];
}

TEST(Cli, OutputFormatsAndPathsAsPyradiomics) {
  const std::string dir = testing::ScratchDir("cli_formats");
  MakeCase(dir, "a", false);
  const std::string args = dir + "/a_image.nrrd " + dir + "/a_label.nrrd ";
  // txt (the default): one "Case-N_<name>: <value>" line per value, the
  // paths absolute.
  ASSERT_EQ(RunCli(args + "-o " + dir + "/a.txt"), 0);
  const std::string txt = ReadTextFile(dir + "/a.txt");
  EXPECT_EQ(txt.rfind("Case-1_Image: " + fs::absolute(dir + "/a_image.nrrd").lexically_normal().string() + "\n", 0), 0u) << txt.substr(0, 200);
  EXPECT_NE(txt.find("\nCase-1_original_firstorder_Mean: "), std::string::npos);
  EXPECT_NE(txt.find("\nCase-1_diagnostics_Mask-original_BoundingBox: (3, 2, 1, 6, 6, 4)\n"), std::string::npos);
  // csv with basenames; -o appends, as pyradiomics opens it.
  ASSERT_EQ(RunCli(args + "-f csv -fp basename -o " + dir + "/a.csv"), 0);
  ASSERT_EQ(RunCli(args + "--format csv --format-path basename -o " + dir + "/a.csv"), 0);
  const CsvDocument csv = ReadCsv(dir + "/a.csv");
  ASSERT_EQ(csv.rows.size(), 3u);  // row, second header, row
  EXPECT_EQ(csv.header[0], "Image");
  EXPECT_EQ(csv.rows[0][0], "a_image.nrrd");
  EXPECT_EQ(csv.rows[1][0], "Image");
  EXPECT_EQ(Cell(csv, 0, "original_shape_VoxelVolume"), "144.0");  // Python's repr of a float
  // json: a list of one object per case; tuples are arrays, settings objects.
  ASSERT_EQ(RunCli(args + "-f json -o " + dir + "/a.json"), 0);
  const auto json = nlohmann::json::parse(ReadTextFile(dir + "/a.json"));
  ASSERT_TRUE(json.is_array());
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["diagnostics_Mask-original_BoundingBox"], nlohmann::json({3, 2, 1, 6, 6, 4}));
  EXPECT_FALSE(json[0]["diagnostics_Configuration_Settings"].contains("binWidth"));  // not set: absent, as pyradiomics
  EXPECT_EQ(json[0]["diagnostics_Configuration_Settings"]["label"], 1);
  EXPECT_TRUE(json[0]["original_firstorder_Mean"].is_number());
}

TEST(Cli, SettingOverridesAndTheirErrors) {
  const std::string dir = testing::ScratchDir("cli_settings");
  MakeCase(dir, "a", false, 2);
  const std::string args = dir + "/a_image.nrrd " + dir + "/a_label.nrrd -f csv -o ";
  ASSERT_EQ(RunCli(args + dir + "/s.csv -s label:2 -s binWidth:10 -s distances:1,2 -s normalize:1"), 0);
  const std::string settings = Cell(ReadCsv(dir + "/s.csv"), 0, "diagnostics_Configuration_Settings");
  for (const char* part : {"'label': 2", "'binWidth': 10", "'distances': [1, 2]", "'normalize': True"})
    EXPECT_NE(settings.find(part), std::string::npos) << part << " in " << settings;
  // The deprecated -l still works.
  ASSERT_EQ(RunCli(args + dir + "/l.csv -l 2 2>/dev/null"), 0);
  EXPECT_GT(ReadCsv(dir + "/l.csv").header.size(), 100u);
  // A setting lvsi does not know is an error naming it (pyradiomics skips it
  // with a warning); so is a voxel setting out of range.
  EXPECT_EQ(RunCli(args + dir + "/x.csv -s binWidht:10 2>" + dir + "/err.txt"), 3);
  EXPECT_NE(ReadTextFile(dir + "/err.txt").find("binWidht"), std::string::npos);
  EXPECT_EQ(RunCli(args + dir + "/x.csv -m voxel -s kernelRadius:0 2>" + dir + "/err.txt"), 3);
  EXPECT_NE(ReadTextFile(dir + "/err.txt").find("kernelRadius"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir + "/x.csv"));
}

// --format ibsi: IBSI mode from the parameter file's ibsi: section, written
// as IBSI's table, each value the library's (ibsi::ExtractFiles).
TEST(Cli, IbsiFormatWritesTheIbsiTable) {
  const std::string dir = testing::ScratchDir("cli_ibsi");
  MakeCase(dir, "a", false, 2);
  WriteFileAtomically(dir + "/ibsi.yaml",
                      "ibsi:\n  dimensions: 3D\n  label: 2\n  discretisation: {method: fbs, bin_width: 10}\n");
  const std::string image = dir + "/a_image.nrrd", mask = dir + "/a_label.nrrd";
  ASSERT_EQ(RunCli(image + " " + mask + " -p " + dir + "/ibsi.yaml --format ibsi -o " + dir + "/t.csv"), 0);
  const CsvDocument table = ReadCsv(dir + "/t.csv");
  EXPECT_EQ(table.header, (std::vector<std::string>{"family", "feature", "ibsi_code", "aggregation", "value"}));
  const auto features = radiomics::ibsi::ExtractFiles(image, mask, radiomics::ibsi::ReadSettings(dir + "/ibsi.yaml"));
  // morph 29, loc 2, stat 18, ih 23, ivh 6; cm 25 and rlm 16 in 3D averaged
  // and merged; szm, dzm 16, ngt 5, ngl 17 in 3D.
  ASSERT_EQ(table.rows.size(), 29u + 2 + 18 + 23 + 6 + (25 + 16) * 2 + 16 + 16 + 5 + 17);
  ASSERT_EQ(features.size(), table.rows.size());
  for (std::size_t r = 0; r < features.size(); ++r) {
    EXPECT_EQ(table.rows[r][2], features[r].code);
    EXPECT_EQ(table.rows[r][3], radiomics::ibsi::AggregationName(features[r].aggregation));
    double value = 0;
    ASSERT_TRUE(ParseDouble(table.rows[r][4], &value) || table.rows[r][4] == "nan") << table.rows[r][4];
    if (std::isfinite(features[r].value)) {
      EXPECT_DOUBLE_EQ(value, features[r].value) << features[r].name;
    }
  }
  // The table is replaced, not appended to.
  ASSERT_EQ(RunCli(image + " " + mask + " -p " + dir + "/ibsi.yaml --format ibsi -o " + dir + "/t.csv"), 0);
  EXPECT_EQ(ReadCsv(dir + "/t.csv").rows.size(), table.rows.size());
  // Mistakes: a pyradiomics setting, no parameter file, a batch, the IBSI
  // file in pyradiomics mode, an output naming an input.
  EXPECT_EQ(RunCli(image + " " + mask + " -p " + dir + "/ibsi.yaml --format ibsi -s binWidth:5 2>" + dir + "/e.txt"), 3);
  EXPECT_NE(ReadTextFile(dir + "/e.txt").find("only label:N"), std::string::npos);
  EXPECT_EQ(RunCli(image + " " + mask + " --format ibsi 2>" + dir + "/e.txt"), 3);
  EXPECT_NE(ReadTextFile(dir + "/e.txt").find("ibsi: section"), std::string::npos);
  EXPECT_EQ(RunCli(image + " " + mask + " -p " + dir + "/ibsi.yaml -f csv 2>" + dir + "/e.txt"), 3);
  EXPECT_NE(ReadTextFile(dir + "/e.txt").find("--format ibsi"), std::string::npos);
  EXPECT_EQ(RunCli(image + " " + mask + " -p " + dir + "/ibsi.yaml --format ibsi -o " + mask + " 2>/dev/null"), 5);
  WriteFileAtomically(dir + "/bad.yaml", "ibsi:\n  discretisation: {method: fbs, bin_width: -1}\n");
  EXPECT_EQ(RunCli(image + " " + mask + " -p " + dir + "/bad.yaml --format ibsi 2>" + dir + "/e.txt"), 3);
  EXPECT_NE(ReadTextFile(dir + "/e.txt").find("bin_width"), std::string::npos);
}

// --mode voxel writes one map per feature, named as pyradiomics' voxel
// command line names them, and reports their paths; the maps are the
// library's.
TEST(Cli, VoxelModeWritesOneMapPerFeature) {
  const std::string dir = testing::ScratchDir("cli_voxel");
  MakeCase(dir, "a", false);
  const std::string image = dir + "/a_image.nrrd", mask = dir + "/a_label.nrrd";
  ASSERT_EQ(RunCli(image + " " + mask + " -m voxel -od " + dir + "/maps -s kernelRadius:1 -f csv -o " + dir + "/v.csv"), 0);
  const CsvDocument doc = ReadCsv(dir + "/v.csv");
  const lvsi::radiomics::VoxelResult lib =
      lvsi::radiomics::FeatureExtractor(lvsi::radiomics::ExtractionParameters::Defaults()).ExecuteVoxelFiles(image, mask);
  ASSERT_EQ(lib.maps.size(), 93u);
  for (const auto& [name, map] : lib.maps) {
    const std::string path = Cell(doc, 0, name);
    EXPECT_EQ(path, dir + "/maps/Case-1_" + name + ".nrrd");
    const Image written = io::ReadImage(path);
    ASSERT_EQ(written.size(), map.size()) << name;
    for (std::size_t n = 0; n < map.size(); ++n)
      ASSERT_TRUE(written[n] == map[n] || (std::isnan(written[n]) && std::isnan(map[n]))) << name;
  }
  EXPECT_FALSE(Cell(doc, 0, "diagnostics_Mask-original_VoxelNum").empty());
  // NIfTI on request.
  ASSERT_EQ(RunCli(image + " " + mask + " -m voxel -od " + dir + "/nii --voxel-format nii.gz -f csv -o " + dir + "/n.csv"), 0);
  EXPECT_TRUE(fs::exists(dir + "/nii/Case-1_original_glcm_Contrast.nii.gz"));
}

TEST(Cli, BatchKeepsInputColumnsLabelsAndFailedCases) {
  const std::string dir = testing::ScratchDir("cli_batch");
  MakeCase(dir, "a", false);
  MakeCase(dir, "b", true);  // empty mask: fails
  MakeCase(dir, "c", false, 3);
  WriteFileAtomically(dir + "/batch.csv",
                      "id,Image,Mask,age,Label\n"
                      "p1,a_image.nrrd,a_label.nrrd,54,\n"
                      "p2,b_image.nrrd,b_label.nrrd,61,\n"
                      "p3,,c_label.nrrd,70,\n"  // bad row: no image, skipped with a warning
                      "p4,c_image.nrrd,c_label.nrrd,47,3\n");
  EXPECT_EQ(RunCli(dir + "/batch.csv --jobs 2 -f csv -fp relative -o " + dir + "/out.csv 2>" + dir + "/log.txt"), 4);  // ExitStatus::kPartial
  const CsvDocument out = ReadCsv(dir + "/out.csv");
  ASSERT_EQ(out.rows.size(), 3u);
  // Every input column, in its order, before the diagnostics and features.
  EXPECT_EQ(std::vector<std::string>(out.header.begin(), out.header.begin() + 5),
            (std::vector<std::string>{"id", "Image", "Mask", "age", "Label"}));
  EXPECT_EQ(out.rows[0][0], "p1");
  EXPECT_EQ(Cell(out, 0, "Image"), "a_image.nrrd");  // relative to the batch file
  EXPECT_EQ(Cell(out, 0, "age"), "54");
  // The failed case keeps its input columns, its features are empty.
  EXPECT_EQ(out.rows[1][0], "p2");
  EXPECT_EQ(Cell(out, 1, "age"), "61");
  EXPECT_EQ(Cell(out, 1, "original_firstorder_Mean"), "");
  // The Label column picks the ROI of case p4.
  EXPECT_EQ(out.rows[2][0], "p4");
  EXPECT_NE(Cell(out, 2, "original_firstorder_Mean"), "");
  EXPECT_NE(Cell(out, 2, "diagnostics_Configuration_Settings").find("'label': 3"), std::string::npos);
  const std::string log = ReadTextFile(dir + "/log.txt");
  EXPECT_NE(log.find("Batch L4: Missing required Image or Mask"), std::string::npos) << log;
  EXPECT_NE(log.find("Feature extraction failed! Case 2"), std::string::npos) << log;
  EXPECT_NE(log.find("b_label.nrrd"), std::string::npos) << log;
}

TEST(Cli, OutDirKeepsEachCaseAndRerunsReuseThem) {
  const std::string dir = testing::ScratchDir("cli_outdir");
  MakeCase(dir, "a", false);
  MakeCase(dir, "b", false);
  WriteFileAtomically(dir + "/batch.csv", "Image,Mask\na_image.nrrd,a_label.nrrd\nb_image.nrrd,b_label.nrrd\n");
  ASSERT_EQ(RunCli(dir + "/batch.csv -od " + dir + "/cases -f csv -o " + dir + "/first.csv"), 0);
  ASSERT_TRUE(fs::exists(dir + "/cases/features_1.csv"));
  ASSERT_TRUE(fs::exists(dir + "/cases/features_2.csv"));
  // A rerun reads finished cases back instead of extracting them: change a
  // value in case 2's file and it shows in the new output.
  CsvDocument kept = ReadCsv(dir + "/cases/features_2.csv");
  kept.rows[0][static_cast<std::size_t>(kept.ColumnIndex("original_firstorder_Mean"))] = "12345.0";
  std::string text;
  for (const auto* line : {&kept.header, &kept.rows[0]}) {
    for (std::size_t n = 0; n < line->size(); ++n) text += (n ? "," : "") + CsvEscape((*line)[n]);
    text += "\n";
  }
  WriteFileAtomically(dir + "/cases/features_2.csv", text);
  ASSERT_EQ(RunCli(dir + "/batch.csv --out-dir " + dir + "/cases -f csv -o " + dir + "/second.csv"), 0);
  const CsvDocument second = ReadCsv(dir + "/second.csv");
  EXPECT_EQ(Cell(second, 1, "original_firstorder_Mean"), "12345.0");
  EXPECT_EQ(Cell(second, 0, "original_firstorder_Mean"), Cell(ReadCsv(dir + "/first.csv"), 0, "original_firstorder_Mean"));
}

// A feature class that fails gives NaN with the reason logged, and the case
// goes on; --skip-nans leaves those features out.
TEST(Cli, FailingFeaturesAreNanAndSkipNansDropsThem) {
  const std::string dir = testing::ScratchDir("cli_nan");
  MakeCase(dir, "a", false);
  // A neighbourhood distance of 10^7 voxels: NGTDM's padded map cannot be
  // allocated.
  WriteFileAtomically(dir + "/params.yaml", "featureClass:\n  firstorder: [Mean]\n  ngtdm:\nsetting:\n  distances: [10000000]\n");
  const std::string args = dir + "/a_image.nrrd " + dir + "/a_label.nrrd -p " + dir + "/params.yaml -f csv -o ";
  ASSERT_EQ(RunCli(args + dir + "/with.csv 2>" + dir + "/log.txt"), 0);
  const CsvDocument with = ReadCsv(dir + "/with.csv");
  EXPECT_EQ(Cell(with, 0, "original_ngtdm_Coarseness"), "nan");
  EXPECT_NE(Cell(with, 0, "original_firstorder_Mean"), "nan");
  EXPECT_NE(ReadTextFile(dir + "/log.txt").find("FAILED: original_ngtdm"), std::string::npos);
  // As pyradiomics: in csv the column stays (its header comes first) and the
  // value is empty; in txt the line is gone.
  ASSERT_EQ(RunCli(args + dir + "/without.csv --skip-nans 2>/dev/null"), 0);
  const CsvDocument without = ReadCsv(dir + "/without.csv");
  EXPECT_EQ(Cell(without, 0, "original_ngtdm_Coarseness"), "");
  EXPECT_EQ(Cell(without, 0, "original_firstorder_Mean"), Cell(with, 0, "original_firstorder_Mean"));
  ASSERT_EQ(RunCli(dir + "/a_image.nrrd " + dir + "/a_label.nrrd -p " + dir + "/params.yaml --skip-nans -o " + dir +
                   "/without.txt 2>/dev/null"),
            0);
  const std::string txt = ReadTextFile(dir + "/without.txt");
  EXPECT_EQ(txt.find("ngtdm"), std::string::npos);
  EXPECT_NE(txt.find("Case-1_original_firstorder_Mean: "), std::string::npos);
}

TEST(Cli, ValidateChecksFilesAndParametersOnly) {
  const std::string dir = testing::ScratchDir("cli_validate");
  MakeCase(dir, "a", false);
  EXPECT_EQ(RunCli(dir + "/a_image.nrrd " + dir + "/a_label.nrrd --validate -o " + dir + "/v.csv 2>/dev/null"), 0);
  EXPECT_FALSE(fs::exists(dir + "/v.csv"));
  WriteFileAtomically(dir + "/bad.yaml", "setting:\n  binWidth: -1\n");
  EXPECT_EQ(RunCli(dir + "/a_image.nrrd " + dir + "/missing.nrrd --validate -p " + dir + "/bad.yaml 2>" + dir + "/log.txt"), 1);
  const std::string log = ReadTextFile(dir + "/log.txt");
  EXPECT_NE(log.find("Mask path for case (1/1) does not exist"), std::string::npos) << log;
  EXPECT_NE(log.find("Parameter validation failed"), std::string::npos) << log;
}

TEST(Cli, LoggingLevelsAndLogFile) {
  const std::string dir = testing::ScratchDir("cli_logging");
  MakeCase(dir, "a", false);
  const std::string args = dir + "/a_image.nrrd " + dir + "/a_label.nrrd -o " + dir + "/o.txt ";
  ASSERT_EQ(RunCli(args + "--log-file " + dir + "/run.log --logging-level DEBUG 2>" + dir + "/err.txt"), 0);
  const std::string file = ReadTextFile(dir + "/run.log"), err = ReadTextFile(dir + "/err.txt");
  EXPECT_NE(file.find("D: lvsi: "), std::string::npos) << file.substr(0, 300);  // debug lines in the file
  EXPECT_NE(file.find("Computing glcm"), std::string::npos);
  EXPECT_EQ(err.find("I: lvsi: "), std::string::npos) << err;  // standard error: warnings and up
  ASSERT_EQ(RunCli(args + "-v 2>" + dir + "/err4.txt"), 0);
  EXPECT_NE(ReadTextFile(dir + "/err4.txt").find("I: lvsi: Processing case 1"), std::string::npos);
}

TEST(Cli, BadInputExitStatus) {
  const std::string dir = testing::ScratchDir("cli_bad");
  // A case whose files are missing fails: its row keeps Image and Mask.
  EXPECT_EQ(RunCli(dir + "/missing.nrrd " + dir + "/missing_label.nrrd -f csv -o " + dir + "/x.csv 2>/dev/null"), 4);
  EXPECT_EQ(ReadCsv(dir + "/x.csv").header, (std::vector<std::string>{"Image", "Mask"}));
  // Invalid parameters stop before any case; no output is written.
  WriteFileAtomically(dir + "/params.yaml", "setting:\n  binWidth: -1\n");
  MakeCase(dir, "a", false);
  EXPECT_EQ(RunCli(dir + "/a_image.nrrd " + dir + "/a_label.nrrd --param " + dir + "/params.yaml -o " + dir + "/y.csv 2>/dev/null"), 3);
  EXPECT_FALSE(fs::exists(dir + "/y.csv"));
  // -o naming an input (the mask, the parameter file) is refused before
  // anything is written: the file is unchanged.
  const std::string mask_before = ReadTextFile(dir + "/a_label.nrrd");
  EXPECT_EQ(RunCli(dir + "/a_image.nrrd " + dir + "/a_label.nrrd -o " + dir + "/a_label.nrrd 2>" + dir + "/err.txt"), 5);
  EXPECT_EQ(ReadTextFile(dir + "/a_label.nrrd"), mask_before);
  EXPECT_NE(ReadTextFile(dir + "/err.txt").find("is the input"), std::string::npos);
  const std::string image_before = ReadTextFile(dir + "/a_image.nrrd");
  EXPECT_EQ(RunCli(dir + "/a_image.nrrd " + dir + "/a_label.nrrd --log-file " + dir + "/a_image.nrrd 2>/dev/null"), 5);
  EXPECT_EQ(ReadTextFile(dir + "/a_image.nrrd"), image_before);
  // No mask and no batch file; an unknown option.
  EXPECT_EQ(RunCli(dir + "/a_image.nrrd 2>/dev/null"), 1);
  EXPECT_EQ(RunCli(dir + "/a_image.nrrd " + dir + "/a_label.nrrd --frobnicate 2>/dev/null"), 2);
}

}  // namespace
}  // namespace lvsi

namespace lvsi {
namespace {

// lvsi_habitat finds two sub-regions that differ in intensity and texture:
// the left half of the ROI smooth and dark, the right half bright and
// noisy.  Away from the seam each habitat is (almost) one half, whatever
// the seed.
TEST(Habitat, TwoDifferentHalvesBecomeTwoHabitats) {
  const std::string dir = testing::ScratchDir("habitat");
  Geometry g;
  g.size = {30, 24, 8};
  Image img(g, 0.0);
  LabelImage lab(g, 0);
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 1);
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const bool right = i >= 15;
        img(i, j, k) = right ? 400 + 60 * noise(rng) : 100 + 3 * noise(rng);
        if (i >= 5 && i < 25 && j >= 4 && j < 20 && k >= 1 && k < 7) lab(i, j, k) = 1;
      }
  io::WriteImage(img, dir + "/image.nrrd");
  io::WriteLabelImage(lab, dir + "/mask.nrrd");
  for (const char* seed : {"1", "2"}) {
    const std::string out = dir + "/out" + seed;
    const int status = std::system((std::string(LVSI_HABITAT) + " " + dir + "/image.nrrd " + dir + "/mask.nrrd -k 2 --seed " +
                                    seed + " -o " + out + " > " + dir + "/log.txt 2>&1")
                                       .c_str());
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadTextFile(dir + "/log.txt");
    const LabelImage habitats = io::ReadLabelImage(out + "/habitats.nrrd");
    ASSERT_EQ(habitats.geometry().size, g.size);
    std::size_t agree = 0, total = 0;
    for (std::size_t k = 0; k < g.size[2]; ++k)
      for (std::size_t j = 0; j < g.size[1]; ++j)
        for (std::size_t i = 0; i < g.size[0]; ++i) {
          if (lab(i, j, k) != 1) {
            ASSERT_EQ(habitats(i, j, k), 0);
            continue;
          }
          ASSERT_GE(habitats(i, j, k), 1);
          if (i == 14 || i == 15) continue;  // kernels straddling the two halves
          ++total;
          // Habitats are numbered by ascending mean intensity: 1 dark, 2 bright.
          agree += habitats(i, j, k) == (i >= 15 ? 2 : 1);
        }
    EXPECT_GE(static_cast<double>(agree), 0.95 * static_cast<double>(total)) << "seed " << seed;
    EXPECT_TRUE(fs::exists(out + "/overlay.png"));
    const CsvDocument table = ReadCsv(out + "/habitats.csv");
    ASSERT_EQ(table.rows.size(), 2u);
  }
}

}  // namespace
}  // namespace lvsi
