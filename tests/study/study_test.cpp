// The study end to end on a small synthetic cohort: every stage runs, the
// report has every key with finite values, the fused model's features come
// from the radiomics and deep candidates, the saved model applied by
// lvsi_predict reproduces the validation probabilities exactly, and the
// same seed gives the same report with one and two threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "lvsi/lvsi.h"
#include "test_util.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

int RunCommand(const std::string& command, const std::string& log) {
  return std::system((command + " > " + log + " 2>&1").c_str());
}

// One test process runs the study twice (ctest starts every TEST in its own
// process, so the checks share this fixture through one TEST below).
class Study : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = lvsi::testing::ProcessScratchDir("study");
    // Small and quick: 64-pixel slices, two epochs.
    lvsi::WriteFileAtomically(dir_ + "/study.yaml",
                              "deep:\n  slice_size: 64\n  epochs: 2\n  batch_size: 8\n  learning_rate: 0.001\n"
                              "  gradcam_cases: 2\nevaluation:\n  bootstrap: 200\n");
    const std::string common = " --demo --demo-patients 56 --seed 3 --config " + dir_ + "/study.yaml";
    status_a_ = RunCommand(std::string(LVSI_STUDY_CLI) + common + " -o " + dir_ + "/a --jobs 2", dir_ + "/a.log");
    // The second run reuses the first one's cohort and radiomics (each case
    // is extracted on one thread) and recomputes everything else on one thread.
    fs::create_directories(dir_ + "/b");
    fs::copy(dir_ + "/a/cohort", dir_ + "/b/cohort", fs::copy_options::recursive);
    fs::copy(dir_ + "/a/radiomics", dir_ + "/b/radiomics", fs::copy_options::recursive);
    status_b_ = RunCommand(std::string(LVSI_STUDY_CLI) + common + " -o " + dir_ + "/b --jobs 1", dir_ + "/b.log");
  }
  static void TearDownTestSuite() { lvsi::testing::RemoveProcessScratchDir(dir_); }
  void SetUp() override {
    ASSERT_EQ(status_a_, 0) << lvsi::ReadTextFile(dir_ + "/a.log");
    report_ = json::parse(lvsi::ReadTextFile(dir_ + "/a/report.json"));
  }
  static std::string dir_;
  static int status_a_, status_b_;
  json report_;
};
// What the checks read: the scratch folder of both runs, the first run's
// report and the second run's exit status.
struct Runs {
  std::string dir;
  json report;
  int status_b = -1;
};

std::string Study::dir_;
int Study::status_a_ = -1;
int Study::status_b_ = -1;

void CheckReportHasEveryKeyWithFiniteValues(const Runs& runs) {
  const std::string& dir_ = runs.dir;
  for (const char* model : {"rad", "dl", "rdl"}) {
    const json& m = runs.report["models"][model];
    ASSERT_TRUE(m.is_object()) << model;
    EXPECT_FALSE(m["selected_features"].empty()) << model;
    for (const char* cohort : {"train", "validation"}) {
      const json& c = m[cohort];
      for (const char* key : {"auc", "accuracy", "sensitivity", "specificity", "ppv", "npv", "hl_p"}) {
        ASSERT_TRUE(c[key].is_number()) << model << "." << cohort << "." << key;
        EXPECT_TRUE(std::isfinite(c[key].get<double>())) << model << "." << cohort << "." << key;
      }
      ASSERT_EQ(c["auc_ci"].size(), 2u);
      EXPECT_LE(c["auc_ci"][0].get<double>(), c["auc"].get<double>());
      EXPECT_GE(c["auc_ci"][1].get<double>(), c["auc"].get<double>());
    }
  }
  for (const char* pair : {"rdl_vs_rad", "rdl_vs_dl", "dl_vs_rad"})
    for (const char* key : {"p", "p_bonferroni"}) {
      ASSERT_TRUE(runs.report["delong"][pair][key].is_number()) << pair << "." << key;
      const double p = runs.report["delong"][pair][key].get<double>();
      EXPECT_TRUE(p >= 0 && p <= 1) << pair << "." << key;
    }
  EXPECT_GE(runs.report["delong"]["rdl_vs_rad"]["p_bonferroni"].get<double>(),
            runs.report["delong"]["rdl_vs_rad"]["p"].get<double>());
  for (const char* stage : {"manifest", "radiomics", "deep", "models", "evaluation", "total"})
    EXPECT_TRUE(runs.report["timings_seconds"][stage].is_number()) << stage;
  for (const char* file : {"report.html", "predictions.csv", "models/rad.lvsi", "models/dl.lvsi", "models/rdl.lvsi",
                           "evaluation/roc_validation.png", "evaluation/table2.html", "evaluation/table1_train.html",
                           "figures/gradcam_t2w.png", "deep/gradcam_adc.npy", "lvsi_study.log"})
    EXPECT_TRUE(fs::exists(dir_ + "/a/" + file)) << file;
  EXPECT_EQ(runs.report["radiomics"]["features"].get<int>(), 4227);
}

void CheckFusedFeaturesComeFromRadiomicsAndDeepCandidates(const Runs& runs) {
  const std::string& dir_ = runs.dir;
  std::set<std::string> candidates;
  const auto rad = lvsi::FeatureTable::ReadCsv(dir_ + "/a/radiomics/features_reader1.csv");
  candidates.insert(rad.column_names().begin(), rad.column_names().end());
  for (const char* q : {"t2w", "adc", "cet1"}) {
    const auto dl = lvsi::FeatureTable::ReadCsv(dir_ + "/a/deep/" + q + "_features.csv");
    EXPECT_EQ(dl.cols(), 2048u);
    candidates.insert(dl.column_names().begin(), dl.column_names().end());
  }
  for (const auto& f : runs.report["models"]["rdl"]["selected_features"])
    EXPECT_TRUE(candidates.count(f.get<std::string>())) << f;
  for (const auto& f : runs.report["models"]["dl"]["selected_features"])
    EXPECT_NE(f.get<std::string>().find("_dl_"), std::string::npos) << f;
}

void CheckPredictReproducesTheValidationProbabilities(const Runs& runs) {
  const std::string& dir_ = runs.dir;
  // The validation patients as a new cohort; one more patient whose T2 mask
  // is empty gets no prediction, without stopping the others.
  std::set<std::string> validation;
  std::map<std::string, std::string> expected;
  {
    std::istringstream in(lvsi::ReadTextFile(dir_ + "/a/predictions.csv"));
    std::string line;
    std::getline(in, line);
    ASSERT_EQ(line, "case_id,label,split,rad,dl,rdl");
    while (std::getline(in, line)) {
      std::vector<std::string> cells;
      std::stringstream s(line);
      for (std::string c; std::getline(s, c, ',');) cells.push_back(c);
      if (cells[2] == "validation") {
        validation.insert(cells[0]);
        expected[cells[0]] = cells[5];
      }
    }
  }
  ASSERT_FALSE(validation.empty());
  auto manifest = lvsi::io::ReadManifest(dir_ + "/a/cohort/cohort.csv");
  lvsi::io::CohortManifest fresh = manifest;
  fresh.cases.clear();
  std::string broken_id;
  for (const auto& c : manifest.cases) {
    if (validation.count(c.case_id)) {
      fresh.cases.push_back(c);
    } else if (broken_id.empty()) {
      auto b = c;
      broken_id = b.case_id;
      const auto image = lvsi::io::ReadImage(b.sequences["t2w"].image);
      b.sequences["t2w"].mask = dir_ + "/empty_mask.nii.gz";
      lvsi::io::WriteMask(lvsi::Mask(image.geometry()), b.sequences["t2w"].mask);
      fresh.cases.push_back(b);
    }
  }
  lvsi::io::WriteManifest(fresh, dir_ + "/new.csv");
  const int status = RunCommand(std::string(LVSI_PREDICT_CLI) + " --model " + dir_ + "/a/models/rdl.lvsi --manifest " + dir_ +
                             "/new.csv -o " + dir_ + "/new_predictions.csv --jobs 2",
                         dir_ + "/predict.log");
  EXPECT_EQ(WEXITSTATUS(status), 4) << lvsi::ReadTextFile(dir_ + "/predict.log");  // one patient without a prediction
  EXPECT_NE(lvsi::ReadTextFile(dir_ + "/predict.log").find("no prediction for " + broken_id), std::string::npos);
  std::istringstream in(lvsi::ReadTextFile(dir_ + "/new_predictions.csv"));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "case_id,probability,predicted_lvsi,threshold,model");
  std::size_t compared = 0;
  while (std::getline(in, line)) {
    const std::string id = line.substr(0, line.find(','));
    const std::string p = line.substr(id.size() + 1, line.find(',', id.size() + 1) - id.size() - 1);
    if (id == broken_id) {
      EXPECT_TRUE(p.empty());
      continue;
    }
    ASSERT_TRUE(expected.count(id)) << id;
    EXPECT_EQ(p, expected[id]) << id;  // the same bits, printed in shortest exact form
    ++compared;
  }
  EXPECT_EQ(compared, validation.size());
}

void CheckSameSeedSameReportWithOneAndTwoThreads(const Runs& runs) {
  const std::string& dir_ = runs.dir;
  ASSERT_EQ(runs.status_b, 0) << lvsi::ReadTextFile(dir_ + "/b.log");
  json a = runs.report, b = json::parse(lvsi::ReadTextFile(dir_ + "/b/report.json"));
  for (json* r : {&a, &b}) {
    r->erase("timings_seconds");
    r->erase("timings_deep_training");
    (*r)["cohort"].erase("manifest");
  }
  EXPECT_EQ(a.dump(), b.dump());
  EXPECT_EQ(lvsi::ReadTextFile(dir_ + "/a/predictions.csv"), lvsi::ReadTextFile(dir_ + "/b/predictions.csv"));
}

void CheckBadCohortsStopEarlyWithTheReason(const Runs& runs) {
  const std::string& dir_ = runs.dir;
  auto manifest = lvsi::io::ReadManifest(dir_ + "/a/cohort/cohort.csv");
  // A single class.
  auto single = manifest;
  for (auto& c : single.cases) c.label = 0;
  lvsi::io::WriteManifest(single, dir_ + "/a/cohort/single.csv");
  EXPECT_NE(RunCommand(std::string(LVSI_STUDY_CLI) + " --manifest " + dir_ + "/a/cohort/single.csv -o " + dir_ + "/single",
                dir_ + "/single.log"), 0);
  EXPECT_NE(lvsi::ReadTextFile(dir_ + "/single.log").find("have label 0"), std::string::npos) << lvsi::ReadTextFile(dir_ + "/single.log");
  // Too few patients for 10-fold cross-validation.
  auto few = manifest;
  few.cases.resize(14);
  lvsi::io::WriteManifest(few, dir_ + "/a/cohort/few.csv");
  EXPECT_NE(RunCommand(std::string(LVSI_STUDY_CLI) + " --manifest " + dir_ + "/a/cohort/few.csv -o " + dir_ + "/few",
                dir_ + "/few.log"), 0);
  EXPECT_NE(lvsi::ReadTextFile(dir_ + "/few.log").find("too few patients for 10-fold"), std::string::npos) << lvsi::ReadTextFile(dir_ + "/few.log");
  // A missing image: the manifest check names it.
  auto missing = manifest;
  missing.cases[2].sequences["adc"].image = dir_ + "/absent.nii.gz";
  lvsi::io::WriteManifest(missing, dir_ + "/a/cohort/missing.csv");
  EXPECT_NE(RunCommand(std::string(LVSI_STUDY_CLI) + " --manifest " + dir_ + "/a/cohort/missing.csv -o " + dir_ + "/missing",
                dir_ + "/missing.log"), 0);
  EXPECT_NE(lvsi::ReadTextFile(dir_ + "/missing.log").find("absent.nii.gz"), std::string::npos) << lvsi::ReadTextFile(dir_ + "/missing.log");
}

// lvsi_deepfeatures on a manifest: fine-tune, then extract for every case.
void CheckDeepFeaturesCommandLine(const Runs& runs) {
  const std::string& dir_ = runs.dir;
  const std::string common = " --manifest " + dir_ + "/a/cohort/cohort.csv --sequence adc --size 48 -j 2";
  ASSERT_EQ(RunCommand(std::string(LVSI_DEEPFEATURES_CLI) + " finetune" + common + " --epochs 1 --freeze 4 -o " + dir_ +
                           "/adc.pt",
                       dir_ + "/df_tune.log"),
            0)
      << lvsi::ReadTextFile(dir_ + "/df_tune.log");
  ASSERT_EQ(RunCommand(std::string(LVSI_DEEPFEATURES_CLI) + " extract" + common + " --weights " + dir_ + "/adc.pt -o " +
                           dir_ + "/adc_features.csv",
                       dir_ + "/df_extract.log"),
            0)
      << lvsi::ReadTextFile(dir_ + "/df_extract.log");
  const auto t = lvsi::FeatureTable::ReadCsv(dir_ + "/adc_features.csv");
  EXPECT_EQ(t.rows(), 56u);
  EXPECT_EQ(t.cols(), 2048u);
  EXPECT_EQ(t.column_names().back(), "adc_dl_2047");
}

TEST_F(Study, EveryStageReportPredictDeterminismAndBadCohorts) {
  const Runs runs{dir_, report_, status_b_};
  {
    SCOPED_TRACE("report keys");
    CheckReportHasEveryKeyWithFiniteValues(runs);
  }
  {
    SCOPED_TRACE("fused features");
    CheckFusedFeaturesComeFromRadiomicsAndDeepCandidates(runs);
  }
  {
    SCOPED_TRACE("lvsi_predict");
    CheckPredictReproducesTheValidationProbabilities(runs);
  }
  {
    SCOPED_TRACE("determinism");
    CheckSameSeedSameReportWithOneAndTwoThreads(runs);
  }
  {
    SCOPED_TRACE("lvsi_deepfeatures");
    CheckDeepFeaturesCommandLine(runs);
  }
  {
    SCOPED_TRACE("bad cohorts");
    CheckBadCohortsStopEarlyWithTheReason(runs);
  }
}

}  // namespace
