#include "process/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace mm {
namespace {

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

}  // namespace
}  // namespace mm
