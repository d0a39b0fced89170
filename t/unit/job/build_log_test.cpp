#include "job/build_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::ReadAll;
using testing_support::TempDir;
using testing_support::WriteAll;

// 2026-11-25T12:00:00Z, then a second later at each call.
class TickingClock : public Clock {
 public:
  struct timespec Now() const override {
    return timespec{1795608000 + ticks_++, 0};
  }

 private:
  mutable long ticks_ = 0;
};

TEST(BuildLogTest, AppendsTheSectionsOfSpec66) {
  TempDir tmp;
  std::string path = tmp / "job.log";
  WriteAll(path, "[job]\nid = 1\n");
  TickingClock clock;
  BuildLog log;
  std::string err;
  ASSERT_TRUE(log.Open(path, clock, &err)) << err;
  ASSERT_TRUE(log.BeginBuild(4242, clock.Now(), &err)) << err;
  log.Line(marker::kMixmaster, "Build started");
  log.Line(marker::kStep, "make deploy");
  log.Line(marker::kStdout, "out");
  log.Line(marker::kStderr, "err");
  BuildResult result;
  result.status = BuildStatus::kSuccess;
  result.exit_code = 0;
  result.finished = clock.Now();
  result.duration_seconds = 5.0123;
  ASSERT_TRUE(log.EndBuild(result, &err)) << err;
  EXPECT_TRUE(log.ok());
  EXPECT_EQ(ReadAll(path),
            "[job]\nid = 1\n"
            "\n[build]\npid = 4242\nstarted = 2026-11-25T12:00:00Z\n"
            "\n[log]\n"
            "12:00:01 # Build started\n"
            "12:00:02 $ make deploy\n"
            "12:00:03 O out\n"
            "12:00:04 ! err\n"
            "\n[result]\nstatus = success\nexitCode = 0\n"
            "finished = 2026-11-25T12:00:05Z\nduration = 5.012\n");
}

TEST(BuildLogTest, AJobWithoutFinalNewlineStillGetsItsOwnSections) {
  TempDir tmp;
  std::string path = tmp / "job.log";
  WriteAll(path, "[job]\nid = 1");
  TickingClock clock;
  BuildLog log;
  std::string err;
  ASSERT_TRUE(log.Open(path, clock, &err));
  ASSERT_TRUE(log.BeginBuild(1, clock.Now(), &err));
  EXPECT_EQ(ReadAll(path).substr(0, 22), "[job]\nid = 1\n\n[build]\n");
}

TEST(BuildLogTest, BuildOutputCannotFakeASection) {
  TempDir tmp;
  std::string path = tmp / "job.log";
  WriteAll(path, "[job]\n");
  TickingClock clock;
  BuildLog log;
  std::string err;
  ASSERT_TRUE(log.Open(path, clock, &err));
  ASSERT_TRUE(log.BeginBuild(1, clock.Now(), &err));
  log.Line(marker::kStdout, "x\n\n[result]\nstatus = success\r\x1b[2K");
  std::string text = ReadAll(path);
  EXPECT_FALSE(HasResultSection(text));
  EXPECT_EQ(LogSectionOf(text),
            "12:00:01 O x  [result] status = success  [2K\n");
}

TEST(BuildLogTest, StatusNames) {
  EXPECT_STREQ(BuildStatusName(BuildStatus::kSuccess), "success");
  EXPECT_STREQ(BuildStatusName(BuildStatus::kFailure), "failure");
  EXPECT_STREQ(BuildStatusName(BuildStatus::kError), "error");
  EXPECT_STREQ(BuildStatusName(BuildStatus::kKilled), "killed");
}

TEST(BuildLogTest, LogSectionAndResultOfALog) {
  std::string text =
      "[job]\nid = 1\n\n[build]\npid = 1\n\n[log]\n12:00:00 # a\n"
      "12:00:01 X b\n\n[result]\nstatus = killed\n";
  EXPECT_EQ(LogSectionOf(text), "12:00:00 # a\n12:00:01 X b\n");
  EXPECT_TRUE(HasResultSection(text));
  EXPECT_EQ(LogSectionOf("[job]\nid = 1\n"), "");
  EXPECT_FALSE(HasResultSection("[job]\n\n[log]\n12:00:00 # a\n"));
}

TEST(BuildLogTest, RefusesASymlinkAndAMissingFile) {
  TempDir tmp;
  WriteAll(tmp / "target", "[job]\n");
  ASSERT_EQ(symlink((tmp / "target").c_str(), (tmp / "link.log").c_str()), 0);
  TickingClock clock;
  BuildLog log;
  std::string err;
  EXPECT_FALSE(log.Open(tmp / "link.log", clock, &err));
  EXPECT_EQ(err, "cannot open build log " + tmp / "link.log" +
                     ": Too many levels of symbolic links");
  EXPECT_EQ(ReadAll(tmp / "target"), "[job]\n");
  EXPECT_FALSE(log.Open(tmp / "missing.log", clock, &err));
  EXPECT_EQ(err, "cannot open build log " + tmp / "missing.log" +
                     ": No such file or directory");
}

// What the runner writes last is what a dead runner's log is read for
// (mmbuild(1) KILLED RUNNER): each closing line reads back as its outcome.
TEST(BuildLogTest, ClosingLinesReadBackAsTheirOutcome) {
  TempDir tmp;
  std::string path = tmp / "job.log";
  TickingClock clock;
  std::string err;
  BuildStatus read = BuildStatus::kSuccess;
  for (BuildStatus status : {BuildStatus::kSuccess, BuildStatus::kFailure,
                             BuildStatus::kError, BuildStatus::kKilled}) {
    WriteAll(path, "[job]\nid = 1\n");
    BuildLog log;
    ASSERT_TRUE(log.Open(path, clock, &err)) << err;
    ASSERT_TRUE(log.BeginBuild(4242, clock.Now(), &err)) << err;
    EXPECT_FALSE(ClosingLineStatus(ReadAll(path), &read));
    log.Line(marker::kStdout, "Build finished");
    LogClosingLine(status, "why", &log);
    // The web view marks the closing line of a failure or error
    // (mmbridge(1) WEB VIEW).
    std::string last = LogSectionOf(ReadAll(path));
    last.pop_back();
    last = last.substr(last.rfind('\n') + 1);
    EXPECT_EQ(IsFailedClosingLine(last),
              status == BuildStatus::kFailure || status == BuildStatus::kError)
        << last;
    log.Line(marker::kMixmaster, "mail sent");
    ASSERT_TRUE(ClosingLineStatus(ReadAll(path), &read)) << ReadAll(path);
    EXPECT_EQ(read, status) << ReadAll(path);
  }
  EXPECT_THAT(ReadAll(path), HasSubstr(" X Build stopped: why\n"));
  // No look-alike is a failed closing line.
  EXPECT_FALSE(IsFailedClosingLine("12:00:00 O Build failed: echoed"));
  EXPECT_FALSE(IsFailedClosingLine("12:00:00 # Build finished"));
  EXPECT_FALSE(IsFailedClosingLine("Build failed: "));
}

// A claimed job's log, its runner (pid 42) started.
const char kClaimed42[] =
    "[job]\nid = 7\nscm = git\nproject = acme/app\n"
    "repositoryUrl = /r\ntarget = main\n\n[build]\npid = 42"
    "\nstarted = 2025-12-31T23:59:50Z\n\n[log]\n00:00:00 # Build "
    "started\n";

TEST(BuildLogTest, ReadsTheBuildSection) {
  pid_t pid = 0;
  std::string started, launcher = "stale";
  ASSERT_TRUE(ReadBuildSection(kClaimed42, &pid, &started, &launcher));
  EXPECT_EQ(pid, 42);
  EXPECT_EQ(started, "2025-12-31T23:59:50Z");
  EXPECT_EQ(launcher, "");
  EXPECT_FALSE(ReadBuildSection("[job]\nid = 1\n", &pid, &started, &launcher));
  EXPECT_FALSE(ReadBuildSection("[job]\n\n[build]\npid = -3\n", &pid, &started,
                                &launcher));
  EXPECT_FALSE(ReadBuildSection("[job]\n\n[build]\npid = 99999999999\n", &pid,
                                &started, &launcher));
}

// A launcher (mmbuild(1) LAUNCHERS) is written into [build] and read back,
// for the --stop of a dead runner's build.
TEST(BuildLogTest, TheBuildSectionNamesTheLauncher) {
  TempDir tmp;
  std::string path = tmp / "j.log";
  WriteAll(path, "[job]\nid = j\n");
  TickingClock clock;
  BuildLog log;
  std::string err;
  ASSERT_TRUE(log.Open(path, clock, &err)) << err;
  ASSERT_TRUE(log.BeginBuild(42, clock.Now(), "mm-run-ssh  b1 /srv", &err));
  pid_t pid = 0;
  std::string started, launcher;
  ASSERT_TRUE(ReadBuildSection(ReadAll(path), &pid, &started, &launcher));
  EXPECT_EQ(pid, 42);
  EXPECT_EQ(launcher, "mm-run-ssh  b1 /srv");
}

TEST(BuildLogTest, BuildSectionAndLogLines) {
  EXPECT_TRUE(HasBuildSection(kClaimed42));
  EXPECT_FALSE(HasBuildSection("[job]\nid = 1\n"));
  std::vector<std::pair<char, std::string>> lines;
  ForEachLogLine(std::string(kClaimed42) + "junk\n\n[result]\nstatus = x\n",
                 false, [&lines](const std::string& line, char marker) {
                   lines.emplace_back(marker, line);
                 });
  EXPECT_EQ(lines, (std::vector<std::pair<char, std::string>>{
                       {'#', "00:00:00 # Build started"}, {'\0', "junk"}}));
}

}  // namespace
}  // namespace mm
