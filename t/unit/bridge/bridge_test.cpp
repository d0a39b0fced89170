#include "bridge/bridge.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "base/ini.h"
#include "base/version.h"
#include "http/signature.h"
#include "job/job.h"
#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

class FixedClock : public Clock {
 public:
  struct timespec Now() const override {
    struct tm tm = {};
    tm.tm_year = 2026 - 1900;
    tm.tm_mon = 10;
    tm.tm_mday = 25;
    tm.tm_hour = 12;
    struct timespec t = {timegm(&tm), 5000};
    return t;
  }
};

const char kLight[] =
    R"({"scm":"git","repositoryUrl":"git@example.com:o/r.git",)"
    R"("project":"o/r","target":"main","message":"two\nlines"})";

// A POST of `body` to `path`, with `headers` (each ending in CRLF).
std::string Post(const std::string& path, const std::string& body,
                 const std::string& headers = "") {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\n" + headers +
         "Content-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Each test gets a temp dir with a spool and a config, and talks to the
// bridge over a socketpair: the client side is written from a thread (so a
// request of any size fits) and then half-closed, as curl would after
// sending; ServeConnection runs on the other side.
class BridgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);  // as mmbridge does; see NoAnswer below
    ASSERT_FALSE(tmp_.path().empty());
    root_ = tmp_.path();
    spool_ = root_ + "/INBOX";
    ASSERT_EQ(mkdir(spool_.c_str(), 0700), 0);
    options_.config_path = root_ + "/mixmaster.ini";
    WriteConfig("");
  }
  testing_support::TempDir tmp_;

  void WriteConfig(const std::string& extra) {
    std::string text = "[_]\nbuildRoot = " + root_ + "\nspool = " + spool_ +
                       "\nmailto = ops@example.com\n" + extra +
                       "\n[o/r]\nmain = make all\n";
    FILE* f = fopen(options_.config_path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs(text.c_str(), f);
    fclose(f);
  }

  // Serves `request`; fills response_ with everything the client received.
  // `close_after` false leaves the client's sending side open (a client that
  // stalls).
  BridgeOutcome Serve(const std::string& request, bool close_after = true) {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    std::thread client([&] {
      size_t done = 0;
      while (done < request.size()) {
        ssize_t n = write(fds[0], request.data() + done, request.size() - done);
        if (n <= 0) break;  // the bridge refused before taking it all
        done += static_cast<size_t>(n);
      }
      if (close_after) shutdown(fds[0], SHUT_WR);
    });
    // As mmbridge does: the configuration read once, then the request.
    LoadBridgeConfig(&options_);
    BridgeOutcome outcome = ServeConnection(options_, fds[1], fds[1], clock_);
    client.join();
    close(fds[1]);
    response_.clear();
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) response_.append(buf, n);
    close(fds[0]);
    return outcome;
  }

  std::vector<std::string> Spooled() const {
    std::vector<std::string> names;
    DIR* d = opendir(spool_.c_str());
    while (struct dirent* e = d ? readdir(d) : nullptr)
      if (e->d_name[0] != '.') names.push_back(e->d_name);
    if (d) closedir(d);
    return names;
  }

  BridgeOptions options_;
  FixedClock clock_;
  std::string root_, spool_, response_;
};

TEST_F(BridgeTest, QueuesOneCompleteJobStampedByTheClock) {
  BridgeOutcome o = Serve(Post("/?from=cron", kLight));
  EXPECT_EQ(o.result, BridgeResult::kAnswered);
  EXPECT_EQ(o.response.status, 202);
  ASSERT_EQ(o.response.body.compare(0, 23, "queued 20261125-120000-"), 0)
      << o.response.body;
  std::string id = o.response.body.substr(7);
  EXPECT_EQ(response_, FormatHttpResponse(o.response));
  ASSERT_EQ(Spooled(), std::vector<std::string>{id + ".ini"});

  std::string text, err;
  Job job;
  ASSERT_TRUE(ReadFile(spool_ + "/" + id + ".ini", &text, &err)) << err;
  ASSERT_TRUE(DecodeJob(text, id, &job, &err)) << err;
  EXPECT_EQ(job.id, id);
  EXPECT_EQ(job.received, "2026-11-25T12:00:00Z");
  EXPECT_EQ(job.endpoint, "/");
  EXPECT_EQ(job.project, "o/r");
  EXPECT_EQ(job.target, "main");
  EXPECT_EQ(job.message, "two\nlines");
  EXPECT_EQ(job.build_command, "make all");
  EXPECT_EQ(job.notifications, "all");
  EXPECT_EQ(job.mailto, "ops@example.com");
  EXPECT_EQ(job.mode, "normal");

  EXPECT_EQ(o.journal_line, "- POST / 202 " + id);
  EXPECT_EQ(o.priority, Priority::kInfo);
}

TEST_F(BridgeTest, UnknownProjectIs422AndSpoolsNothing) {
  std::string body = kLight;
  body.replace(body.find("\"o/r\""), 5, "\"x/y\\n<3>z\"");
  BridgeOutcome o = Serve(Post("/", body));
  EXPECT_EQ(o.result, BridgeResult::kAnswered);  // exit 0: the client's fault
  EXPECT_EQ(o.response.status, 422);
  EXPECT_EQ(o.response.body, "unknown project x/y <3>z");
  EXPECT_EQ(o.journal_line, "- POST / 422 unknown project x/y <3>z");
  EXPECT_EQ(o.priority, Priority::kWarning);
  EXPECT_TRUE(Spooled().empty());
}

TEST_F(BridgeTest, UnreadableConfigIs500WithoutItsText) {
  FILE* f = fopen(options_.config_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("[_]\nsecret hunter2\n", f);
  fclose(f);
  BridgeOutcome o = Serve(Post("/", kLight));
  EXPECT_EQ(o.result, BridgeResult::kConfigUnreadable);  // exit 3
  EXPECT_EQ(o.response.status, 500);
  EXPECT_EQ(o.response.body,
            "configuration unreadable: " + options_.config_path +
                ":2 (details in the journal)");
  EXPECT_EQ(o.priority, Priority::kError);
  EXPECT_THAT(o.journal_line, HasSubstr("hunter2")) << o.journal_line;
  EXPECT_TRUE(Spooled().empty());

  options_.config_path = root_ + "/none.ini";
  o = Serve(Post("/", kLight));
  EXPECT_EQ(o.result, BridgeResult::kConfigUnreadable);
  EXPECT_EQ(o.journal_line,
            "- POST / 500 configuration unreadable: cannot "
            "read configuration " +
                options_.config_path + ": No such file or directory");
}

TEST_F(BridgeTest, UnwritableSpoolIs500AndLeavesNothing) {
  std::string file = root_ + "/spool-file";
  FILE* f = fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  spool_ = file;
  WriteConfig("");
  BridgeOutcome o = Serve(Post("/", kLight));
  EXPECT_EQ(o.result, BridgeResult::kSpoolUnwritable);  // exit 4
  EXPECT_EQ(o.response.status, 500);
  EXPECT_EQ(o.response.body,
            "spool not writable: spool " + file +
                " is not writable: not a directory; after changing spool or "
                "buildRoot, run mmsetup again");
  struct stat st;
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
}

TEST_F(BridgeTest, WithASecretAnUnsignedRequestIs401BeforeItsBody) {
  WriteConfig("secret = s3cret");
  // Only the head is sent: the refusal must not wait for the body, nor
  // invite it with a 100 Continue.
  std::string head = Post("/", kLight, "Expect: 100-continue\r\n");
  head.resize(head.find("\r\n\r\n") + 4);
  BridgeOutcome o = Serve(head);
  EXPECT_EQ(o.response.status, 401);
  EXPECT_EQ(o.response.body,
            "signature required: send X-Hub-Signature-256, "
            "X-Gitea-Signature, X-Forgejo-Signature or X-Gitlab-Token");
  EXPECT_EQ(response_.compare(0, 25, "HTTP/1.1 401 Unauthorized"), 0)
      << response_;
  EXPECT_EQ(o.result, BridgeResult::kAnswered);
  EXPECT_TRUE(Spooled().empty());

  o = Serve(Post("/", kLight, "X-Gitea-Signature: 00\r\n"));
  EXPECT_EQ(o.response.status, 403);
  EXPECT_EQ(o.journal_line,
            "- POST / 403 wrong signature in X-Gitea-Signature");
  EXPECT_TRUE(Spooled().empty());

  o = Serve(
      Post("/", kLight,
           "X-Gitea-Signature: " + HmacSha256Hex("s3cret", kLight) + "\r\n"));
  EXPECT_EQ(o.response.status, 202);
  EXPECT_EQ(Spooled().size(), 1u);
}

TEST_F(BridgeTest, WrongContentTypeIs415BeforeTheBody) {
  std::string request = Post("/", kLight, "Expect: 100-continue\r\n");
  request.replace(request.find("application/json"), 16, "text/plain");
  request.resize(request.find("\r\n\r\n") + 4);
  BridgeOutcome o = Serve(request);
  EXPECT_EQ(o.response.status, 415);
  EXPECT_EQ(o.response.body,
            "Content-Type must be application/json, not text/plain");
  EXPECT_THAT(response_, Not(HasSubstr("100 Continue"))) << response_;
  EXPECT_TRUE(Spooled().empty());
}

TEST_F(BridgeTest, ExpectContinueIsAnsweredBeforeTheFinalResponse) {
  BridgeOutcome o = Serve(Post("/", kLight, "Expect: 100-continue\r\n"));
  EXPECT_EQ(o.response.status, 202);
  EXPECT_EQ(response_,
            "HTTP/1.1 100 Continue\r\n\r\n" + FormatHttpResponse(o.response));
}

TEST_F(BridgeTest, RoutesVersionUnknownPathsAndMethods) {
  BridgeOutcome o = Serve("GET /version HTTP/1.1\r\n\r\n");
  EXPECT_EQ(o.response.status, 200);
  EXPECT_EQ(o.response.body, Version());
  EXPECT_EQ(o.journal_line, "- GET /version 200 version");

  o = Serve(Post("/jenkins", kLight));
  EXPECT_EQ(o.response.status, 404);
  EXPECT_EQ(o.response.body,
            "no such endpoint /jenkins; the endpoints are /, /gitea, "
            "/github, /gitlab and /version");

  o = Serve("DELETE /github HTTP/1.1\r\n\r\n");
  EXPECT_EQ(o.response.status, 405);
  EXPECT_EQ(o.response.body,
            "method DELETE not allowed on /github; use POST or PUT");
  EXPECT_EQ(o.response.allow, "POST, PUT");
  EXPECT_TRUE(Spooled().empty());
}

TEST_F(BridgeTest, AbsoluteFormTargetIsServedByItsPath) {
  BridgeOutcome o = Serve(Post("http://build.example.com/?x=1", kLight));
  EXPECT_EQ(o.response.status, 202) << o.response.body;
  EXPECT_EQ(o.journal_line, "- POST / 202 " + o.response.body.substr(7));
  EXPECT_EQ(Spooled().size(), 1u);
}

TEST_F(BridgeTest, MalformedAndStalledRequestsSpoolNothing) {
  BridgeOutcome o = Serve("HELLO THERE\r\n\r\n");
  EXPECT_EQ(o.response.status, 400);
  EXPECT_EQ(o.journal_line,
            "- - - 400 malformed HTTP request: invalid HTTP method");

  options_.read_timeout_seconds = 0.2;
  std::string half = Post("/", kLight);
  half.resize(half.size() - 10);
  o = Serve(half, /*close_after=*/false);
  EXPECT_EQ(o.response.status, 408);
  EXPECT_EQ(o.response.body, "request not complete within 0.2 seconds");
  EXPECT_EQ(o.result, BridgeResult::kAnswered);
  EXPECT_TRUE(Spooled().empty());
}

TEST_F(BridgeTest, RemoteAddressIsTheOptionElseTheTcpPeer) {
  options_.remote_address = "192.0.2.7\n<3>forged";
  BridgeOutcome o = Serve("GET /version HTTP/1.1\r\n\r\n");
  EXPECT_EQ(o.journal_line, "192.0.2.7 <3>forged GET /version 200 version");

  // A real loopback connection, as systemd hands it over.
  options_.remote_address.clear();
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int client = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&addr), len), 0);
  int server = accept(listener, nullptr, nullptr);
  ASSERT_GE(server, 0);
  const char kRequest[] = "GET /version HTTP/1.1\r\n\r\n";
  ASSERT_EQ(write(client, kRequest, sizeof kRequest - 1),
            static_cast<ssize_t>(sizeof kRequest - 1));
  o = ServeConnection(options_, server, server, clock_);
  EXPECT_EQ(o.journal_line, "127.0.0.1 GET /version 200 version");
  close(server);
  close(client);
  close(listener);
}

TEST_F(BridgeTest, AClientGoneBeforeTheAnswerIsNotAnswered) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  const char kRequest[] = "GET /version HTTP/1.1\r\n\r\n";
  ASSERT_EQ(write(fds[0], kRequest, sizeof kRequest - 1),
            static_cast<ssize_t>(sizeof kRequest - 1));
  close(fds[0]);
  BridgeOutcome o = ServeConnection(options_, fds[1], fds[1], clock_);
  close(fds[1]);
  EXPECT_EQ(o.result, BridgeResult::kNotAnswered);  // exit 4
  EXPECT_EQ(o.priority, Priority::kError);
  EXPECT_EQ(o.journal_line,
            "- GET /version 200 version (cannot write the response: Broken "
            "pipe)");
}

TEST(BridgeSettingTest, ReadTimeoutTakesOnlySaneSeconds) {
  EXPECT_EQ(ReadTimeoutSetting(nullptr), 10);
  EXPECT_EQ(ReadTimeoutSetting(""), 10);
  EXPECT_EQ(ReadTimeoutSetting("1"), 1);
  EXPECT_EQ(ReadTimeoutSetting("0.5"), 0.5);
  EXPECT_EQ(ReadTimeoutSetting("3600"), 3600);
  for (const char* bad : {"0", "-1", "3601", "2x", "soon", "nan", "inf"})
    EXPECT_EQ(ReadTimeoutSetting(bad), 10) << bad;
}

TEST(BridgeHeaderTest, EventComesFromTheForgesHeader) {
  HttpRequest req;
  req.headers = {{"X-Forgejo-Event", "push"}, {"X-GitHub-Event", "ping"}};
  EXPECT_EQ(PayloadEvent(Forge::kGitea, req), "push");
  EXPECT_EQ(PayloadEvent(Forge::kGitHub, req), "ping");
  EXPECT_EQ(PayloadEvent(Forge::kGitLab, req), "");
  EXPECT_EQ(PayloadEvent(Forge::kNone, req), "");
  req.headers.push_back({"x-gitea-event", "create"});
  EXPECT_EQ(PayloadEvent(Forge::kGitea, req), "create");
}

TEST(BridgeHeaderTest, JsonContentTypesAndPayloadStatuses) {
  const std::string json[] = {"application/json", "Application/JSON",
                              "application/json; charset=utf-8",
                              "application/vnd.github+json"};
  for (const std::string& t : json) EXPECT_TRUE(IsJsonContentType(&t)) << t;
  EXPECT_TRUE(IsJsonContentType(nullptr));
  const std::string other[] = {"application/x-www-form-urlencoded",
                               "text/plain", "", "application/+json",
                               "text/json"};
  for (const std::string& t : other) EXPECT_FALSE(IsJsonContentType(&t)) << t;
  EXPECT_EQ(PayloadStatus(PayloadKind::kPong), 200);
  EXPECT_EQ(PayloadStatus(PayloadKind::kIgnored), 202);
  EXPECT_EQ(PayloadStatus(PayloadKind::kInvalid), 400);
  EXPECT_EQ(PayloadStatus(PayloadKind::kUnsupported), 422);
}

}  // namespace
}  // namespace mm
