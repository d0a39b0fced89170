#include "job/build_history.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <unistd.h>

#include <fstream>

#include "support/git_test_support.h"

namespace mm {
namespace {

using ::testing::HasSubstr;

using testing_support::TempDir;
using testing_support::WriteAll;

const char kHead[] =
    "[job]\nid = 20261125-1\nproject = acme/app\ntarget = main\n"
    "commit = abc\nbuildCommand = make <all>\nviewUrl = https://f/c\n"
    "message = two\\nlines\n\n"
    "[build]\npid = 1\nstarted = 2026-11-25T12:00:01Z\n\n[log]\n"
    "12:00:01 O status = fake\n";
const char kResult[] =
    "\n[result]\nstatus = failure\nexitCode = 2\n"
    "finished = 2026-11-25T12:00:05Z\nduration = 4.084\n";

TEST(BuildHistoryTest, NamesAreStrict) {
  EXPECT_TRUE(IsProjectDirName("acme-app.v2_x"));
  for (const char* bad :
       {"", ".", "..", ".hidden", "Acme", "a/b", "a%2fb", "a b"})
    EXPECT_FALSE(IsProjectDirName(bad)) << bad;
}

TEST(BuildHistoryTest, SummaryFromHeadAndTail) {
  BuildSummary s;
  ParseBuildSummary(kHead, std::string(kHead) + kResult, &s);
  EXPECT_EQ(s.project, "acme/app");
  EXPECT_EQ(s.target, "main");
  EXPECT_EQ(s.message, "two\nlines");
  EXPECT_EQ(s.build_command, "make <all>");
  EXPECT_EQ(s.started, "2026-11-25T12:00:01Z");
  EXPECT_EQ(s.status, "failure");  // not the log line's "fake"
  EXPECT_EQ(s.exit_code, "2");
  EXPECT_EQ(s.duration, "4.084");
  EXPECT_TRUE(s.complete());
  BuildSummary running;
  ParseBuildSummary(kHead, kHead, &running);
  EXPECT_EQ(running.status, "running");
  EXPECT_FALSE(running.complete());
}

TEST(BuildHistoryTest, LiveLogLimitFollowsTheBuildTimeoutUpToADay) {
  EXPECT_EQ(LiveLogSeconds(600), 660);
  EXPECT_EQ(LiveLogSeconds(24 * 3600 - 61), 24 * 3600 - 1);
  // No timeout, or one of a day or more: a day, which the bridge unit's
  // RuntimeMaxSec= (25 h) stays above.
  EXPECT_EQ(LiveLogSeconds(0), 24 * 3600);
  EXPECT_EQ(LiveLogSeconds(24 * 3600 - 60), 24 * 3600);
  EXPECT_EQ(LiveLogSeconds(7 * 24 * 3600), 24 * 3600);
  EXPECT_EQ(LiveLogSeconds(LONG_MAX), 24 * 3600);
}

TEST(BuildHistoryTest, ReadTailStartsAtALine) {
  TempDir tmp;
  WriteAll(tmp / "log", "first line\nsecond line\nthird\n");
  int fd = open((tmp / "log").c_str(), O_RDONLY);
  std::string text, err;
  bool cut;
  ASSERT_TRUE(ReadTail(fd, 10, &text, &cut, &err));
  EXPECT_TRUE(cut);
  EXPECT_EQ(text, "third\n");
  ASSERT_TRUE(ReadTail(fd, 1000, &text, &cut, &err));
  EXPECT_FALSE(cut);
  EXPECT_EQ(text, "first line\nsecond line\nthird\n");
  close(fd);
}

TEST(BuildHistoryTest, LogHasResultOnlyAtALineOfItsOwn) {
  TempDir tmp;
  auto has_result = [&tmp](const std::string& text) {
    WriteAll(tmp / "log", text);
    UniqueFd fd(open((tmp / "log").c_str(), O_RDONLY));
    return LogHasResult(fd.get());
  };
  EXPECT_TRUE(has_result(std::string(kHead) + kResult));
  EXPECT_FALSE(has_result(kHead));
  // The last 4 KiB start at "[result]" inside a line of build output: not
  // a section.
  std::string filler = "12:00:02 O " + std::string(4096 - 9 - 12, 'y') + "\n";
  EXPECT_FALSE(
      has_result(std::string(kHead) + "12:00:01 O [result]\n" + filler));
}

TEST(BuildHistoryTest, CopiesWhatIsNewPlainOrChunked) {
  TempDir tmp;
  WriteAll(tmp / "log", "abc\n");
  UniqueFd log(open((tmp / "log").c_str(), O_RDONLY));
  UniqueFd out(open((tmp / "out").c_str(), O_WRONLY | O_CREAT, 0600));
  off_t offset = 0;
  std::string err;
  ASSERT_TRUE(CopyNewLogBytes(log.get(), &offset, out.get(), false, &err));
  EXPECT_EQ(offset, 4);
  std::ofstream(tmp / "log", std::ios::app) << "defgh\n";
  ASSERT_TRUE(CopyNewLogBytes(log.get(), &offset, out.get(), true, &err));
  ASSERT_TRUE(CopyNewLogBytes(log.get(), &offset, out.get(), true, &err));
  EXPECT_EQ(offset, 10);
  EXPECT_EQ(testing_support::ReadAll(tmp / "out"), "abc\n6\r\ndefgh\n\r\n");
}

// The raw log and `mmbuild --follow` show the job's URLs without their
// credentials; the file keeps them for --rebuild.
TEST(BuildHistoryTest, CopiesTheJobSectionWithoutCredentials) {
  TempDir tmp;
  const std::string log_text =
      "[job]\nid = 1\nrepositoryUrl = https://me:s3cret@forge.example/r.git\n"
      "viewUrl = https://tok3n@forge.example/c\n\n[build]\npid = 1\n\n"
      "[log]\n12:00:01 O https://me:s3cret@x/ printed by the build\n";
  WriteAll(tmp / "log", log_text);
  UniqueFd log(open((tmp / "log").c_str(), O_RDONLY));
  UniqueFd out(open((tmp / "out").c_str(), O_WRONLY | O_CREAT, 0600));
  off_t offset = 0, size = 0;
  std::string err;
  ASSERT_TRUE(CopyNewLogBytes(log.get(), &offset, out.get(), false, &err));
  EXPECT_EQ(offset, static_cast<off_t>(log_text.size()));
  std::string shown = testing_support::ReadAll(tmp / "out");
  EXPECT_EQ(
      shown.substr(0, shown.find("[build]")),
      "[job]\nid = 1\nrepositoryUrl = https://me:***@forge.example/r.git\n"
      "viewUrl = https://***@forge.example/c\n\n");
  ASSERT_TRUE(ShownLogSize(log.get(), &size));
  EXPECT_EQ(size, static_cast<off_t>(shown.size()));
  EXPECT_NE(testing_support::ReadAll(tmp / "log").find("me:s3cret@forge"),
            std::string::npos);
}

// A stream that breaks says whether the log or the client failed: the
// journal line of the web view and the error of `mmbuild --follow`.
TEST(BuildHistoryTest, ACopyThatFailsSaysWhetherReadingOrWritingFailed) {
  TempDir tmp;
  WriteAll(tmp / "log", "abc\n");
  UniqueFd dir(open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY));
  UniqueFd out(open((tmp / "out").c_str(), O_WRONLY | O_CREAT, 0600));
  off_t offset = 0;
  std::string err;
  EXPECT_FALSE(CopyNewLogBytes(dir.get(), &offset, out.get(), false, &err));
  EXPECT_EQ(err, "cannot read the log: Is a directory");
  UniqueFd log(open((tmp / "log").c_str(), O_RDONLY));
  UniqueFd full(open("/dev/full", O_WRONLY));
  EXPECT_FALSE(CopyNewLogBytes(log.get(), &offset, full.get(), true, &err));
  EXPECT_EQ(err, "cannot write: No space left on device");
}

TEST(BuildHistoryTest, ListsNewestFirstAndNeverFollowsSymlinks) {
  TempDir tmp;
  std::string jobs = tmp / "acme-app/JOBS";
  testing_support::Sh("mkdir -p " + jobs + " " + (tmp / "outside/JOBS") + " " +
                      (tmp / "nojobs"));
  WriteAll(jobs + "/20261125-1.log", std::string(kHead) + kResult);
  WriteAll(jobs + "/20261125-2.log", kHead);
  WriteAll(jobs + "/main.lock", "");
  WriteAll(tmp / "outside/JOBS/x.log", kHead);
  ASSERT_EQ(symlink((tmp / "outside").c_str(), (tmp / "linked").c_str()), 0);
  ASSERT_EQ(symlink((tmp / "outside/JOBS/x.log").c_str(),
                    (jobs + "/20261125-3.log").c_str()),
            0);

  BuildHistory history;
  std::string err;
  ASSERT_TRUE(history.Open(tmp.path(), &err)) << err;
  std::vector<std::string> dirs, ids;
  ASSERT_TRUE(history.ListProjects(&dirs, &err));
  EXPECT_EQ(dirs, std::vector<std::string>({"acme-app", "outside"}));
  bool missing;
  ASSERT_TRUE(history.ListJobs("acme-app", &ids, &missing, &err));
  EXPECT_EQ(ids, std::vector<std::string>(
                     {"20261125-3", "20261125-2", "20261125-1"}));
  // Listed again (the JOBS/ directory stays open): the same.
  ASSERT_TRUE(history.ListJobs("acme-app", &ids, &missing, &err));
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_FALSE(history.ListJobs("linked", &ids, &missing, &err));
  EXPECT_TRUE(missing);
  EXPECT_FALSE(history.ListJobs("..", &ids, &missing, &err));
  EXPECT_FALSE(history.OpenLog("acme-app", "20261125-3").ok());
  EXPECT_FALSE(history.OpenLog("linked", "x").ok());
  EXPECT_TRUE(history.OpenLog("acme-app", "20261125-1").ok());

  BuildSummary s;
  ASSERT_TRUE(history.ReadSummary("acme-app", "20261125-2", &s));
  EXPECT_EQ(s.status, "running");
  EXPECT_EQ(s.id, "20261125-2");
  EXPECT_EQ(s.project_dir, "acme-app");
  UniqueFd log = history.OpenLog("acme-app", "20261125-1");
  ASSERT_TRUE(
      BuildHistory::ReadSummary(log.get(), "acme-app", "20261125-1", &s));
  EXPECT_EQ(s.status, "failure");
  EXPECT_EQ(s.id, "20261125-1");
}

TEST(BuildHistoryTest, FindsABuildByIdUniquePrefixOrLast) {
  TempDir tmp;
  testing_support::Sh("mkdir -p " + (tmp / "acme-app/JOBS") + " " +
                      (tmp / "other/JOBS"));
  for (const char* name : {"acme-app/JOBS/20261125-120000-1.log",
                           "acme-app/JOBS/20261125-130000-2.log",
                           "acme-app/JOBS/20261125-130000-25.log",
                           "other/JOBS/20261124-090000-3.log"})
    WriteAll(tmp / name, kHead);
  BuildHistory history;
  std::string err, dir, id;
  ASSERT_TRUE(history.Open(tmp.path(), &err)) << err;
  auto find = [&](const std::string& name, const std::string& in) {
    dir = id = err = "";
    return history.FindBuild(name, in, &dir, &id, &err);
  };
  ASSERT_TRUE(find("20261125-120000-1", "")) << err;
  EXPECT_EQ(dir + " " + id, "acme-app 20261125-120000-1");
  ASSERT_TRUE(find("20261124", "")) << err;
  EXPECT_EQ(dir + " " + id, "other 20261124-090000-3");
  // An exact id wins over the longer ids it starts.
  ASSERT_TRUE(find("20261125-130000-2", "")) << err;
  EXPECT_EQ(id, "20261125-130000-2");
  EXPECT_FALSE(find("20261125-13", ""));
  EXPECT_EQ(err,
            "id 20261125-13 is ambiguous: 2 builds start with it "
            "(20261125-130000-25, 20261125-130000-2)");
  EXPECT_FALSE(find("2026", "acme-app"));
  EXPECT_THAT(err, HasSubstr("3 builds of acme-app start with it")) << err;
  EXPECT_FALSE(find("nope", ""));
  EXPECT_EQ(err, "no build log with id nope");
  EXPECT_FALSE(find("../x", ""));
  EXPECT_FALSE(find("", ""));
  ASSERT_TRUE(find("last", "")) << err;
  EXPECT_EQ(dir + " " + id, "acme-app 20261125-130000-25");
  ASSERT_TRUE(find("last", "other")) << err;
  EXPECT_EQ(id, "20261124-090000-3");
  EXPECT_FALSE(find("last", "none"));
  EXPECT_EQ(err, "no build of none");
}

TEST(BuildHistoryTest, ABuildRootNotYetMadeHasNoBuilds) {
  TempDir tmp;
  BuildHistory history;
  std::string err;
  ASSERT_TRUE(history.Open(tmp / "not-yet", &err)) << err;
  std::vector<std::string> dirs, ids;
  ASSERT_TRUE(history.ListProjects(&dirs, &err));
  EXPECT_TRUE(dirs.empty());
  bool missing = false;
  EXPECT_FALSE(history.ListJobs("acme-app", &ids, &missing, &err));
  EXPECT_TRUE(missing);
  EXPECT_FALSE(history.OpenLog("acme-app", "1").ok());
  std::string dir, id;
  EXPECT_FALSE(history.FindBuild("last", "", &dir, &id, &err));
  EXPECT_EQ(err, "no build");
}

}  // namespace
}  // namespace mm
