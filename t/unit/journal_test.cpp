#include "journal.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace mm {
namespace {

TEST(JournalTest, PrefixesPriorityWhenNotATerminal) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  Journal j(fds[1]);
  j.Error("bad");
  j.Warning("careful");
  j.Info("fine");
  close(fds[1]);
  char buf[256];
  ssize_t n = read(fds[0], buf, sizeof buf);
  close(fds[0]);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)),
            "<3>bad\n<4>careful\n<6>fine\n");
}

TEST(JournalTest, RequestValuesCannotStartASecondLine) {
  Journal j(-1);
  EXPECT_EQ(j.Format(Priority::kInfo, "a\nb\rc\x1b[31m"), "<6>a b c [31m\n");
  EXPECT_EQ(OneLine("tab\tand\nnewline"), "tab and newline");
}

}  // namespace
}  // namespace mm
