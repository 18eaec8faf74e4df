#include "lvsi/core/logging.h"

#include <gtest/gtest.h>

#include <vector>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"
#include "test_util.h"

namespace lvsi {
namespace {

TEST(Logging, SinkReceivesMessagesAtOrAboveLevel) {
  std::vector<std::pair<LogLevel, std::string>> got;
  SetLogSink([&](LogLevel l, const std::string& m) { got.emplace_back(l, m); });
  SetLogLevel(LogLevel::kWarning);
  Log(LogLevel::kInfo, "hidden");
  Log(LogLevel::kWarning, "shown");
  Log(LogLevel::kError, "also shown");
  SetLogSink(nullptr);
  SetLogLevel(LogLevel::kInfo);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, LogLevel::kWarning);
  EXPECT_EQ(got[0].second, "shown");
  EXPECT_EQ(got[1].first, LogLevel::kError);
}

TEST(Logging, FileSinkAndLevelParsing) {
  const std::string path = testing::ScratchDir("logging") + "/lvsi.log";
  SetLogFile(path);
  SetLogSink([](LogLevel, const std::string&) {});
  Log(LogLevel::kInfo, "written to the file");
  SetLogFile("");
  SetLogSink(nullptr);
  EXPECT_NE(ReadTextFile(path).find("written to the file"), std::string::npos);
  EXPECT_EQ(ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("warn"), LogLevel::kWarning);
  EXPECT_THROW(ParseLogLevel("loud"), InvalidArgument);
  EXPECT_THROW(SetLogFile("/dev/null/x.log"), IoError);
}

}  // namespace
}  // namespace lvsi
