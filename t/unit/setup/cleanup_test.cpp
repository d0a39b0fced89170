#include "setup/cleanup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/paths.h"
#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::Exists;
using testing_support::ReadAll;
using testing_support::TempDir;

const struct timespec kEpoch = {0, 0};

class CleanupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    dir_ = tmp_.path();
    spool_ = JoinPath(dir_, "Builds/INBOX");
    rejected_ = JoinPath(dir_, "Builds/REJECTED");
    std::string err;
    ASSERT_TRUE(MakeDirs(spool_, &err)) << err;
  }
  static void Write(const std::string& path, const std::string& text) {
    testing_support::WriteAll(path, text);
  }
  // What `scope` takes from the spool (with `config` for kCannotRun).
  std::vector<CleanupEntry> List(CleanupScope scope,
                                 const Config* config = nullptr) {
    std::vector<CleanupEntry> entries;
    std::string err;
    EXPECT_TRUE(ListCleanup(spool_, scope, config, "no configuration",
                            "still queued", &entries, &err))
        << err;
    return entries;
  }
  // Cleans the spool, which must work as a whole.
  std::vector<CleanupOutcome> Clean(
      CleanupScope scope, CleanupAction action = CleanupAction::kMove) {
    std::vector<CleanupOutcome> out;
    std::string err;
    EXPECT_TRUE(CleanUpEntries(spool_, rejected_, action, List(scope), kEpoch,
                               &out, &err))
        << err;
    return out;
  }

  TempDir tmp_;
  std::string dir_, spool_, rejected_;
};

// What CleanUpEntries adds to the jobs it moves (job/rejected.h).
const char kNote[] =
    "# Rejected by mmcleanup at 1970-01-01T00:00:00Z: still queued\n"
    "# Fix the cause, then move this file back into the spool to build it.\n";

TEST(ScopeForTest, OnlySuccessKeepsTheJobsAndByHandOnlyWhatCannotRunGoes) {
  EXPECT_EQ(ScopeFor("success", false), CleanupScope::kNotJobs);
  EXPECT_EQ(ScopeFor("exit-code", false), CleanupScope::kEverything);
  EXPECT_EQ(ScopeFor("signal", false), CleanupScope::kEverything);
  EXPECT_EQ(ScopeFor("timeout", false), CleanupScope::kEverything);
  EXPECT_EQ(ScopeFor("", false), CleanupScope::kEverything);
  // Run by hand, builds go on: only what mmbuild cannot take.
  EXPECT_EQ(ScopeFor(nullptr, false), CleanupScope::kCannotRun);
  EXPECT_EQ(ScopeFor(nullptr, true), CleanupScope::kEverything);
  EXPECT_EQ(ScopeFor("success", true), CleanupScope::kEverything);
}

TEST(CleanupNoteTest, SaysHowTheServiceEnded) {
  EXPECT_EQ(ServiceEndNote("exit-code", "exited", "3"),
            "(service result exit-code, exited 3)");
  EXPECT_EQ(ServiceEndNote("signal", nullptr, "KILL"),
            "(service result signal, status KILL)");
  EXPECT_EQ(ServiceEndNote("success", "exited", nullptr),
            "(service result success)");
  EXPECT_EQ(ServiceEndNote(nullptr, nullptr, nullptr),
            "(no $SERVICE_RESULT: run by hand)");
}

TEST_F(CleanupTest, MovesEveryJobOldestFirstAndEmptiesTheSpool) {
  Write(JoinPath(spool_, "20260102-000000-b.ini"), "[job]\nid = b\n");
  Write(JoinPath(spool_, "20260101-000000-a.ini"), "[job]\nid = a\n");
  std::vector<CleanupOutcome> out = Clean(CleanupScope::kEverything);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].entry.name, "20260101-000000-a.ini");
  EXPECT_TRUE(out[0].ok);
  EXPECT_EQ(out[0].destination, JoinPath(rejected_, "20260101-000000-a.ini"));
  EXPECT_EQ(out[1].entry.name, "20260102-000000-b.ini");
  EXPECT_EQ(ReadAll(JoinPath(rejected_, "20260102-000000-b.ini")),
            std::string("[job]\nid = b\n") + kNote);
  EXPECT_FALSE(Exists(JoinPath(spool_, "20260101-000000-a.ini")));
  EXPECT_FALSE(Exists(JoinPath(spool_, "20260102-000000-b.ini")));
}

TEST_F(CleanupTest, NeverReplacesAnEarlierRejectedJob) {
  std::string err;
  ASSERT_TRUE(MakeDirs(rejected_, &err));
  Write(JoinPath(rejected_, "job.ini"), "earlier");
  Write(JoinPath(rejected_, "job-1.ini"), "earlier too");
  Write(JoinPath(spool_, "job.ini"), "later");
  std::vector<CleanupOutcome> out = Clean(CleanupScope::kEverything);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].ok) << out[0].error;
  EXPECT_EQ(out[0].destination, JoinPath(rejected_, "job-2.ini"));
  EXPECT_EQ(ReadAll(JoinPath(rejected_, "job.ini")), "earlier");
  EXPECT_EQ(ReadAll(JoinPath(rejected_, "job-1.ini")), "earlier too");
  EXPECT_EQ(ReadAll(JoinPath(rejected_, "job-2.ini")),
            std::string("later\n") + kNote);
}

// mmcleanup(1): the reason goes into the job while it is still in the
// spool, and the job then moves as it is, so that it is never in REJECTED/
// without it; a job that an mmbuild holds (it is claiming it) is its own.
TEST_F(CleanupTest, AJobIsNotedBeforeItMovesAndAClaimedOneIsLeftAlone) {
  std::string a = JoinPath(spool_, "a.ini"), b = JoinPath(spool_, "b.ini");
  Write(a, "[job]\nid = a\n");
  Write(b, "[job]\nid = b\n");
  struct stat before;
  ASSERT_EQ(stat(a.c_str(), &before), 0);
  UniqueFd claim;
  std::string err;
  ASSERT_EQ(LockFile(b, "job", &claim, &err), LockResult::kHeld) << err;
  std::vector<CleanupOutcome> out = Clean(CleanupScope::kEverything);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].entry.name, "a.ini");
  std::string moved = JoinPath(rejected_, "a.ini");
  EXPECT_EQ(ReadAll(moved), std::string("[job]\nid = a\n") + kNote);
  struct stat after;
  ASSERT_EQ(stat(moved.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // the job itself, not a copy
  EXPECT_EQ(ReadAll(b), "[job]\nid = b\n");
}

// A job whose reason cannot be added (here: no byte more may be written,
// RLIMIT_FSIZE, which binds root too) stays in the spool, whole, and says
// why: REJECTED/ never holds a job without its reason (found by make
// faults: an EIO or ENOSPC there used to move it all the same).
TEST_F(CleanupTest, AJobWhoseReasonCannotBeAddedStaysInTheSpool) {
  std::string a = JoinPath(spool_, "a.ini");
  Write(a, "[job]\nid = a\n");
  std::vector<CleanupEntry> entries = List(CleanupScope::kEverything);
  ASSERT_EQ(entries.size(), 1u);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_FSIZE, &none);
    std::vector<CleanupOutcome> out;
    std::string err;
    bool done = CleanUpEntries(spool_, rejected_, CleanupAction::kMove, entries,
                               kEpoch, &out, &err);
    bool stayed = done && out.size() == 1 && !out[0].ok &&
                  out[0].destination.empty() &&
                  out[0].error.find(
                      "cannot note why it is rejected, so it "
                      "stays: cannot write to " +
                      a) == 0;
    _exit(stayed ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(ReadAll(a), "[job]\nid = a\n");
  EXPECT_FALSE(Exists(JoinPath(rejected_, "a.ini")));
}

TEST_F(CleanupTest, DeleteRemovesJobsAndMakesNoRejectedDirectory) {
  Write(JoinPath(spool_, "a.ini"), "x");
  std::vector<CleanupOutcome> out =
      Clean(CleanupScope::kEverything, CleanupAction::kDelete);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].ok);
  EXPECT_EQ(out[0].destination, "");
  EXPECT_FALSE(Exists(JoinPath(spool_, "a.ini")));
  EXPECT_FALSE(Exists(rejected_));
}

TEST_F(CleanupTest, EmptyOrMissingSpoolIsNothingToDo) {
  EXPECT_TRUE(Clean(CleanupScope::kEverything).empty());
  EXPECT_FALSE(Exists(rejected_));
  std::vector<CleanupEntry> entries;
  std::string err;
  ASSERT_TRUE(ListCleanup(JoinPath(dir_, "nowhere"), CleanupScope::kEverything,
                          nullptr, "", "", &entries, &err));
  EXPECT_TRUE(entries.empty());
}

TEST_F(CleanupTest, UnusableRejectedDirectoryLeavesJobsInPlace) {
  Write(JoinPath(spool_, "a.ini"), "x");
  std::string blocker = JoinPath(dir_, "file");
  Write(blocker, "not a directory");
  std::vector<CleanupOutcome> out;
  std::string err;
  EXPECT_FALSE(CleanUpEntries(
      spool_, JoinPath(blocker, "REJECTED"), CleanupAction::kMove,
      List(CleanupScope::kEverything), kEpoch, &out, &err));
  EXPECT_THAT(err, HasSubstr(blocker)) << err;
  EXPECT_EQ(ReadAll(JoinPath(spool_, "a.ini")), "x");
}

TEST_F(CleanupTest, SpoolThatIsNotADirectoryIsAnError) {
  std::string file = JoinPath(dir_, "file");
  Write(file, "x");
  std::vector<CleanupEntry> entries;
  std::string err;
  EXPECT_FALSE(ListCleanup(file, CleanupScope::kEverything, nullptr, "", "",
                           &entries, &err));
  EXPECT_THAT(err, HasSubstr("cannot read spool " + file)) << err;
}

TEST_F(CleanupTest, AfterASuccessOnlyWhatIsNotAJobGoes) {
  Write(JoinPath(spool_, "20260101-000000-a.ini"), "[job]\n");
  Write(JoinPath(spool_, "notes.txt"), "x");
  Write(JoinPath(spool_, ".being-written"), "x");
  std::string err;
  ASSERT_TRUE(MakeDirs(JoinPath(spool_, "folder.ini"), &err));
  std::vector<CleanupOutcome> out = Clean(CleanupScope::kNotJobs);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].entry.name, "folder.ini");  // a directory is not a job
  EXPECT_FALSE(out[0].entry.is_job);
  EXPECT_TRUE(out[0].ok) << out[0].error;
  EXPECT_EQ(out[1].entry.name, "notes.txt");
  EXPECT_EQ(out[1].destination, JoinPath(rejected_, "notes.txt"));
  // The job waits for the next run; the hidden file is not the spool's.
  EXPECT_TRUE(Exists(JoinPath(spool_, "20260101-000000-a.ini")));
  EXPECT_TRUE(Exists(JoinPath(spool_, ".being-written")));
  EXPECT_FALSE(Exists(JoinPath(spool_, "notes.txt")));
  EXPECT_TRUE(Exists(JoinPath(rejected_, "folder.ini")));
}

TEST_F(CleanupTest, AfterAFailureEverythingButHiddenEntriesGoes) {
  Write(JoinPath(spool_, "20260101-000000-a.ini"), "[job]\n");
  Write(JoinPath(spool_, "notes.txt"), "x");
  Write(JoinPath(spool_, ".being-written"), "x");
  std::vector<CleanupOutcome> out = Clean(CleanupScope::kEverything);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].entry.name, "20260101-000000-a.ini");
  EXPECT_TRUE(out[0].entry.is_job);
  EXPECT_EQ(out[1].entry.name, "notes.txt");
  EXPECT_FALSE(out[1].entry.is_job);
  EXPECT_TRUE(Exists(JoinPath(spool_, ".being-written")));
  EXPECT_FALSE(Exists(JoinPath(rejected_, ".being-written")));
}

TEST_F(CleanupTest, EachEntryHasItsReason) {
  Write(JoinPath(spool_, "20260101-000000-a.ini"), "[job]\n");
  Write(JoinPath(spool_, "notes.txt"), "x");
  std::vector<CleanupEntry> entries = List(CleanupScope::kEverything);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].reason, "still queued");
  EXPECT_EQ(entries[1].reason, kNotAJobReason);
}

TEST_F(CleanupTest, ByHandOnlyWhatMmbuildCannotTakeGoes) {
  const std::string job =
      "scm = git\nrepositoryUrl = /r\ntarget = main\nproject = ";
  Write(JoinPath(spool_, "1-good.ini"), "[job]\n" + job + "a/b\n");
  Write(JoinPath(spool_, "2-unknown.ini"), "[job]\n" + job + "x/y\n");
  Write(JoinPath(spool_, "3-broken.ini"), "not a job\n");
  Write(JoinPath(spool_, "4-log.ini"), "[job]\n" + job + "a/b\n[log]\n");
  Write(JoinPath(spool_, "notes.txt"), "x");
  Config config;
  config.projects.push_back(Project{"a/b", {{"main", "make"}}});
  std::vector<CleanupEntry> entries = List(CleanupScope::kCannotRun, &config);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].name, "2-unknown.ini");
  EXPECT_TRUE(entries[0].is_job);
  EXPECT_THAT(entries[0].reason, HasSubstr("unknown project x/y"))
      << entries[0].reason;
  EXPECT_EQ(entries[1].name, "3-broken.ini");
  EXPECT_THAT(entries[1].reason, HasSubstr("3-broken.ini"))
      << entries[1].reason;
  EXPECT_EQ(entries[2].name, "4-log.ini");
  EXPECT_THAT(entries[2].reason, HasSubstr("one [job] section"))
      << entries[2].reason;
  EXPECT_EQ(entries[3].name, "notes.txt");
  EXPECT_EQ(entries[3].reason, kNotAJobReason);
  // Without a usable configuration mmbuild takes no job at all.
  entries = List(CleanupScope::kCannotRun);
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].name, "1-good.ini");
  EXPECT_EQ(entries[0].reason, "no configuration");
}

TEST_F(CleanupTest, PathsComeFromTheConfiguration) {
  std::string config = JoinPath(dir_, "mixmaster.ini");
  Write(config, "[_]\nbuildRoot = ~/b\nspool = /var/spool/mm\n");
  CleanupPaths p;
  std::string err;
  ASSERT_TRUE(ResolveCleanupPaths(config, false, "", "", "/home/u", &p, &err));
  EXPECT_EQ(p.build_root, "/home/u/b");
  EXPECT_EQ(p.spool, "/var/spool/mm");
  EXPECT_EQ(p.fallback_reason, "");
  EXPECT_EQ(p.config.spool, "/var/spool/mm");
  // Options win over the configuration.
  ASSERT_TRUE(
      ResolveCleanupPaths(config, true, "~/in", "/srv/b", "/home/u", &p, &err));
  EXPECT_EQ(p.spool, "/home/u/in");
  EXPECT_EQ(p.build_root, "/srv/b");
}

TEST_F(CleanupTest, BrokenDefaultConfigurationFallsBackToTheDefaults) {
  std::string config = JoinPath(dir_, "mixmaster.ini");
  Write(config, "[_]\nbuildRoot = ~/b\nthis is not ini\n");
  CleanupPaths p;
  std::string err;
  ASSERT_TRUE(ResolveCleanupPaths(config, false, "", "", "/home/u", &p, &err));
  EXPECT_EQ(p.spool, "/home/u/Builds/INBOX");
  EXPECT_EQ(p.build_root, "/home/u/Builds");
  EXPECT_THAT(p.fallback_reason, HasSubstr(config + ":3:"))
      << p.fallback_reason;
  // A missing one too, with the spool from the unit's --spool.
  ASSERT_TRUE(ResolveCleanupPaths(JoinPath(dir_, "none.ini"), false,
                                  "/srv/inbox", "", "/home/u", &p, &err));
  EXPECT_EQ(p.spool, "/srv/inbox");
  EXPECT_EQ(p.build_root, "/home/u/Builds");
  EXPECT_NE(p.fallback_reason, "");
}

TEST_F(CleanupTest, BrokenExplicitConfigurationIsAnError) {
  CleanupPaths p;
  std::string err;
  std::string missing = JoinPath(dir_, "none.ini");
  EXPECT_FALSE(ResolveCleanupPaths(missing, true, "", "", "/home/u", &p, &err));
  EXPECT_THAT(err, HasSubstr(missing)) << err;
}

}  // namespace
}  // namespace mm
