#include "http/http_request.h"

#include <errno.h>
#include <http_parser.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fsutil.h"
#include "base/ini.h"
#include "base/text.h"
#include "http/http_response.h"

namespace mm {
namespace {

constexpr size_t kReadChunk = 16384;

std::string FormatSeconds(double seconds) {
  long whole = static_cast<long>(seconds);
  if (static_cast<double>(whole) == seconds) return std::to_string(whole);
  char buf[32];
  snprintf(buf, sizeof buf, "%.1f", seconds);
  return buf;
}

bool Fail(HttpError* error, int status, const std::string& message) {
  error->status = status;
  error->message = message;
  return false;
}

// See HttpRequest::path.
std::string TargetPath(const std::string& target) {
  if (target.empty() || target[0] == '/')
    return target.substr(0, target.find_first_of("?#"));
  struct http_parser_url url;
  http_parser_url_init(&url);
  // Not a URL either (`*`): kept whole, which no endpoint matches.
  if (http_parser_parse_url(target.data(), target.size(), 0, &url) != 0)
    return target;
  if (!(url.field_set & (1 << UF_PATH))) return "/";
  return target.substr(url.field_data[UF_PATH].off,
                       url.field_data[UF_PATH].len);
}

}  // namespace

const std::string* HttpRequest::Header(const std::string& name) const {
  for (const HttpHeader& h : headers)
    if (EqualsIgnoreCase(h.name, name)) return &h.value;
  return nullptr;
}

struct HttpRequestReader::Parser {
  http_parser state;
  http_parser_settings settings;

  static int OnUrl(http_parser* parser, const char* at, size_t length);
  static int OnHeaderField(http_parser* parser, const char* at, size_t length);
  static int OnHeaderValue(http_parser* parser, const char* at, size_t length);
  static int OnHeadersComplete(http_parser* parser);
  static int OnBody(http_parser* parser, const char* at, size_t length);
  static int OnMessageComplete(http_parser* parser);
};

HttpRequestReader::~HttpRequestReader() = default;

HttpRequestReader::HttpRequestReader(int in_fd, int out_fd,
                                     const HttpReadLimits& limits)
    : in_fd_(in_fd),
      out_fd_(out_fd),
      limits_(limits),
      deadline_(MonotonicSeconds() + limits.timeout_seconds),
      parser_(new Parser) {
  // Our own limit must be the one that trips: the library's (80 KiB by
  // default) is raised past it by more than one read.
  http_parser_set_max_header_size(
      static_cast<uint32_t>(limits_.max_header_bytes + 2 * kReadChunk));
  http_parser_init(&parser_->state, HTTP_REQUEST);
  parser_->state.data = this;
  http_parser_settings_init(&parser_->settings);
  parser_->settings.on_url = Parser::OnUrl;
  parser_->settings.on_header_field = Parser::OnHeaderField;
  parser_->settings.on_header_value = Parser::OnHeaderValue;
  parser_->settings.on_headers_complete = Parser::OnHeadersComplete;
  parser_->settings.on_body = Parser::OnBody;
  parser_->settings.on_message_complete = Parser::OnMessageComplete;
}

int HttpRequestReader::Parser::OnUrl(http_parser* parser, const char* at,
                                     size_t length) {
  auto* self = static_cast<HttpRequestReader*>(parser->data);
  self->request_->target.append(at, length);
  return 0;
}

int HttpRequestReader::Parser::OnHeaderField(http_parser* parser,
                                             const char* at, size_t length) {
  auto* self = static_cast<HttpRequestReader*>(parser->data);
  std::vector<HttpHeader>& headers = self->request_->headers;
  if (headers.empty() || self->last_was_value_) headers.emplace_back();
  headers.back().name.append(at, length);
  self->last_was_value_ = false;
  return 0;
}

int HttpRequestReader::Parser::OnHeaderValue(http_parser* parser,
                                             const char* at, size_t length) {
  auto* self = static_cast<HttpRequestReader*>(parser->data);
  self->request_->headers.back().value.append(at, length);
  self->last_was_value_ = true;
  return 0;
}

int HttpRequestReader::Parser::OnHeadersComplete(http_parser* parser) {
  auto* self = static_cast<HttpRequestReader*>(parser->data);
  self->headers_complete_ = true;
  // Stop before the body: the caller decides whether it wants it.
  http_parser_pause(parser, 1);
  return 0;
}

int HttpRequestReader::Parser::OnBody(http_parser* parser, const char* at,
                                      size_t length) {
  auto* self = static_cast<HttpRequestReader*>(parser->data);
  std::string& body = self->request_->body;
  if (length > self->max_body_bytes_ - body.size()) {
    self->body_too_large_ = true;
    return 1;
  }
  body.append(at, length);
  return 0;
}

int HttpRequestReader::Parser::OnMessageComplete(http_parser* parser) {
  auto* self = static_cast<HttpRequestReader*>(parser->data);
  self->message_complete_ = true;
  // Anything after the request (a pipelined second one) is not ours.
  http_parser_pause(parser, 1);
  return 0;
}

bool HttpRequestReader::Fill(HttpError* error) {
  char buf[kReadChunk];
  for (;;) {
    double left = deadline_ - MonotonicSeconds();
    if (left <= 0)
      return Fail(error, 408,
                  "request not complete within " +
                      FormatSeconds(limits_.timeout_seconds) + " seconds");
    struct pollfd pfd = {in_fd_, POLLIN, 0};
    int ms = static_cast<int>(left * 1000) + 1;
    int ready = poll(&pfd, 1, ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0)
      return Fail(error, 400,
                  std::string("cannot read request: ") + strerror(errno));
    if (ready == 0) continue;  // the deadline check above answers
    ssize_t n = read(in_fd_, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0)
      return Fail(error, 400,
                  std::string("cannot read request: ") + strerror(errno));
    if (n == 0)
      return Fail(error, 400,
                  received_ == 0
                      ? "connection closed before a request was sent"
                      : "connection closed before the request was complete");
    received_ += static_cast<size_t>(n);
    pending_.append(buf, static_cast<size_t>(n));
    return true;
  }
}

bool HttpRequestReader::Feed(size_t max_bytes, HttpError* error) {
  size_t len = pending_.size() < max_bytes ? pending_.size() : max_bytes;
  size_t used = http_parser_execute(&parser_->state, &parser_->settings,
                                    pending_.data(), len);
  pending_.erase(0, used);
  enum http_errno code = HTTP_PARSER_ERRNO(&parser_->state);
  if (code == HPE_PAUSED) {
    http_parser_pause(&parser_->state, 0);
    return true;
  }
  if (code == HPE_OK) return true;
  if (code == HPE_CB_body && body_too_large_)
    return Fail(error, 413,
                "request body larger than maxRequestBytes (" +
                    std::to_string(max_body_bytes_) + " bytes)");
  if (code == HPE_HEADER_OVERFLOW)
    return Fail(error, 431,
                "request line and headers larger than " +
                    std::to_string(limits_.max_header_bytes) + " bytes");
  return Fail(
      error, 400,
      std::string("malformed HTTP request: ") + http_errno_description(code));
}

bool HttpRequestReader::ReadHead(HttpRequest* request, HttpError* error) {
  *request = HttpRequest();
  request_ = request;
  bool ok = ReadHeadBytes(error);
  // A refused head still names its method and path, for the journal, once
  // the request line is in.
  if (!request->target.empty()) {
    request->method =
        http_method_str(static_cast<http_method>(parser_->state.method));
    request->path = TargetPath(request->target);
  }
  if (!ok) return false;
  request->http_major = parser_->state.http_major;
  request->http_minor = parser_->state.http_minor;
  for (HttpHeader& h : request->headers) h.value = Trim(h.value);
  if (request->http_major != 1)
    return Fail(error, 400, "only HTTP/1.0 and HTTP/1.1 are supported");
  return true;
}

bool HttpRequestReader::ReadHeadBytes(HttpError* error) {
  size_t head_bytes = 0;
  while (!headers_complete_) {
    if (pending_.empty() && !Fill(error)) return false;
    size_t before = pending_.size();
    if (!Feed(pending_.size(), error)) return false;
    head_bytes += before - pending_.size();
    if (head_bytes > limits_.max_header_bytes)
      return Fail(error, 431,
                  "request line and headers larger than " +
                      std::to_string(limits_.max_header_bytes) + " bytes");
  }
  // The parser stopped on the last byte of the head; feeding that one byte
  // sets up the body (or completes a request that has none) without reading
  // any of it.
  return pending_.empty() || Feed(1, error);
}

bool HttpRequestReader::ReadBody(size_t max_body_bytes, HttpRequest* request,
                                 HttpError* error) {
  request_ = request;
  max_body_bytes_ = max_body_bytes;
  bool has_length = (parser_->state.flags & (F_CHUNKED | F_CONTENTLENGTH)) != 0;
  if (!has_length && (request->method == "POST" || request->method == "PUT"))
    return Fail(
        error, 411,
        "a " + request->method + " needs a Content-Length or a chunked body");
  if ((parser_->state.flags & F_CONTENTLENGTH) && !message_complete_ &&
      parser_->state.content_length > max_body_bytes)
    return Fail(error, 413,
                "request body of " +
                    std::to_string(parser_->state.content_length) +
                    " bytes is larger than maxRequestBytes (" +
                    std::to_string(max_body_bytes) + " bytes)");
  const std::string* expect = request->Header("Expect");
  if (expect && !message_complete_ && request->http_minor >= 1 &&
      EqualsIgnoreCase(*expect, "100-continue")) {
    static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    // A client that cannot take it will not take the answer either; the
    // final response reports that.
    WriteAll(out_fd_, kContinue, sizeof kContinue - 1);
  }
  while (!message_complete_) {
    if (pending_.empty() && !Fill(error)) return false;
    if (!Feed(pending_.size(), error)) return false;
  }
  return true;
}

}  // namespace mm
