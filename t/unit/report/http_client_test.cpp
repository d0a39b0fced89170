#include "report/http_client.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

using ::testing::HasSubstr;

namespace mm {
namespace {

// A one-request HTTP server on 127.0.0.1: it reads the request (head and
// Content-Length body), keeps it, and sends `answer`.
class OneShotServer {
 public:
  explicit OneShotServer(std::string answer) : answer_(std::move(answer)) {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    EXPECT_EQ(listen(listener_, 1), 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneShotServer() {
    if (thread_.joinable()) thread_.join();
    close(listener_);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // What it received; call after the request is done.
  const std::string& request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  void Serve() {
    int c = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    char buf[4096];
    size_t want = std::string::npos;
    while (request_.size() < want) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      request_.append(buf, static_cast<size_t>(n));
      size_t end = request_.find("\r\n\r\n");
      if (end != std::string::npos && want == std::string::npos) {
        size_t cl = request_.find("Content-Length: ");
        size_t length =
            cl == std::string::npos ? 0 : std::stoul(request_.substr(cl + 16));
        want = end + 4 + length;
      }
    }
    ssize_t sent = write(c, answer_.data(), answer_.size());
    (void)sent;  // the client says what it got
    close(c);
  }

  std::string answer_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string request_;
};

TEST(HttpClientTest, PostsHeadersAndBodyAndReadsTheAnswer) {
  OneShotServer server(
      "HTTP/1.1 201 Created\r\nContent-Length: 9\r\nConnection: close\r\n"
      "\r\n{\"id\":1}\n");
  HttpPostOptions options;
  options.timeout_ms = 10000;
  HttpAnswer answer;
  std::string err;
  ASSERT_TRUE(HttpPost(server.url("/api/statuses/abc"),
                       {"Content-Type: application/json", "X-Token: t"},
                       "{\"state\":\"pending\"}", options, &answer, &err))
      << err;
  EXPECT_EQ(answer.status, 201);
  EXPECT_EQ(answer.body, "{\"id\":1}\n");
  const std::string& request = server.request();
  EXPECT_THAT(request, HasSubstr("POST /api/statuses/abc HTTP/1.1\r\n"));
  EXPECT_THAT(request, HasSubstr("\r\nX-Token: t\r\n"));
  EXPECT_THAT(request, HasSubstr("\r\n\r\n{\"state\":\"pending\"}"));
  // No `Expect: 100-continue` for the server to answer first.
  EXPECT_THAT(request, ::testing::Not(HasSubstr("100-continue")));
}

TEST(HttpClientTest, AnErrorStatusIsAnAnswerAndARedirectIsNotFollowed) {
  OneShotServer server(
      "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\n"
      "Content-Length: 0\r\nConnection: close\r\n\r\n");
  CurlHttpClient client{HttpPostOptions()};
  HttpAnswer answer;
  std::string err;
  ASSERT_TRUE(client.Post(server.url("/"), {}, "x", &answer, &err)) << err;
  EXPECT_EQ(answer.status, 302);
}

TEST(HttpClientTest, NoAnswerIsAnErrorAndOnlyHttpIsSpoken) {
  // A port just closed: nothing listens there.
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  HttpAnswer answer;
  std::string err;
  EXPECT_FALSE(HttpPost("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)),
                        {}, "x", HttpPostOptions(), &answer, &err));
  EXPECT_FALSE(err.empty());
  err.clear();
  EXPECT_FALSE(HttpPost("file:///etc/passwd", {}, "x", HttpPostOptions(),
                        &answer, &err));
  EXPECT_FALSE(err.empty());
}

}  // namespace
}  // namespace mm
