#include "process/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "support/git_test_support.h"

namespace mm {
namespace {

using Lines = std::vector<std::pair<char, std::string>>;

ProcessSpec Shell(const std::string& script) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  return spec;
}

Lines RunLines(const ProcessSpec& spec, ProcessResult* result) {
  Lines lines;
  EXPECT_TRUE(RunProcess(
      spec, [&](char s, const std::string& l) { lines.emplace_back(s, l); },
      result));
  return lines;
}

// True while `pid` exists and is not a zombie.
bool Alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return false;
  size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() &&
         text[paren + 2] != 'Z';
}

class ProcessTest : public testing_support::ScratchDirTest {
 protected:
};

TEST_F(ProcessTest, DeliversStdoutAndStderrLinesInArrivalOrder) {
  // Each line waits until the previous one has reached the sink, so the
  // order of arrival is known.
  ProcessSpec spec = Shell(
      "echo one; while [ ! -e f1 ]; do sleep 0.01; done;"
      "echo two >&2; while [ ! -e f2 ]; do sleep 0.01; done;"
      "echo three");
  spec.cwd = dir_;
  Lines lines;
  ProcessResult result;
  ASSERT_TRUE(RunProcess(
      spec,
      [&](char s, const std::string& l) {
        lines.emplace_back(s, l);
        std::ofstream(dir_ + "/f" + std::to_string(lines.size()));
      },
      &result));
  EXPECT_EQ(lines, (Lines{{'O', "one"}, {'!', "two"}, {'O', "three"}}));
  EXPECT_EQ(result.exit_code, 0);
}

TEST_F(ProcessTest, ReportsExitCodeAndSignal) {
  ProcessResult result;
  RunLines(Shell("exit 3"), &result);
  EXPECT_TRUE(result.started);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.term_signal, 0);
  RunLines(Shell("kill -9 $$"), &result);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_EQ(result.term_signal, SIGKILL);
  EXPECT_FALSE(result.timed_out);
}

TEST_F(ProcessTest, ExecFailureIsReportedNotStarted) {
  ProcessSpec spec;
  spec.argv = {"/nonexistent/program", "x"};
  ProcessResult result;
  EXPECT_FALSE(RunProcess(
      spec, [](char, const std::string&) {}, &result));
  EXPECT_FALSE(result.started);
  EXPECT_EQ(result.error,
            "cannot run /nonexistent/program: No such file or directory");

  spec.argv = {"mixmaster-no-such-program"};
  EXPECT_FALSE(RunProcess(
      spec, [](char, const std::string&) {}, &result));
  EXPECT_EQ(result.error,
            "cannot run mixmaster-no-such-program: No such file or directory");

  spec.argv = {"true"};
  spec.cwd = dir_ + "/missing";
  EXPECT_FALSE(RunProcess(
      spec, [](char, const std::string&) {}, &result));
  EXPECT_EQ(result.error, "cannot change to directory " + dir_ +
                              "/missing: No such file or directory");
}

TEST_F(ProcessTest, LooksUpPathAndPassesArgumentsWithoutAShell) {
  ProcessSpec spec;
  spec.argv = {"printf", "%s\\n", "$(touch X)", "a;b"};
  spec.cwd = dir_;
  ProcessResult result;
  Lines lines = RunLines(spec, &result);
  EXPECT_EQ(lines, (Lines{{'O', "$(touch X)"}, {'O', "a;b"}}));
  EXPECT_NE(access((dir_ + "/X").c_str(), F_OK), 0);
}

TEST_F(ProcessTest, StdinIsDevNullUnlessFed) {
  ProcessResult result;
  Lines lines = RunLines(Shell("cat; readlink /proc/self/fd/0"), &result);
  EXPECT_EQ(lines, (Lines{{'O', "/dev/null"}}));
}

TEST_F(ProcessTest, FeedsLargeStdinWhileReadingOutput) {
  // More than any pipe buffer in both directions: writing all of stdin
  // before reading stdout would deadlock.
  std::string input;
  for (int i = 0; i < 100000; ++i) input += "line " + std::to_string(i) + "\n";
  ProcessSpec spec = Shell("cat; echo done >&2");
  spec.feed_stdin = true;
  spec.stdin_data = input;
  ProcessResult result;
  Lines lines = RunLines(spec, &result);
  ASSERT_EQ(lines.size(), 100001u);
  EXPECT_EQ(lines[0], (std::pair<char, std::string>('O', "line 0")));
  EXPECT_EQ(lines[99999], (std::pair<char, std::string>('O', "line 99999")));
  EXPECT_EQ(lines[100000], (std::pair<char, std::string>('!', "done")));
  EXPECT_EQ(result.exit_code, 0);
}

TEST_F(ProcessTest, ChildThatIgnoresStdinDoesNotKillTheCaller) {
  ProcessSpec spec = Shell("exec 0<&-; echo closed");
  spec.feed_stdin = true;
  spec.stdin_data = std::string(1 << 20, 'x');
  ProcessResult result;
  Lines lines = RunLines(spec, &result);
  EXPECT_EQ(lines, (Lines{{'O', "closed"}}));
  EXPECT_EQ(result.exit_code, 0);
}

TEST_F(ProcessTest, AddsAndReplacesEnvironment) {
  setenv("MM_PROCESS_TEST_OLD", "old", 1);
  ProcessSpec spec =
      Shell("echo \"$MM_PROCESS_TEST_OLD $MM_PROCESS_TEST_NEW\"");
  spec.env = {"MM_PROCESS_TEST_OLD=replaced", "MM_PROCESS_TEST_NEW=a b;c"};
  ProcessResult result;
  Lines lines = RunLines(spec, &result);
  EXPECT_EQ(lines, (Lines{{'O', "replaced a b;c"}}));
  unsetenv("MM_PROCESS_TEST_OLD");
}

TEST_F(ProcessTest, RunsInCwdAndInItsOwnProcessGroup) {
  ProcessSpec spec = Shell("pwd; ps -o pgid= -p $$; echo $$");
  spec.cwd = dir_;
  ProcessResult result;
  Lines lines = RunLines(spec, &result);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].second, dir_);
  EXPECT_EQ(std::stol(lines[1].second), std::stol(lines[2].second));
  EXPECT_NE(std::stol(lines[1].second), static_cast<long>(getpgrp()));
}

TEST_F(ProcessTest, LastLineWithoutNewlineAndLongLines) {
  ProcessResult result;
  Lines lines = RunLines(Shell("printf abc"), &result);
  EXPECT_EQ(lines, (Lines{{'O', "abc"}}));
  lines = RunLines(Shell("head -c 150000 /dev/zero | tr '\\0' a"), &result);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].second.size(), 65536u);
  EXPECT_EQ(lines[2].second.size(), 150000u - 2 * 65536u);
}

TEST_F(ProcessTest, TimeoutStopsTheWholeGroup) {
  ProcessSpec spec = Shell("sleep 600 & echo $!; wait");
  spec.timeout_seconds = 0.5;
  ProcessResult result;
  Lines lines = RunLines(spec, &result);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(result.timed_out);
  EXPECT_FALSE(result.stopped);
  EXPECT_EQ(result.term_signal, SIGTERM);
  EXPECT_FALSE(Alive(std::stoi(lines[0].second)));
}

TEST_F(ProcessTest, KillsAfterGraceWhenTermIsIgnored) {
  ProcessSpec spec = Shell("trap '' TERM; sleep 600 & echo $!; wait");
  spec.timeout_seconds = 0.2;
  spec.kill_grace_seconds = 0.3;
  ProcessResult result;
  Lines lines = RunLines(spec, &result);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.term_signal, SIGKILL);
  EXPECT_FALSE(Alive(std::stoi(lines[0].second)));
}

// A launcher stops its build elsewhere itself (mmbuild(1) LAUNCHERS): the
// TERM is its alone, and what shares its group gets KILL after the grace.
TEST_F(ProcessTest, TermToTheChildAloneThenKillToTheGroup) {
  ProcessSpec spec = Shell(
      "sh -c 'trap \"touch helper-term; exit\" TERM; sleep 600 & wait' &"
      " echo $!; trap 'touch leader-term; exit 7' TERM; sleep 600 & wait");
  spec.cwd = dir_;
  spec.timeout_seconds = 0.3;
  spec.kill_grace_seconds = 0.5;
  spec.term_child_alone = true;
  ProcessResult result;
  Lines lines = RunLines(spec, &result);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_EQ(access((dir_ + "/leader-term").c_str(), F_OK), 0);
  EXPECT_NE(access((dir_ + "/helper-term").c_str(), F_OK), 0);
  EXPECT_FALSE(Alive(std::stoi(lines[0].second)));
}

TEST_F(ProcessTest, StopRequestStopsTheGroup) {
  volatile sig_atomic_t stop = 0;
  ProcessSpec spec = Shell("echo ready; sleep 600");
  spec.stop_requested = &stop;
  ProcessResult result;
  Lines lines;
  ASSERT_TRUE(RunProcess(
      spec,
      [&](char s, const std::string& l) {
        lines.emplace_back(s, l);
        stop = 1;
      },
      &result));
  EXPECT_EQ(lines, (Lines{{'O', "ready"}}));
  EXPECT_TRUE(result.stopped);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.term_signal, SIGTERM);
}

// systemd stopping a service signals every process of it at once: the
// command may die of that TERM before the runner acts on its own stop. It
// is still a stop, not a command killed by a signal.
TEST_F(ProcessTest, ACommandKilledWhileAStopIsAskedForWasStopped) {
  volatile sig_atomic_t stop = 0;
  ProcessSpec spec = Shell("echo $$; sleep 600");
  spec.stop_requested = &stop;
  ProcessResult result;
  ASSERT_TRUE(RunProcess(
      spec,
      [&](char, const std::string& l) {
        pid_t leader = std::stoi(l);
        kill(-leader, SIGTERM);
        // Dead (not yet reaped) before the stop is asked for.
        siginfo_t info;
        waitid(P_PID, static_cast<id_t>(leader), &info, WEXITED | WNOWAIT);
        stop = 1;
      },
      &result));
  EXPECT_TRUE(result.stopped);
  EXPECT_EQ(result.term_signal, SIGTERM);
}

TEST_F(ProcessTest, MembersLeftBehindAreStoppedWhenTheCommandExits) {
  // The background sleep holds stdout open; it is stopped, not waited for.
  ProcessSpec spec = Shell("sleep 600 & echo $!; echo bye");
  ProcessResult result;
  Lines lines = RunLines(spec, &result);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_FALSE(Alive(std::stoi(lines[0].second)));
}

TEST_F(ProcessTest, DoesNotWaitForOutputHeldByAProcessOutsideTheGroup) {
  // setsid puts the sleep in a session of its own, holding stdout open.
  ProcessSpec spec = Shell("setsid sleep 600 & echo $!");
  ProcessResult result;
  Lines lines = RunLines(spec, &result);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(result.exit_code, 0);
  // Tidy up the escapee, which RunProcess rightly does not own.
  kill(std::stoi(lines[0].second), SIGKILL);
}

TEST_F(ProcessTest, BackgroundProcessStartsAndStops) {
  BackgroundProcess agent;
  ProcessSpec spec;
  spec.argv = {"sleep", "600"};
  std::string err;
  ASSERT_TRUE(agent.Start(spec, &err)) << err;
  pid_t pid = agent.pid();
  EXPECT_TRUE(agent.Running());
  EXPECT_TRUE(Alive(pid));
  BackgroundProcess moved = std::move(agent);
  EXPECT_FALSE(agent.Running());
  EXPECT_TRUE(moved.Running());
  moved.Stop();
  EXPECT_FALSE(moved.Running());
  EXPECT_FALSE(Alive(pid));

  spec.argv = {"/nonexistent/agent"};
  EXPECT_FALSE(moved.Start(spec, &err));
  EXPECT_EQ(err, "cannot run /nonexistent/agent: No such file or directory");
}

TEST(ExitedZeroTest, SaysHowAProcessEnded) {
  ProcessResult result;
  result.started = true;
  result.exit_code = 0;
  std::string err;
  EXPECT_TRUE(ExitedZero(result, "hook h", 60, &err));
  EXPECT_EQ(err, "");
  result.exit_code = 3;
  EXPECT_FALSE(ExitedZero(result, "hook h", 60, &err));
  EXPECT_EQ(err, "hook h exited with status 3");
  result.exit_code = -1;
  result.term_signal = SIGTERM;
  EXPECT_FALSE(ExitedZero(result, "hook h", 60, &err));
  EXPECT_EQ(err, "hook h was killed by signal 15 (Terminated)");
  // A deadline explains the signal that enforced it.
  result.timed_out = true;
  EXPECT_FALSE(ExitedZero(result, "hook h", 0.5, &err));
  EXPECT_EQ(err, "hook h did not finish within 0.5 s and was stopped");
}

}  // namespace
}  // namespace mm
