#include "forge/commit_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

StatusFacts Ended(BuildStatus status, int exit_code, long seconds) {
  StatusFacts f;
  f.status = status;
  f.exit_code = exit_code;
  f.seconds = seconds;
  f.target = "main";
  return f;
}

TEST(CommitStatusTest, StatesPerForge) {
  StatusFacts start;
  start.started = true;
  EXPECT_EQ(StatusState(Forge::kGitea, start), "pending");
  EXPECT_EQ(StatusState(Forge::kGitHub, start), "pending");
  EXPECT_EQ(StatusState(Forge::kGitLab, start), "running");
  struct {
    BuildStatus status;
    const char* gitea;
    const char* gitlab;
  } cases[] = {{BuildStatus::kSuccess, "success", "success"},
               {BuildStatus::kFailure, "failure", "failed"},
               {BuildStatus::kError, "error", "failed"},
               {BuildStatus::kKilled, "error", "canceled"}};
  for (const auto& c : cases) {
    StatusFacts f = Ended(c.status, 0, 0);
    EXPECT_EQ(StatusState(Forge::kGitea, f), c.gitea);
    EXPECT_EQ(StatusState(Forge::kGitHub, f), c.gitea);
    EXPECT_EQ(StatusState(Forge::kGitLab, f), c.gitlab);
  }
}

TEST(CommitStatusTest, DescriptionsAndContexts) {
  StatusFacts start;
  start.started = true;
  EXPECT_EQ(StatusDescription(start), "build started");
  EXPECT_EQ(StatusDescription(Ended(BuildStatus::kSuccess, 0, 12)),
            "build passed after 12 s");
  EXPECT_EQ(StatusDescription(Ended(BuildStatus::kFailure, 3, 12)),
            "build failed (exit 3) after 12 s");
  EXPECT_EQ(StatusDescription(Ended(BuildStatus::kError, -1, 0)),
            "build could not run (error) after 0 s");
  EXPECT_EQ(StatusDescription(Ended(BuildStatus::kKilled, 143, 5)),
            "build killed after 5 s");
  StatusFacts orphan = Ended(BuildStatus::kError, -1, 0);
  orphan.runner_died = true;
  EXPECT_EQ(StatusDescription(orphan), "build error: its runner died");
  EXPECT_EQ(StatusContext("main", ""), "mixmaster/main");
  EXPECT_EQ(StatusContext("main", "docs"), "mixmaster/main/docs");
}

TEST(CommitStatusTest, TargetUrl) {
  EXPECT_EQ(StatusTargetUrl("https://ci.example.org/mm/", "Acme/App",
                            "20260101-1", "https://forge/compare"),
            "https://ci.example.org/mm/builds/acme-app/20260101-1");
  EXPECT_EQ(StatusTargetUrl("", "acme/app", "1", "https://forge/compare"),
            "https://forge/compare");
}

TEST(CommitStatusTest, RequestsPerForge) {
  StatusFacts f = Ended(BuildStatus::kFailure, 3, 12);
  f.target = "ma\"in";
  f.target_url = "https://ci.example.org/builds/acme-app/1";
  StatusRequest gitea = ComposeStatus(Forge::kGitea, "https://g/x", f, "T1");
  EXPECT_EQ(gitea.url, "https://g/x");
  EXPECT_EQ(gitea.body,
            R"({"state":"failure","context":"mixmaster/ma\"in",)"
            R"("description":"build failed (exit 3) after 12 s",)"
            R"("target_url":"https://ci.example.org/builds/acme-app/1"})");
  auto has = [](const StatusRequest& r, const std::string& header) {
    for (const std::string& h : r.headers)
      if (h == header) return true;
    return false;
  };
  EXPECT_TRUE(has(gitea, "Authorization: token T1"));
  EXPECT_TRUE(has(gitea, "Content-Type: application/json"));
  StatusRequest github = ComposeStatus(Forge::kGitHub, "https://g/x", f, "T2");
  EXPECT_TRUE(has(github, "Authorization: Bearer T2"));
  EXPECT_TRUE(has(github, "Accept: application/vnd.github+json"));
  EXPECT_EQ(github.body, gitea.body);
  f.target_url.clear();
  StatusRequest gitlab = ComposeStatus(Forge::kGitLab, "https://g/x", f, "T3");
  EXPECT_TRUE(has(gitlab, "PRIVATE-TOKEN: T3"));
  for (const std::string& h : gitlab.headers)
    EXPECT_THAT(h, Not(HasSubstr("Authorization")));
  EXPECT_EQ(gitlab.body,
            R"({"state":"failed","name":"mixmaster/ma\"in",)"
            R"("description":"build failed (exit 3) after 12 s"})");
}

}  // namespace
}  // namespace mm
