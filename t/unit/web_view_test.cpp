#include "web_view.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "git_test_support.h"

namespace mm {
namespace {

using testing_support::TempDir;

TEST(WebViewTest, OnlyItsOwnPaths) {
  EXPECT_TRUE(IsWebViewPath("/builds"));
  EXPECT_TRUE(IsWebViewPath("/builds/x/y.log"));
  EXPECT_TRUE(IsWebViewPath("/badge/x.svg"));
  EXPECT_FALSE(IsWebViewPath("/"));
  EXPECT_FALSE(IsWebViewPath("/buildsx"));
  EXPECT_FALSE(IsWebViewPath("/gitea"));
}

// A log without [result] whose build never ends is streamed until the bound,
// then the chunked response is ended properly.
TEST(WebViewTest, StreamOfAStuckBuildEndsAtTheBound) {
  TempDir tmp;
  testing_support::Sh("mkdir -p " + (tmp / "acme-app/JOBS"));
  std::ofstream(tmp / "acme-app/JOBS/1.log") << "[job]\ntarget = main\n";
  Config config;
  config.web_view = true;
  config.build_root = tmp.path();
  HttpRequest request;
  request.method = "GET";
  request.path = request.target = "/builds/acme-app/1.log";
  int client[2];
  ASSERT_EQ(pipe(client), 0);  // nothing is ever sent, nor hung up
  int out = open((tmp / "out").c_str(), O_WRONLY | O_CREAT, 0600);
  WebViewOptions options;
  options.stream_seconds = 0.3;
  options.poll_seconds = 0.05;
  WebViewAnswer a = ServeWebView(config, request, client[0], out, options);
  close(out);
  close(client[0]);
  close(client[1]);
  EXPECT_EQ(a.err, "");
  EXPECT_EQ(a.status, 200);
  EXPECT_NE(a.note.find("time limit"), std::string::npos) << a.note;
  std::stringstream body;
  body << std::ifstream(tmp / "out").rdbuf();
  EXPECT_NE(body.str().find("Transfer-Encoding: chunked\r\n"),
            std::string::npos);
  EXPECT_NE(body.str().find("\r\n14\r\n[job]\ntarget = main\n\r\n0\r\n\r\n"),
            std::string::npos)
      << body.str();
}

// HTTP/1.0 has no chunks: the log goes as it is, ended by the close.
TEST(WebViewTest, StreamToHttp10IsPlain) {
  TempDir tmp;
  testing_support::Sh("mkdir -p " + (tmp / "acme-app/JOBS"));
  std::ofstream(tmp / "acme-app/JOBS/1.log") << "[job]\ntarget = main\n";
  Config config;
  config.web_view = true;
  config.build_root = tmp.path();
  HttpRequest request;
  request.method = "GET";
  request.path = request.target = "/builds/acme-app/1.log";
  request.http_major = 1;
  request.http_minor = 0;
  int client[2];
  ASSERT_EQ(pipe(client), 0);
  int out = open((tmp / "out").c_str(), O_WRONLY | O_CREAT, 0600);
  WebViewOptions options;
  options.stream_seconds = 0.2;
  options.poll_seconds = 0.05;
  WebViewAnswer a = ServeWebView(config, request, client[0], out, options);
  close(out);
  close(client[0]);
  close(client[1]);
  EXPECT_EQ(a.err, "");
  std::stringstream body;
  body << std::ifstream(tmp / "out").rdbuf();
  EXPECT_EQ(body.str().find("Transfer-Encoding"), std::string::npos);
  EXPECT_EQ(body.str().find("Content-Length"), std::string::npos);
  size_t end = body.str().size() - 20;
  EXPECT_EQ(body.str().substr(end), "[job]\ntarget = main\n") << body.str();
}

// A finished build's log goes whole, with a Content-Length that is the
// number of bytes sent.
TEST(WebViewTest, CompleteLogHasItsLength) {
  TempDir tmp;
  testing_support::Sh("mkdir -p " + (tmp / "acme-app/JOBS"));
  const std::string log =
      "[job]\ntarget = main\n\n[result]\nstatus = success\n";
  std::ofstream(tmp / "acme-app/JOBS/1.log") << log;
  Config config;
  config.web_view = true;
  config.build_root = tmp.path();
  HttpRequest request;
  request.method = "GET";
  request.path = request.target = "/builds/acme-app/1.log";
  int out = open((tmp / "out").c_str(), O_WRONLY | O_CREAT, 0600);
  WebViewAnswer a = ServeWebView(config, request, -1, out, WebViewOptions());
  close(out);
  EXPECT_EQ(a.err, "");
  std::stringstream response;
  response << std::ifstream(tmp / "out").rdbuf();
  std::string text = response.str();
  size_t body = text.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos) << text;
  EXPECT_NE(
      text.find("\r\nContent-Length: " + std::to_string(log.size()) + "\r\n"),
      std::string::npos)
      << text;
  EXPECT_EQ(text.substr(body + 4), log);
}

TEST(WebViewTest, OffIsNotFound) {
  Config config;
  HttpRequest request;
  request.method = "GET";
  request.path = request.target = "/builds";
  TempDir tmp;
  int out = open((tmp / "out").c_str(), O_WRONLY | O_CREAT, 0600);
  WebViewAnswer a = ServeWebView(config, request, -1, out, WebViewOptions());
  close(out);
  EXPECT_EQ(a.status, 404);
}

}  // namespace
}  // namespace mm
