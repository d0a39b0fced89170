#include "build/job_guard.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>

#include <string>

#include "build/orphan_log.h"
#include "process/spawn.h"
#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::TempDir;
using testing_support::WriteAll;

bool GroupGone(pid_t pgid) {
  for (int i = 0; i < 300; ++i) {
    if (kill(-pgid, 0) != 0) return true;
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
  return false;
}

TEST(JobGuardTest, HoldsTheLogLockUntilDestroyed) {
  TempDir tmp;
  std::string log = tmp / "1.log";
  WriteAll(log, "[job]\n");
  std::string err;
  {
    JobGuard guard;
    ASSERT_TRUE(guard.Start(log, 0, 5, &err)) << err;
    UniqueFd other(open(log.c_str(), O_RDONLY | O_CLOEXEC));
    EXPECT_NE(flock(other.get(), LOCK_EX | LOCK_NB), 0);
    UniqueFd lock;
    EXPECT_TRUE(LogLockedByRunner(log, &lock, &err));
    EXPECT_FALSE(lock.ok());
    // A second guard on the same log is refused.
    JobGuard second;
    EXPECT_FALSE(second.Start(log, 0, 5, &err));
    EXPECT_THAT(err, HasSubstr("locked by another build")) << err;
  }
  UniqueFd lock;
  EXPECT_FALSE(LogLockedByRunner(log, &lock, &err));
  EXPECT_TRUE(lock.ok());
}

TEST(JobGuardTest, AMissingLogIsAnError) {
  TempDir tmp;
  JobGuard guard;
  std::string err;
  EXPECT_FALSE(guard.Start(tmp / "missing.log", 0, 5, &err));
  EXPECT_THAT(err, HasSubstr("cannot open build log")) << err;
}

// A runner (a forked process with a guard) starts a child that ignores TERM
// in a group of its own, then is killed with SIGKILL: the watcher stops the
// group (KILL after the grace) and ends.
TEST(JobGuardTest, AKilledRunnerLeavesNoGroupBehind) {
  TempDir tmp;
  std::string log = tmp / "1.log";
  WriteAll(log, "[job]\n");
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  pid_t runner = fork();
  ASSERT_GE(runner, 0);
  if (runner == 0) {
    close(report[0]);
    JobGuard guard;
    std::string err;
    if (!guard.Start(log, 0, 5, &err)) _exit(1);
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", "trap '' TERM; sleep 600 & sleep 600"};
    pid_t child = 0;
    if (!SpawnChild(spec, 0, 1, 2, false, &child, &err)) _exit(2);
    pid_t pids[2] = {child, guard.watcher()};
    if (write(report[1], pids, sizeof pids) != sizeof pids) _exit(3);
    pause();
    _exit(0);
  }
  close(report[1]);
  pid_t pids[2] = {0, 0};
  ASSERT_EQ(read(report[0], pids, sizeof pids),
            static_cast<ssize_t>(sizeof pids));
  close(report[0]);
  EXPECT_EQ(kill(-pids[0], 0), 0);
  kill(runner, SIGKILL);
  int status;
  ASSERT_EQ(waitpid(runner, &status, 0), runner);
  // The lock went with the runner, while its watcher still waits out the
  // grace of a group that ignores TERM (the watcher never had the lock).
  EXPECT_TRUE(ProcessAlive(pids[1]));
  UniqueFd lock;
  std::string err;
  EXPECT_FALSE(LogLockedByRunner(log, &lock, &err));
  EXPECT_TRUE(GroupGone(pids[0]));
  // The watcher, reparented, ends once the group is gone.
  for (int i = 0; i < 100 && ProcessAlive(pids[1]); ++i) usleep(100000);
  EXPECT_FALSE(ProcessAlive(pids[1]));
}

// The mmbuild that forked a runner is killed with SIGKILL: the runner gets
// TERM from the watcher; one that ignores it is killed after the grace, and
// its group goes with it.
TEST(JobGuardTest, ARunnerWhoseMmbuildDiedIsStoppedAfterTheGrace) {
  TempDir tmp;
  std::string log = tmp / "1.log";
  WriteAll(log, "[job]\n");
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  pid_t mmbuild = fork();
  ASSERT_GE(mmbuild, 0);
  if (mmbuild == 0) {
    pid_t runner = fork();
    if (runner == 0) {
      close(report[0]);
      signal(SIGTERM, SIG_IGN);
      JobGuard guard;
      std::string err;
      if (!guard.Start(log, getppid(), 1, &err)) _exit(1);
      ProcessSpec spec;
      spec.argv = {"/bin/sleep", "600"};
      pid_t child = 0;
      if (!SpawnChild(spec, 0, 1, 2, false, &child, &err)) _exit(2);
      pid_t pids[3] = {getpid(), child, guard.watcher()};
      if (write(report[1], pids, sizeof pids) != sizeof pids) _exit(3);
      for (;;) pause();
    }
    pause();
    _exit(0);
  }
  close(report[1]);
  pid_t pids[3] = {0, 0, 0};
  ASSERT_EQ(read(report[0], pids, sizeof pids),
            static_cast<ssize_t>(sizeof pids));
  close(report[0]);
  EXPECT_EQ(kill(pids[0], 0), 0);
  kill(mmbuild, SIGKILL);
  int status;
  ASSERT_EQ(waitpid(mmbuild, &status, 0), mmbuild);
  // Runner, build group and watcher are all gone (reparented, so polled).
  EXPECT_TRUE(GroupGone(pids[1]));
  for (int i = 0; i < 100 && ProcessAlive(pids[0]); ++i) usleep(100000);
  EXPECT_FALSE(ProcessAlive(pids[0]));
  for (int i = 0; i < 100 && ProcessAlive(pids[2]); ++i) usleep(100000);
  EXPECT_FALSE(ProcessAlive(pids[2]));
}

}  // namespace
}  // namespace mm
