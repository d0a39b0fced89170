#include "build/build_queue.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::Exists;
using testing_support::JobText;
using testing_support::ReadAll;
using testing_support::Sh;
using testing_support::TempDir;
using testing_support::WriteAll;

// Kills its job process at the start, as a crash would.
// "DEVICE:INODE" of `fd`, as systemd puts it in $JOURNAL_STREAM.
std::string StreamOf(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return "";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

class CrashingObserver : public BuildObserver {
 public:
  void OnEvent(const BuildReport& report, BuildLog*) override {
    if (report.event != BuildEvent::kStart || report.job.id != "crash") return;
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    abort();
  }
};

class BuildQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.build_root = tmp_ / "builds";
    config_.spool = tmp_ / "builds/INBOX";
    config_.mode = "dryrun";
    // These tests queue several jobs for one target and want each built;
    // SupersedesOlderJobsOfATarget turns superseding back on.
    config_.supersede = false;
    config_.projects.push_back(Project{"acme/app", {{"main", "make"}}});
    Sh("mkdir -p " + config_.spool);
    journal_fd_ = open((tmp_ / "journal").c_str(),
                       O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    // The file stands for the journal: lines carry their priority.
    setenv("JOURNAL_STREAM", StreamOf(journal_fd_).c_str(), 1);
    journal_ = Journal(journal_fd_);
    unsetenv("JOURNAL_STREAM");
    options_.config = &config_;
    options_.journal = &journal_;
  }
  void TearDown() override { close(journal_fd_); }
  std::string Log(const std::string& id) {
    return ReadAll(tmp_ / ("builds/acme-app/JOBS/" + id + ".log"));
  }

  TempDir tmp_;
  Config config_;
  int journal_fd_ = -1;
  Journal journal_;
  QueueOptions options_;
};

TEST_F(BuildQueueTest, RunsTheWholeSpoolAndRejectsBadJobs) {
  WriteAll(config_.spool + "/1.ini", JobText("1"));
  WriteAll(config_.spool + "/2.ini", "garbage\n");
  WriteAll(config_.spool + "/3.ini", JobText("3"));
  EXPECT_EQ(RunSpool(options_), QueueStatus::kDone);
  EXPECT_THAT(Log("1"), HasSubstr("\nstatus = success\n"));
  EXPECT_THAT(Log("3"), HasSubstr("\nstatus = success\n"));
  std::string rejected = ReadAll(tmp_ / "builds/REJECTED/2.ini");
  EXPECT_EQ(rejected.rfind("# Rejected by mmbuild at ", 0), 0u) << rejected;
  EXPECT_EQ(rejected.substr(rejected.size() - 9), "\ngarbage\n");
  EXPECT_EQ(Sh("ls -A " + config_.spool), "");
  std::string journal = ReadAll(tmp_ / "journal");
  EXPECT_THAT(journal, HasSubstr("<6>job 1 (acme/app main): success"));
  EXPECT_THAT(journal,
              HasSubstr("<3>rejected job " + config_.spool + "/2.ini:1: "));
}

TEST_F(BuildQueueTest, ACrashedJobGetsAnErrorResultAndTheQueueGoesOn) {
  CrashingObserver observer;
  options_.observer = &observer;
  WriteAll(config_.spool + "/1.ini", JobText("crash"));
  WriteAll(config_.spool + "/2.ini", JobText("after"));
  EXPECT_EQ(RunSpool(options_), QueueStatus::kDone);
  std::string crashed = Log("crash");
  EXPECT_THAT(crashed,
              HasSubstr(" died before the build ended (killed by signal " +
                        std::to_string(SIGABRT) + "); noticed at "))
      << crashed;
  EXPECT_THAT(crashed,
              HasSubstr("\n[result]\nstatus = error\nexitCode = -1\n"));
  EXPECT_THAT(Log("after"), HasSubstr("\nstatus = success\n"));
}

TEST_F(BuildQueueTest, GivenJobsAreStoredAndBadOnesRefused) {
  std::string given = tmp_ / "by-hand.ini";
  WriteAll(given, JobText("given"));
  EXPECT_EQ(RunGivenJob(given, options_), QueueStatus::kDone);
  EXPECT_THAT(Log("given"), HasSubstr("\nstatus = success\n"));
  EXPECT_EQ(ReadAll(given), JobText("given"));  // left where it was
  std::string bad = tmp_ / "bad.ini";
  WriteAll(bad, "[job]\nid = x\n");
  EXPECT_EQ(RunGivenJob(bad, options_), QueueStatus::kBadJob);
  EXPECT_EQ(RunGivenJob(tmp_ / "missing.ini", options_), QueueStatus::kBadJob);
  std::string journal = ReadAll(tmp_ / "journal");
  EXPECT_THAT(journal, HasSubstr("<3>" + bad + ": job has no scm")) << journal;
  EXPECT_THAT(journal, HasSubstr("<3>cannot read job ")) << journal;
  EXPECT_FALSE(Exists(tmp_ / "builds/acme-app/JOBS/x.log"));
}

TEST_F(BuildQueueTest, SupersedesOlderJobsOfATarget) {
  config_.supersede = true;
  WriteAll(config_.spool + "/1.ini", JobText("1"));
  WriteAll(config_.spool + "/2.ini", JobText("2"));
  WriteAll(config_.spool + "/3.ini", JobText("3", "acme/lib"));
  config_.projects.push_back(Project{"acme/lib", {{"main", "make"}}});
  EXPECT_EQ(RunSpool(options_), QueueStatus::kDone);
  EXPECT_THAT(Log("1"),
              HasSubstr(" # Superseded by job 2, newer for the same target "
                        "and task; not built\n\n[result]\nstatus = "
                        "superseded\nexitCode = -1\n"))
      << Log("1");
  EXPECT_THAT(Log("2"), HasSubstr("\nstatus = success\n"));
  std::string lib = ReadAll(tmp_ / "builds/acme-lib/JOBS/3.log");
  EXPECT_THAT(lib, HasSubstr("\nstatus = success\n"));
  std::string journal = ReadAll(tmp_ / "journal");
  EXPECT_THAT(journal,
              HasSubstr("<6>job 1 (acme/app main): superseded by 2, log "))
      << journal;
}

TEST_F(BuildQueueTest, KeepBuildsPrunesTheProjectAfterEachJob) {
  config_.supersede = false;
  config_.keep_builds = 2;
  for (const char* id : {"1", "2", "3", "4"})
    WriteAll(config_.spool + "/" + id + ".ini", JobText(id));
  EXPECT_EQ(RunSpool(options_), QueueStatus::kDone);
  EXPECT_EQ(Sh("ls " + tmp_ / "builds/acme-app/JOBS"), "3.log\n4.log");
}

TEST_F(BuildQueueTest, MoreJobsThanTheLimitRunAtTheLimitWithAWarning) {
  config_.jobs = 1000;
  WriteAll(config_.spool + "/1.ini", JobText("1"));
  EXPECT_EQ(RunSpool(options_), QueueStatus::kDone);
  EXPECT_THAT(Log("1"), HasSubstr("\nstatus = success\n"));
  std::string journal = ReadAll(tmp_ / "journal");
  EXPECT_THAT(journal,
              HasSubstr("<4>jobs = 1000: at most 64 builds run at once"))
      << journal;
}

}  // namespace
}  // namespace mm
