#include "build/supersede.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "report/notify.h"
#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::JobText;
using testing_support::ReadAll;
using testing_support::Sh;
using testing_support::TempDir;
using testing_support::WriteAll;

Job MakeJob(const std::string& project, const std::string& target,
            const std::string& task) {
  Job job;
  job.project = project;
  job.target = target;
  job.task = task;
  return job;
}

TEST(SupersedeTest, SameProjectTargetAndTaskOnly) {
  Job main = MakeJob("acme/app", "main", "");
  EXPECT_TRUE(Supersedes(MakeJob("acme/app", "main", ""), main));
  EXPECT_FALSE(Supersedes(MakeJob("acme/lib", "main", ""), main));
  EXPECT_FALSE(Supersedes(MakeJob("acme/app", "other", ""), main));
  EXPECT_FALSE(Supersedes(MakeJob("acme/app", "main", "docs"), main));
  EXPECT_TRUE(Supersedes(MakeJob("acme/app", "main", "docs"),
                         MakeJob("acme/app", "main", "docs")));
}

TEST(SupersedeTest, FindsTheNewestLaterJobAndIgnoresBadOnes) {
  TempDir tmp;
  std::string spool = tmp / "spool";
  Sh("mkdir -p " + spool);
  WriteAll(spool + "/1.ini", JobText("older"));
  WriteAll(spool + "/3.ini", JobText("three"));
  WriteAll(spool + "/4.ini", JobText("four", "acme/lib"));
  WriteAll(spool + "/5.ini", JobText("../unsafe"));
  WriteAll(spool + "/6.ini", "garbage\n");
  Job claimed = MakeJob("acme/app", "main", "");
  std::vector<std::string> names = {"1.ini", "3.ini", "4.ini", "5.ini",
                                    "6.ini"};
  // An unsafe id is named by its file.
  EXPECT_EQ(FindSupersedingJob(spool, names, "2.ini", claimed), "5");
  names.pop_back();
  names.pop_back();
  EXPECT_EQ(FindSupersedingJob(spool, names, "2.ini", claimed), "three");
  // Only jobs after the claimed one count.
  EXPECT_EQ(FindSupersedingJob(spool, {"1.ini"}, "2.ini", claimed), "");
  EXPECT_EQ(FindSupersedingJob(spool, {}, "2.ini", claimed), "");
}

TEST(SupersedeTest, FinishesTheLogAndRunsTheHook) {
  TempDir tmp;
  ClaimedJob job;
  job.id = "1";
  job.job = MakeJob("acme/app", "main", "");
  job.project_dir = tmp / "acme-app";
  job.log_path = tmp / "1.log";
  WriteAll(job.log_path, JobText("1"));
  WriteAll(tmp / "hook",
           "#!/bin/sh\necho \"$MIXMASTER_EVENT $MIXMASTER_JOB "
           "$MIXMASTER_SUPERSEDED_BY $MIXMASTER_NOTIFICATIONS\"\nexit 1\n");
  Sh("chmod +x " + tmp / "hook");
  Config config;
  config.hook = tmp / "hook";
  std::string err;
  Notifier notifier(config);
  ASSERT_TRUE(FinishSuperseded(job, "2", config, &notifier, &err)) << err;
  std::string log = ReadAll(job.log_path);
  EXPECT_THAT(log, HasSubstr("\n[build]\npid = ")) << log;
  EXPECT_THAT(log,
              HasSubstr(" # Superseded by job 2, newer for the same target and "
                        "task; not built\n"))
      << log;
  EXPECT_THAT(log, HasSubstr(" H job-superseded 1 2 all\n")) << log;
  EXPECT_THAT(log, HasSubstr(" exited with status 1 (ignored)\n")) << log;
  EXPECT_THAT(log,
              HasSubstr("\n[result]\nstatus = superseded\nexitCode = -1\n"))
      << log;
  // The job that superseded it, for the pages' link (mmbuild(1) BUILD LOG).
  EXPECT_THAT(log, HasSubstr("\nduration = 0.000\nsupersededBy = 2\n")) << log;
  job.log_path = tmp / "missing.log";
  EXPECT_FALSE(FinishSuperseded(job, "2", config, &notifier, &err));
}

}  // namespace
}  // namespace mm
