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

TEST(RejectedTest, TheNoteIsCommentLinesAtTheEndAndTheJobStillReads) {
  testing_support::TempDir dir;
  std::string path = JoinPath(dir.path(), "20260101-000000-a.ini");
  std::ofstream(path) << kJob;
  chmod(path.c_str(), 0600);
  std::string err;
  struct stat before;
  ASSERT_EQ(stat(path.c_str(), &before), 0);
  ASSERT_TRUE(NoteRejection(path, "mmbuild", "bad\nthing", At(0), &err)) << err;
  std::string text = ReadAll(path);
  EXPECT_EQ(text, std::string(kJob) +
                      "# Rejected by mmbuild at 1970-01-01T00:00:00Z: bad "
                      "thing\n"
                      "# Fix the cause, then move this file back into the "
                      "spool to build it.\n");
  Job job;
  ASSERT_TRUE(DecodeJob(text, path, &job, &err)) << err;
  EXPECT_EQ(job.id, "20260101-000000-a");
  EXPECT_EQ(job.target, "main");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  // Written in place: the same file, no temporary one beside it, so that
  // the note can be added while the job is still in the spool, under its
  // lock (job/rejected.h).
  EXPECT_EQ(st.st_ino, before.st_ino);
  EXPECT_EQ(testing_support::Sh("ls -A " + testing_support::Quote(dir.path())),
            "20260101-000000-a.ini");
}

TEST(RejectedTest, AJobWithoutItsLastNewlineGetsOneBeforeTheNote) {
  testing_support::TempDir dir;
  std::string path = JoinPath(dir.path(), "x.ini");
  std::ofstream(path) << "garbage";
  std::string err;
  ASSERT_TRUE(NoteRejection(path, "mmcleanup", "why", At(0), &err)) << err;
  EXPECT_EQ(ReadAll(path),
            "garbage\n# Rejected by mmcleanup at 1970-01-01T00:00:00Z: why\n"
            "# Fix the cause, then move this file back into the spool to "
            "build it.\n");
}

TEST(RejectedTest, AJobThatCannotBeReadIsLeftAsItWas) {
  testing_support::TempDir dir;
  std::string err;
  EXPECT_FALSE(NoteRejection(JoinPath(dir.path(), "gone.ini"), "mmbuild", "x",
                             At(0), &err));
  EXPECT_THAT(err, HasSubstr("gone.ini")) << err;
}

TEST(RejectedTest, WhatIsNotAJobGetsOneLineBesideIt) {
  testing_support::TempDir dir;
  std::string path = JoinPath(dir.path(), "notes.txt");
  std::ofstream(path) << "mine";
  std::string err;
  ASSERT_TRUE(
      WriteRejectionNoteBeside(path, "mmcleanup", "not\na job", At(0), &err))
      << err;
  EXPECT_EQ(ReadAll(path + ".why"),
            "# Rejected by mmcleanup at 1970-01-01T00:00:00Z: not a job\n");
  EXPECT_EQ(ReadAll(path), "mine");
  // A file of that name in REJECTED/ is never replaced.
  EXPECT_FALSE(
      WriteRejectionNoteBeside(path, "mmcleanup", "again", At(1), &err));
  EXPECT_THAT(ReadAll(path + ".why"), HasSubstr("not a job"));
}

TEST(RejectedTest, ARunnableJobIsDecodedAloneWithAConfiguredProject) {
  Config config;
  config.projects.push_back(Project{"a/b", {{"main", "make"}}});
  Job job;
  std::string err;
  ASSERT_TRUE(ReadRunnableJob(kJob, "x.ini", config, false, &job, &err)) << err;
  EXPECT_EQ(job.project, "a/b");
  EXPECT_FALSE(ReadRunnableJob(std::string(kJob) + "[log]\n", "x.ini", config,
                               false, &job, &err));
  EXPECT_EQ(err, "x.ini: a job file holds one [job] section and nothing after");
  EXPECT_TRUE(ReadRunnableJob(std::string(kJob) + "[log]\n", "x.ini", config,
                              true, &job, &err))
      << err;
  config.projects.clear();
  EXPECT_FALSE(ReadRunnableJob(kJob, "x.ini", config, false, &job, &err));
  EXPECT_EQ(err, "x.ini: unknown project a/b");
  EXPECT_FALSE(ReadRunnableJob("[job]\n", "x.ini", config, false, &job, &err));
  EXPECT_THAT(err, HasSubstr("x.ini")) << err;
}

}  // namespace
}  // namespace mm
