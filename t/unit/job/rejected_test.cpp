#include "job/rejected.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "base/paths.h"
#include "job/job.h"
#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::ReadAll;

const char kJob[] =
    "[job]\nid = 20260101-000000-a\nscm = git\nproject = a/b\n"
    "repositoryUrl = /r\ntarget = main\n";

struct timespec At(time_t seconds) {
  struct timespec t = {seconds, 0};
  return t;
}

TEST(RejectedTest, TheNoteIsCommentLinesOnTopAndTheJobStillReads) {
  testing_support::TempDir dir;
  std::string path = JoinPath(dir.path(), "20260101-000000-a.ini");
  std::ofstream(path) << kJob;
  chmod(path.c_str(), 0600);
  std::string err;
  ASSERT_TRUE(NoteRejection(path, "mmbuild", "bad\nthing", At(0), &err)) << err;
  std::string text = ReadAll(path);
  EXPECT_EQ(text,
            "# Rejected by mmbuild at 1970-01-01T00:00:00Z: bad thing\n"
            "# Fix the cause, then move this file back into the spool to "
            "build it.\n" +
                std::string(kJob));
  Job job;
  ASSERT_TRUE(DecodeJob(text, path, &job, &err)) << err;
  EXPECT_EQ(job.id, "20260101-000000-a");
  EXPECT_EQ(job.target, "main");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_FALSE(testing_support::Exists(
      JoinPath(dir.path(), ".20260101-000000-a.ini.note")));
}

TEST(RejectedTest, AJobThatCannotBeReadIsLeftAsItWas) {
  testing_support::TempDir dir;
  std::string err;
  EXPECT_FALSE(NoteRejection(JoinPath(dir.path(), "gone.ini"), "mmbuild", "x",
                             At(0), &err));
  EXPECT_THAT(err, HasSubstr("gone.ini")) << err;
}

}  // namespace
}  // namespace mm
