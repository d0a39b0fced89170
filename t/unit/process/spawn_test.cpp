#include "process/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "support/git_test_support.h"

namespace mm {
namespace {

using testing_support::TempDir;

// Runs `script` with stdout into a pipe; returns what it printed.
std::string Output(const std::string& script) {
  UniqueFd read_end, write_end;
  EXPECT_TRUE(MakePipe(&read_end, &write_end));
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  pid_t pid = -1;
  std::string err;
  EXPECT_TRUE(SpawnChild(spec, 0, write_end.get(), 2, false, &pid, &err))
      << err;
  write_end.Reset();
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(read_end.get(), buf, sizeof buf)) > 0) out.append(buf, n);
  int status;
  waitpid(pid, &status, 0);
  return out;
}

TEST(SpawnTest, ChildInheritsNoOtherDescriptor) {
  // Opened without O_CLOEXEC, as careless code might.
  int leaky = open("/dev/null", O_RDONLY);
  ASSERT_GE(leaky, 3);
  EXPECT_EQ(Output("test -e /proc/self/fd/" + std::to_string(leaky) +
                   " && echo leaked || echo closed"),
            "closed\n");
  close(leaky);
}

TEST(SpawnTest, ChildGetsDefaultSignalsAndItsOwnGroup) {
  signal(SIGUSR1, SIG_IGN);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  sigprocmask(SIG_BLOCK, &block, &old);
  // Signals 32 and 33 belong to glibc, which lets no program change them,
  // so the child cannot reset them either (make, for one, ignores them):
  // only the standard signals 1-31 (mask 0x7fffffff) are compared.
  std::string out = Output(
      "for k in SigBlk SigIgn; do "
      "m=$(sed -n \"s/^$k:\t//p\" /proc/self/status); "
      "echo \"$k $((0x$m & 0x7fffffff))\"; done; "
      "test \"$(ps -o pgid= -p $$ | tr -d ' ')\" = $$ && echo leader");
  sigprocmask(SIG_SETMASK, &old, nullptr);
  signal(SIGUSR1, SIG_DFL);
  EXPECT_EQ(out, "SigBlk 0\nSigIgn 0\nleader\n");
}

TEST(SpawnTest, ReportsWhyItCouldNotStart) {
  ProcessSpec spec;
  spec.argv = {"/nonexistent"};
  pid_t pid = -1;
  std::string err;
  EXPECT_FALSE(SpawnChild(spec, 0, 1, 2, false, &pid, &err));
  EXPECT_EQ(err, "cannot run /nonexistent: No such file or directory");
  spec.argv = {"/etc/passwd"};
  EXPECT_FALSE(SpawnChild(spec, 0, 1, 2, false, &pid, &err));
  EXPECT_EQ(err, "cannot run /etc/passwd: Permission denied");
  spec.argv = {};
  EXPECT_FALSE(SpawnChild(spec, 0, 1, 2, false, &pid, &err));
  EXPECT_EQ(err, "cannot run a process: no command given");
}

TEST(SpawnTest, WriteAllWritesEverythingThroughShortWrites) {
  // A pipe takes 64 KiB at a time: a megabyte needs many writes, read by a
  // child as they come.
  UniqueFd read_end, write_end;
  ASSERT_TRUE(MakePipe(&read_end, &write_end));
  ProcessSpec spec;
  spec.argv = {"wc", "-c"};
  UniqueFd count_read, count_write;
  ASSERT_TRUE(MakePipe(&count_read, &count_write));
  pid_t pid = -1;
  std::string err;
  ASSERT_TRUE(
      SpawnChild(spec, read_end.get(), count_write.get(), 2, false, &pid, &err))
      << err;
  read_end.Reset();
  count_write.Reset();
  std::string data(1 << 20, 'x');
  EXPECT_TRUE(WriteAll(write_end.get(), data.data(), data.size()));
  write_end.Reset();
  char buf[64] = {0};
  ASSERT_GT(read(count_read.get(), buf, sizeof buf - 1), 0);
  EXPECT_EQ(std::stoul(buf), data.size());
  int status;
  waitpid(pid, &status, 0);
  // A descriptor that cannot be written says so through errno.
  errno = 0;
  EXPECT_FALSE(WriteAll(-1, "x", 1));
  EXPECT_EQ(errno, EBADF);
}

// The pipe on which the observer below reports the child's pid.
int g_observed_fd = -1;

// An observer whose process dies as it is told, as a runner killed at that
// moment would: the child's group is then known to nobody.
void ReportAndDie(pid_t pid, bool) {
  ssize_t ignored = write(g_observed_fd, &pid, sizeof pid);
  (void)ignored;
  _exit(0);
}

// mmbuild(1) KILLED RUNNER: a child may run its program only once the
// observer (the runner's guard) knows its group. One whose parent died
// first ends without running it, even without die_with_parent (which a
// setgid program such as ssh-agent loses at its exec anyway).
TEST(SpawnTest, AChildWhoseObserverWasNeverToldNeverRunsItsProgram) {
  TempDir tmp;
  std::string marker = tmp / "ran";
  UniqueFd read_end, write_end;
  ASSERT_TRUE(MakePipe(&read_end, &write_end));
  // The orphaned child comes back to this process, to be waited for.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  pid_t parent = fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    g_observed_fd = write_end.get();
    SetSpawnObserver(ReportAndDie);
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", "touch '" + marker + "'"};
    pid_t pid;
    std::string err;
    SpawnChild(spec, 0, 1, 2, false, &pid, &err);
    _exit(1);  // not reached: the observer ends this process
  }
  write_end.Reset();
  int status;
  ASSERT_EQ(waitpid(parent, &status, 0), parent);
  pid_t child = -1;
  ASSERT_EQ(read(read_end.get(), &child, sizeof child),
            static_cast<ssize_t>(sizeof child));
  ASSERT_EQ(waitpid(child, &status, 0), child);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 127) << status;
  struct stat st;
  EXPECT_NE(stat(marker.c_str(), &st), 0) << "the program ran";
}

// With an observer that is told, the child runs as without one.
TEST(SpawnTest, AChildRunsOnceTheObserverKnowsIt) {
  static pid_t observed = 0;
  SetSpawnObserver([](pid_t pid, bool) { observed = pid; });
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "exit 3"};
  pid_t pid = -1;
  std::string err;
  bool started = SpawnChild(spec, 0, 1, 2, false, &pid, &err);
  SetSpawnObserver(nullptr);
  ASSERT_TRUE(started) << err;
  EXPECT_EQ(observed, pid);
  int status;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3) << status;
}

}  // namespace
}  // namespace mm
