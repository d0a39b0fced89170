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

// mixmaster.ini(5) Projects: branch keys match branches, keys under
// refs/tags/ tags, whatever a branch or tag is called.
TEST(TargetMatchTest, TagsAndBranchesNeverMix) {
  Project p;
  p.targets = {{"re", "branch re*"},
               {"refs/tags/v", "release"},
               {"refs/heads/refs/tags/", "branch named like a tag"}};
  auto command = [&p](const std::string& target) {
    TargetMatch m;
    std::string err;
    return MatchTarget(p, target, "", &m, &err) ? m.command : "ERR " + err;
  };
  EXPECT_EQ(command("release-2"), "branch re*");
  // A branch key never serves a tag, though `refs/tags/...` starts with re.
  EXPECT_EQ(command("refs/tags/x1"),
            "ERR no build configured for refs/tags/x1");
  EXPECT_EQ(command("refs/tags/v1.2"), "release");
  // A branch named refs/tags/v9 (the forge endpoints make its target the
  // full ref) is a branch: the tag key cannot reach it, branch keys can.
  EXPECT_EQ(command("refs/heads/refs/tags/v9"), "branch named like a tag");
  p.targets.pop_back();
  EXPECT_EQ(command("refs/heads/refs/tags/v9"), "branch re*");
  p.targets.erase(p.targets.begin());
  EXPECT_EQ(command("refs/heads/refs/tags/v9"),
            "ERR no build configured for refs/heads/refs/tags/v9");
  // A branch given by its full ref is that branch.
  p.targets.push_back({"main", "main"});
  EXPECT_EQ(command("refs/heads/main"), "main");
}

TEST(TargetMatchTest, FullRef) {
  EXPECT_EQ(FullRef("main"), "refs/heads/main");
  EXPECT_EQ(FullRef("refs/tags/v1"), "refs/tags/v1");
  EXPECT_EQ(FullRef("refs/heads/refs/tags/v1"), "refs/heads/refs/tags/v1");
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
