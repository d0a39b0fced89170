#include "unique_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <string>
#include <utility>

namespace mm {
namespace {

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

TEST(UniqueFdTest, ClosesOnceAndMovesOwnership) {
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w));
  int raw = r.get();
  EXPECT_TRUE(fcntl(raw, F_GETFD) & FD_CLOEXEC);
  UniqueFd moved(std::move(r));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(moved.get(), raw);
  EXPECT_TRUE(IsOpen(raw));
  moved.Reset();
  EXPECT_FALSE(IsOpen(raw));
}

TEST(UniqueFdTest, WriteAllWritesMoreThanAPipeHoldsAtOnce) {
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w));
  std::string big(200000, 'x');
  // A pipe holds 64 KiB: write from a child so the reader can drain it.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(WriteAll(w.get(), big.data(), big.size()) ? 0 : 1);
  w.Reset();
  std::string got;
  char buf[65536];
  ssize_t n;
  while ((n = read(r.get(), buf, sizeof buf)) > 0)
    got.append(buf, static_cast<size_t>(n));
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(got, big);
}

TEST(UniqueFdTest, WriteAllReportsFailureInErrno) {
  errno = 0;
  EXPECT_FALSE(WriteAll(-1, "x", 1));
  EXPECT_EQ(errno, EBADF);
}

}  // namespace
}  // namespace mm
