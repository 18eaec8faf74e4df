#include "lvsi/core/csv.h"

#include <gtest/gtest.h>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <thread>
#include <sys/stat.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "lvsi/core/error.h"
#include "test_util.h"

namespace lvsi {
namespace {

TEST(Csv, ParsesQuotedFieldsCrLfAndBom) {
  const auto doc = ParseCsv("\xEF\xBB\xBF" "a,b,c\r\n1,\"x, y\",\"he said \"\"hi\"\"\"\r\n\n2,\"multi\nline\",z\n",
                            "mem.csv");
  ASSERT_EQ(doc.header, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(doc.rows.size(), 2u);
  EXPECT_EQ(doc.rows[0][1], "x, y");
  EXPECT_EQ(doc.rows[0][2], "he said \"hi\"");
  EXPECT_EQ(doc.rows[1][1], "multi\nline");
  EXPECT_EQ(doc.line_numbers[0], 2u);
  EXPECT_EQ(doc.line_numbers[1], 4u);
  EXPECT_EQ(doc.ColumnIndex("c"), 2);
  EXPECT_EQ(doc.ColumnIndex("zz"), -1);
}

TEST(Csv, WrongFieldCountNamesFileAndLine) {
  try {
    ParseCsv("a,b\n1,2\n3\n", "cohort.csv");
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.path(), "cohort.csv");
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ParseCsv("a,b\n\"1,2\n", "x.csv"), FormatError);
  EXPECT_THROW(ParseCsv("", "empty.csv"), FormatError);
}

TEST(Csv, EscapeRoundTrips) {
  for (std::string s : {"plain", "a,b", "q\"uote", "line\nbreak"}) {
    const auto doc = ParseCsv("h\n" + CsvEscape(s) + "\n", "m");
    EXPECT_EQ(doc.rows[0][0], s);
  }
}

TEST(Csv, DoublesRoundTripBitForBit) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::uint64_t> bits;
  int checked = 0;
  for (int n = 0; n < 20000; ++n) {
    std::uint64_t b = bits(rng);
    double v;
    std::memcpy(&v, &b, sizeof v);
    if (!std::isfinite(v)) continue;
    double back = 0;
    ASSERT_TRUE(ParseDouble(FormatDouble(v), &back)) << FormatDouble(v);
    ASSERT_EQ(std::memcmp(&v, &back, sizeof v), 0) << FormatDouble(v);
    ++checked;
  }
  EXPECT_GT(checked, 19000);
  double v = 0;
  EXPECT_TRUE(ParseDouble("nan", &v) && std::isnan(v));
  EXPECT_TRUE(ParseDouble("-inf", &v) && v == -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(ParseDouble(" 1e-3 ", &v) && v == 1e-3);
  EXPECT_FALSE(ParseDouble("12abc", &v));
  EXPECT_FALSE(ParseDouble("", &v));
  EXPECT_EQ(FormatDouble(0.1), "0.1");
}

TEST(Csv, MissingFileIsIoError) {
  try {
    ReadCsv("/nonexistent/cohort.csv");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_EQ(e.path(), "/nonexistent/cohort.csv");
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
  }
}

TEST(Csv, AtomicWriteReplacesWholeFile) {
  const std::string dir = testing::ScratchDir("csv_atomic");
  const std::string path = dir + "/out.txt";
  WriteFileAtomically(path, "first");
  WriteFileAtomically(path, "second version");
  EXPECT_EQ(ReadTextFile(path), "second version");
  EXPECT_THROW(WriteFileAtomically(dir + "/missing/out.txt", "x"), IoError);
  EXPECT_EQ(ReadTextFile(path), "second version");
}

// Writing "atomically" to a device or a pipe must not replace it with a
// plain file (a rename over /dev/null once did), nor a symbolic link with
// a file.
TEST(Csv, AtomicWritesKeepPipesDevicesAndLinks) {
  const std::string dir = testing::ScratchDir("atomic_special");
  const std::string fifo = dir + "/pipe";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo);
    received.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  });
  WriteFileAtomically(fifo, "through the pipe");
  reader.join();
  EXPECT_EQ(received, "through the pipe");
  struct stat st;
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";
  WriteFileAtomically(dir + "/real.txt", "old");
  std::filesystem::remove(dir + "/link.txt");
  std::filesystem::create_symlink("real.txt", dir + "/link.txt");
  WriteFileAtomically(dir + "/link.txt", "new");
  EXPECT_TRUE(std::filesystem::is_symlink(dir + "/link.txt"));
  EXPECT_EQ(ReadTextFile(dir + "/real.txt"), "new");
}

TEST(Csv, ParseIntegerIsStrict) {
  long long v = 0;
  EXPECT_TRUE(ParseInteger(" 42 ", &v) && v == 42);
  EXPECT_TRUE(ParseInteger("-7", &v) && v == -7);
  EXPECT_TRUE(ParseInteger("+7", &v) && v == 7);
  for (const char* bad : {"", "abc", "4.5", "1e3", "12abc", "+-3", "99999999999999999999", " "})
    EXPECT_FALSE(ParseInteger(bad, &v)) << bad;
}

TEST(Csv, AnOutputThatIsAnInputIsRefused) {
  const std::string dir = testing::ScratchDir("output_is_input");
  WriteFileAtomically(dir + "/in.txt", "input");
  std::filesystem::create_symlink(dir + "/in.txt", dir + "/link.txt");
  std::filesystem::create_hard_link(dir + "/in.txt", dir + "/hard.txt");
  for (const std::string& out : {dir + "/in.txt", dir + "/link.txt", dir + "/hard.txt", dir + "/../output_is_input/in.txt"}) {
    try {
      CheckOutputIsNotInput(out, {dir + "/other.txt", dir + "/in.txt"});
      ADD_FAILURE() << out << " was accepted";
    } catch (const OutputError& e) {
      EXPECT_EQ(e.path(), out);
      EXPECT_NE(std::string(e.what()).find("is the input " + dir + "/in.txt"), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(CheckOutputIsNotInput(dir + "/new.txt", {dir + "/in.txt"}));  // does not exist yet
  EXPECT_NO_THROW(CheckOutputIsNotInput("", {dir + "/in.txt"}));
  EXPECT_NO_THROW(CheckOutputIsNotInput("-", {"-"}));
  EXPECT_EQ(ReadTextFile(dir + "/in.txt"), "input");
}

TEST(Csv, AFailedWriteIsAnOutputErrorAndLeavesNoFile) {
  const std::string dir = testing::ScratchDir("output_error");
  EXPECT_THROW(WriteFileAtomically("/dev/full", "x"), OutputError);  // a full disk
  EXPECT_THROW(WriteFileAtomically(dir + "/missing/x.txt", "x"), OutputError);
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

}  // namespace
}  // namespace lvsi
