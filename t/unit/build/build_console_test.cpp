#include "build/build_console.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <unistd.h>

#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::ReadAll;
using testing_support::TempDir;
using testing_support::WriteAll;

std::string Log(const std::string& target, const std::string& status) {
  std::string log =
      "[job]\nid = x\nscm = git\nproject = acme/app\n"
      "repositoryUrl = /srv/app.git\ntarget = " +
      target + "\n\n[build]\npid = 1\n\n[log]\n12:00:00 # go\n";
  if (!status.empty())
    log += "\n[result]\nstatus = " + status + "\nduration = 1.500\n";
  return log;
}

class BuildConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing_support::Sh("mkdir -p " + (tmp_ / "acme-app/JOBS") + " " +
                        (tmp_ / "INBOX"));
    config_.build_root = tmp_.path();
    config_.spool = tmp_ / "INBOX";
    config_.projects.push_back({"acme/app", {{"main", "make"}}});
    WriteAll(tmp_ / "acme-app/JOBS/20261125-1.log", Log("main", "success"));
    WriteAll(tmp_ / "acme-app/JOBS/20261125-2.log", Log("main", "failure"));
    WriteAll(tmp_ / "acme-app/JOBS/20261125-3.log", Log("main", ""));
  }

  TempDir tmp_;
  Config config_;
};

TEST_F(BuildConsoleTest, ListsNewestFirstColouredOnlyWhenAsked) {
  std::string text, err;
  ASSERT_TRUE(ListBuilds(config_, "", false, &text, &err)) << err;
  EXPECT_EQ(text,
            "20261125-3  acme/app  main  running  -\n"
            "20261125-2  acme/app  main  failure  1.500s\n"
            "20261125-1  acme/app  main  success  1.500s\n");
  ASSERT_TRUE(ListBuilds(config_, "acme/app", true, &text, &err)) << err;
  EXPECT_THAT(text, HasSubstr("\033[32msuccess\033[0m"));
  EXPECT_FALSE(ListBuilds(config_, "other/project", false, &text, &err));
}

// mmbuild(1) BUILD HISTORY: what waits in the spool comes first, in the
// order mmbuild takes it, with its place; then what runs; then the rest.
TEST_F(BuildConsoleTest, ListsQueuedJobsFirstThenRunningOnes) {
  WriteAll(tmp_ / "acme-app/JOBS/20261125-4.log", Log("main", "success"));
  const char kJob[] =
      "[job]\nscm = git\nproject = %s\nrepositoryUrl = /srv/r.git\n"
      "target = %s\n";
  char text_b[256], text_a[256];
  snprintf(text_b, sizeof text_b, kJob, "acme/app", "next");
  snprintf(text_a, sizeof text_a, kJob, "other/lib", "main");
  WriteAll(tmp_ / "INBOX/20261126-b.ini", text_b);
  WriteAll(tmp_ / "INBOX/20261126-a.ini", text_a);
  WriteAll(tmp_ / "INBOX/not-a-job.txt", "x");
  std::string text, err;
  ASSERT_TRUE(ListBuilds(config_, "", false, &text, &err)) << err;
  EXPECT_EQ(text,
            "20261126-a  other/lib  main  queued   #1\n"
            "20261126-b  acme/app  next  queued   #2\n"
            "20261125-3  acme/app  main  running  -\n"
            "20261125-4  acme/app  main  success  1.500s\n"
            "20261125-2  acme/app  main  failure  1.500s\n"
            "20261125-1  acme/app  main  success  1.500s\n");
  ASSERT_TRUE(ListBuilds(config_, "acme/app", false, &text, &err)) << err;
  EXPECT_THAT(text, HasSubstr("20261126-b  acme/app  next  queued   #2\n"));
  EXPECT_THAT(text, Not(HasSubstr("other/lib")));
  // A project whose first job waits has no logs yet, and is listed.
  ASSERT_TRUE(ListBuilds(config_, "other/lib", false, &text, &err)) << err;
  EXPECT_EQ(text, "20261126-a  other/lib  main  queued   #1\n");
}

TEST_F(BuildConsoleTest, FollowEndsWithTheResultOrTheLimit) {
  FollowOptions options;
  options.poll_seconds = 0.02;
  options.limit_seconds = 0.1;
  std::string status, err;
  int out = open((tmp_ / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  EXPECT_EQ(
      FollowBuild(config_, {"20261125-2", ""}, out, options, &status, &err),
      FollowResult::kFailed);
  EXPECT_EQ(status, "failure");
  EXPECT_EQ(
      FollowBuild(config_, {"last", "acme/app"}, out, options, &status, &err),
      FollowResult::kNoResult);
  EXPECT_THAT(err, HasSubstr("no [result]"));
  EXPECT_EQ(FollowBuild(config_, {"nope", ""}, out, options, &status, &err),
            FollowResult::kNoSuchJob);
  close(out);
  EXPECT_EQ(ReadAll(tmp_ / "out"), Log("main", "failure") + Log("main", ""));
}

TEST_F(BuildConsoleTest, RebuildQueuesACopyWithTheCommandConfiguredNow) {
  WriteAll(tmp_ / "acme-app/JOBS/20261125-4.log",
           "[job]\nid = x\nscm = git\nproject = acme/app\n"
           "repositoryUrl = /srv/app.git\ntarget = main/x\n"
           "buildCommand = make old\n\n[log]\n");
  config_.projects[0].targets.emplace_back("main/x", "make new");
  Rebuild r;
  std::string err;
  ASSERT_TRUE(RebuildJob(config_, {"20261125-4", ""}, SystemClock(), &r, &err))
      << err;
  EXPECT_EQ(r.of, "20261125-4");
  EXPECT_EQ(r.key, "main/x");
  EXPECT_EQ(r.command, "make new");
  EXPECT_EQ(r.old_command, "make old");
  std::string job = ReadAll(tmp_ / ("INBOX/" + r.id + ".ini"));
  EXPECT_THAT(job, HasSubstr("id = " + r.id + "\n"));
  // Through the spool, so it only selects: the command is the
  // configuration's when it runs.
  EXPECT_THAT(job, Not(HasSubstr("buildCommand")));
  EXPECT_THAT(job, HasSubstr("target = main/x\n"));
  EXPECT_THAT(job, HasSubstr("rebuildOf = 20261125-4\n"));
  EXPECT_THAT(job, Not(HasSubstr("[build]")));
  // A prefix names the build too; the configured command is the one run.
  ASSERT_TRUE(RebuildJob(config_, {"20261125-1", ""}, SystemClock(), &r, &err))
      << err;
  EXPECT_EQ(r.command, "make");
  config_.spool = tmp_ / "no-such-spool";
  EXPECT_FALSE(
      RebuildJob(config_, {"20261125-1", ""}, SystemClock(), &r, &err));
  EXPECT_FALSE(RebuildJob(config_, {"nope", ""}, SystemClock(), &r, &err));
  EXPECT_EQ(err, "no build log with id nope");
  config_.spool = tmp_ / "INBOX";
  config_.projects[0].targets.clear();
  EXPECT_FALSE(
      RebuildJob(config_, {"20261125-1", ""}, SystemClock(), &r, &err));
  EXPECT_EQ(err, "no build configured for main");
}

}  // namespace
}  // namespace mm
