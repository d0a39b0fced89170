#include "build/launcher.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "support/git_test_support.h"

namespace mm {
namespace {

using Lines = std::vector<std::pair<char, std::string>>;
using testing_support::ReadAll;
using testing_support::WriteAll;

class LauncherTest : public testing_support::ScratchDirTest {
 protected:
  // A launcher script at dir_/name with `body`, and its path.
  std::string Script(const std::string& name, const std::string& body) {
    std::string path = dir_ + "/" + name;
    WriteAll(path, "#!/bin/sh\n" + body);
    chmod(path.c_str(), 0755);
    return path;
  }

  CommandLaunch Launch(const std::string& launcher,
                       const std::string& command) {
    CommandLaunch launch;
    launch.launcher = launcher;
    launch.command = command;
    launch.env = {"MIXMASTER_JOB=j1"};
    launch.workspace = dir_;
    launch.timeout_seconds = 30;
    return launch;
  }

  Lines Run(const CommandLaunch& launch, LaunchResult* result) {
    Lines lines;
    std::string err;
    EXPECT_TRUE(LaunchCommand(
        launch, [&](char s, const std::string& l) { lines.emplace_back(s, l); },
        result, &err))
        << err;
    return lines;
  }
};

TEST_F(LauncherTest, WithoutALauncherTheCommandRunsHereThroughSh) {
  LaunchResult result;
  Lines lines = Run(Launch("",
                           "echo \"$PWD $MIXMASTER_JOB $MIXMASTER_TIMEOUT\";"
                           " echo e >&2; exit 3"),
                    &result);
  EXPECT_EQ(lines, (Lines{{'O', dir_ + " j1 30"}, {'!', "e"}}));
  EXPECT_EQ(result.end, LaunchEnd::kExited);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_FALSE(result.stop_needed);
  Run(Launch("", "kill -SEGV $$"), &result);
  EXPECT_EQ(result.end, LaunchEnd::kSignaled);
  EXPECT_EQ(result.exit_code, 128 + SIGSEGV);
  EXPECT_FALSE(result.stop_needed);
}

TEST_F(LauncherTest, ALauncherGetsItsWordsThenDashCAndTheCommand) {
  std::string launcher =
      Script("launcher",
             "printf '%s|' \"$@\"; echo \"$PWD $MIXMASTER_JOB\"\n"
             "exit 4\n");
  LaunchResult result;
  Lines lines =
      Run(Launch(" " + launcher + "  --to  b\t1 ", "make 'a b'"), &result);
  EXPECT_EQ(lines, (Lines{{'O', "--to|b|1|-c|make 'a b'|" + dir_ + " j1"}}));
  EXPECT_EQ(result.end, LaunchEnd::kExited);
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_FALSE(result.stop_needed);
}

TEST_F(LauncherTest, ExitStatus125IsALauncherThatCouldNotRunTheBuild) {
  LaunchResult result;
  Run(Launch(Script("launcher", "exit 125\n"), "true"), &result);
  EXPECT_EQ(result.end, LaunchEnd::kCannotRun);
  EXPECT_EQ(result.exit_code, 125);
  EXPECT_TRUE(result.stop_needed);
  // Here, 125 is the command's own.
  Run(Launch("", "exit 125"), &result);
  EXPECT_EQ(result.end, LaunchEnd::kExited);
  EXPECT_FALSE(result.stop_needed);
}

TEST_F(LauncherTest, ALauncherKilledByASignalNotSentHereIsNoBuildResult) {
  LaunchResult result;
  Run(Launch(Script("launcher", "kill -9 $$\n"), "true"), &result);
  EXPECT_EQ(result.end, LaunchEnd::kLauncherKilled);
  EXPECT_EQ(result.term_signal, SIGKILL);
  EXPECT_TRUE(result.stop_needed);
}

// On a timeout the launcher alone gets TERM (a helper of its group, such as
// srun, must not); it stops the build elsewhere itself.
TEST_F(LauncherTest, ATimeoutSendsTermToTheLauncherAlone) {
  std::string launcher =
      Script("launcher",
             "sh -c 'trap \"echo helper got TERM\" TERM; sleep 600 & wait' &\n"
             "trap 'echo launcher got TERM; kill -KILL $!; exit 143' TERM\n"
             "echo running; sleep 600 & wait\n");
  CommandLaunch launch = Launch(launcher, "true");
  launch.timeout_seconds = 1;
  launch.kill_grace_seconds = 5;
  LaunchResult result;
  Lines lines = Run(launch, &result);
  EXPECT_EQ(lines, (Lines{{'O', "running"}, {'O', "launcher got TERM"}}));
  EXPECT_EQ(result.end, LaunchEnd::kTimedOut);
  EXPECT_EQ(result.exit_code, 143);
  EXPECT_TRUE(result.stop_needed);
}

TEST_F(LauncherTest, AStopRequestIsAStopAndNeedsTheLaunchersStop) {
  volatile sig_atomic_t stop = 0;
  CommandLaunch launch =
      Launch(Script("launcher", "echo ready; exec sleep 600\n"), "true");
  launch.stop_requested = &stop;
  LaunchResult result;
  std::string err;
  ASSERT_TRUE(LaunchCommand(
      launch, [&](char, const std::string&) { stop = 1; }, &result, &err));
  EXPECT_EQ(result.end, LaunchEnd::kStopped);
  EXPECT_TRUE(result.stop_needed);
}

TEST_F(LauncherTest, ALauncherThatCannotStartIsAnError) {
  LaunchResult result;
  std::string err;
  EXPECT_FALSE(LaunchCommand(
      Launch(dir_ + "/no-such-launcher", "true"),
      [](char, const std::string&) {}, &result, &err));
  EXPECT_NE(err.find("no-such-launcher"), std::string::npos) << err;
}

TEST_F(LauncherTest, StopRunsTheWordsWithDashDashStopInTheWorkspace) {
  std::string launcher = Script(
      "launcher", "echo \"$* $PWD $MIXMASTER_JOB $MIXMASTER_TIMEOUT\"\n");
  Lines lines;
  auto sink = [&](char s, const std::string& l) { lines.emplace_back(s, l); };
  std::string err;
  EXPECT_TRUE(
      StopLaunched(launcher + " b", {"MIXMASTER_JOB=j1"}, dir_, 30, sink, &err))
      << err;
  EXPECT_EQ(lines, (Lines{{'O', "b --stop " + dir_ + " j1 30"}}));
  // A workspace that is gone: where mmbuild is.
  lines.clear();
  char here[4096];
  ASSERT_NE(getcwd(here, sizeof here), nullptr);
  EXPECT_TRUE(StopLaunched(launcher, {}, dir_ + "/gone", 0, sink, &err));
  EXPECT_EQ(lines, (Lines{{'O', "--stop " + std::string(here) + "  0"}}));
}

TEST_F(LauncherTest, AStopThatFailsSaysSo) {
  std::string err;
  auto sink = [](char, const std::string&) {};
  EXPECT_FALSE(
      StopLaunched(Script("launcher", "exit 2\n"), {}, dir_, 0, sink, &err));
  EXPECT_EQ(err, dir_ + "/launcher --stop exited with status 2");
  // Nothing to stop for a build here.
  EXPECT_TRUE(StopLaunched("", {}, dir_, 0, sink, &err));
}

TEST(LauncherOfTest, TheMostSpecificLauncherSettingWins) {
  Config config;
  std::string err;
  ASSERT_TRUE(
      ParseConfig("[_]\nlauncher = mm-run-slurm -p x\n"
                  "[acme/app]\n:launcher:arm64 = mm-run-ssh arm\nmain = make\n"
                  "arm64 = make\n"
                  "[acme/site]\n:launcher =\nmain = make\n"
                  "[acme/lib]\nmain = make\n",
                  "test.ini", "/home/u", &config, &err))
      << err;
  Job job;
  job.project = "acme/app";
  job.target = "arm64/fix";
  EXPECT_EQ(LauncherOf(config, job), "mm-run-ssh arm");
  job.target = "main";
  EXPECT_EQ(LauncherOf(config, job), "mm-run-slurm -p x");
  job.project = "acme/site";
  EXPECT_EQ(LauncherOf(config, job), "");
  job.project = "acme/lib";
  EXPECT_EQ(LauncherOf(config, job), "mm-run-slurm -p x");
  job.project = "acme/unknown";
  EXPECT_EQ(LauncherOf(config, job), "");
}

}  // namespace
}  // namespace mm
