#include "setup/config_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Config Parsed(const std::string& text) {
  Config config;
  std::string err;
  EXPECT_TRUE(ParseConfig(text, "c.ini", "/home/u", &config, &err)) << err;
  return config;
}

bool HasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(ConfigCheckTest, ShowsEverySettingButNoSecret) {
  CheckReport r = CheckConfig(
      Parsed("[_]\nsecret = s3cret\nwebPassword = pw\nkeepBuilds = 5\n"), {});
  EXPECT_TRUE(HasLine(r.text, "; c.ini: 0 projects, 0 warnings")) << r.text;
  EXPECT_TRUE(HasLine(r.text, "buildRoot = /home/u/Builds")) << r.text;
  EXPECT_TRUE(HasLine(r.text, "keepBuilds = 5")) << r.text;
  EXPECT_TRUE(HasLine(r.text, "supersede = yes")) << r.text;
  EXPECT_TRUE(HasLine(r.text, "secret = (set, not shown)")) << r.text;
  EXPECT_TRUE(HasLine(r.text, "webPassword = (set, not shown)")) << r.text;
  EXPECT_THAT(r.text, Not(HasSubstr("s3cret")));
  EXPECT_TRUE(r.warnings.empty());
}

TEST(ConfigCheckTest, WarnsAndNotesWhatLooksWrong) {
  CheckReport r = CheckConfig(
      Parsed("[_]\njbos = 2\n\n[a/b]\nmain = make\nbadge = x\n:badge = "
             "nope\n"),
      {});
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0],
            "c.ini:2: unknown setting `jbos` in [_] ignored; did you mean "
            "`jobs`?");
  EXPECT_EQ(r.warnings[1],
            "[a/b] :badge nope: no build configured for nope, so its badge "
            "stays unknown");
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0],
            "`badge` in [a/b] is a branch key; the project setting is written "
            "`:badge`");
  EXPECT_TRUE(HasLine(r.text, "; c.ini: 1 project, 2 warnings")) << r.text;
  EXPECT_TRUE(HasLine(r.text, ":badge = nope")) << r.text;
}

TEST(ConfigCheckTest, SaysWhatEachProjectRunsForABranch) {
  Config config = Parsed(
      "[_]\nnotify = failures\n\n[a/b]\nmain = make\nmain/docs = make "
      "docs\n:notify:main/docs = none\n\n[c/d]\nrelease = make release\n");
  CheckReport r = CheckConfig(config, {"main/feature", ""});
  EXPECT_TRUE(HasLine(r.text, "; branch main/feature:")) << r.text;
  EXPECT_TRUE(HasLine(r.text, "; [a/b] key main runs: make (notify failures)"))
      << r.text;
  EXPECT_TRUE(HasLine(r.text, "; [c/d] no build configured for main/feature"))
      << r.text;
  r = CheckConfig(config, {"main", "docs"});
  EXPECT_TRUE(HasLine(r.text, "; branch main task docs:")) << r.text;
  EXPECT_TRUE(
      HasLine(r.text, "; [a/b] key main/docs runs: make docs (notify none)"))
      << r.text;
  EXPECT_TRUE(HasLine(r.text, "; badge: the last build of main")) << r.text;
}

}  // namespace
}  // namespace mm
