#include "report/status_notifier.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "support/git_test_support.h"

namespace mm {
namespace {

using testing_support::ReadAll;
using testing_support::WriteAll;

const char kCommit[] = "0123456789abcdef0123456789abcdef01234567";

// What the notifier says before any request: these cases never reach the
// network (the bats tests, t/mmbuild-status.bats, cover the requests).
class StatusNotifierTest : public testing_support::ScratchDirTest {
 protected:
  void SetUp() override {
    log_path_ = tmp_ / "job.log";
    WriteAll(log_path_, "[job]\nid = 1\n");
    std::string err;
    ASSERT_TRUE(log_.Open(log_path_, SystemClock(), &err)) << err;
    ASSERT_TRUE(log_.BeginBuild(getpid(), SystemClock().Now(), &err)) << err;
    job_.project = "acme/app";
    job_.target = "main";
    job_.commit = kCommit;
    job_.forge = "gitea";
    // Port 9 on loopback: were a request made, it would be a `!` line.
    job_.status_url =
        std::string("http://127.0.0.1:9/api/v1/repos/acme/app/statuses/") +
        kCommit;
    config_.status_tokens = tmp_ / "tokens";
    WriteAll(config_.status_tokens, "https://git.example.org t0ken\n");
    chmod(config_.status_tokens.c_str(), 0600);
  }

  // The [log] text after a start and a successful end.
  std::string Run() {
    StatusNotifier notifier(config_, HttpPostOptions());
    std::vector<std::string> env = {"MIXMASTER_JOB=1"};
    BuildReport start{BuildEvent::kStart,    job_,      "1",
                      job_.commit,           log_path_, env,
                      BuildStatus::kSuccess, 0};
    notifier.OnEvent(start, &log_);
    BuildReport end = start;
    end.event = BuildEvent::kEnd;
    notifier.OnEvent(end, &log_);
    return LogSectionOf(ReadAll(log_path_));
  }

  std::string log_path_;
  BuildLog log_;
  Job job_;
  Config config_;
};

TEST_F(StatusNotifierTest, NothingIsSaidWithoutAStatusUrlOrATokenFile) {
  Job with_url = job_;
  job_.status_url.clear();
  EXPECT_EQ(Run(), "");
  job_ = with_url;
  config_.status_tokens.clear();
  EXPECT_EQ(Run(), "");
}

TEST_F(StatusNotifierTest, NoTokenForTheUrlsHostIsOneLineAndNoRequest) {
  std::string log = Run();
  EXPECT_NE(log.find("# commit status not sent: " + config_.status_tokens +
                     " has no token for http://127.0.0.1:9\n"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("! "), std::string::npos) << log;
}

TEST_F(StatusNotifierTest, AHandWrittenJobWithABadForgeOrUrlIsOneLine) {
  job_.forge = "sourcehut";
  EXPECT_NE(Run().find("! commit status not sent: unknown forge `sourcehut`"),
            std::string::npos);
  job_.forge = "github";
  job_.status_url = "file:///etc/passwd";
  EXPECT_NE(Run().find("! commit status not sent: the URL is neither http:// "
                       "nor https://"),
            std::string::npos);
}

TEST_F(StatusNotifierTest, ARefusedTokenFileSaysWhyWithoutTheToken) {
  chmod(config_.status_tokens.c_str(), 0644);
  std::string log = Run();
  EXPECT_NE(log.find("! commit status not sent: no token used: " +
                     config_.status_tokens +
                     ": open to group or others (mode 0644); chmod 600 it"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("t0ken"), std::string::npos);
}

// Only the mmbuild that finishes a dead runner's log tells an end without a
// start, and says so: that end still gets its status; any other is ignored.
TEST_F(StatusNotifierTest, AnEndWithoutAStartIsSentOnlyForARunnerThatDied) {
  StatusNotifier notifier(config_, HttpPostOptions());
  std::vector<std::string> env = {"MIXMASTER_JOB=1"};
  BuildReport end{BuildEvent::kFail,   job_, "1", job_.commit, log_path_, env,
                  BuildStatus::kError, -1};
  notifier.OnEvent(end, &log_);
  EXPECT_EQ(LogSectionOf(ReadAll(log_path_)), "");
  end.runner_died = true;
  notifier.OnEvent(end, &log_);
  std::string log = LogSectionOf(ReadAll(log_path_));
  EXPECT_NE(log.find("# commit status not sent: " + config_.status_tokens +
                     " has no token for http://127.0.0.1:9\n"),
            std::string::npos)
      << log;
}

}  // namespace
}  // namespace mm
