#include "build/orphan_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "build/job_guard.h"
#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::ReadAll;
using testing_support::TempDir;
using testing_support::WriteAll;

class FixedClock : public Clock {
 public:
  struct timespec Now() const override {
    return timespec{1767225790, 0};
  }
};

// A pid that is surely gone: a child that exited and was reaped.
pid_t DeadPid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status;
  waitpid(pid, &status, 0);
  return pid;
}

std::string Claimed(pid_t pid) {
  return "[job]\nid = 7\nscm = git\nproject = acme/app\n"
         "repositoryUrl = /r\ntarget = main\n\n[build]\npid = " +
         std::to_string(pid) +
         "\nstarted = 2025-12-31T23:59:50Z\n\n[log]\n00:00:00 # Build "
         "started\n";
}

std::string EnvOf(const std::vector<std::string>& env,
                  const std::string& name) {
  for (const std::string& kv : env)
    if (kv.compare(0, name.size() + 1, name + "=") == 0)
      return kv.substr(name.size() + 1);
  return "";
}

class RecordingObserver : public BuildObserver {
 public:
  void OnEvent(const BuildReport& report, BuildLog* log) override {
    if (report.event != BuildEvent::kFail) return;
    ++fails;
    job_id = report.job_id;
    env_job = EnvOf(report.env, "MIXMASTER_JOB");
    target = report.job.target;
    log->Line(marker::kMixmaster, "told");
  }
  int fails = 0;
  std::string job_id, env_job, target;
};

// A runner that died after its closing line (while it sent its mail, hook
// or status): the outcome it logged stands and nothing is sent again.
TEST(OrphanLogTest, ARunnerThatDiedAfterItsClosingLineIsNotToldAgain) {
  TempDir tmp;
  std::string path = tmp / "7.log";
  pid_t dead = DeadPid();
  const std::string ended =
      Claimed(dead) + "00:00:05 X Build stopped: mmbuild (pid 9) died\n";
  WriteAll(path, ended);
  Config config;
  RecordingObserver observer;
  FixedClock clock;
  std::string err;
  ASSERT_TRUE(FinishOrphanLog(path, config, clock, &observer, &err,
                              "killed by signal 9"))
      << err;
  EXPECT_EQ(observer.fails, 0);
  EXPECT_EQ(ReadAll(path).substr(ended.size()),
            "00:03:10 # the runner (pid " + std::to_string(dead) +
                ") died after the build ended (killed by signal 9); noticed "
                "at 2026-01-01T00:03:10Z by mmbuild (pid " +
                std::to_string(getpid()) +
                "); its notifications are not sent again\n\n[result]\n"
                "status = killed\nexitCode = -1\nfinished = "
                "2026-01-01T00:03:10Z\nduration = 200.000\n");
}

TEST(OrphanLogTest, FinishesADeadRunnersLogOnce) {
  TempDir tmp;
  std::string path = tmp / "7.log";
  pid_t dead = DeadPid();
  WriteAll(path, Claimed(dead));
  Config config;
  RecordingObserver observer;
  FixedClock clock;
  std::string err;
  ASSERT_TRUE(FinishOrphanLog(path, config, clock, &observer, &err)) << err;
  std::string text = ReadAll(path);
  EXPECT_THAT(
      text, HasSubstr("# Build error: the runner (pid " + std::to_string(dead) +
                      ") died before the build ended; noticed at "
                      "2026-01-01T00:03:10Z by mmbuild (pid " +
                      std::to_string(getpid()) + ")\n"))
      << text;
  EXPECT_THAT(
      text, HasSubstr("# told\n\n[result]\nstatus = error\nexitCode = -1\n"
                      "finished = 2026-01-01T00:03:10Z\nduration = 200.000\n"))
      << text;
  EXPECT_EQ(observer.fails, 1);
  EXPECT_EQ(observer.job_id, "7");
  EXPECT_EQ(observer.env_job, "7");
  EXPECT_EQ(observer.target, "main");
  EXPECT_FALSE(FinishOrphanLog(path, config, clock, &observer, &err));
  EXPECT_EQ(ReadAll(path), text);
  EXPECT_EQ(observer.fails, 1);
}

TEST(OrphanLogTest, LeavesALiveOrLockedOrUnstartedBuildAlone) {
  TempDir tmp;
  Config config;
  FixedClock clock;
  std::string err;
  std::string alive = tmp / "alive.log";
  WriteAll(alive, Claimed(getpid()));
  EXPECT_FALSE(FinishOrphanLog(alive, config, clock, nullptr, &err));
  std::string unstarted = tmp / "unstarted.log";
  WriteAll(unstarted, "[job]\nid = 1\n");
  EXPECT_FALSE(FinishOrphanLog(unstarted, config, clock, nullptr, &err));
  std::string locked = tmp / "locked.log";
  WriteAll(locked, Claimed(DeadPid()));
  JobGuard guard;
  ASSERT_TRUE(guard.Start(locked, 0, 5, &err)) << err;
  EXPECT_FALSE(FinishOrphanLog(locked, config, clock, nullptr, &err));
  EXPECT_EQ(ReadAll(alive), Claimed(getpid()));
  EXPECT_EQ(ReadAll(unstarted), "[job]\nid = 1\n");
  EXPECT_THAT(ReadAll(locked), Not(HasSubstr("[result]")));
}

}  // namespace
}  // namespace mm
