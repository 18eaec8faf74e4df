#include "lvsi/io/table_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "test_util.h"

namespace lvsi::io {
namespace {

TEST(TableIo, JsonRoundTripExactWithNaN) {
  Eigen::MatrixXd v(2, 3);
  v << 0.1, 1e-300, -3.141592653589793, std::numeric_limits<double>::quiet_NaN(), 2.5e17, 7;
  FeatureTable t({"p1", "p2"}, {"a", "b", "c"}, v);
  t.metadata()["lvsi_version"] = "0.1.0";
  const std::string dir = testing::ScratchDir("table_json");
  WriteFeatureTable(t, dir + "/t.json");
  const FeatureTable back = ReadFeatureTable(dir + "/t.json");
  EXPECT_EQ(back.row_ids(), t.row_ids());
  EXPECT_EQ(back.column_names(), t.column_names());
  EXPECT_EQ(back.metadata().at("lvsi_version"), "0.1.0");
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) {
      if (std::isnan(v(r, c)))
        EXPECT_TRUE(std::isnan(back.values()(r, c)));
      else
        EXPECT_EQ(back.values()(r, c), v(r, c));
    }
  WriteFeatureTable(t, dir + "/t.csv");
  EXPECT_EQ(ReadFeatureTable(dir + "/t.csv").values()(0, 2), v(0, 2));
  EXPECT_THROW(WriteFeatureTable(t, dir + "/t.xlsx"), FormatError);
  WriteFileAtomically(dir + "/bad.json", "{\"columns\": [\"a\"], \"rows\": [{\"id\": 1}]}");
  EXPECT_THROW(ReadFeatureTableJson(dir + "/bad.json"), FormatError);
  WriteFileAtomically(dir + "/worse.json", "{oops");
  EXPECT_THROW(ReadFeatureTableJson(dir + "/worse.json"), FormatError);
}

}  // namespace
}  // namespace lvsi::io
