#include "bridge/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "base/clock.h"
#include "bridge/bridge.h"
#include "job/config.h"
#include "job/queued_jobs.h"
#include "support/child_test_support.h"
#include "support/git_test_support.h"

namespace mm {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  fputs(text.c_str(), f);
  fclose(f);
}

// What a call came to: "ok" or the errno's name.
std::string Result(long rc) {
  if (rc >= 0) return "ok";
  switch (errno) {
    case EACCES:
      return "EACCES";
    case EPERM:
      return "EPERM";
    default:
      return strerror(errno);
  }
}

// Root's capabilities would hide what the sandbox lets through (chmod of
// any file, signals to anyone), so as root every sandboxed check runs as a
// uid and gid that no account and no other test uses; as anyone else, as
// that user.
uid_t TestUid() {
  if (geteuid() != 0) return geteuid();
  uid_t uid = 2000000000 + static_cast<uid_t>(getpid() % 1000000);
  while (getpwuid(uid) || getgrgid(uid)) uid++;
  return uid;
}

// In a forked child: becomes the test's uid for good (no group left).
bool DropToTestUid(uid_t uid) {
  if (geteuid() != 0) return true;
  return setgroups(0, nullptr) == 0 && setresgid(uid, uid, uid) == 0 &&
         setresuid(uid, uid, uid) == 0;
}

// Runs `body` in a forked child (the sandbox is for good) and returns what
// it returned.
std::string InChild(const std::function<std::string()>& body) {
  bool ended = false;
  std::string result = testing_support::InChild(body, 60, &ended);
  EXPECT_TRUE(ended) << result;
  return result;
}

// Another process of the same user, as a build or the user's shell would
// be: the target of the escapes that reach other processes.
class Victim {
 public:
  explicit Victim(uid_t uid) {
    int ready[2];
    EXPECT_EQ(pipe(ready), 0);
    pid_ = fork();
    if (pid_ == 0) {
      close(ready[0]);
      if (!DropToTestUid(uid)) _exit(1);
      if (write(ready[1], "x", 1) != 1) _exit(1);
      for (;;) pause();
    }
    close(ready[1]);
    char c;
    EXPECT_EQ(read(ready[0], &c, 1), 1);
    close(ready[0]);
  }
  ~Victim() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  Victim(const Victim&) = delete;
  Victim& operator=(const Victim&) = delete;

  pid_t pid() const { return pid_; }
  bool Alive() const { return waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_;
};

// Each test has a home with a private key, a build root with a spool and a
// log, and a configuration, all owned by the test's uid; `Sandboxed` runs a
// check as that uid in a forked child after entering the bridge's sandbox,
// with Landlock at the kernel's ABI or forced down to the parameter (2:
// Debian 12's own kernel; 1: the first).
class SandboxTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    uid_ = TestUid();
    char dir[] = "/tmp/mm-sandbox-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    root_ = dir;
    for (const char* d : {"/home", "/home/.ssh", "/Builds", "/Builds/INBOX",
                          "/Builds/o-r", "/outside"})
      ASSERT_EQ(mkdir((root_ + d).c_str(), 0700), 0) << d;
    key_ = root_ + "/home/.ssh/id_ed25519";
    log_ = root_ + "/Builds/o-r/1.log";
    WriteFile(key_, "PRIVATE KEY\n");
    WriteFile(log_, "status = success\n");
    WriteFile(root_ + "/outside/existing", "keep\n");
    config_path_ = root_ + "/home/mixmaster.ini";
    WriteConfig("");
    std::string cmd = "chmod 600 '" + key_ + "' '" + config_path_ + "'";
    if (geteuid() == 0)
      cmd += " && chown -R " + std::to_string(uid_) + ":" +
             std::to_string(uid_) + " '" + root_ + "'";
    ASSERT_EQ(system(cmd.c_str()), 0);
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + root_ + "'";
    ASSERT_EQ(system(cmd.c_str()), 0);
  }

  void WriteConfig(const std::string& extra) {
    WriteFile(config_path_, "[_]\nbuildRoot = " + root_ + "/Builds\n" + extra +
                                "\n[o/r]\nmain = make all\n");
    if (geteuid() == 0) {
      ASSERT_EQ(chown(config_path_.c_str(), uid_, uid_), 0);
    }
  }

  // Runs `check` sandboxed as the test's uid; returns what it returned, or
  // "no landlock" when the kernel has none and `files` says the check is
  // about files (which then skip).
  std::string Sandboxed(const std::function<std::string()>& check,
                        bool files = true) {
    return InChild([&]() -> std::string {
      Config config;
      std::string err;
      SandboxReport report;
      if (!DropToTestUid(uid_)) return std::string("drop: ") + strerror(errno);
      if (!LoadConfig(config_path_, &config, &err)) return "config: " + err;
      if (!EnterSandboxAtLandlockAbi(BridgeSandboxPaths(&config), GetParam(),
                                     &report, &err))
        return "sandbox: " + err;
      if (!report.seccomp) return "no seccomp";
      if (GetParam() && report.landlock_abi > GetParam())
        return "landlock ABI " + std::to_string(report.landlock_abi) +
               " above the limit";
      if (files && !report.landlock_abi) return "no landlock";
      return check();
    });
  }

  mode_t Mode(const std::string& path) {
    struct stat st;
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  std::string root_, config_path_, key_, log_;
  uid_t uid_ = 0;
};

#define SKIP_WITHOUT_LANDLOCK(result)                                   \
  if ((result) == "no landlock")                                        \
  GTEST_SKIP() << "this kernel has no Landlock; mmbridge then logs so " \
                  "and relies on the unit's options for files"

// A path of the sandbox that cannot be opened for a reason other than its
// absence (here no descriptor left: EMFILE) fails the sandbox, naming it,
// instead of leaving the path denied, which the request would later see as
// "Permission denied".
TEST_P(SandboxTest, APathThatCannotBeOpenedFailsTheSandbox) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(out[0]);
    Config config;
    std::string err, result;
    if (!LoadConfig(config_path_, &config, &err)) {
      result = "config: " + err;
    } else {
      // One descriptor left: the ruleset's; the paths get none.
      int lowest = dup(0);
      close(lowest);
      struct rlimit one = {static_cast<rlim_t>(lowest + 1),
                           static_cast<rlim_t>(lowest + 1)};
      SandboxReport report;
      if (setrlimit(RLIMIT_NOFILE, &one) != 0)
        result = "setrlimit failed";
      else if (EnterSandbox(BridgeSandboxPaths(&config), &report, &err))
        result = report.landlock_abi ? "entered" : "no landlock";
      else
        result = err;
    }
    ssize_t n = write(out[1], result.data(), result.size());
    _exit(n == static_cast<ssize_t>(result.size()) ? 0 : 1);
  }
  close(out[1]);
  std::string result;
  char buf[256];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) result.append(buf, n);
  close(out[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  SKIP_WITHOUT_LANDLOCK(result);
  EXPECT_NE(result.find(" for its landlock rule: Too many open files"),
            std::string::npos)
      << result;
}

TEST_P(SandboxTest, WritingOutsideTheSpoolFails) {
  std::string outside = root_ + "/outside";
  std::string r = Sandboxed([&] {
    return Result(open((outside + "/new").c_str(),
                       O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) +
           " " +
           Result(open((outside + "/existing").c_str(), O_WRONLY | O_CLOEXEC)) +
           " " + Result(mkdir((root_ + "/Builds/INBOX/dir").c_str(), 0700)) +
           " " + Result(open(config_path_.c_str(), O_WRONLY | O_CLOEXEC));
  });
  SKIP_WITHOUT_LANDLOCK(r);
  EXPECT_EQ(r, "EACCES EACCES EACCES EACCES");
  struct stat st;
  EXPECT_NE(stat((outside + "/new").c_str(), &st), 0);
}

TEST_P(SandboxTest, ReadingTheSshKeyFails) {
  std::string r = Sandboxed([&] {
    return Result(open(key_.c_str(), O_RDONLY | O_CLOEXEC)) + " " +
           Result(open("/etc/passwd", O_RDONLY | O_CLOEXEC));
  });
  SKIP_WITHOUT_LANDLOCK(r);
  EXPECT_EQ(r, "EACCES EACCES");
}

// The configuration (and its secret) was read before the sandbox; it cannot
// be read again from inside.
TEST_P(SandboxTest, ReadingTheConfigurationAgainFails) {
  std::string r = Sandboxed(
      [&] { return Result(open(config_path_.c_str(), O_RDONLY | O_CLOEXEC)); });
  SKIP_WITHOUT_LANDLOCK(r);
  EXPECT_EQ(r, "EACCES");
}

TEST_P(SandboxTest, BuildLogsAreReadableOnlyWithTheWebView) {
  auto read_log = [&] {
    return Result(open(log_.c_str(), O_RDONLY | O_CLOEXEC)) + " " +
           Result(open(log_.c_str(), O_WRONLY | O_CLOEXEC));
  };
  std::string r = Sandboxed(read_log);
  SKIP_WITHOUT_LANDLOCK(r);
  EXPECT_EQ(r, "EACCES EACCES");
  WriteConfig("webView = yes");
  EXPECT_EQ(Sandboxed(read_log), "ok EACCES");
}

// The web view lists the queued jobs (mmbridge(1) WEB VIEW) from inside the
// sandbox: the spool is open to the bridge for writing jobs anyway, also
// where it is not under the build root; nothing else becomes readable.
TEST_P(SandboxTest, QueuedJobsAreListedFromInsideTheSandbox) {
  ASSERT_EQ(mkdir((root_ + "/Spool").c_str(), 0700), 0);
  std::string job =
      "[job]\nscm = git\nproject = o/r\nrepositoryUrl = x\n"
      "target = main\n";
  WriteFile(root_ + "/Spool/20261125-1.ini", job);
  WriteFile(root_ + "/Builds/INBOX/20261125-2.ini", job);
  if (geteuid() == 0) {
    std::string cmd = "chown -R " + std::to_string(uid_) + ":" +
                      std::to_string(uid_) + " '" + root_ + "/Spool'";
    ASSERT_EQ(system(cmd.c_str()), 0);
  }
  // The configuration as the bridge read it before its sandbox.
  Config config;
  std::string err;
  auto list = [&] {
    std::vector<BuildSummary> queued;
    if (!ListQueuedJobs(config.spool, "", 0, &queued, nullptr, &err))
      return err;
    std::string r;
    for (const BuildSummary& b : queued)
      r += b.id + " " + b.project + " " + b.status + " ";
    return r + Result(open(key_.c_str(), O_RDONLY | O_CLOEXEC));
  };
  WriteConfig("webView = yes");
  ASSERT_TRUE(LoadConfig(config_path_, &config, &err)) << err;
  std::string r = Sandboxed(list);
  SKIP_WITHOUT_LANDLOCK(r);
  EXPECT_EQ(r, "20261125-2 o/r queued EACCES");
  WriteConfig("webView = yes\nspool = " + root_ + "/Spool");
  ASSERT_TRUE(LoadConfig(config_path_, &config, &err)) << err;
  EXPECT_EQ(Sandboxed(list), "20261125-1 o/r queued EACCES");
}

// Landlock leaves a file's mode, owner, times and attributes alone at every
// ABI: the keys and the configuration made readable to all, the home
// writable to all, all from inside the sandbox.
TEST_P(SandboxTest, FileModesOwnersTimesAndAttributesCannotBeChanged) {
  std::string home = root_ + "/home";
  struct stat before;
  ASSERT_EQ(stat(key_.c_str(), &before), 0);
  std::string r = Sandboxed(
      [&] {
        struct timespec epoch[2] = {{0, 0}, {0, 0}};
        return Result(chmod(config_path_.c_str(), 0644)) + " " +
               Result(fchmodat(AT_FDCWD, key_.c_str(), 0644, 0)) + " " +
               Result(chmod(home.c_str(), 0777)) + " " +
               Result(chown(key_.c_str(), getuid(), getgid())) + " " +
               Result(fchownat(AT_FDCWD, home.c_str(), getuid(), getgid(), 0)) +
               " " + Result(utimensat(AT_FDCWD, key_.c_str(), epoch, 0)) + " " +
               Result(setxattr(config_path_.c_str(), "user.mm", "x", 1, 0)) +
               " " + Result(removexattr(key_.c_str(), "user.mm"));
      },
      false);
  EXPECT_EQ(r, "EPERM EPERM EPERM EPERM EPERM EPERM EPERM EPERM");
  EXPECT_EQ(Mode(config_path_), 0600u);
  EXPECT_EQ(Mode(key_), 0600u);
  EXPECT_EQ(Mode(home), 0700u);
  struct stat after;
  ASSERT_EQ(stat(key_.c_str(), &after), 0);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  char value[8];
  EXPECT_LT(getxattr(config_path_.c_str(), "user.mm", value, sizeof value), 0);
}

// Before ABI 3 Landlock does not see truncation: truncate(2) of any file of
// the user, or an O_TRUNC open of a log the web view may read.
TEST_P(SandboxTest, NoFileCanBeTruncated) {
  WriteConfig("webView = yes");
  std::string outside = root_ + "/outside/existing";
  std::string r = Sandboxed(
      [&] {
        return Result(truncate(outside.c_str(), 0)) + " " +
               Result(truncate(config_path_.c_str(), 0)) + " " +
               Result(open(log_.c_str(), O_RDONLY | O_TRUNC | O_CLOEXEC));
      },
      false);
  EXPECT_EQ(r, "EPERM EPERM EPERM");
  struct stat st;
  ASSERT_EQ(stat(outside.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 5);
  ASSERT_EQ(stat(log_.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 17);
  ASSERT_EQ(stat(config_path_.c_str(), &st), 0);
  EXPECT_GT(st.st_size, 0);
}

// Another process of the same user: its limits (RLIMIT_CPU 0 kills it), its
// priority and CPUs, signals, and SIGIO through a descriptor's owner.
TEST_P(SandboxTest, OtherProcessesOfTheUserAreOutOfReach) {
  Victim victim(uid_);
  pid_t pid = victim.pid();
  int nice_before = getpriority(PRIO_PROCESS, pid);
  cpu_set_t cpus_before;
  ASSERT_EQ(sched_getaffinity(pid, sizeof cpus_before, &cpus_before), 0);
  std::string r = Sandboxed(
      [&] {
        struct rlimit none = {0, 0};
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(0, &one);
        int fds[2];
        if (pipe(fds) != 0) return std::string("pipe");
        return Result(prlimit(pid, RLIMIT_CPU, &none, nullptr)) + " " +
               Result(setpriority(PRIO_PROCESS, pid, 19)) + " " +
               Result(sched_setaffinity(pid, sizeof one, &one)) + " " +
               Result(kill(pid, SIGTERM)) + " " +
               Result(fcntl(fds[0], F_SETOWN, pid)) + " " +
               Result(getrlimit(RLIMIT_NOFILE, &none)) + " " +
               Result(setrlimit(RLIMIT_CORE, &none));
      },
      false);
  EXPECT_EQ(r, "EPERM EPERM EPERM EPERM EPERM ok ok");
  usleep(100 * 1000);  // what RLIMIT_CPU 0 or SIGTERM would have done
  EXPECT_TRUE(victim.Alive());
  // Read from /proc: root here may lack CAP_SYS_RESOURCE, which prlimit(2)
  // of another uid's process needs even to read.
  std::string limits =
      testing_support::ReadAll("/proc/" + std::to_string(pid) + "/limits");
  size_t cpu = limits.find("Max cpu time");
  ASSERT_NE(cpu, std::string::npos) << limits;
  EXPECT_EQ(
      limits.substr(cpu, limits.find('\n', cpu) - cpu),
      "Max cpu time              unlimited            unlimited            "
      "seconds   ");
  EXPECT_EQ(getpriority(PRIO_PROCESS, pid), nice_before);
  cpu_set_t cpus_after;
  ASSERT_EQ(sched_getaffinity(pid, sizeof cpus_after, &cpus_after), 0);
  EXPECT_TRUE(CPU_EQUAL(&cpus_before, &cpus_after));
}

TEST_P(SandboxTest, NoSocketNoExecNoForkNoSignalToOthers) {
  // Seccomp works without Landlock, so this runs on any kernel.
  std::string r = Sandboxed(
      [&] {
        std::string s = Result(socket(AF_INET, SOCK_STREAM, 0)) + " " +
                        Result(socket(AF_UNIX, SOCK_STREAM, 0)) + " ";
        execl("/bin/sh", "sh", "-c", "exit 0", static_cast<char*>(nullptr));
        return s + Result(-1) + " " + Result(fork()) + " " +
               Result(kill(getppid(), 0)) + " " + Result(kill(getpid(), 0));
      },
      false);
  EXPECT_EQ(r, "EPERM EPERM EPERM EPERM EPERM ok");
}

TEST_P(SandboxTest, ANormalRequestStillSucceeds) {
  const std::string body =
      R"({"scm":"git","repositoryUrl":"git@example.com:o/r.git",)"
      R"("project":"o/r","target":"main"})";
  const std::string request =
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ASSERT_EQ(write(fds[0], request.data(), request.size()),
            static_cast<ssize_t>(request.size()));
  shutdown(fds[0], SHUT_WR);
  // As mmbridge does: the configuration read before the sandbox.
  BridgeOptions options;
  options.config_path = config_path_;
  ASSERT_TRUE(LoadBridgeConfig(&options)) << options.config_error;
  std::string r = Sandboxed([&] {
    BridgeOutcome outcome =
        ServeConnection(options, fds[1], fds[1], SystemClock());
    return std::to_string(outcome.response.status) + " " +
           outcome.response.body.substr(0, 7);
  });
  close(fds[1]);
  SKIP_WITHOUT_LANDLOCK(r);
  EXPECT_EQ(r, "202 queued ");
  std::string answer(4096, '\0');
  ssize_t n = read(fds[0], &answer[0], answer.size());
  close(fds[0]);
  ASSERT_GT(n, 0);
  EXPECT_EQ(answer.compare(0, 21, "HTTP/1.1 202 Accepted"), 0) << answer;
  std::string cmd = "ls '" + root_ + "/Builds/INBOX' | grep -q '\\.ini$'";
  EXPECT_EQ(system(cmd.c_str()), 0) << "no job in the spool";
}

INSTANTIATE_TEST_SUITE_P(LandlockAbi, SandboxTest, ::testing::Values(0, 2, 1),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param
                                      ? "Abi" + std::to_string(info.param)
                                      : std::string("KernelAbi");
                         });

}  // namespace
}  // namespace mm
