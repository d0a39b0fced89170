#include "job/queued_jobs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/git_test_support.h"

namespace mm {
namespace {

using testing_support::TempDir;
using testing_support::WriteAll;

std::string JobText(const std::string& project, const std::string& target) {
  return "[job]\nid = x\nreceived = 2026-11-25T12:00:00Z\nscm = git\n"
         "project = " +
         project + "\nrepositoryUrl = /srv/r.git\ntarget = " + target +
         "\ncommit = 0123abc\nmessage = Fix it\\n\\nbody\npusher = ada\n";
}

// mmbuild(1) BUILD HISTORY: each job of the spool with its place in the
// order mmbuild takes them, oldest (first by name) first.
TEST(QueuedJobsTest, ListsTheSpoolInTheOrderMmbuildTakesIt) {
  TempDir tmp;
  WriteAll(tmp / "20261125-2.ini", JobText("acme/app", "main"));
  WriteAll(tmp / "20261125-1.ini", JobText("other/lib", "dev"));
  WriteAll(tmp / "20261125-3.ini", JobText("acme/app", "next"));
  WriteAll(tmp / "20261125-0.tmp", JobText("acme/app", "half-written"));
  WriteAll(tmp / ".20261125-0.ini", JobText("acme/app", "hidden"));
  std::vector<BuildSummary> queued;
  std::string err;
  ASSERT_TRUE(ListQueuedJobs(tmp.path(), "", 0, &queued, nullptr, &err)) << err;
  ASSERT_EQ(queued.size(), 3u);
  EXPECT_EQ(queued[0].id, "20261125-1");
  EXPECT_EQ(queued[0].project_dir, "other-lib");
  EXPECT_EQ(queued[0].queue_position, 1);
  EXPECT_EQ(queued[1].id, "20261125-2");
  EXPECT_EQ(queued[1].status, "queued");
  EXPECT_FALSE(queued[1].complete());
  EXPECT_EQ(queued[1].target, "main");
  EXPECT_EQ(queued[1].subject(), "Fix it");
  EXPECT_EQ(queued[1].pusher, "ada");
  EXPECT_EQ(queued[1].received, "2026-11-25T12:00:00Z");
  EXPECT_EQ(queued[2].queue_position, 3);
  // One project's: its places stay those of the whole queue.
  ASSERT_TRUE(
      ListQueuedJobs(tmp.path(), "acme-app", 0, &queued, nullptr, &err));
  ASSERT_EQ(queued.size(), 2u);
  EXPECT_EQ(queued[0].queue_position, 2);
  EXPECT_EQ(queued[1].queue_position, 3);
}

TEST(QueuedJobsTest, NoSpoolIsNoJobAndNoJobFileIsLeftOut) {
  TempDir tmp;
  std::vector<BuildSummary> queued;
  std::string err;
  ASSERT_TRUE(ListQueuedJobs(tmp / "missing", "", 0, &queued, nullptr, &err))
      << err;
  EXPECT_TRUE(queued.empty());
  WriteAll(tmp / "20261125-1.ini", "not a job\n");
  WriteAll(tmp / "20261125-2.ini", JobText("acme/app", "main"));
  ASSERT_TRUE(ListQueuedJobs(tmp.path(), "", 0, &queued, nullptr, &err)) << err;
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].queue_position, 2);
}

// A limit lists the first jobs only, and says whether one of the project's
// waits after them: the web view's lists (mmbridge(1) WEB VIEW).
TEST(QueuedJobsTest, ALimitListsTheFirstAndSaysWhetherMoreWait) {
  TempDir tmp;
  WriteAll(tmp / "20261125-1.ini", JobText("acme/app", "main"));
  WriteAll(tmp / "20261125-2.ini", JobText("other/lib", "dev"));
  WriteAll(tmp / "20261125-3.ini", JobText("acme/app", "next"));
  WriteAll(tmp / "20261125-4.ini", JobText("other/lib", "main"));
  std::vector<BuildSummary> queued;
  bool more = false;
  std::string err;
  ASSERT_TRUE(ListQueuedJobs(tmp.path(), "", 2, &queued, &more, &err)) << err;
  ASSERT_EQ(queued.size(), 2u);
  EXPECT_EQ(queued[1].id, "20261125-2");
  EXPECT_TRUE(more);
  ASSERT_TRUE(ListQueuedJobs(tmp.path(), "", 4, &queued, &more, &err));
  EXPECT_EQ(queued.size(), 4u);
  EXPECT_FALSE(more);
  // Only the project's jobs count, before and after the limit.
  ASSERT_TRUE(ListQueuedJobs(tmp.path(), "acme-app", 1, &queued, &more, &err));
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].id, "20261125-1");
  EXPECT_TRUE(more);
  ASSERT_TRUE(ListQueuedJobs(tmp.path(), "acme-app", 2, &queued, &more, &err));
  ASSERT_EQ(queued.size(), 2u);
  EXPECT_EQ(queued[1].queue_position, 3);
  EXPECT_FALSE(more);
}

}  // namespace
}  // namespace mm
