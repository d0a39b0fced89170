#include "job/target_match.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

Project Example() {
  Project p;
  p.name = "example-org/example-repo";
  p.targets = {
      {"production", "make deploy"}, {"staging", "make deploy-to-staging"},
      {"staging/hot", "make hot"},   {"master/update-libraries", "make update"},
      {"master/docs", "make docs"},  {"refs/tags/v", "make release"}};
  return p;
}

std::string Command(const std::string& target, const std::string& task) {
  TargetMatch m;
  std::string err;
  if (!MatchTarget(Example(), target, task, &m, &err)) return "ERR " + err;
  return m.command;
}

TEST(TargetMatchTest, ExactAndPrefix) {
  EXPECT_EQ(Command("production", ""), "make deploy");
  EXPECT_EQ(Command("production/hotfix-1", ""), "make deploy");
  EXPECT_EQ(Command("staging/my-feature", ""), "make deploy-to-staging");
  EXPECT_EQ(Command("refs/tags/v1.2", ""), "make release");
}

TEST(TargetMatchTest, LongestPrefixWins) {
  EXPECT_EQ(Command("staging/hotfix", ""), "make hot");
  EXPECT_EQ(Command("staging/ho", ""), "make deploy-to-staging");
}

TEST(TargetMatchTest, Tasks) {
  EXPECT_EQ(Command("master", "docs"), "make docs");
  EXPECT_EQ(Command("master", "update-libraries"), "make update");
  EXPECT_EQ(Command("master/feature", "docs"), "make docs");
  EXPECT_EQ(Command("master", "deploy"),
            "ERR no build configured for task deploy on master");
  EXPECT_EQ(Command("production", "docs"),
            "ERR no build configured for task docs on production");
}

TEST(TargetMatchTest, TaskNeedsWholeSuffix) {
  // `master/docs` is not a task `ocs` of target `master/d`.
  EXPECT_EQ(Command("master/d", "ocs"),
            "ERR no build configured for task ocs on master/d");
}

TEST(TargetMatchTest, NoMatch) {
  EXPECT_EQ(Command("develop", ""), "ERR no build configured for develop");
  EXPECT_EQ(Command("prod", ""), "ERR no build configured for prod");
}

TEST(TargetMatchTest, ReportsTheKey) {
  TargetMatch m;
  std::string err;
  ASSERT_TRUE(MatchTarget(Example(), "staging/x", "", &m, &err));
  EXPECT_EQ(m.key, "staging");
}

// The most specific project setting wins: `:name:<key>` by the branch-key
// rule, then `:name`, then `[_]` (mixmaster.ini(5) Project settings).
TEST(TargetMatchTest, ProjectSettingsFollowTheBranchKeyRule) {
  Config c;
  c.launcher = "global";
  Project p = Example();
  p.settings = {{"launcher", "", "project"},
                {"launcher", "staging", "staging"},
                {"launcher", "staging/hot", "hot task"},
                {"launcher", "refs/tags/v", "tags"},
                {"notify", "production", "failures"}};
  auto launcher = [&](const std::string& target, const std::string& task) {
    return ProjectSettingValue(c, p, "launcher", target, task);
  };
  EXPECT_EQ(launcher("production", ""), "project");
  EXPECT_EQ(launcher("staging", ""), "staging");
  EXPECT_EQ(launcher("staging/x", ""), "staging");
  EXPECT_EQ(launcher("staging", "hot"), "hot task");
  EXPECT_EQ(launcher("refs/tags/v1.0", ""), "tags");
  p.settings.erase(p.settings.begin());
  EXPECT_EQ(launcher("production", ""), "global");
  EXPECT_EQ(ProjectSettingValue(c, p, "notify", "production", ""), "failures");
  EXPECT_EQ(ProjectSettingValue(c, p, "notify", "staging", ""), "all")
      << "the [_] default";
  EXPECT_EQ(ProjectSettingValue(c, p, "badge", "staging", ""), "")
      << "no [_] setting of that name";
}

}  // namespace
}  // namespace mm
