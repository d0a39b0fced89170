#include "http/http_response.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

TEST(HttpResponseTest, FormatsStatusHeadersAndBody) {
  HttpResponse r;
  r.status = 202;
  r.body = "queued 20261125-120000-1";
  EXPECT_EQ(FormatHttpResponse(r),
            "HTTP/1.1 202 Accepted\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 25\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Connection: close\r\n"
            "\r\n"
            "queued 20261125-120000-1\n");
}

TEST(HttpResponseTest, SendsAllowWith405) {
  HttpResponse r;
  r.status = 405;
  r.body = "use POST or PUT\n";
  r.allow = "POST, PUT";
  std::string text = FormatHttpResponse(r);
  EXPECT_EQ(text.compare(0, 32, "HTTP/1.1 405 Method Not Allowed\r"), 0)
      << text;
  EXPECT_THAT(text, HasSubstr("\r\nAllow: POST, PUT\r\n")) << text;
  // A body that ends in a newline gets no second one.
  EXPECT_THAT(text, HasSubstr("Content-Length: 16\r\n")) << text;
}

TEST(HttpResponseTest, ContentLengthCountsBytesNotCharacters) {
  HttpResponse r;
  r.status = 422;
  r.body = "unknown project caf\xc3\xa9";  // 21 bytes, 20 characters
  std::string text = FormatHttpResponse(r);
  EXPECT_THAT(text, HasSubstr("Content-Length: 22\r\n")) << text;
  size_t body_at = text.find("\r\n\r\n") + 4;
  EXPECT_EQ(text.size() - body_at, 22u);
}

TEST(HttpResponseTest, EveryStatusTheBridgeSendsHasItsReason) {
  const std::pair<int, const char*> cases[] = {
      {200, "OK"},
      {202, "Accepted"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {408, "Request Timeout"},
      {411, "Length Required"},
      {413, "Content Too Large"},
      {415, "Unsupported Media Type"},
      {422, "Unprocessable Content"},
      {431, "Request Header Fields Too Large"},
      {500, "Internal Server Error"},
  };
  for (const auto& c : cases) EXPECT_STREQ(StatusReason(c.first), c.second);
}

TEST(HttpResponseTest, PrintableKeepsRequestValuesToOneShortLine) {
  EXPECT_EQ(Printable("o/r"), "o/r");
  EXPECT_EQ(Printable("a\n<3>b\r\tc"), "a <3>b  c");
  std::string long_value(300, 'x');
  EXPECT_EQ(Printable(long_value), std::string(200, 'x') + "...");
  // A cut never splits a UTF-8 character: 199 bytes, then a 2-byte one.
  std::string utf8 = std::string(199, 'x') + "\xc3\xa9" + "tail";
  EXPECT_EQ(Printable(utf8), std::string(199, 'x') + "...");
}

TEST(HttpResponseTest, WritesTheWholeResponse) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  HttpResponse r;
  r.status = 200;
  r.body = "0.1.0";
  std::string err;
  ASSERT_TRUE(WriteHttpResponse(p[1], r, &err)) << err;
  close(p[1]);
  std::string got;
  char buf[512];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) got.append(buf, n);
  close(p[0]);
  EXPECT_EQ(got, FormatHttpResponse(r));
}

TEST(HttpResponseTest, ReportsAWriteToAClosedPeer) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  close(p[0]);
  signal(SIGPIPE, SIG_IGN);
  HttpResponse r;
  std::string err;
  EXPECT_FALSE(WriteHttpResponse(p[1], r, &err));
  EXPECT_EQ(err, "cannot write the response: Broken pipe");
  close(p[1]);
}

}  // namespace
}  // namespace mm
