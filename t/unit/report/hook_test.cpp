#include "report/hook.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using Lines = std::vector<std::string>;

class HookTest : public testing_support::ScratchDirTest {
 protected:
  // An executable hook script.
  HookOptions Hook(const std::string& body) {
    std::string path = dir_ + "/hook";
    std::ofstream(path) << "#!/bin/sh\n" << body;
    chmod(path.c_str(), 0755);
    HookOptions options;
    options.program = path;
    return options;
  }
  bool Run(const HookOptions& options, BuildEvent event,
           const std::vector<std::string>& env, Lines* lines,
           std::string* err) {
    return RunHook(
        options, event, env,
        [lines](const std::string& line) { lines->push_back(line); }, err);
  }
};

TEST_F(HookTest, GetsTheEventAndTheBuildVariablesWithoutArguments) {
  HookOptions hook = Hook(
      "echo \"$# $MIXMASTER_EVENT $MIXMASTER_PROJECT $MIXMASTER_TARGET\"\n"
      "echo \"to stderr\" >&2\n");
  Lines lines;
  std::string err;
  ASSERT_TRUE(Run(hook, BuildEvent::kStart,
                  {"MIXMASTER_PROJECT=org/repo", "MIXMASTER_TARGET=main"},
                  &lines, &err))
      << err;
  EXPECT_EQ(lines, (Lines{"0 job-start org/repo main", "to stderr"}));
  lines.clear();
  ASSERT_TRUE(Run(hook, BuildEvent::kFail, {"MIXMASTER_PROJECT=org/repo"},
                  &lines, &err));
  EXPECT_EQ(lines, (Lines{"0 job-fail org/repo ", "to stderr"}));
}

TEST_F(HookTest, TheCallerCannotChangeTheEvent) {
  HookOptions hook = Hook("echo \"$MIXMASTER_EVENT\"\n");
  Lines lines;
  std::string err;
  ASSERT_TRUE(
      Run(hook, BuildEvent::kEnd, {"MIXMASTER_EVENT=job-start"}, &lines, &err));
  EXPECT_EQ(lines, (Lines{"job-end"}));
}

TEST_F(HookTest, RequestValuesReachItOnlyAsData) {
  HookOptions hook = Hook("echo \"$MIXMASTER_TARGET\"\n");
  Lines lines;
  std::string err;
  ASSERT_TRUE(Run(hook, BuildEvent::kStart,
                  {"MIXMASTER_TARGET=$(touch " + dir_ + "/pwned);x"}, &lines,
                  &err))
      << err;
  EXPECT_EQ(lines, (Lines{"$(touch " + dir_ + "/pwned);x"}));
  EXPECT_NE(access((dir_ + "/pwned").c_str(), F_OK), 0);
}

TEST_F(HookTest, StdinIsEmpty) {
  HookOptions hook = Hook("cat\necho done\n");
  hook.timeout_seconds = 20;
  Lines lines;
  std::string err;
  ASSERT_TRUE(Run(hook, BuildEvent::kStart, {}, &lines, &err)) << err;
  EXPECT_EQ(lines, (Lines{"done"}));
}

TEST_F(HookTest, ReportsANonZeroExitAndKeepsItsOutput) {
  HookOptions hook = Hook("echo 'chat server unreachable'\nexit 3\n");
  Lines lines;
  std::string err;
  EXPECT_FALSE(Run(hook, BuildEvent::kEnd, {}, &lines, &err));
  EXPECT_EQ(err, "hook " + hook.program + " exited with status 3");
  EXPECT_EQ(lines, (Lines{"chat server unreachable"}));
}

TEST_F(HookTest, ReportsAMissingOrUnrunnableProgram) {
  HookOptions hook;
  hook.program = dir_ + "/missing-hook";
  Lines lines;
  std::string err;
  EXPECT_FALSE(Run(hook, BuildEvent::kStart, {}, &lines, &err));
  EXPECT_THAT(err, HasSubstr(hook.program)) << err;
  EXPECT_THAT(err, HasSubstr("No such file")) << err;

  std::string path = dir_ + "/not-executable";
  std::ofstream(path) << "#!/bin/sh\necho hi\n";
  hook.program = path;
  EXPECT_FALSE(Run(hook, BuildEvent::kStart, {}, &lines, &err));
  EXPECT_THAT(err, HasSubstr("Permission denied")) << err;
  EXPECT_TRUE(lines.empty());
}

TEST_F(HookTest, StopsAHookThatHangs) {
  HookOptions hook = Hook("echo started\nsleep 60\n");
  hook.timeout_seconds = 0.5;
  hook.kill_grace_seconds = 1;
  Lines lines;
  std::string err;
  EXPECT_FALSE(Run(hook, BuildEvent::kStart, {}, &lines, &err));
  EXPECT_THAT(err, HasSubstr("did not finish within 0.5 s")) << err;
  EXPECT_EQ(lines, (Lines{"started"}));
}

}  // namespace
}  // namespace mm
