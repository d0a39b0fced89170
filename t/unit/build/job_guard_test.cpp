#include "build/job_guard.h"

#include <dirent.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "build/orphan_log.h"
#include "git/ssh_agent.h"
#include "process/process.h"
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

// A runner: a forked process that starts a guard on `log`, then `work`
// (which returns the child it started, 0 when it failed), reports that
// child and the watcher, and waits to be killed. Returns the runner's pid;
// *child and *watcher are what it reported.
pid_t StartRunner(const std::string& log, const std::function<pid_t()>& work,
                  pid_t* child, pid_t* watcher) {
  int report[2];
  if (pipe(report) != 0) return -1;
  pid_t runner = fork();
  if (runner == 0) {
    close(report[0]);
    JobGuard guard;
    std::string err;
    if (!guard.Start(log, 0, 5, &err)) _exit(1);
    pid_t pids[2] = {work(), guard.watcher()};
    if (pids[0] <= 0) _exit(2);
    if (write(report[1], pids, sizeof pids) != sizeof pids) _exit(3);
    pause();
    _exit(0);
  }
  close(report[1]);
  pid_t pids[2] = {0, 0};
  bool reported = runner > 0 && read(report[0], pids, sizeof pids) ==
                                    static_cast<ssize_t>(sizeof pids);
  close(report[0]);
  *child = pids[0];
  *watcher = pids[1];
  return reported ? runner : -1;
}

// A runner starts a child that ignores TERM in a group of its own, then is
// killed with SIGKILL: the watcher stops the group (KILL after the grace)
// and ends.
TEST(JobGuardTest, AKilledRunnerLeavesNoGroupBehind) {
  TempDir tmp;
  std::string log = tmp / "1.log";
  WriteAll(log, "[job]\n");
  pid_t child, watcher;
  pid_t runner = StartRunner(
      log,
      [] {
        ProcessSpec spec;
        spec.argv = {"/bin/sh", "-c", "trap '' TERM; sleep 600 & sleep 600"};
        pid_t pid = 0;
        std::string err;
        return SpawnChild(spec, 0, 1, 2, false, &pid, &err) ? pid : 0;
      },
      &child, &watcher);
  ASSERT_GT(runner, 0);
  EXPECT_EQ(kill(-child, 0), 0);
  kill(runner, SIGKILL);
  int status;
  ASSERT_EQ(waitpid(runner, &status, 0), runner);
  // The lock went with the runner, while its watcher still waits out the
  // grace of a group that ignores TERM (the watcher never had the lock).
  EXPECT_TRUE(ProcessAlive(watcher));
  UniqueFd lock;
  std::string err;
  EXPECT_FALSE(LogLockedByRunner(log, &lock, &err));
  EXPECT_TRUE(GroupGone(child));
  // The watcher, reparented, ends once the group is gone.
  for (int i = 0; i < 100 && ProcessAlive(watcher); ++i) usleep(100000);
  EXPECT_FALSE(ProcessAlive(watcher));
}

// A launcher's group (mmbuild(1) LAUNCHERS): the watcher's TERM goes to the
// launcher alone, which stops its build elsewhere; a helper of its group
// (srun) gets only the KILL.
TEST(JobGuardTest, ALaunchersTermGoesToTheLauncherAlone) {
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
    spec.argv = {"/bin/sh", "-c",
                 "sh -c 'trap \"touch helper-term\" TERM; touch helper;"
                 " sleep 600 & wait' & trap 'touch launcher-term; exit' TERM;"
                 " while [ ! -e helper ]; do sleep 0.05; done; touch ready;"
                 " sleep 600 & wait"};
    spec.cwd = tmp.path();
    spec.term_child_alone = true;
    pid_t child = 0;
    if (!SpawnChild(spec, 0, 1, 2, false, &child, &err)) _exit(2);
    if (write(report[1], &child, sizeof child) != sizeof child) _exit(3);
    pause();
    _exit(0);
  }
  close(report[1]);
  pid_t launcher = 0;
  ASSERT_EQ(read(report[0], &launcher, sizeof launcher),
            static_cast<ssize_t>(sizeof launcher));
  close(report[0]);
  // Both traps are set.
  for (int i = 0; i < 600 && access((tmp / "ready").c_str(), F_OK) != 0; ++i)
    usleep(50000);
  kill(runner, SIGKILL);
  int status;
  ASSERT_EQ(waitpid(runner, &status, 0), runner);
  EXPECT_TRUE(GroupGone(launcher));
  EXPECT_EQ(access((tmp / "launcher-term").c_str(), F_OK), 0);
  EXPECT_NE(access((tmp / "helper-term").c_str(), F_OK), 0);
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

// A runner with the job's ssh-agent is killed with SIGKILL: the watcher
// stops the agent (which removes its socket) and removes the agent's
// directory, which the runner never got to remove.
TEST(JobGuardTest, AKilledRunnersAgentLeavesNoDirectoryBehind) {
  TempDir tmp;
  std::string log = tmp / "1.log";
  WriteAll(log, "[job]\n");
  std::string agents = tmp / "tmp";
  ASSERT_EQ(mkdir(agents.c_str(), 0700), 0);
  auto entries = [&agents] {
    std::string names;
    DIR* dir = opendir(agents.c_str());
    while (struct dirent* e = dir ? readdir(dir) : nullptr) {
      if (e->d_name[0] != '.') names += std::string(e->d_name) + " ";
    }
    if (dir) closedir(dir);
    return names;
  };
  pid_t reported, watcher;
  pid_t runner = StartRunner(
      log,
      [&agents] {
        setenv("TMPDIR", agents.c_str(), 1);
        static SshAgent agent;  // kept for the runner's life
        std::string err;
        if (!agent.PlanSocket(&err)) return 0;
        GuardRemovesSocketDir(agent.planned_socket());  // as the runner does
        if (!agent.Launch(&err)) return 0;
        return agent.WaitUntilReady(&err) ? getpid() : 0;
      },
      &reported, &watcher);
  ASSERT_GT(runner, 0);
  EXPECT_EQ(entries().compare(0, 16, "mixmaster-agent."), 0) << entries();
  kill(runner, SIGKILL);
  int status;
  ASSERT_EQ(waitpid(runner, &status, 0), runner);
  for (int i = 0; i < 100 && ProcessAlive(watcher); ++i) usleep(100000);
  EXPECT_FALSE(ProcessAlive(watcher));
  EXPECT_EQ(entries(), "");
}

}  // namespace
}  // namespace mm
