// The parts lvsi_study and lvsi_predict compose (examples/study/study.h),
// one by one: the configuration file, the cohorts, the cohort checks, the
// sequences a saved model needs and predictions.csv.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "lvsi/lvsi.h"
#include "study.h"
#include "test_util.h"

namespace {

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = lvsi::testing::ScratchDir("study_parts") + "/" + name;
  lvsi::WriteFileAtomically(path, text);
  return path;
}

// The message of the error `read` throws ("" when it throws none): a
// FormatError for a file that is not a YAML mapping, InvalidArgument for
// a wrong key or value.
template <class Fn>
std::string ErrorOf(Fn&& read) {
  try {
    read();
  } catch (const lvsi::FormatError& e) {
    return e.what();
  } catch (const lvsi::InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(StudyConfig, FileOverridesOnlyTheKeysItNames) {
  const std::string path =
      Write("partial.yaml", "study:\n  seed: 7\nsvm:\n  c_values: [0.5, 2]\ndeep:\n  optimizer: adam\n");
  const study::Config defaults = study::DemoConfig();
  const study::Config c = study::Config::Read(path, defaults);
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.svm_c, (std::vector<double>{0.5, 2}));
  EXPECT_EQ(c.optimizer, "adam");
  // Everything else keeps the defaults it was given.
  EXPECT_EQ(c.train_fraction, defaults.train_fraction);
  EXPECT_EQ(c.slice_size, defaults.slice_size);
  EXPECT_EQ(c.epochs, defaults.epochs);
  EXPECT_EQ(c.lambda_rule, defaults.lambda_rule);
  EXPECT_EQ(c.bootstrap, defaults.bootstrap);
}

TEST(StudyConfig, SavedSettingsReadBackToTheSameSettings) {
  study::Config c;
  c.seed = 11;
  c.train_fraction = 0.65;
  c.lambda_rule = "min";
  c.svm_c = {0.1, 10};
  c.deep = false;
  c.learning_rate = 3e-4;
  c.schedule = "step";
  c.bootstrap = 250;
  const std::string saved = Write("saved.yaml", c.ToYaml());
  const study::Config back = study::Config::Read(saved, study::Config{});
  EXPECT_EQ(back.ToYaml(), c.ToYaml());
  EXPECT_EQ(back.seed, 11u);
  EXPECT_FALSE(back.deep);
  EXPECT_EQ(back.DeepKey(), c.DeepKey());
}

TEST(StudyConfig, DeepKeyChangesWithADeepSettingOnly) {
  study::Config a, b;
  b.mann_whitney_p = 0.01;  // a selection setting
  EXPECT_EQ(a.DeepKey(), b.DeepKey());
  b.epochs = a.epochs + 1;
  EXPECT_NE(a.DeepKey(), b.DeepKey());
}

TEST(StudyConfig, MistakesAreErrorsNamingTheFileAndTheKey) {
  const study::Config d;
  struct Case {
    const char* yaml;
    const char* names;
  };
  for (const Case& k : {Case{"studdy:\n  seed: 1\n", "studdy"}, Case{"study:\n  sed: 1\n", "sed"},
                        Case{"deep:\n  epochs: many\n", "epochs"}, Case{"study:\n  train_fraction: 1.5\n", "train_fraction"},
                        Case{"- a list\n", "mapping"}, Case{"study: [1, 2]\n", "study"},
                        Case{"deep:\n  epochs: -1\n", "epochs"}, Case{"deep:\n  learning_rate: .nan\n", "learning_rate"},
                        Case{"svm:\n  c_values: [1, -2]\n", "c_values"}, Case{"deep:\n  slice_size: 8\n", "slice_size"},
                        Case{"deep:\n  low_percentile: 99\n  high_percentile: 1\n", "percentile"},
                        // Keys that are mappings (found by fuzz_study_config: an uncaught yaml-cpp exception).
                        Case{"deep:\n  ? augment: true\n", "section 'deep'"}, Case{"? [a, b]\n: 1\n", "top level"}}) {
    const std::string path = Write("bad.yaml", k.yaml);
    const std::string message = ErrorOf([&] { study::Config::Read(path, d); });
    EXPECT_NE(message.find(path), std::string::npos) << k.yaml << " -> " << message;
    EXPECT_NE(message.find(k.names), std::string::npos) << k.yaml << " -> " << message;
  }
  EXPECT_THROW(study::Config::Read(lvsi::testing::ScratchDir("study_parts") + "/absent.yaml", d), lvsi::IoError);
}

TEST(StudyConfig, AnEmptyFileKeepsTheDefaults) {
  const study::Config d = study::DemoConfig();
  EXPECT_EQ(study::Config::Read(Write("empty.yaml", ""), d).ToYaml(), d.ToYaml());
}

// 30 positives and 70 negatives.
std::vector<int> Labels() {
  std::vector<int> y(100, 0);
  for (std::size_t i = 0; i < y.size(); i += 10)
    for (std::size_t k = 0; k < 3; ++k) y[i + k] = 1;
  return y;
}

TEST(StudyCohorts, WithoutASplitColumnEachClassIsSplitSevenToThree) {
  const std::vector<int> y = Labels();
  std::vector<lvsi::io::ManifestCase> cases(y.size());
  std::vector<const lvsi::io::ManifestCase*> pointers;
  for (const auto& c : cases) pointers.push_back(&c);
  study::Config cfg;
  const auto cohort = study::Cohorts(pointers, false, y, cfg);
  ASSERT_EQ(cohort.size(), y.size());
  long train_pos = 0, train_neg = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    ASSERT_TRUE(cohort[i] == "train" || cohort[i] == "validation") << cohort[i];
    if (cohort[i] == "train") (y[i] ? train_pos : train_neg)++;
  }
  EXPECT_EQ(train_pos, 21);  // round(0.7 * 30)
  EXPECT_EQ(train_neg, 49);  // round(0.7 * 70)
  EXPECT_EQ(study::Cohorts(pointers, false, y, cfg), cohort) << "same seed, same split";
  cfg.seed += 1;
  EXPECT_NE(study::Cohorts(pointers, false, y, cfg), cohort) << "another seed, another split";
}

TEST(StudyCohorts, TheManifestsSplitIsKept) {
  std::vector<lvsi::io::ManifestCase> cases(4);
  cases[0].split = "train";
  cases[1].split = "validation";
  cases[2].split = "train";
  cases[3].split = "validation";
  std::vector<const lvsi::io::ManifestCase*> pointers;
  for (const auto& c : cases) pointers.push_back(&c);
  EXPECT_EQ(study::Cohorts(pointers, true, {1, 0, 0, 1}, study::Config{}),
            (std::vector<std::string>{"train", "validation", "train", "validation"}));
}

TEST(StudyCohorts, CheckStopsCohortsThatCannotSupportTheStudy) {
  study::Config cfg;  // 10 LASSO folds, 5 SVM folds
  const std::vector<int> y = Labels();
  std::vector<std::string> cohort(y.size(), "train");
  for (std::size_t i = 0; i < y.size(); i += 4) cohort[i] = "validation";
  EXPECT_NO_THROW(study::CheckCohort(y, cohort, cfg));

  EXPECT_THROW(study::CheckCohort(std::vector<int>(y.size(), 0), cohort, cfg), lvsi::InvalidArgument);
  EXPECT_THROW(study::CheckCohort(y, std::vector<std::string>(y.size(), "train"), cfg), lvsi::InvalidArgument);
  // Nine positives in training: fewer than ten folds.
  std::vector<std::string> few = cohort;
  long kept = 0;
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y[i] == 1 && few[i] == "train" && ++kept > 9) few[i] = "validation";
  try {
    study::CheckCohort(y, few, cfg);
    ADD_FAILURE() << "nine positives passed ten-fold cross-validation";
  } catch (const lvsi::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("9 LVSI-positive"), std::string::npos) << e.what();
  }
  cfg.lasso_folds = 5;
  EXPECT_NO_THROW(study::CheckCohort(y, few, cfg));
}

TEST(StudyModels, NeededSequencesSortsRadiomicsFromDeepFeatures) {
  std::vector<std::string> radiomics, deep;
  study::NeededSequences({"t2w_original_glcm_Contrast", "adc_dl_0007", "t2w_dl_2047", "cet1_wavelet-LLH_firstorder_Mean",
                          "t2w_original_shape_Sphericity"},
                         {"t2w", "adc", "cet1"}, &radiomics, &deep);
  EXPECT_EQ(radiomics, (std::vector<std::string>{"cet1", "t2w"}));
  EXPECT_EQ(deep, (std::vector<std::string>{"adc", "t2w"}));
  // A sequence whose name begins another's is not taken for it.
  study::NeededSequences({"t2w_original_firstorder_Mean"}, {"t2", "t2w"}, &radiomics, &deep);
  EXPECT_EQ(radiomics, (std::vector<std::string>{"t2w"}));
  EXPECT_TRUE(deep.empty());
}

TEST(StudyReport, PredictionsCsvHoldsEveryProbabilityExactly) {
  const std::string path = lvsi::testing::ScratchDir("study_parts") + "/predictions.csv";
  const std::vector<double> radiomics{0.1, 1.0 / 3, 2.5e-17}, fused{0.9, 2.0 / 3, 1 - 1e-12};
  study::WritePredictionsCsv(path, {"p1", "p2", "p3"}, {1, 0, 1}, {"train", "validation", "validation"},
                             {{"radiomics", radiomics}, {"fused", fused}});
  std::istringstream csv(lvsi::ReadTextFile(path));
  std::string line;
  ASSERT_TRUE(std::getline(csv, line));
  EXPECT_EQ(line, "case_id,label,split,radiomics,fused");
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(std::getline(csv, line));
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    ASSERT_EQ(cells.size(), 5u) << line;
    EXPECT_EQ(cells[0], "p" + std::to_string(i + 1));
    EXPECT_EQ(std::stod(cells[3]), radiomics[i]) << "a probability must read back bit for bit";
    EXPECT_EQ(std::stod(cells[4]), fused[i]);
  }
  EXPECT_FALSE(std::getline(csv, line)) << "one row per patient";
}

// The study's per-sequence workers (lvsi_study's deep stage): the three
// sequences fine-tuned on three threads at once give the features, bit for
// bit, of one sequence after another (docs/study.md: values do not depend
// on --jobs).  scripts/run-checks.sh runs this under ThreadSanitizer.
TEST(StudyDeep, SequencesOnThreadsEqualOneByOne) {
  const std::string dir = lvsi::testing::ScratchDir("study_deep_threads");
  lvsi::io::SyntheticCohortSettings cohort;
  cohort.patients = 12;
  cohort.seed = 5;
  cohort.threads = 1;
  const auto manifest = lvsi::io::GenerateSyntheticCohort(dir + "/cohort", cohort);
  study::Config cfg;
  cfg.slice_size = 32;
  cfg.epochs = 1;
  cfg.batch_size = 4;
  cfg.gradcam_cases = 1;
  std::vector<lvsi::deepfeatures::SliceSet> slices;
  for (const auto& q : manifest.sequences)
    slices.push_back(lvsi::deepfeatures::LoadTumourSlices(manifest, q, cfg.SliceSettings(), 1));
  std::vector<std::string> ids;
  std::set<std::string> train;
  for (const auto& c : manifest.cases) {
    ids.push_back(c.case_id);
    if (train.size() < 8) train.insert(c.case_id);
  }
  auto run = [&](const std::string& out, int jobs) {
    for (const char* sub : {"figures", "deep"}) std::filesystem::create_directories(out + "/" + sub);
    std::vector<study::DeepPart> parts(slices.size());
    lvsi::ParallelFor(0, slices.size(), [&](std::size_t s) {
      parts[s] = study::DeepSequence(slices[s], ids, train, cfg, "", "test", out, /*fresh=*/true);
    }, jobs);
    return parts;
  };
  const auto together = run(dir + "/together", static_cast<int>(slices.size()));
  const auto apart = run(dir + "/apart", 1);
  ASSERT_EQ(together.size(), 3u);
  for (std::size_t s = 0; s < together.size(); ++s) {
    const auto& a = together[s].features;
    const auto& b = apart[s].features;
    ASSERT_EQ(a.rows(), ids.size());
    ASSERT_EQ(a.cols(), 2048u);
    EXPECT_EQ(a.row_ids(), b.row_ids());
    EXPECT_EQ(a.ToCsv(), b.ToCsv()) << slices[s].sequence;
  }
}

}  // namespace
