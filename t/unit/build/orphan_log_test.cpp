#include "build/orphan_log.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "build/job_guard.h"
#include "job/build_history.h"
#include "support/child_test_support.h"
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

// A closing line that cannot be written (a full or failing disk; here the
// file size limit, which binds root too) leaves the log as it was and sends
// nothing: no `error` without its reason; a later pass finishes it.
TEST(OrphanLogTest, ALogWhoseReasonCannotBeWrittenIsLeftForTheNextPass) {
  TempDir tmp;
  std::string path = tmp / "7.log";
  pid_t dead = DeadPid();
  WriteAll(path, Claimed(dead));
  const std::string before = ReadAll(path);
  Config config;
  FixedClock clock;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {before.size(), before.size()};
    setrlimit(RLIMIT_FSIZE, &limit);
    RecordingObserver observer;
    std::string err;
    bool finished = FinishOrphanLog(path, config, clock, &observer, &err);
    bool left = !finished && observer.fails == 0 &&
                err.find("cannot write build log " + path) == 0;
    _exit(left ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(ReadAll(path), before);
  RecordingObserver observer;
  std::string err;
  ASSERT_TRUE(FinishOrphanLog(path, config, clock, &observer, &err)) << err;
  EXPECT_THAT(ReadAll(path), HasSubstr("died before the build ended"));
  EXPECT_EQ(observer.fails, 1);
}

// The launcher that ran the build is asked to stop what may be left of it
// elsewhere (mmbuild(1) LAUNCHERS): the one the log names, whatever the
// configuration says now, with the job's environment; its output goes to
// the log before the closing line.
TEST(OrphanLogTest, RunsTheStopOfTheLauncherTheLogNames) {
  TempDir tmp;
  std::string launcher = tmp / "launcher";
  WriteAll(launcher,
           "#!/bin/sh\necho \"$* job $MIXMASTER_JOB timeout "
           "$MIXMASTER_TIMEOUT\"\necho stopped >&2\n");
  chmod(launcher.c_str(), 0755);
  std::string path = tmp / "7.log";
  std::string text = Claimed(DeadPid());
  text.insert(text.find("\n\n[log]"), "\nlauncher = " + launcher + " x");
  WriteAll(path, text);
  Config config;
  config.launcher = "not-what-ran-the-build";
  config.timeout = 99;
  FixedClock clock;
  std::string err;
  ASSERT_TRUE(FinishOrphanLog(path, config, clock, nullptr, &err)) << err;
  EXPECT_THAT(ReadAll(path),
              HasSubstr("00:03:10 $ " + launcher +
                        " x --stop\n00:03:10 O x --stop job 7 timeout 99\n"
                        "00:03:10 ! stopped\n00:03:10 # Build error: the "
                        "runner"));
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

// Every file mmbuild's start-up pass may meet in JOBS/: a FIFO (opening it
// waited for a writer, before the first job), a symlink to /dev/zero and a
// device (read for ever), a directory named *.log. Each is passed over with
// a reason, in a child that is killed if it takes more than a minute, and
// the dead runner's log beside them is still finished.
TEST(OrphanLogTest, FifosSymlinksDevicesAndDirectoriesArePassedOver) {
  TempDir tmp;
  std::string jobs = tmp / "acme-app/JOBS";
  testing_support::Sh("mkdir -p " + jobs + "/4-dir.log");
  ASSERT_EQ(mkfifo((jobs + "/1-fifo.log").c_str(), 0600), 0);
  ASSERT_EQ(symlink("/dev/zero", (jobs + "/2-zero.log").c_str()), 0);
  bool device = mknod((jobs + "/3-device.log").c_str(), S_IFCHR | 0600,
                      makedev(1, 5)) == 0;  // /dev/zero's; needs root
  WriteAll(jobs + "/9-dead.log", Claimed(DeadPid()));
  Config config;
  config.build_root = tmp.path();
  config.projects.push_back(Project{"acme/app", {}});
  bool ended = false;
  std::string text = testing_support::InChild(
      [&] {
        OrphanReport report;
        FinishOrphanLogs(config, FixedClock(), nullptr, &report);
        std::string lines;
        for (const std::string& line : report.problems) lines += line + "\n";
        for (const std::string& line : report.finished) lines += line + "\n";
        return lines;
      },
      60, &ended);
  ASSERT_TRUE(ended) << "mmbuild's start-up pass hung";
  EXPECT_NE(text.find("passed over " + jobs +
                      "/1-fifo.log: not a regular "
                      "file\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("passed over " + jobs + "/2-zero.log: "),
            std::string::npos)
      << text;
  if (device) {
    // Opened, it is no regular file; in a container whose device cgroup
    // denies it (systemd-nspawn), the open fails: passed over either way.
    EXPECT_THAT(text, ::testing::AnyOf(
                          HasSubstr("passed over " + jobs +
                                    "/3-device.log: not a regular file\n"),
                          HasSubstr("passed over " + jobs +
                                    "/3-device.log: Permission denied\n")));
  }
  EXPECT_NE(text.find("passed over " + jobs +
                      "/4-dir.log: not a regular "
                      "file\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("job 9-dead: its runner died; log finished as error"),
            std::string::npos)
      << text;
}

// A dead runner's log of 3 GiB (sparse here; mmbuild read it whole, 6.3 GB
// and bad_alloc, at every start) is finished from its head and tail alone.
#if defined(__SANITIZE_ADDRESS__)
#define MM_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MM_TEST_SANITIZED 1
#endif
#endif
TEST(OrphanLogTest, AHugeLogIsFinishedFromItsEnds) {
  TempDir tmp;
  std::string path = tmp / "7.log";
  WriteAll(path, Claimed(DeadPid()));
  const off_t huge = 3LL << 30;
  ASSERT_EQ(truncate(path.c_str(), huge), 0);
  {
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_APPEND));
    std::string last = "\n00:01:00 O the last line\n";
    ASSERT_EQ(write(fd.get(), last.data(), last.size()),
              static_cast<ssize_t>(last.size()));
  }
  // In a child whose heap may not pass 256 MiB (a sanitized build reserves
  // far more for itself), so that reading the log whole fails here, on any
  // machine, as it did with 6.3 GB on a small one.
  bool ended = false;
  std::string outcome = testing_support::InChild(
      [&] {
#ifndef MM_TEST_SANITIZED
        struct rlimit heap = {256 << 20, 256 << 20};
        setrlimit(RLIMIT_DATA, &heap);
#endif
        Config config;
        RecordingObserver observer;
        std::string err;
        if (!FinishOrphanLog(path, config, FixedClock(), &observer, &err))
          return "not finished: " + err;
        return std::to_string(observer.fails) + " " + observer.target;
      },
      120, &ended);
  ASSERT_TRUE(ended) << outcome;
  EXPECT_EQ(outcome, "1 main");
  UniqueFd fd(open(path.c_str(), O_RDONLY));
  std::string tail, why;
  bool cut;
  ASSERT_TRUE(ReadTail(fd.get(), 512, &tail, &cut, &why));
  EXPECT_NE(tail.find("died before the build ended"), std::string::npos)
      << tail;
  EXPECT_NE(tail.find("\n[result]\nstatus = error\n"), std::string::npos)
      << tail;
}

}  // namespace
}  // namespace mm
