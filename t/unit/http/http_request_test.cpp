#include "http/http_request.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "support/git_test_support.h"

namespace mm {
namespace {

// The request comes from a file (any size, EOF at its end) or from a pipe
// whose write end stays open (a client that stops sending); what the reader
// writes back (100 Continue) goes to a pipe the test reads.
class HttpRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    dir_ = tmp_.path();
    ASSERT_EQ(pipe(out_), 0);
    fcntl(out_[0], F_SETFL, O_NONBLOCK);
  }
  void TearDown() override {
    if (in_ >= 0) close(in_);
    if (writer_ >= 0) close(writer_);
    close(out_[0]);
    close(out_[1]);
  }
  testing_support::TempDir tmp_;

  // Makes `text` the whole input.
  void FromFile(const std::string& text) {
    std::string path = dir_ + "/request";
    int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, text.data(), text.size()),
              static_cast<ssize_t>(text.size()));
    close(fd);
    in_ = open(path.c_str(), O_RDONLY);
    ASSERT_GE(in_, 0);
  }

  // Makes `text` what arrives, then nothing, with the sender still there.
  void FromStalledPipe(const std::string& text) {
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    ASSERT_EQ(write(p[1], text.data(), text.size()),
              static_cast<ssize_t>(text.size()));
    in_ = p[0];
    writer_ = p[1];
  }

  std::string Written() {
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = read(out_[0], buf, sizeof buf)) > 0) out.append(buf, n);
    return out;
  }

  HttpReadLimits limits_;
  std::string dir_;
  int in_ = -1;
  int writer_ = -1;
  int out_[2] = {-1, -1};
};

const char kPost[] =
    "POST /gitea?x=1 HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "content-type: application/json\r\n"
    "X-Gitea-Event:   push  \r\n"
    "Content-Length: 7\r\n"
    "\r\n"
    "{\"a\":1}";

TEST_F(HttpRequestTest, ReadsRequestLineHeadersAndBody) {
  FromFile(kPost);
  HttpRequestReader reader(in_, out_[1], limits_);
  HttpRequest req;
  HttpError error;
  ASSERT_TRUE(reader.ReadHead(&req, &error)) << error.message;
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/gitea?x=1");
  EXPECT_EQ(req.path, "/gitea");
  EXPECT_EQ(req.http_minor, 1);
  ASSERT_NE(req.Header("Content-Type"), nullptr);
  EXPECT_EQ(*req.Header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(*req.Header("x-gitea-event"), "push");
  EXPECT_EQ(req.Header("X-Missing"), nullptr);
  EXPECT_TRUE(req.body.empty());  // not read before it is asked for
  EXPECT_FALSE(reader.complete());
  ASSERT_TRUE(reader.ReadBody(100, &req, &error)) << error.message;
  EXPECT_EQ(req.body, "{\"a\":1}");
  EXPECT_TRUE(reader.complete());
  EXPECT_EQ(Written(), "");  // no Expect, no 100 Continue
}

TEST_F(HttpRequestTest, AbsoluteFormTargetGivesItsPath) {
  // RFC 9112 3.2.2: a server must accept the absolute form.
  const std::pair<const char*, const char*> cases[] = {
      {"http://example.com/gitea?x=1", "/gitea"},
      {"http://example.com:8585/", "/"},
      {"http://example.com", "/"},
      {"*", "*"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.first);
    if (in_ >= 0) close(in_);
    FromFile(std::string("OPTIONS ") + c.first + " HTTP/1.1\r\n\r\n");
    HttpRequestReader reader(in_, out_[1], limits_);
    HttpRequest req;
    HttpError error;
    ASSERT_TRUE(reader.ReadHead(&req, &error)) << error.message;
    EXPECT_EQ(req.target, c.first);
    EXPECT_EQ(req.path, c.second);
  }
}

TEST_F(HttpRequestTest, GetWithoutBodyIsCompleteAfterTheHead) {
  FromFile("GET /version HTTP/1.0\r\n\r\n");
  HttpRequestReader reader(in_, out_[1], limits_);
  HttpRequest req;
  HttpError error;
  ASSERT_TRUE(reader.ReadHead(&req, &error)) << error.message;
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.path, "/version");
  EXPECT_TRUE(reader.complete());
}

TEST_F(HttpRequestTest, JoinsChunkedBody) {
  FromFile(
      "PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n");
  HttpRequestReader reader(in_, out_[1], limits_);
  HttpRequest req;
  HttpError error;
  ASSERT_TRUE(reader.ReadHead(&req, &error)) << error.message;
  ASSERT_TRUE(reader.ReadBody(100, &req, &error)) << error.message;
  EXPECT_EQ(req.body, "{\"a\":1}");
}

TEST_F(HttpRequestTest, AnswersExpectContinueBeforeReadingTheBody) {
  FromFile(
      "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
      "{}");
  HttpRequestReader reader(in_, out_[1], limits_);
  HttpRequest req;
  HttpError error;
  ASSERT_TRUE(reader.ReadHead(&req, &error));
  EXPECT_EQ(Written(), "");
  ASSERT_TRUE(reader.ReadBody(100, &req, &error)) << error.message;
  EXPECT_EQ(Written(), "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_EQ(req.body, "{}");
}

TEST_F(HttpRequestTest, RefusesTooLargeContentLengthWithoutWaitingForIt) {
  // Only the head is sent; the refusal must come from Content-Length alone,
  // and no 100 Continue invites the body.
  FromStalledPipe(
      "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 101\r\n\r\n");
  limits_.timeout_seconds = 5;
  HttpRequestReader reader(in_, out_[1], limits_);
  HttpRequest req;
  HttpError error;
  ASSERT_TRUE(reader.ReadHead(&req, &error));
  EXPECT_FALSE(reader.ReadBody(100, &req, &error));
  EXPECT_EQ(error.status, 413);
  EXPECT_EQ(error.message,
            "request body of 101 bytes is larger than maxRequestBytes (100 "
            "bytes)");
  EXPECT_EQ(Written(), "");
}

TEST_F(HttpRequestTest, RefusesChunkedBodyThatGrowsTooLarge) {
  std::string req_text =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) req_text += "a\r\n0123456789\r\n";
  req_text += "0\r\n\r\n";
  FromFile(req_text);
  HttpRequestReader reader(in_, out_[1], limits_);
  HttpRequest req;
  HttpError error;
  ASSERT_TRUE(reader.ReadHead(&req, &error));
  EXPECT_FALSE(reader.ReadBody(150, &req, &error));
  EXPECT_EQ(error.status, 413);
  EXPECT_LE(req.body.size(), 150u);
}

TEST_F(HttpRequestTest, PostWithoutLengthIs411) {
  FromFile("POST / HTTP/1.1\r\nHost: x\r\n\r\n{}");
  HttpRequestReader reader(in_, out_[1], limits_);
  HttpRequest req;
  HttpError error;
  ASSERT_TRUE(reader.ReadHead(&req, &error));
  EXPECT_FALSE(reader.ReadBody(100, &req, &error));
  EXPECT_EQ(error.status, 411);
  EXPECT_EQ(error.message, "a POST needs a Content-Length or a chunked body");
}

TEST_F(HttpRequestTest, MalformedRequestsAre400) {
  const char* cases[] = {
      "HELLO\r\n\r\n",
      "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
      "GET / HTTP/2.0\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n"
      "\r\n{}",
      "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n{}",
  };
  for (const char* text : cases) {
    SCOPED_TRACE(text);
    if (in_ >= 0) close(in_);
    FromFile(text);
    HttpRequestReader reader(in_, out_[1], limits_);
    HttpRequest req;
    HttpError error;
    bool ok =
        reader.ReadHead(&req, &error) && reader.ReadBody(100, &req, &error);
    EXPECT_FALSE(ok);
    EXPECT_EQ(error.status, 400);
    EXPECT_FALSE(error.message.empty());
  }
}

TEST_F(HttpRequestTest, HeadersOverTheLimitAre431) {
  std::string text = "GET / HTTP/1.1\r\n";
  while (text.size() < (70u << 10))
    text += "X-Filler: " + std::string(90, 'a') + "\r\n";
  text += "\r\n";
  FromFile(text);
  HttpRequestReader reader(in_, out_[1], limits_);
  HttpRequest req;
  HttpError error;
  EXPECT_FALSE(reader.ReadHead(&req, &error));
  EXPECT_EQ(error.status, 431);
  EXPECT_EQ(error.message, "request line and headers larger than 65536 bytes");
}

TEST_F(HttpRequestTest, StalledClientGets408AtTheDeadline) {
  FromStalledPipe("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n{\"a\"");
  limits_.timeout_seconds = 0.3;
  HttpRequestReader reader(in_, out_[1], limits_);
  HttpRequest req;
  HttpError error;
  ASSERT_TRUE(reader.ReadHead(&req, &error));
  EXPECT_FALSE(reader.ReadBody(100, &req, &error));
  EXPECT_EQ(error.status, 408);
  EXPECT_EQ(error.message, "request not complete within 0.3 seconds");
}

TEST_F(HttpRequestTest, ConnectionClosedMidBodyIs400) {
  FromFile("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n{\"a\"");
  HttpRequestReader reader(in_, out_[1], limits_);
  HttpRequest req;
  HttpError error;
  ASSERT_TRUE(reader.ReadHead(&req, &error));
  EXPECT_FALSE(reader.ReadBody(100, &req, &error));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.message, "connection closed before the request was complete");
}

TEST_F(HttpRequestTest, EmptyConnectionIs400) {
  FromFile("");
  HttpRequestReader reader(in_, out_[1], limits_);
  HttpRequest req;
  HttpError error;
  EXPECT_FALSE(reader.ReadHead(&req, &error));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.message, "connection closed before a request was sent");
}

TEST_F(HttpRequestTest, StopsAtTheEndOfTheFirstRequest) {
  FromFile(std::string(kPost) + "GET /version HTTP/1.1\r\n\r\n");
  HttpRequestReader reader(in_, out_[1], limits_);
  HttpRequest req;
  HttpError error;
  ASSERT_TRUE(reader.ReadHead(&req, &error));
  ASSERT_TRUE(reader.ReadBody(100, &req, &error));
  EXPECT_EQ(req.body, "{\"a\":1}");
  EXPECT_EQ(req.path, "/gitea");
}

}  // namespace
}  // namespace mm
