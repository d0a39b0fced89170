#include "build/spool_reader.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "base/paths.h"
#include "job/build_history.h"
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

std::vector<std::string> Names(const std::string& dir) {
  std::string out = Sh("ls -A " + testing_support::Quote(dir));
  std::vector<std::string> names;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string::npos) nl = out.size();
    names.push_back(out.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return names;
}

// "DEVICE:INODE" of `fd`, as systemd puts it in $JOURNAL_STREAM.
std::string StreamOf(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return "";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

class SpoolReaderTest : public ::testing::Test {
 protected:
  SpoolReaderTest() : journal_fd_(-1) {}
  void SetUp() override {
    UseSpool(tmp_ / "builds/INBOX");
    config_.build_root = tmp_ / "builds";
    config_.projects.push_back(Project{"acme/app", {{"main", "make"}}});
    journal_fd_ =
        open((tmp_ / "journal").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    // The file stands for the journal: lines carry their priority.
    setenv("JOURNAL_STREAM", StreamOf(journal_fd_).c_str(), 1);
    journal_ = Journal(journal_fd_);
    unsetenv("JOURNAL_STREAM");
  }
  void TearDown() override { close(journal_fd_); }
  void UseSpool(const std::string& spool) {
    config_.spool = spool;
    Sh("mkdir -p " + spool);
  }
  void Spool(const std::string& name, const std::string& text) {
    WriteAll(config_.spool + "/" + name, text);
  }
  std::string JobsDir() const { return tmp_ / "builds/acme-app/JOBS"; }
  // One ClaimNext that must not fail: true when it claimed a job.
  static bool Claim(SpoolReader* reader, ClaimedJob* job) {
    bool claimed = false;
    std::string err;
    EXPECT_TRUE(reader->ClaimNext(job, &claimed, &err)) << err;
    return claimed;
  }

  TempDir tmp_;
  Config config_;
  int journal_fd_;
  Journal journal_;
};

TEST_F(SpoolReaderTest, ListsJobsOldestFirstAndNothingElse) {
  Spool("20260101-000002-b.ini", JobText("b"));
  Spool("20260101-000001-a.ini", JobText("a"));
  Spool(".20260101-000000-tmp.ini", JobText("tmp"));
  Spool("notes.txt", "not a job");
  Sh("mkdir " + config_.spool + "/dir.ini && ln -s /etc/passwd " +
     config_.spool + "/link.ini");
  SpoolReader reader(config_, SystemClock(), journal_);
  std::vector<std::string> names;
  std::string err;
  ASSERT_TRUE(reader.List(&names, &err)) << err;
  EXPECT_EQ(names, (std::vector<std::string>{"20260101-000001-a.ini",
                                             "20260101-000002-b.ini"}));
  config_.spool = tmp_ / "missing";
  ASSERT_TRUE(reader.List(&names, &err));
  EXPECT_TRUE(names.empty());
}

TEST_F(SpoolReaderTest, ClaimsTheOldestJobIntoItsLog) {
  Spool("20260101-000002-b.ini", JobText("20260101-000002-b"));
  Spool("20260101-000001-a.ini", JobText("20260101-000001-a"));
  SpoolReader reader(config_, SystemClock(), journal_);
  ClaimedJob job;
  ASSERT_TRUE(Claim(&reader, &job));
  EXPECT_EQ(job.id, "20260101-000001-a");
  EXPECT_EQ(job.project_dir, tmp_ / "builds/acme-app");
  EXPECT_EQ(job.log_path, JobsDir() + "/20260101-000001-a.log");
  EXPECT_EQ(job.note, "");
  EXPECT_EQ(ReadAll(job.log_path), JobText("20260101-000001-a"));
  EXPECT_EQ(Names(config_.spool),
            std::vector<std::string>{"20260101-000002-b.ini"});
  ASSERT_TRUE(Claim(&reader, &job));
  EXPECT_EQ(job.id, "20260101-000002-b");
  EXPECT_FALSE(Claim(&reader, &job));
}

TEST_F(SpoolReaderTest, RejectsBadJobsWithAJournalLineAndTakesTheNext) {
  Spool("1-empty.ini", "");
  Spool("2-not-ini.ini", "this is not a job\n");
  Spool("3-missing-keys.ini", "[job]\nid = 3\nscm = git\n");
  Spool("4-unknown-project.ini", JobText("4", "nobody/nothing"));
  Spool("5-trailing.ini", JobText("5") + "\n[result]\nstatus = success\n");
  Spool("6-good.ini", JobText("6"));
  SpoolReader reader(config_, SystemClock(), journal_);
  ClaimedJob job;
  ASSERT_TRUE(Claim(&reader, &job));
  EXPECT_EQ(job.id, "6");
  EXPECT_EQ(reader.rejected(), 5);
  EXPECT_EQ(Names(tmp_ / "builds/REJECTED"),
            (std::vector<std::string>{
                "1-empty.ini", "2-not-ini.ini", "3-missing-keys.ini",
                "4-unknown-project.ini", "5-trailing.ini"}));
  // The reason on top as comment lines, the job below as it was ...
  std::string rejected = tmp_ / "builds/REJECTED/4-unknown-project.ini";
  std::string text = ReadAll(rejected);
  EXPECT_EQ(text.rfind("# Rejected by mmbuild at ", 0), 0u) << text;
  EXPECT_THAT(
      text, HasSubstr("4-unknown-project.ini: unknown project nobody/nothing\n"
                      "# Fix the cause, then move this file back into the "
                      "spool to build it.\n"))
      << text;
  std::string job_text = JobText("4", "nobody/nothing");
  EXPECT_EQ(text.substr(text.size() - job_text.size()), job_text);
  // ... so that, the cause fixed and moved back, it is taken as it is.
  config_.projects.push_back(Project{"nobody/nothing", {{"main", "make"}}});
  ASSERT_EQ(rename(rejected.c_str(),
                   (config_.spool + "/4-unknown-project.ini").c_str()),
            0);
  ASSERT_TRUE(Claim(&reader, &job));
  EXPECT_EQ(job.id, "4");
  EXPECT_EQ(reader.rejected(), 5);
  std::string s = config_.spool + "/";
  std::string r = tmp_ / "builds/REJECTED/";
  EXPECT_EQ(ReadAll(tmp_ / "journal"),
            "<3>rejected job " + s +
                "1-empty.ini: not a job file: expected one [job] section; "
                "moved to " +
                r + "1-empty.ini\n" + "<3>rejected job " + s +
                "2-not-ini.ini:1: expected `key = value`, `[section]` or a "
                "comment: this is not a job; moved to " +
                r + "2-not-ini.ini\n" + "<3>rejected job " + s +
                "3-missing-keys.ini: job has no project; moved to " + r +
                "3-missing-keys.ini\n" + "<3>rejected job " + s +
                "4-unknown-project.ini: unknown project nobody/nothing; moved "
                "to " +
                r + "4-unknown-project.ini\n" + "<3>rejected job " + s +
                "5-trailing.ini: a job file holds one [job] section and "
                "nothing after; moved to " +
                r + "5-trailing.ini\n");
  // A second bad job of the same name does not replace the first.
  Spool("1-empty.ini", "");
  EXPECT_FALSE(Claim(&reader, &job));
  EXPECT_TRUE(Exists(r + "1-empty-1.ini"));
}

TEST_F(SpoolReaderTest, UnsafeIdGetsAFreshOneAndStaysInsideTheBuildRoot) {
  Spool("20260101-000001-a.ini", JobText("../../x"));
  SpoolReader reader(config_, SystemClock(), journal_);
  ClaimedJob job;
  ASSERT_TRUE(Claim(&reader, &job));
  EXPECT_TRUE(IsJobId(job.id));
  EXPECT_NE(job.id, "../../x");
  EXPECT_EQ(job.log_path, JobsDir() + "/" + job.id + ".log");
  EXPECT_EQ(
      job.note,
      "job id `../../x` is not a safe file name; this build is " + job.id);
  EXPECT_EQ(Names(tmp_.path()),
            (std::vector<std::string>{"builds", "journal"}));
}

// `.hidden` was once a safe id here but not a log name to the history: the
// job built and was never listed, shown or pruned. One rule now.
TEST_F(SpoolReaderTest, AHiddenIdGetsAFreshOneThatTheHistoryLists) {
  Spool("20260101-000001-a.ini", JobText(".hidden"));
  SpoolReader reader(config_, SystemClock(), journal_);
  ClaimedJob job;
  ASSERT_TRUE(Claim(&reader, &job));
  EXPECT_NE(job.id, ".hidden");
  EXPECT_EQ(
      job.note,
      "job id `.hidden` is not a safe file name; this build is " + job.id);
  BuildHistory history;
  std::string err;
  ASSERT_TRUE(history.Open(config_.build_root, &err)) << err;
  std::vector<std::string> ids;
  bool missing = false;
  ASSERT_TRUE(history.ListJobs(SafeName(job.job.project), &ids, &missing, &err))
      << err;
  EXPECT_EQ(ids, std::vector<std::string>{job.id});
}

TEST_F(SpoolReaderTest, ATakenLogNameGetsAFreshIdAndKeepsTheOldLog) {
  Sh("mkdir -p " + JobsDir());
  WriteAll(JobsDir() + "/7.log", "old log\n");
  Spool("7.ini", JobText("7"));
  SpoolReader reader(config_, SystemClock(), journal_);
  ClaimedJob job;
  ASSERT_TRUE(Claim(&reader, &job));
  EXPECT_NE(job.id, "7");
  EXPECT_EQ(job.note,
            "a log named 7.log exists already; this build is " + job.id);
  EXPECT_EQ(ReadAll(JobsDir() + "/7.log"), "old log\n");
  EXPECT_EQ(ReadAll(job.log_path), JobText("7"));
}

TEST_F(SpoolReaderTest, ClaimsAcrossFilesystems) {
  TempDir shm("/dev/shm");
  std::string spool = shm.path();
  ASSERT_FALSE(spool.empty());
  struct stat a, b;
  ASSERT_EQ(stat(spool.c_str(), &a), 0);
  ASSERT_EQ(stat(tmp_.path().c_str(), &b), 0);
  ASSERT_NE(a.st_dev, b.st_dev) << "/dev/shm is not another filesystem here";
  UseSpool(spool);
  Spool("1.ini", JobText("1"));
  Spool("2.ini", "garbage\n");
  SpoolReader reader(config_, SystemClock(), journal_);
  ClaimedJob job;
  ASSERT_TRUE(Claim(&reader, &job));
  EXPECT_EQ(ReadAll(job.log_path), JobText("1"));
  EXPECT_FALSE(Claim(&reader, &job));
  // The reason on top, as comment lines; the file as it was below.
  std::string rejected = ReadAll(tmp_ / "builds/REJECTED/2.ini");
  EXPECT_EQ(rejected.rfind("# Rejected by mmbuild at ", 0), 0u) << rejected;
  EXPECT_THAT(rejected, HasSubstr("2.ini:1: expected `key = value`"));
  EXPECT_EQ(rejected.substr(rejected.size() - 9), "\ngarbage\n");
  EXPECT_EQ(Names(spool), std::vector<std::string>{});
}

// Several processes claim from one spool at once: every job is claimed by
// exactly one of them.
void ClaimConcurrently(const Config& config, const TempDir& tmp) {
  const int kJobs = 50, kClaimers = 4;
  for (int i = 0; i < kJobs; ++i) {
    char name[32];
    snprintf(name, sizeof name, "%03d", i);
    WriteAll(config.spool + "/" + name + ".ini", JobText(name));
  }
  std::vector<pid_t> pids;
  for (int c = 0; c < kClaimers; ++c) {
    pid_t pid = fork();
    if (pid == 0) {
      Journal quiet(open("/dev/null", O_WRONLY));
      SpoolReader reader(config, SystemClock(), quiet);
      std::string claims;
      ClaimedJob job;
      bool claimed = true;
      std::string err;
      bool ok = true;
      while ((ok = reader.ClaimNext(&job, &claimed, &err)) && claimed)
        claims += job.id + "\n";
      WriteAll(tmp / ("claims" + std::to_string(c)), claims);
      if (!err.empty()) WriteAll(tmp / ("error" + std::to_string(c)), err);
      _exit(ok ? 0 : 1);
    }
    pids.push_back(pid);
  }
  for (size_t c = 0; c < pids.size(); ++c) {
    int status = 0;
    waitpid(pids[c], &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << ReadAll(tmp / ("error" + std::to_string(c)));
  }
  std::multiset<std::string> all;
  for (int c = 0; c < kClaimers; ++c) {
    std::string text = ReadAll(tmp / ("claims" + std::to_string(c)));
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      all.insert(text.substr(pos, nl - pos));
      pos = nl + 1;
    }
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kJobs));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(),
            static_cast<size_t>(kJobs));
  EXPECT_EQ(Names(tmp / "builds/acme-app/JOBS").size(),
            static_cast<size_t>(kJobs));
  EXPECT_EQ(Names(config.spool), std::vector<std::string>{});
}

TEST_F(SpoolReaderTest, ConcurrentClaimersTakeEachJobExactlyOnce) {
  ClaimConcurrently(config_, tmp_);
}

TEST_F(SpoolReaderTest, ConcurrentClaimersAcrossFilesystemsToo) {
  TempDir shm("/dev/shm");
  ASSERT_FALSE(shm.path().empty());
  UseSpool(shm.path());
  ClaimConcurrently(config_, tmp_);
}

TEST_F(SpoolReaderTest, StoreJobCopiesTheJobPartAndLeavesTheOriginal) {
  std::string text = JobText("8") + "\n[build]\npid = 1\n\n[log]\nx\n";
  WriteAll(tmp_ / "given.ini", text);
  ClaimedJob job;
  std::string err;
  ASSERT_TRUE(PrepareJob(text, tmp_ / "given.ini", config_, true, &job, &err))
      << err;
  ASSERT_TRUE(StoreJob(text, SystemClock(), &job, &err)) << err;
  EXPECT_EQ(job.log_path, JobsDir() + "/8.log");
  EXPECT_EQ(ReadAll(job.log_path), JobText("8") + "\n");
  EXPECT_EQ(ReadAll(tmp_ / "given.ini"), text);
  // Given again: a fresh id, the first log untouched.
  ClaimedJob again;
  ASSERT_TRUE(PrepareJob(text, "again", config_, true, &again, &err));
  ASSERT_TRUE(StoreJob(text, SystemClock(), &again, &err)) << err;
  EXPECT_NE(again.id, "8");
  EXPECT_NE(again.log_path, job.log_path);
  EXPECT_EQ(again.note,
            "a log named 8.log exists already; this build is " + again.id);
}

TEST_F(SpoolReaderTest, PrepareJobSaysWhyAJobCannotRun) {
  ClaimedJob job;
  std::string err;
  EXPECT_FALSE(PrepareJob("", "x.ini", config_, true, &job, &err));
  EXPECT_EQ(err, "x.ini: not a job file: expected one [job] section");
  EXPECT_FALSE(
      PrepareJob(JobText("1", "a/b"), "x.ini", config_, true, &job, &err));
  EXPECT_EQ(err, "x.ini: unknown project a/b");
  EXPECT_FALSE(
      PrepareJob(JobText("1") + "[x]\n", "x.ini", config_, false, &job, &err));
  EXPECT_EQ(err, "x.ini: a job file holds one [job] section and nothing after");
}

}  // namespace
}  // namespace mm
