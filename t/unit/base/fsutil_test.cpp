#include "base/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <string>
#include <utility>
#include <vector>

#include "base/paths.h"
#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

TEST(FsutilTest, ClosesOnceAndMovesOwnership) {
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

TEST(FsutilTest, WriteAllWritesMoreThanAPipeHoldsAtOnce) {
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

TEST(FsutilTest, WriteAllReportsFailureInErrno) {
  errno = 0;
  EXPECT_FALSE(WriteAll(-1, "x", 1));
  EXPECT_EQ(errno, EBADF);
}

using testing_support::ReadAll;
using testing_support::TempDir;

void Put(const std::string& path, const std::string& text) {
  std::string err;
  ASSERT_TRUE(CreateFileExclusive(path, text, 0600, &err)) << err;
}

TEST(FsutilTest, ClashNamesPutTheNumberBeforeTheExtension) {
  NameChooser names = ClashNames("20260101-000000-a.ini");
  EXPECT_EQ(names(0), "20260101-000000-a.ini");
  EXPECT_EQ(names(1), "20260101-000000-a-1.ini");
  EXPECT_EQ(names(12), "20260101-000000-a-12.ini");
  EXPECT_EQ(ClashName("notes", 2), "notes-2");
  EXPECT_EQ(ClashName(".hidden", 1), ".hidden-1");
}

TEST(FsutilTest, CreateFileExclusiveNeverReplacesAndSaysSo) {
  TempDir tmp;
  std::string err;
  Put(tmp / "f", "first");
  EXPECT_FALSE(CreateFileExclusive(tmp / "f", "second", 0600, &err));
  EXPECT_EQ(errno, EEXIST);
  EXPECT_THAT(err, HasSubstr("cannot create " + tmp / "f")) << err;
  EXPECT_EQ(ReadAll(tmp / "f"), "first");
}

TEST(FsutilTest, ReadFileNamesThePathOnFailure) {
  TempDir tmp;
  std::string text, err;
  EXPECT_FALSE(ReadFile(tmp / "missing", &text, &err));
  EXPECT_EQ(err, tmp / "missing" + ": No such file or directory");
  Put(tmp / "f", std::string(40000, 'y'));
  ASSERT_TRUE(ReadFile(tmp / "f", &text, &err)) << err;
  EXPECT_EQ(text, std::string(40000, 'y'));
}

// The race mmcleanup(1) had: a file that appears in the destination after
// the name was chosen (here: while the chooser is asked, i.e. right before
// the move) is never replaced; the move takes the next free name.
TEST(FsutilTest, MoveIntoDirNeverReplacesAFileThatAppearsMeanwhile) {
  TempDir tmp;
  std::string err, dest;
  ASSERT_TRUE(MakeDirs(tmp / "REJECTED", &err)) << err;
  Put(tmp / "job.ini", "later");
  std::vector<std::string> asked;
  NameChooser racing = [&](int attempt) {
    std::string name = ClashNames("job.ini")(attempt);
    asked.push_back(name);
    // Another process rejects a job of the same name at this very moment.
    if (attempt == 0) Put(tmp / "REJECTED/job.ini", "earlier");
    return name;
  };
  ASSERT_EQ(MoveIntoDir(tmp / "job.ini", tmp / "REJECTED", racing, &dest, &err),
            MoveResult::kMoved)
      << err;
  EXPECT_EQ(asked, (std::vector<std::string>{"job.ini", "job-1.ini"}));
  EXPECT_EQ(dest, tmp / "REJECTED/job-1.ini");
  EXPECT_EQ(ReadAll(tmp / "REJECTED/job.ini"), "earlier");
  EXPECT_EQ(ReadAll(tmp / "REJECTED/job-1.ini"), "later");
  EXPECT_NE(access((tmp / "job.ini").c_str(), F_OK), 0);
}

TEST(FsutilTest, MoveIntoDirOfAVanishedFileIsGone) {
  TempDir tmp;
  std::string err, dest;
  EXPECT_EQ(MoveIntoDir(tmp / "nothing.ini", tmp.path(), ClashNames("x.ini"),
                        &dest, &err),
            MoveResult::kGone);
}

TEST(FsutilTest, MoveNoReplaceRefusesATakenName) {
  TempDir tmp;
  std::string err;
  Put(tmp / "a", "a");
  Put(tmp / "b", "b");
  EXPECT_FALSE(MoveNoReplace(tmp / "a", tmp / "b", &err));
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(ReadAll(tmp / "b"), "b");
  EXPECT_TRUE(MoveNoReplace(tmp / "a", tmp / "c", &err)) << err;
  EXPECT_EQ(ReadAll(tmp / "c"), "a");
}

}  // namespace
}  // namespace mm
