// Reading one HTTP/1.x request from a file descriptor (mmbridge(1)
// DESCRIPTION): parsed by libhttp-parser, under one deadline for the whole
// request, with limits on the header and body sizes. Reading is split in two
// (head, then body) so that the caller can route the request and load its
// limits before any body byte is read, and answer `Expect: 100-continue` only
// when it wants the body.
#ifndef MIXMASTER_HTTP_REQUEST_H_
#define MIXMASTER_HTTP_REQUEST_H_

#include <stddef.h>

#include <memory>
#include <string>
#include <vector>

namespace mm {

struct HttpHeader {
  std::string name;  // as sent
  std::string value;
};

struct HttpRequest {
  std::string method;  // "POST", ...
  std::string target;  // the request target as sent, query included
  // The target's path, without query string or fragment; for an absolute
  // target (`http://host/gitea`, which a server must accept) its path part.
  std::string path;
  int http_major = 0;
  int http_minor = 0;
  std::vector<HttpHeader> headers;  // in the order sent, duplicates kept
  std::string body;                 // the decoded body (chunks joined)

  // The value of the first header named `name` (ASCII case-insensitive), or
  // null when there is none.
  const std::string* Header(const std::string& name) const;
};

// Why a request could not be read, as an HTTP answer.
struct HttpError {
  int status = 0;       // 400, 408, 411, 413, 431
  std::string message;  // a sentence for the response body
};

struct HttpReadLimits {
  double timeout_seconds = 10;         // for the whole request
  size_t max_header_bytes = 64 << 10;  // request line and headers
};

// Reads one request from `in_fd`. `out_fd` receives the `100 Continue`
// interim response. Neither descriptor is owned or closed.
class HttpRequestReader {
 public:
  HttpRequestReader(int in_fd, int out_fd, const HttpReadLimits& limits);
  ~HttpRequestReader();
  HttpRequestReader(const HttpRequestReader&) = delete;
  HttpRequestReader& operator=(const HttpRequestReader&) = delete;

  // Reads the request line and the headers into `request`. On failure fills
  // `error` (400 malformed, 408 too slow, 431 headers too large).
  bool ReadHead(HttpRequest* request, HttpError* error);

  // Reads the body after ReadHead. A POST or PUT without Content-Length or
  // chunked encoding is 411; a body larger than `max_body_bytes` is 413,
  // refused from Content-Length before reading when it can be.
  bool ReadBody(size_t max_body_bytes, HttpRequest* request, HttpError* error);

  // True once every byte of the request has been read, so that closing the
  // connection discards nothing the client still sends.
  bool complete() const { return message_complete_; }

 private:
  // Feeds the parser until the end of the head.
  bool ReadHeadBytes(HttpError* error);
  // Reads more bytes into pending_, waiting at most until the deadline.
  bool Fill(HttpError* error);
  // Feeds pending_ to the parser; false with `error` on a parse error.
  bool Feed(size_t max_bytes, HttpError* error);

  // libhttp-parser's state and callbacks, kept out of this header.
  struct Parser;

  int in_fd_;
  int out_fd_;
  HttpReadLimits limits_;
  double deadline_;  // MonotonicSeconds() at which reading stops
  std::unique_ptr<Parser> parser_;
  std::string pending_;  // bytes read but not yet parsed
  size_t received_ = 0;  // bytes read in all
  HttpRequest* request_ = nullptr;
  bool last_was_value_ = false;
  bool headers_complete_ = false;
  bool message_complete_ = false;
  size_t max_body_bytes_ = 0;
  bool body_too_large_ = false;
};

}  // namespace mm

#endif  // MIXMASTER_HTTP_REQUEST_H_
