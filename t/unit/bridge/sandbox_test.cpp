#include "bridge/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "base/clock.h"
#include "bridge/bridge.h"
#include "job/config.h"

namespace mm {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  fputs(text.c_str(), f);
  fclose(f);
}

// What a call came to: "ok" or the errno's name.
std::string Result(int rc) {
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

// Each test has a home with a private key, a build root with a spool and a
// log, and a configuration; `Sandboxed` runs a check in a forked child after
// EnterSandbox with the bridge's paths, so the test process stays free.
class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/mm-sandbox-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    root_ = dir;
    for (const char* d : {"/home", "/home/.ssh", "/Builds", "/Builds/INBOX",
                          "/Builds/o-r", "/outside"})
      ASSERT_EQ(mkdir((root_ + d).c_str(), 0700), 0) << d;
    WriteFile(root_ + "/home/.ssh/id_ed25519", "PRIVATE KEY\n");
    WriteFile(root_ + "/Builds/o-r/1.log", "status = success\n");
    WriteFile(root_ + "/outside/existing", "keep\n");
    config_path_ = root_ + "/home/mixmaster.ini";
    WriteConfig("");
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + root_ + "'";
    ASSERT_EQ(system(cmd.c_str()), 0);
  }

  void WriteConfig(const std::string& extra) {
    WriteFile(config_path_, "[_]\nbuildRoot = " + root_ + "/Builds\n" + extra +
                                "\n[o/r]\nmain = make all\n");
  }

  // Runs `check` sandboxed in a child; returns what it returned, or
  // "no landlock" when the kernel has none (file checks then skip).
  std::string Sandboxed(const std::function<std::string()>& check) {
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    pid_t pid = fork();
    if (pid == 0) {
      close(out[0]);
      Config config;
      std::string err, result;
      SandboxReport report;
      if (!LoadConfig(config_path_, &config, &err)) {
        result = "config: " + err;
      } else if (!EnterSandbox(BridgeSandboxPaths(&config), &report, &err)) {
        result = "sandbox: " + err;
      } else {
        result = report.landlock_abi ? check() : "no landlock";
        if (!report.seccomp) result = "no seccomp";
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
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    return result;
  }

  std::string root_, config_path_;
};

#define SKIP_WITHOUT_LANDLOCK(result)                                   \
  if ((result) == "no landlock")                                        \
  GTEST_SKIP() << "this kernel has no Landlock; mmbridge then logs so " \
                  "and relies on the unit's options for files"

// A path of the sandbox that cannot be opened for a reason other than its
// absence (here no descriptor left: EMFILE) fails the sandbox, naming it,
// instead of leaving the path denied, which the request would later see as
// "Permission denied".
TEST_F(SandboxTest, APathThatCannotBeOpenedFailsTheSandbox) {
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

TEST_F(SandboxTest, WritingOutsideTheSpoolFails) {
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

TEST_F(SandboxTest, ReadingTheSshKeyFails) {
  std::string key = root_ + "/home/.ssh/id_ed25519";
  std::string r = Sandboxed([&] {
    return Result(open(key.c_str(), O_RDONLY | O_CLOEXEC)) + " " +
           Result(open("/etc/passwd", O_RDONLY | O_CLOEXEC));
  });
  SKIP_WITHOUT_LANDLOCK(r);
  EXPECT_EQ(r, "EACCES EACCES");
}

// The configuration (and its secret) was read before the sandbox; it cannot
// be read again from inside.
TEST_F(SandboxTest, ReadingTheConfigurationAgainFails) {
  std::string r = Sandboxed(
      [&] { return Result(open(config_path_.c_str(), O_RDONLY | O_CLOEXEC)); });
  SKIP_WITHOUT_LANDLOCK(r);
  EXPECT_EQ(r, "EACCES");
}

TEST_F(SandboxTest, BuildLogsAreReadableOnlyWithTheWebView) {
  std::string log = root_ + "/Builds/o-r/1.log";
  auto read_log = [&] {
    return Result(open(log.c_str(), O_RDONLY | O_CLOEXEC)) + " " +
           Result(open(log.c_str(), O_WRONLY | O_CLOEXEC));
  };
  std::string r = Sandboxed(read_log);
  SKIP_WITHOUT_LANDLOCK(r);
  EXPECT_EQ(r, "EACCES EACCES");
  WriteConfig("webView = yes");
  EXPECT_EQ(Sandboxed(read_log), "ok EACCES");
}

TEST_F(SandboxTest, NoSocketNoExecNoForkNoSignalToOthers) {
  // Seccomp works without Landlock, so this runs on any kernel.
  std::string r;
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    SandboxReport report;
    std::string err;
    if (!EnterSandbox(SandboxPaths(), &report, &err) || !report.seccomp)
      _exit(2);
    std::string s = Result(socket(AF_INET, SOCK_STREAM, 0)) + " " +
                    Result(socket(AF_UNIX, SOCK_STREAM, 0)) + " ";
    execl("/bin/sh", "sh", "-c", "exit 0", static_cast<char*>(nullptr));
    s += Result(-1) + " " + Result(fork()) + " " + Result(kill(getppid(), 0)) +
         " " + Result(kill(getpid(), 0));
    ssize_t n = write(out[1], s.data(), s.size());
    _exit(n > 0 ? 0 : 1);
  }
  close(out[1]);
  char buf[256];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) r.append(buf, n);
  close(out[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(r, "EPERM EPERM EPERM EPERM EPERM ok");
}

TEST_F(SandboxTest, ANormalRequestStillSucceeds) {
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

}  // namespace
}  // namespace mm
