#include "web/web_view.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::ReadAll;
using testing_support::TempDir;
using testing_support::WriteAll;

// A build root with a project acme-app and the web view on; each test writes
// the log of its job 1, makes a request, and reads back the response whole.
class WebViewTest : public ::testing::Test {
 protected:
  WebViewTest() {
    testing_support::Sh("mkdir -p " + (tmp_ / "acme-app/JOBS"));
    config_.web_view = true;
    config_.build_root = tmp_.path();
  }

  void WriteLog(const std::string& text) {
    WriteAll(tmp_ / "acme-app/JOBS/1.log", text);
  }

  static HttpRequest Get(const std::string& path) {
    HttpRequest request;
    request.method = "GET";
    request.path = request.target = path;
    request.http_major = request.http_minor = 1;
    return request;
  }

  // Options that stream a running build's log for `seconds`, looking often.
  static WebViewOptions StreamFor(double seconds) {
    WebViewOptions options;
    options.stream_seconds = seconds;
    options.poll_seconds = 0.05;
    return options;
  }

  // Answers `request` to a client that sends nothing and never hangs up;
  // *response is all that was written to it.
  WebViewAnswer Serve(const HttpRequest& request, const WebViewOptions& options,
                      std::string* response) {
    int client[2];
    EXPECT_EQ(pipe(client), 0);
    int out = open((tmp_ / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    WebViewAnswer a = ServeWebView(config_, request, client[0], out, options);
    close(out);
    close(client[0]);
    close(client[1]);
    *response = ReadAll(tmp_ / "out");
    return a;
  }

  TempDir tmp_;
  Config config_;
};

TEST_F(WebViewTest, OnlyItsOwnPaths) {
  EXPECT_TRUE(IsWebViewPath("/builds"));
  EXPECT_TRUE(IsWebViewPath("/builds/x/y.log"));
  EXPECT_TRUE(IsWebViewPath("/badge/x.svg"));
  EXPECT_FALSE(IsWebViewPath("/"));
  EXPECT_FALSE(IsWebViewPath("/buildsx"));
  EXPECT_FALSE(IsWebViewPath("/gitea"));
}

// A log without [result] whose build never ends is streamed until the bound,
// then the chunked response is ended properly.
TEST_F(WebViewTest, StreamOfAStuckBuildEndsAtTheBound) {
  WriteLog("[job]\ntarget = main\n");
  std::string body;
  WebViewAnswer a = Serve(Get("/builds/acme-app/1.log"), StreamFor(0.3), &body);
  EXPECT_EQ(a.err, "");
  EXPECT_EQ(a.status, 200);
  EXPECT_THAT(a.note, HasSubstr("time limit")) << a.note;
  EXPECT_THAT(body, HasSubstr("Transfer-Encoding: chunked\r\n"));
  EXPECT_THAT(body, HasSubstr("\r\n14\r\n[job]\ntarget = main\n\r\n0\r\n\r\n"))
      << body;
}

// HTTP/1.0 has no chunks: the log goes as it is, ended by the close.
TEST_F(WebViewTest, StreamToHttp10IsPlain) {
  WriteLog("[job]\ntarget = main\n");
  HttpRequest request = Get("/builds/acme-app/1.log");
  request.http_minor = 0;
  std::string body;
  WebViewAnswer a = Serve(request, StreamFor(0.2), &body);
  EXPECT_EQ(a.err, "");
  EXPECT_THAT(body, Not(HasSubstr("Transfer-Encoding")));
  EXPECT_THAT(body, Not(HasSubstr("Content-Length")));
  size_t end = body.size() - 20;
  EXPECT_EQ(body.substr(end), "[job]\ntarget = main\n") << body;
}

// A finished build's log goes whole, with a Content-Length that is the
// number of bytes sent.
TEST_F(WebViewTest, CompleteLogHasItsLength) {
  const std::string log =
      "[job]\ntarget = main\n\n[result]\nstatus = success\n";
  WriteLog(log);
  std::string text;
  WebViewAnswer a =
      Serve(Get("/builds/acme-app/1.log"), WebViewOptions(), &text);
  EXPECT_EQ(a.err, "");
  size_t body = text.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos) << text;
  EXPECT_THAT(
      text,
      HasSubstr("\r\nContent-Length: " + std::to_string(log.size()) + "\r\n"))
      << text;
  EXPECT_EQ(text.substr(body + 4), log);
}

TEST_F(WebViewTest, OffIsNotFound) {
  config_.web_view = false;
  std::string body;
  EXPECT_EQ(Serve(Get("/builds"), WebViewOptions(), &body).status, 404);
}

}  // namespace
}  // namespace mm
