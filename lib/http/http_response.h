// Every response mmbridge writes (mmbridge(1) Responses, WEB VIEW): a status
// line, the body's type and exact Content-Length (or chunks, or until the
// connection closes, for a log that is still growing), `X-Content-Type-
// Options: nosniff` on every one, the web view's no-cache and
// Content-Security-Policy on its pages, and `Connection: close`, since
// every connection carries exactly one request.
#ifndef MIXMASTER_HTTP_RESPONSE_H_
#define MIXMASTER_HTTP_RESPONSE_H_

#include <stddef.h>

#include <string>
#include <vector>

#include "base/journal.h"  // Printable

namespace mm {

struct HttpResponse {
  int status = 200;
  // A text/plain body is for a person reading it: one line, to which a
  // newline is added when it has none, so that `curl` output ends cleanly.
  std::string body;
  std::string content_type = "text/plain; charset=utf-8";
  // The methods a path takes, sent as `Allow:` (with 405).
  std::string allow;
  // More header lines, "Name: value" (WWW-Authenticate).
  std::vector<std::string> headers;
  // A web view response: never cached, and nothing in it may run as script
  // (Cache-Control: no-cache, Content-Security-Policy).
  bool web_view = false;
};

// The body lengths ResponseHead takes besides a byte count.
constexpr long long kChunkedBody = -1;
constexpr long long kBodyUntilClose = -2;  // HTTP/1.0 has no chunks

// The head of `response` (status line, headers, blank line) for a body of
// `length` bytes, kChunkedBody or kBodyUntilClose.
std::string ResponseHead(const HttpResponse& response, long long length);

// The 405 for `method` on `path`, which takes `allow` ("POST, PUT"); the
// body says what to `use` ("POST or PUT").
HttpResponse MethodNotAllowed(const std::string& method,
                              const std::string& path, const std::string& allow,
                              const std::string& use);

// The reason phrase of a status code ("Accepted"); "Unknown" for others.
const char* StatusReason(int status);

// The whole response, head and body.
std::string FormatHttpResponse(const HttpResponse& response);

// Writes FormatHttpResponse(response) to `fd`.
bool WriteHttpResponse(int fd, const HttpResponse& response, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_HTTP_RESPONSE_H_
