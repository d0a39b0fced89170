#include "job/spool_writer.h"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/ini.h"
#include "job/job.h"
#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) return names;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  return names;
}

Job SampleJob(const std::string& id) {
  Job job;
  job.id = id;
  job.received = "2026-11-25T12:00:00Z";
  job.endpoint = "/";
  job.scm = "git";
  job.project = "o/r";
  job.repository_url = "git@example.com:o/r.git";
  job.target = "main";
  job.commit = "abc";
  job.build_command = "make";
  job.message = "line one\nline two";
  job.notifications = "all";
  job.mode = "normal";
  return job;
}

// Each case runs with O_TMPFILE and with the rename fallback.
class SpoolWriterTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    root_ = tmp_.path();
    spool_ = root_ + "/INBOX";
    ASSERT_EQ(mkdir(spool_.c_str(), 0700), 0);
  }
  testing_support::TempDir tmp_;
  SpoolWriter Writer(const std::string& dir) {
    SpoolWriter w(dir);
    w.set_use_tmpfile(GetParam());
    return w;
  }

  std::string root_;
  std::string spool_;
};

TEST_P(SpoolWriterTest, WritesACompleteJobUnderItsId) {
  Job job = SampleJob("20261125-120000-1");
  std::string path, err;
  int calls = 0;
  ASSERT_TRUE(Writer(spool_).Write(
      &job, [&] { return "fresh-" + std::to_string(++calls); }, &path, &err))
      << err;
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(path, spool_ + "/20261125-120000-1.ini");
  std::string text;
  ASSERT_TRUE(ReadFile(path, &text, &err)) << err;
  EXPECT_EQ(text, EncodeJob(job));
  Job back;
  ASSERT_TRUE(DecodeJob(text, path, &back, &err)) << err;
  EXPECT_EQ(back.message, "line one\nline two");
  // Nothing else in the spool, and nothing left beside it.
  EXPECT_EQ(List(spool_), std::vector<std::string>{"20261125-120000-1.ini"});
  EXPECT_EQ(List(root_), std::vector<std::string>{"INBOX"});
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);  // the job holds the build command
}

TEST_P(SpoolWriterTest, TakenNameGetsANewIdAndLeavesTheOldFileAlone) {
  std::string taken = spool_ + "/same.ini";
  FILE* f = fopen(taken.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("someone else's job\n", f);
  fclose(f);
  Job job = SampleJob("same");
  std::string path, err;
  ASSERT_TRUE(Writer(spool_).Write(
      &job, [] { return std::string("other"); }, &path, &err))
      << err;
  EXPECT_EQ(job.id, "other");
  EXPECT_EQ(path, spool_ + "/other.ini");
  std::string text;
  ASSERT_TRUE(ReadFile(path, &text, &err));
  EXPECT_THAT(text, HasSubstr("id = other\n"));  // id matches name
  ASSERT_TRUE(ReadFile(taken, &text, &err));
  EXPECT_EQ(text, "someone else's job\n");
}

TEST_P(SpoolWriterTest, MissingSpoolIsAnErrorAndCreatesNothing) {
  Job job = SampleJob("x");
  std::string path, err;
  EXPECT_FALSE(Writer(spool_ + "/nope")
                   .Write(
                       &job, [] { return std::string("y"); }, &path, &err));
  EXPECT_EQ(err, "spool " + spool_ +
                     "/nope is not writable: No such file or directory");
  EXPECT_TRUE(List(spool_).empty());
}

TEST_P(SpoolWriterTest, SpoolThatIsAFileIsAnError) {
  std::string file = root_ + "/file";
  FILE* f = fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  Job job = SampleJob("x");
  std::string path, err;
  EXPECT_FALSE(Writer(file).Write(
      &job, [] { return std::string("y"); }, &path, &err));
  EXPECT_EQ(err, "spool " + file + " is not writable: not a directory");
}

TEST_P(SpoolWriterTest, UnsafeIdIsReplaced) {
  Job job = SampleJob("../escape");
  std::string path, err;
  ASSERT_TRUE(Writer(spool_).Write(
      &job, [] { return std::string("safe"); }, &path, &err))
      << err;
  EXPECT_EQ(path, spool_ + "/safe.ini");
  EXPECT_EQ(List(root_).size(), 1u);
}

TEST_P(SpoolWriterTest, ManyWritersAtOnceNeverShareAName) {
  // Every writer starts from the same id, so each name is contended.
  constexpr int kThreads = 8, kJobs = 40;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      SpoolWriter w = Writer(spool_);
      for (int i = 0; i < kJobs; ++i) {
        Job job = SampleJob("contended");
        job.message =
            "thread " + std::to_string(t) + " job " + std::to_string(i);
        std::string path;
        if (!w.Write(
                &job,
                [] {
                  struct timespec n;
                  clock_gettime(CLOCK_REALTIME, &n);
                  return NewJobId(n);
                },
                &path, &errors[t]))
          return;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");
  std::vector<std::string> names = List(spool_);
  ASSERT_EQ(names.size(), static_cast<size_t>(kThreads * kJobs));
  std::set<std::string> messages;
  for (const std::string& name : names) {
    std::string text, err;
    Job job;
    ASSERT_TRUE(ReadFile(spool_ + "/" + name, &text, &err));
    ASSERT_TRUE(DecodeJob(text, name, &job, &err)) << err;
    EXPECT_EQ(job.id + ".ini", name);
    messages.insert(job.message);
  }
  EXPECT_EQ(messages.size(), static_cast<size_t>(kThreads * kJobs));
}

INSTANTIATE_TEST_SUITE_P(Modes, SpoolWriterTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Tmpfile" : "RenameFallback";
                         });

}  // namespace
}  // namespace mm
