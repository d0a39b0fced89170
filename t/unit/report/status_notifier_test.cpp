#include "report/status_notifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::ReadAll;
using testing_support::WriteAll;

const char kCommit[] = "0123456789abcdef0123456789abcdef01234567";

// Keeps each request and gives the answer it is set to.
class RecordingHttp : public HttpClient {
 public:
  struct Request {
    std::string url;
    std::vector<std::string> headers;
    std::string body;
  };
  bool Post(const std::string& url, const std::vector<std::string>& headers,
            const std::string& body, HttpAnswer* answer,
            std::string* err) override {
    requests.push_back({url, headers, body});
    if (!error.empty()) {
      *err = error;
      return false;
    }
    *answer = this->answer;
    return true;
  }
  std::vector<Request> requests;
  HttpAnswer answer{201, "{}"};
  std::string error;  // set: no answer, this error
};

// What the notifier says and the requests it makes, through a recorder (the
// bats tests, t/mmbuild-status.bats, send them to a forge on loopback).
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
    StatusNotifier notifier(config_, http_);
    std::vector<std::string> env = {"MIXMASTER_JOB=1"};
    JobSettings settings = Settings();
    BuildReport start{
        BuildEvent::kStart,    job_, settings, "1", job_.commit, log_path_, env,
        BuildStatus::kSuccess, 0};
    notifier.OnEvent(start, &log_);
    BuildReport end = start;
    end.event = BuildEvent::kEnd;
    notifier.OnEvent(end, &log_);
    return LogSectionOf(ReadAll(log_path_));
  }

  // The job's settings as the runner has them (ResolveJob).
  JobSettings Settings() {
    Job job = job_;
    JobSettings settings;
    std::string ignored;
    ResolveJob(config_, &job, &settings, &ignored);
    return settings;
  }

  std::string log_path_;
  BuildLog log_;
  RecordingHttp http_;
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
  EXPECT_THAT(log,
              HasSubstr("# commit status not sent: " + config_.status_tokens +
                        " has no token for http://127.0.0.1:9\n"))
      << log;
  EXPECT_THAT(log, Not(HasSubstr("! "))) << log;
  EXPECT_TRUE(http_.requests.empty());
}

TEST_F(StatusNotifierTest, AHandWrittenJobWithABadForgeOrUrlIsOneLine) {
  job_.forge = "sourcehut";
  EXPECT_THAT(Run(),
              HasSubstr("! commit status not sent: unknown forge `sourcehut`"));
  job_.forge = "github";
  job_.status_url = "file:///etc/passwd";
  EXPECT_THAT(Run(),
              HasSubstr("! commit status not sent: the URL is neither http:// "
                        "nor https://"));
}

TEST_F(StatusNotifierTest, ARefusedTokenFileSaysWhyWithoutTheToken) {
  chmod(config_.status_tokens.c_str(), 0644);
  std::string log = Run();
  EXPECT_THAT(log,
              HasSubstr("! commit status not sent: no token used: " +
                        config_.status_tokens +
                        ": open to group or others (mode 0644); chmod 600 it"))
      << log;
  EXPECT_THAT(log, Not(HasSubstr("t0ken")));
}

// Only the mmbuild that finishes a dead runner's log tells an end without a
// start, and says so: that end still gets its status; any other is ignored.
TEST_F(StatusNotifierTest, AnEndWithoutAStartIsSentOnlyForARunnerThatDied) {
  StatusNotifier notifier(config_, http_);
  std::vector<std::string> env = {"MIXMASTER_JOB=1"};
  JobSettings settings = Settings();
  BuildReport end{
      BuildEvent::kFail,   job_, settings, "1", job_.commit, log_path_, env,
      BuildStatus::kError, -1};
  notifier.OnEvent(end, &log_);
  EXPECT_EQ(LogSectionOf(ReadAll(log_path_)), "");
  end.runner_died = true;
  notifier.OnEvent(end, &log_);
  std::string log = LogSectionOf(ReadAll(log_path_));
  EXPECT_THAT(log,
              HasSubstr("# commit status not sent: " + config_.status_tokens +
                        " has no token for http://127.0.0.1:9\n"))
      << log;
}

TEST_F(StatusNotifierTest, AStartAndAnEndAreTwoRequestsWithTheToken) {
  WriteAll(config_.status_tokens, "http://127.0.0.1:9 t0ken\n");
  std::string log = Run();
  ASSERT_EQ(http_.requests.size(), 2u) << log;
  const std::string url = job_.status_url;
  EXPECT_EQ(http_.requests[0].url, url);
  EXPECT_THAT(http_.requests[0].headers,
              ::testing::Contains("Authorization: token t0ken"));
  EXPECT_THAT(http_.requests[0].body, HasSubstr(R"("state":"pending")"));
  EXPECT_THAT(http_.requests[1].body, HasSubstr(R"("state":"success")"));
  EXPECT_THAT(http_.requests[1].body,
              HasSubstr(R"("context":"mixmaster/main")"));
  EXPECT_THAT(
      log, HasSubstr("# commit status `pending` to " + url + ": HTTP 201\n"));
  EXPECT_THAT(
      log, HasSubstr("# commit status `success` to " + url + ": HTTP 201\n"));
  EXPECT_THAT(log, Not(HasSubstr("t0ken")));
}

TEST_F(StatusNotifierTest, ARefusalOrNoAnswerIsALineWithoutTheToken) {
  WriteAll(config_.status_tokens, "http://127.0.0.1:9 t0ken\n");
  http_.answer = HttpAnswer{403, "bad token t0ken\nmore"};
  std::string log = Run();
  EXPECT_THAT(log, HasSubstr("! commit status `pending` to " + job_.status_url +
                             ": HTTP 403: bad token <token>\n"));
  http_.error = "Connection refused";
  log = Run();
  EXPECT_THAT(log, HasSubstr("! commit status `success` to " + job_.status_url +
                             ": Connection refused\n"));
}

TEST_F(StatusNotifierTest, ASupersededJobSendsNothing) {
  WriteAll(config_.status_tokens, "http://127.0.0.1:9 t0ken\n");
  StatusNotifier notifier(config_, http_);
  std::vector<std::string> env = {"MIXMASTER_JOB=1"};
  JobSettings settings = Settings();
  BuildReport superseded{
      BuildEvent::kSuperseded, job_, settings, "1", job_.commit, log_path_, env,
      BuildStatus::kError,     -1};
  notifier.OnEvent(superseded, &log_);
  EXPECT_TRUE(http_.requests.empty());
}

}  // namespace
}  // namespace mm
