#include "lvsi/io/manifest.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "test_util.h"

namespace lvsi::io {
namespace {
namespace fs = std::filesystem;

std::string Touch(const std::string& dir, const std::string& name) {
  fs::create_directories(fs::path(dir + "/" + name).parent_path());
  WriteFileAtomically(dir + "/" + name, "x");
  return name;
}

TEST(Manifest, ParsesSequencesSplitAndClinical) {
  const std::string dir = testing::ScratchDir("manifest_ok");
  for (const char* f : {"p1/t2.nii.gz", "p1/t2_m.nii.gz", "p1/t2_m2.nii.gz", "p1/adc.nii.gz",
                        "p1/adc_m.nii.gz", "p2/t2.nii.gz", "p2/t2_m.nii.gz", "p2/t2_m2.nii.gz"})
    Touch(dir, f);
  WriteFileAtomically(dir + "/cohort.csv",
                      "case_id,label,split,t2w_image,t2w_mask,t2w_mask_r2,adc_image,adc_mask,age,stage\n"
                      "p1,1,train,p1/t2.nii.gz,p1/t2_m.nii.gz,p1/t2_m2.nii.gz,p1/adc.nii.gz,p1/adc_m.nii.gz,52,IB1\n"
                      "p2,0,validation,p2/t2.nii.gz,p2/t2_m.nii.gz,p2/t2_m2.nii.gz,,,47.5,\"IIA\"\n");
  const CohortManifest m = ReadManifest(dir + "/cohort.csv");
  EXPECT_EQ(m.sequences, (std::vector<std::string>{"t2w", "adc"}));
  EXPECT_EQ(m.clinical_columns, (std::vector<std::string>{"age", "stage"}));
  ASSERT_EQ(m.cases.size(), 2u);
  EXPECT_TRUE(m.has_split);
  EXPECT_EQ(m.cases[0].label, 1);
  EXPECT_EQ(m.cases[1].split, "validation");
  EXPECT_EQ(m.cases[0].sequences.at("t2w").mask_r2,
            (fs::absolute(dir) / "p1/t2_m2.nii.gz").lexically_normal().string());
  EXPECT_EQ(m.cases[1].sequences.count("adc"), 0u);  // missing sequence for p2
  EXPECT_TRUE(m.IsNumericClinical("age"));
  EXPECT_FALSE(m.IsNumericClinical("stage"));
  EXPECT_TRUE(m.HasSecondReader("t2w"));
  EXPECT_FALSE(m.HasSecondReader("adc"));

  // Write and read back.
  WriteManifest(m, dir + "/copy.csv");
  const CohortManifest back = ReadManifest(dir + "/copy.csv");
  EXPECT_EQ(back.cases[0].sequences.at("adc").image, m.cases[0].sequences.at("adc").image);
  EXPECT_EQ(back.cases[1].clinical.at("stage"), "IIA");
  EXPECT_NE(ReadTextFile(dir + "/copy.csv").find("p1/t2.nii.gz"), std::string::npos);

  ManifestSettings need_adc;
  need_adc.required_sequences = {"adc"};
  EXPECT_THROW(ReadManifest(dir + "/cohort.csv", need_adc), ManifestError);
}

TEST(Manifest, ReportsEveryProblemWithLineNumbers) {
  const std::string dir = testing::ScratchDir("manifest_bad");
  Touch(dir, "a.nii");
  WriteFileAtomically(dir + "/cohort.csv",
                      "case_id,label,split,t2w_image,t2w_mask\n"
                      "p1,1,train,a.nii,a.nii\n"
                      "p1,2,train,a.nii,missing_mask.nii\n"
                      ",0,test,a.nii,\n");
  try {
    ReadManifest(dir + "/cohort.csv");
    FAIL();
  } catch (const ManifestError& e) {
    const auto& p = e.problems();
    auto has = [&](const std::string& text) {
      for (const auto& s : p)
        if (s.find(text) != std::string::npos) return true;
      return false;
    };
    EXPECT_TRUE(has("line 3 (case p1): duplicate case_id 'p1' (first on line 2)")) << e.what();
    EXPECT_TRUE(has("line 3 (case p1): label must be 0 or 1, got '2'")) << e.what();
    EXPECT_TRUE(has("line 3 (case p1): t2w_mask file does not exist")) << e.what();
    EXPECT_TRUE(has("line 4: empty case_id")) << e.what();
    EXPECT_TRUE(has("line 4: split must be 'train' or 'validation'")) << e.what();
    EXPECT_TRUE(has("line 4: t2w_mask is empty")) << e.what();
    EXPECT_EQ(e.path(), dir + "/cohort.csv");
  }
}

TEST(Manifest, MissingColumns) {
  const std::string dir = testing::ScratchDir("manifest_cols");
  WriteFileAtomically(dir + "/cohort.csv", "id,t2w_image\np1,a.nii\n");
  try {
    ReadManifest(dir + "/cohort.csv");
    FAIL();
  } catch (const ManifestError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'case_id' is missing"), std::string::npos) << what;
    EXPECT_NE(what.find("'label' is missing"), std::string::npos) << what;
    EXPECT_NE(what.find("no column 't2w_mask'"), std::string::npos) << what;
  }
  EXPECT_THROW(ReadManifest(dir + "/absent.csv"), IoError);
}

}  // namespace
}  // namespace lvsi::io
