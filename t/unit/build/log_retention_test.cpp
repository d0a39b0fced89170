#include "build/log_retention.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/git_test_support.h"

namespace mm {
namespace {

using testing_support::Exists;
using testing_support::JobText;
using testing_support::Sh;
using testing_support::TempDir;
using testing_support::WriteAll;

using Names = std::vector<std::string>;

// The summary BuildHistory reads of a log with this text (head and tail).
BuildSummary SummaryOf(const std::string& id, const std::string& text) {
  BuildSummary summary;
  summary.id = id;
  ParseBuildSummary(text, text, &summary);
  return summary;
}

LogFacts Finished(const std::string& name, const std::string& target,
                  bool success) {
  return LogFacts{name, target, true, success};
}

TEST(LogRetentionTest, KeepsTheNewestByNameAndNothingWhenZero) {
  std::vector<LogFacts> logs = {
      Finished("3.log", "main", false), Finished("1.log", "main", false),
      Finished("4.log", "main", false), Finished("2.log", "main", false)};
  EXPECT_EQ(LogsToRemove(logs, 2), (Names{"1.log", "2.log"}));
  EXPECT_EQ(LogsToRemove(logs, 4), Names{});
  EXPECT_EQ(LogsToRemove(logs, 9), Names{});
  EXPECT_EQ(LogsToRemove(logs, 0), Names{});
}

TEST(LogRetentionTest, NeverRemovesARunningLogNorATargetsLastSuccess) {
  std::vector<LogFacts> logs = {
      Finished("1.log", "main", true),          // an older success of main
      Finished("2.log", "docs", true),          // the last success of docs
      LogFacts{"3.log", "main", false, false},  // running: not counted
      Finished("4.log", "main", true),          // the last success of main
      Finished("5.log", "main", false),
  };
  EXPECT_EQ(LogsToRemove(logs, 1), (Names{"1.log"}));
  // The newest of all is a success: nothing else is kept for main.
  logs.push_back(Finished("6.log", "main", true));
  EXPECT_EQ(LogsToRemove(logs, 1), (Names{"1.log", "4.log", "5.log"}));
}

TEST(LogRetentionTest, ReadsTargetAndResultOfALog) {
  LogFacts facts;
  std::string running =
      JobText("1") + "\n[build]\npid = 1\n\n[log]\n" + "12:00:00 O [result]\n";
  ASSERT_TRUE(ReadLogFacts(SummaryOf("1", running), &facts));
  EXPECT_EQ(facts.name, "1.log");
  EXPECT_EQ(facts.target, "main");
  EXPECT_FALSE(facts.finished);
  ASSERT_TRUE(ReadLogFacts(
      SummaryOf("1", running + "\n[result]\nstatus = success\nexitCode = 0\n"),
      &facts));
  EXPECT_TRUE(facts.finished);
  EXPECT_TRUE(facts.success);
  ASSERT_TRUE(ReadLogFacts(
      SummaryOf("1", running + "\n[result]\nstatus = superseded\n"), &facts));
  EXPECT_TRUE(facts.finished);
  EXPECT_FALSE(facts.success);
  EXPECT_FALSE(ReadLogFacts(SummaryOf("x", "not a job\n"), &facts));
}

TEST(LogRetentionTest, PrunesOnlyFinishedLogsOfTheProject) {
  TempDir tmp;
  std::string jobs = tmp / "acme-app/JOBS";
  Sh("mkdir -p " + jobs);
  const std::string done = "\n[result]\nstatus = failure\n";
  for (const char* id : {"1", "2", "3"})
    WriteAll(jobs + "/" + id + ".log", JobText(id) + done);
  WriteAll(jobs + "/4.log", JobText("4"));  // running
  WriteAll(jobs + "/junk.log", "not a job\n");
  WriteAll(jobs + "/main.lock", "");
  Sh("ln -s 1.log " + jobs + "/link.log");
  std::vector<std::string> removed;
  std::string err;
  ASSERT_TRUE(PruneLogs(tmp.path(), "acme-app", 1, &removed, &err)) << err;
  EXPECT_EQ(removed, (Names{"1.log", "2.log"}));
  EXPECT_EQ(Sh("ls " + jobs), "3.log\n4.log\njunk.log\nlink.log\nmain.lock");
  // keepBuilds = 0 and a project without logs: nothing to do.
  ASSERT_TRUE(PruneLogs(tmp.path(), "acme-app", 0, &removed, &err)) << err;
  ASSERT_TRUE(PruneLogs(tmp.path(), "other", 1, &removed, &err)) << err;
  EXPECT_TRUE(removed.empty());
  EXPECT_FALSE(Exists(tmp / "other"));
}

TEST(LogRetentionTest, JudgesALongLogByItsHeadAndTail) {
  TempDir tmp;
  std::string jobs = tmp / "acme-app/JOBS";
  Sh("mkdir -p " + jobs);
  std::string output;
  for (int i = 0; i < 20000; ++i) output += "12:00:00 O a line of output\n";
  const std::string log = "\n[build]\npid = 1\n\n[log]\n" + output;
  WriteAll(jobs + "/1.log",
           JobText("1") + log + "\n[result]\nstatus = success\n");
  WriteAll(jobs + "/2.log",
           JobText("2") + log + "\n[result]\nstatus = failure\n");
  WriteAll(jobs + "/3.log", JobText("3") + log);  // running
  std::vector<std::string> removed;
  std::string err;
  ASSERT_TRUE(PruneLogs(tmp.path(), "acme-app", 1, &removed, &err)) << err;
  // 1 is the last success of main, 3 still runs.
  EXPECT_EQ(removed, Names{});
  WriteAll(jobs + "/4.log",
           JobText("4") + log + "\n[result]\nstatus = success\n");
  ASSERT_TRUE(PruneLogs(tmp.path(), "acme-app", 1, &removed, &err)) << err;
  EXPECT_EQ(removed, (Names{"1.log", "2.log"}));
}

}  // namespace
}  // namespace mm
