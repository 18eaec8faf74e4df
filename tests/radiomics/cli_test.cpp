// lvsi_radiomics end to end: single case (csv, json), batch with a failing
// case, bad input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sys/wait.h>

#include "lvsi/core/csv.h"
#include "lvsi/io/image_io.h"
#include "test_util.h"

namespace lvsi {
namespace {
namespace fs = std::filesystem;

int RunCli(const std::string& args) {
  const int status = std::system((std::string(LVSI_RADIOMICS_CLI) + " " + args).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void MakeCase(const std::string& dir, const std::string& name, bool empty_mask) {
  Geometry g;
  g.size = {12, 11, 6};
  Image img(g);
  LabelImage lab(g, 0);
  for (std::size_t n = 0; n < img.size(); ++n) img[n] = static_cast<double>((n * 37) % 101);
  if (!empty_mask)
    for (std::size_t k = 1; k < 5; ++k)
      for (std::size_t j = 2; j < 8; ++j)
        for (std::size_t i = 3; i < 9; ++i) lab(i, j, k) = 1;
  io::WriteImage(img, dir + "/" + name + "_image.nrrd");
  io::WriteLabelImage(lab, dir + "/" + name + "_label.nrrd");
}

TEST(Cli, SingleCaseCsvAndJson) {
  const std::string dir = testing::ScratchDir("cli_single");
  MakeCase(dir, "a", false);
  ASSERT_EQ(RunCli(dir + "/a_image.nrrd " + dir + "/a_label.nrrd -o " + dir + "/a.csv"), 0);
  const CsvDocument doc = ReadCsv(dir + "/a.csv");
  ASSERT_EQ(doc.rows.size(), 1u);
  EXPECT_EQ(doc.header[0], "Image");
  EXPECT_GE(doc.ColumnIndex("original_glcm_JointEntropy"), 0);
  ASSERT_EQ(RunCli(dir + "/a_image.nrrd " + dir + "/a_label.nrrd --format json -o " + dir + "/a.json"), 0);
  EXPECT_NE(ReadTextFile(dir + "/a.json").find("\"original_firstorder_Mean\""), std::string::npos);
}

TEST(Cli, BatchReportsTheFailedCaseAndCompletesTheOthers) {
  const std::string dir = testing::ScratchDir("cli_batch");
  MakeCase(dir, "a", false);
  MakeCase(dir, "b", true);  // empty mask: fails
  MakeCase(dir, "c", false);
  WriteFileAtomically(dir + "/batch.csv",
                      "Image,Mask\na_image.nrrd,a_label.nrrd\nb_image.nrrd,b_label.nrrd\nc_image.nrrd,c_label.nrrd\n");
  EXPECT_EQ(RunCli(dir + "/batch.csv --jobs 2 -o " + dir + "/out.csv 2>/dev/null"), 2);
  const CsvDocument out = ReadCsv(dir + "/out.csv");
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[0][0], "a_image.nrrd");
  EXPECT_EQ(out.rows[1][0], "c_image.nrrd");
  const CsvDocument errors = ReadCsv(dir + "/out.csv.errors.csv");
  ASSERT_EQ(errors.rows.size(), 1u);
  EXPECT_EQ(errors.rows[0][1], "b_image.nrrd");
  EXPECT_NE(errors.rows[0][3].find("b_label.nrrd"), std::string::npos) << errors.rows[0][3];
}

TEST(Cli, BadInputExitsNonZero) {
  const std::string dir = testing::ScratchDir("cli_bad");
  EXPECT_EQ(RunCli(dir + "/missing.nrrd " + dir + "/missing_label.nrrd -o " + dir + "/x.csv 2>/dev/null"), 1);
  WriteFileAtomically(dir + "/params.yaml", "setting:\n  binWidth: -1\n");
  MakeCase(dir, "a", false);
  EXPECT_EQ(RunCli(dir + "/a_image.nrrd " + dir + "/a_label.nrrd --param " + dir + "/params.yaml 2>/dev/null"), 1);
  EXPECT_FALSE(fs::exists(dir + "/x.csv"));
}

}  // namespace
}  // namespace lvsi
