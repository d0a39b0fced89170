#include "base/journal.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace mm {
namespace {

// Sets or unsets an environment variable for one test.
class ScopedJournalStream {
 public:
  explicit ScopedJournalStream(const std::string* value) {
    const char* old = getenv("JOURNAL_STREAM");
    had_ = old != nullptr;
    if (had_) old_ = old;
    if (value) {
      setenv("JOURNAL_STREAM", value->c_str(), 1);
    } else {
      unsetenv("JOURNAL_STREAM");
    }
  }
  ~ScopedJournalStream() {
    if (had_) {
      setenv("JOURNAL_STREAM", old_.c_str(), 1);
    } else {
      unsetenv("JOURNAL_STREAM");
    }
  }

 private:
  bool had_;
  std::string old_;
};

std::string DeviceAndInode(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return "";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

// Three lines written through a Journal on a fresh pipe, with
// $JOURNAL_STREAM made by `stream` from the pipe's write end.
std::string WrittenThroughPipe(std::string (*stream)(int fd)) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  std::string value = stream ? stream(fds[1]) : "";
  ScopedJournalStream env(stream ? &value : nullptr);
  Journal j(fds[1]);
  j.set_program("mmtest");
  j.Error("bad");
  j.Warning("careful");
  j.Info("fine");
  close(fds[1]);
  char buf[256];
  ssize_t n = read(fds[0], buf, sizeof buf);
  close(fds[0]);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

TEST(JournalTest, PrefixesPriorityWhenStderrIsTheJournal) {
  EXPECT_EQ(WrittenThroughPipe(DeviceAndInode),
            "<3>bad\n<4>careful\n<6>fine\n");
}

TEST(JournalTest, PlainLinesWithTheProgramNameElsewhere) {
  EXPECT_EQ(WrittenThroughPipe(nullptr),
            "mmtest: bad\nmmtest: careful\nmmtest: fine\n");
  // Inherited from a service into a pipe of its own: not the journal.
  EXPECT_EQ(WrittenThroughPipe([](int) { return std::string("1:2"); }),
            "mmtest: bad\nmmtest: careful\nmmtest: fine\n");
  EXPECT_EQ(WrittenThroughPipe([](int fd) { return DeviceAndInode(fd) + "x"; }),
            "mmtest: bad\nmmtest: careful\nmmtest: fine\n");
}

TEST(JournalTest, RequestValuesCannotStartASecondLine) {
  Journal j(-1);
  EXPECT_EQ(j.Format(Priority::kInfo, "a\nb\rc\x1b[31m"), "a b c [31m\n");
  EXPECT_EQ(OneLine("tab\tand\nnewline"), "tab and newline");
}

}  // namespace
}  // namespace mm
