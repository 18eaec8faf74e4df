#include "lvsi/core/feature_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "test_util.h"

namespace lvsi {
namespace {

FeatureTable RandomTable(int rows, int cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> dist(0.0, 1e3);
  std::vector<std::string> ids, names;
  for (int r = 0; r < rows; ++r) ids.push_back("case" + std::to_string(r));
  for (int c = 0; c < cols; ++c) names.push_back("original_glcm_F" + std::to_string(c));
  Eigen::MatrixXd v(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) v(r, c) = dist(rng) * std::pow(10.0, (r + c) % 9 - 4);
  return FeatureTable(ids, names, v);
}

TEST(FeatureTable, CsvRoundTripIsExact) {
  FeatureTable t = RandomTable(7, 13, 1);
  t.mutable_values()(2, 3) = std::numeric_limits<double>::quiet_NaN();
  t.mutable_values()(4, 5) = -std::numeric_limits<double>::infinity();
  const std::string path = testing::ScratchDir("ft_csv") + "/t.csv";
  t.WriteCsv(path);
  const FeatureTable back = FeatureTable::ReadCsv(path);
  ASSERT_EQ(back.row_ids(), t.row_ids());
  ASSERT_EQ(back.column_names(), t.column_names());
  for (int r = 0; r < 7; ++r)
    for (int c = 0; c < 13; ++c) {
      const double a = t.values()(r, c), b = back.values()(r, c);
      if (std::isnan(a)) {
        EXPECT_TRUE(std::isnan(b));
      } else {
        EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0) << r << "," << c;
      }
    }
}

TEST(FeatureTable, AppendRowChecksColumns) {
  FeatureTable t;
  t.AppendRow("a", {{"x", 1.0}, {"y", 2.0}});
  t.AppendRow("b", {{"y", 4.0}, {"x", 3.0}});
  EXPECT_EQ(t.At("b", "x"), 3.0);
  try {
    t.AppendRow("c", {{"x", 1.0}, {"z", 2.0}});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("missing: [y]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("extra: [z]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(t.AppendRow("a", {{"x", 1.0}, {"y", 2.0}}), InvalidArgument);
  EXPECT_EQ(t.rows(), 2u);
}

TEST(FeatureTable, SelectJoinAppend) {
  FeatureTable a = RandomTable(3, 4, 2);
  FeatureTable b = RandomTable(3, 2, 3);
  b.PrefixColumns("t2w_");
  FeatureTable j = a.JoinColumns(b);
  EXPECT_EQ(j.cols(), 6u);
  EXPECT_EQ(j.At("case1", "t2w_original_glcm_F1"), b.At("case1", "t2w_original_glcm_F1"));
  FeatureTable s = j.SelectColumns({"t2w_original_glcm_F0", "original_glcm_F2"});
  EXPECT_EQ(s.column_names()[0], "t2w_original_glcm_F0");
  EXPECT_EQ(s.values()(2, 1), a.values()(2, 2));
  try {
    j.SelectColumns({"nope", "original_glcm_F0", "gone"});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("nope, gone"), std::string::npos) << e.what();
  }
  FeatureTable rows = a.SelectRows({2, 0});
  EXPECT_EQ(rows.row_ids(), (std::vector<std::string>{"case2", "case0"}));
  EXPECT_THROW(a.AppendRows(a), InvalidArgument);  // duplicate ids
  EXPECT_THROW(a.AppendRows(b), InvalidArgument);  // other columns
}

TEST(FeatureTable, ConstructorRejectsBadShapes) {
  EXPECT_THROW(FeatureTable({"a"}, {"x", "y"}, Eigen::MatrixXd::Zero(1, 3)), InvalidArgument);
  EXPECT_THROW(FeatureTable({"a", "a"}, {"x"}, Eigen::MatrixXd::Zero(2, 1)), InvalidArgument);
}

TEST(FeatureTable, NonNumericCellNamesLineAndColumn) {
  const std::string path = testing::ScratchDir("ft_bad") + "/bad.csv";
  WriteFileAtomically(path, "case_id,f1,f2\na,1,2\nb,3,oops\n");
  try {
    FeatureTable::ReadCsv(path);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_EQ(e.path(), path);
    EXPECT_NE(std::string(e.what()).find("line 3, column 'f2'"), std::string::npos) << e.what();
  }
  // Skipped columns may hold text.
  const FeatureTable t = FeatureTable::ReadCsv(path, {"f2"});
  EXPECT_EQ(t.cols(), 1u);
}

}  // namespace
}  // namespace lvsi
