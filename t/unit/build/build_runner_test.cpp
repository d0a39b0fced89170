#include "build/build_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <time.h>

#include <string>
#include <thread>
#include <vector>

#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::Exists;
using testing_support::GitRemote;
using testing_support::ReadAll;
using testing_support::TempDir;

// Records the moments and what the log held at each; adds an `H` line.
class RecordingObserver : public BuildObserver {
 public:
  void OnEvent(const BuildReport& report, BuildLog* log) override {
    switch (report.event) {
      case BuildEvent::kStart:
        calls.push_back("start");
        log_at_start = ReadAll(log->path());
        command = report.job.build_command;
        break;
      case BuildEvent::kEnd:
        calls.push_back(std::string("end ") + BuildStatusName(report.status));
        log->Line(marker::kHook, "hook says hi");
        break;
      case BuildEvent::kFail:
        calls.push_back(std::string("fail ") + BuildStatusName(report.status) +
                        " " + std::to_string(report.exit_code));
        env = report.env;
        break;
      case BuildEvent::kSuperseded:  // the queue's, never the runner's
        calls.push_back("superseded");
        break;
    }
    // The facts travel as fields, the same as the build's variables.
    facts.push_back(report.job_id + " " + report.commit + " " +
                    report.log_path);
  }
  std::vector<std::string> calls;
  std::string log_at_start;
  std::string command;
  std::vector<std::string> env;
  std::vector<std::string> facts;
};

class BuildRunnerTest : public ::testing::Test {
 protected:
  BuildRunnerTest() : remote_(tmp_.path()) {
    config_.build_root = tmp_ / "builds";
    config_.spool = tmp_ / "builds/INBOX";
    config_.timeout = 0;
    config_.projects.push_back(Project{"acme/app",
                                       {{"main", "echo built main"},
                                        {"main/docs", "echo docs task"},
                                        {"release", "echo release build"}}});
    options_.config = &config_;
    options_.observer = &observer_;
    options_.known_hosts = tmp_ / "known_hosts";
  }

  // Stores a job (keys after the required ones given as INI lines) and
  // runs it; returns the log.
  std::string Build(const std::string& extra_keys,
                    const std::string& target = "main") {
    std::string text =
        "[job]\nid = job-1\nscm = git\nproject = acme/app\n"
        "repositoryUrl = " +
        remote_.url() + "\ntarget = " + target + "\n" + extra_keys;
    std::string err;
    job_ = ClaimedJob();
    EXPECT_TRUE(PrepareJob(text, "job", config_, true, &job_, &err)) << err;
    EXPECT_TRUE(StoreJob(text, SystemClock(), &job_, &err)) << err;
    EXPECT_TRUE(RunBuild(job_, options_, &result_, &err)) << err;
    return ReadAll(job_.log_path);
  }

  TempDir tmp_;
  GitRemote remote_;
  Config config_;
  RecordingObserver observer_;
  RunnerOptions options_;
  ClaimedJob job_;
  BuildResult result_;
};

// stdout and stderr are two pipes: their relative order is defined only
// when a write waits until the one before is in the log (each line is one
// write(2) as it comes; at most 5 s, then the order shows what went wrong).
const char kOrderedCommand[] =
    "echo out; i=0; until grep -q ' O out$' \"$MIXMASTER_LOG\" || "
    "[ $i -gt 500 ]; do sleep 0.01; i=$((i+1)); done; echo err >&2; i=0; "
    "until grep -q ' ! err$' \"$MIXMASTER_LOG\" || [ $i -gt 500 ]; do "
    "sleep 0.01; i=$((i+1)); done; cat README";

TEST_F(BuildRunnerTest, SuccessfulBuildLogsEveryStepInOrder) {
  std::string log =
      Build(std::string("buildCommand = ") + kOrderedCommand + "\n");
  EXPECT_EQ(result_.status, BuildStatus::kSuccess);
  EXPECT_EQ(result_.exit_code, 0);
  std::string ws = tmp_ / "builds/acme-app/main";
  std::string lines = LogSectionOf(log);
  // Strip the clock: "HH:MM:SS " is 9 characters.
  std::string plain;
  for (size_t pos = 0; pos < lines.size();) {
    size_t nl = lines.find('\n', pos);
    plain += lines.substr(pos + 9, nl - pos - 9) + "\n";
    pos = nl + 1;
  }
  EXPECT_EQ(plain, "# Build started in " + ws +
                       "\n"
                       "$ git init " +
                       ws +
                       "\n"
                       "$ git remote add origin " +
                       remote_.url() +
                       "\n"
                       "$ git fetch origin main\n"
                       "$ git checkout --force --detach " +
                       remote_.first() +
                       "\n"
                       "$ " +
                       kOrderedCommand +
                       "\n"
                       "O out\n! err\nO first\n"
                       "# Build finished\n"
                       "H hook says hi\n");
  EXPECT_THAT(log, HasSubstr("\n[result]\nstatus = success\nexitCode = 0\n"));
  EXPECT_EQ(observer_.calls,
            (std::vector<std::string>{"start", "end success"}));
  // No commit asked for: none at the start, the one checked out at the end.
  EXPECT_EQ(observer_.facts,
            (std::vector<std::string>{
                "job-1  " + job_.log_path,
                "job-1 " + remote_.first() + " " + job_.log_path}));
  EXPECT_THAT(observer_.log_at_start, HasSubstr("\n[build]\npid = "));
  EXPECT_THAT(observer_.log_at_start, HasSubstr("# Build started in "));
}

TEST_F(BuildRunnerTest, FailingCommandIsAFailureWithItsExitCode) {
  std::string log = Build("buildCommand = exit 3\n");
  EXPECT_EQ(result_.status, BuildStatus::kFailure);
  EXPECT_EQ(result_.exit_code, 3);
  EXPECT_THAT(log, HasSubstr("# Build failed: exit code 3\n"));
  EXPECT_THAT(log, HasSubstr("\n[result]\nstatus = failure\nexitCode = 3\n"));
  EXPECT_EQ(observer_.calls,
            (std::vector<std::string>{"start", "fail failure 3"}));
}

TEST_F(BuildRunnerTest, CommandSeesTheMixmasterVariablesAndItsAgent) {
  std::string log =
      Build("task = \ncommit = " + remote_.first() +
            "\nviewUrl = https://example.org/$(touch X)\n"
            "buildCommand = env | grep ^MIXMASTER_ | sort; test -S "
            "\"$SSH_AUTH_SOCK\" && echo agent ok; pwd\n");
  ASSERT_EQ(result_.status, BuildStatus::kSuccess) << log;
  std::string ws = tmp_ / "builds/acme-app/main";
  for (const std::string& line : std::vector<std::string>{
           "MIXMASTER_COMMIT=" + remote_.first(), "MIXMASTER_JOB=job-1",
           "MIXMASTER_LOG=" + job_.log_path, "MIXMASTER_PROJECT=acme/app",
           "MIXMASTER_REPOSITORY_URL=" + remote_.url(), "MIXMASTER_TARGET=main",
           std::string("MIXMASTER_TASK="),
           std::string("MIXMASTER_VIEW_URL=https://example.org/$(touch X)"),
           "MIXMASTER_WORKSPACE=" + ws, std::string("agent ok"), ws})
    EXPECT_THAT(log, HasSubstr(" O " + line + "\n")) << line << "\n" << log;
  EXPECT_FALSE(Exists(ws + "/X"));
}

TEST_F(BuildRunnerTest, CommandComesFromTheConfigWhenTheJobHasNone) {
  std::string log = Build("task = docs\n");
  EXPECT_THAT(log, HasSubstr(" $ echo docs task\n"));
  EXPECT_THAT(log, HasSubstr(" O docs task\n"));
  EXPECT_EQ(observer_.command, "echo docs task");
  log = Build("", "release/1.0");
  EXPECT_EQ(observer_.command, "echo release build");
  EXPECT_EQ(result_.status, BuildStatus::kError);  // no such branch
  EXPECT_THAT(log, HasSubstr("# Build error: " + remote_.url() +
                             " has no branch release/1.0\n"));
}

TEST_F(BuildRunnerTest, JobsThatCannotRunEndInError) {
  std::string log = Build("", "nope");
  EXPECT_EQ(result_.status, BuildStatus::kError);
  EXPECT_EQ(result_.exit_code, -1);
  EXPECT_THAT(log, HasSubstr("# Build error: no build configured for nope\n"));
  EXPECT_THAT(log, HasSubstr("\n[result]\nstatus = error\nexitCode = -1\n"));
  EXPECT_EQ(observer_.calls,
            (std::vector<std::string>{"start", "fail error -1"}));

  log = Build("scm = svn\nbuildCommand = true\n");
  EXPECT_EQ(result_.status, BuildStatus::kError);
  EXPECT_THAT(
      log,
      HasSubstr(
          "# Build error: unsupported scm `svn`: only git is supported\n"));

  log = Build("mode = fast\nbuildCommand = true\n");
  EXPECT_THAT(
      log, HasSubstr("# Build error: unknown mode `fast`: normal or dryrun\n"));
}

TEST_F(BuildRunnerTest, RequestValuesNeverReachAShellOrAPath) {
  std::string log = Build("commit = ;touch X\nbuildCommand = true\n");
  EXPECT_EQ(result_.status, BuildStatus::kError);
  EXPECT_THAT(
      log,
      HasSubstr("# Build error: refusing commit `;touch X`: not a commit id (4 "
                "to 40 hex digits), tag or branch name\n"));
  log = Build("buildCommand = true\n", "$(touch X)");
  EXPECT_EQ(result_.status, BuildStatus::kError);
  EXPECT_THAT(log, HasSubstr("refusing target `$(touch X)`"));
  EXPECT_FALSE(Exists(tmp_ / "X"));
  EXPECT_FALSE(Exists(tmp_ / "builds/acme-app/X"));
}

TEST_F(BuildRunnerTest, DryRunLogsStepsAndDoesNothing) {
  config_.mode = "dryrun";
  config_.ssh_key = tmp_ / "id_ed25519";
  std::string log = Build("buildCommand = touch ran\n");
  EXPECT_EQ(result_.status, BuildStatus::kSuccess);
  std::string ws = tmp_ / "builds/acme-app/main";
  EXPECT_THAT(log, HasSubstr(" $ ssh-add " + config_.ssh_key + "\n"));
  EXPECT_THAT(log, HasSubstr(" $ git fetch origin main\n"));
  EXPECT_THAT(log, HasSubstr(" $ git checkout --force --detach origin/main\n"));
  EXPECT_THAT(log, HasSubstr(" $ touch ran\n"));
  EXPECT_FALSE(Exists(ws));
}

TEST_F(BuildRunnerTest, TimeoutKillsTheBuild) {
  config_.timeout = 1;
  std::string log = Build("buildCommand = echo started; sleep 600\n");
  EXPECT_EQ(result_.status, BuildStatus::kKilled);
  EXPECT_EQ(result_.exit_code, 128 + SIGTERM);
  EXPECT_THAT(
      log,
      HasSubstr(" X Build stopped: timeout: the build ran longer than 1 s\n"));
  EXPECT_THAT(log, HasSubstr("\n[result]\nstatus = killed\nexitCode = 143\n"));
}

TEST_F(BuildRunnerTest, StopRequestKillsTheBuild) {
  volatile sig_atomic_t stop = 0;
  options_.stop_requested = &stop;
  // Sets the flag once the command is running.
  std::thread stopper([&] {
    for (int i = 0; i < 3000; ++i) {
      std::string dir = tmp_ / "builds/acme-app/main";
      if (Exists(dir + "/started")) break;
      struct timespec pause = {0, 10 * 1000 * 1000};
      nanosleep(&pause, nullptr);
    }
    stop = 1;
  });
  std::string log = Build("buildCommand = touch started; exec sleep 600\n");
  stopper.join();
  EXPECT_EQ(result_.status, BuildStatus::kKilled);
  EXPECT_THAT(log, HasSubstr(" X Build stopped: mmbuild was asked to stop\n"));
  EXPECT_EQ(observer_.calls,
            (std::vector<std::string>{"start", "fail killed 143"}));
}

}  // namespace
}  // namespace mm
