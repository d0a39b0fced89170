#include "http/http_response.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/journal.h"

namespace mm {

const char* StatusReason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    default:
      return "Unknown";
  }
}

std::string ResponseHead(const HttpResponse& response, long long length) {
  std::string h = "HTTP/1.1 " + std::to_string(response.status) + " " +
                  StatusReason(response.status) + "\r\n";
  h += "Content-Type: " + response.content_type + "\r\n";
  if (length == kChunkedBody)
    h += "Transfer-Encoding: chunked\r\n";
  else if (length >= 0)
    h += "Content-Length: " + std::to_string(length) + "\r\n";
  if (!response.allow.empty()) h += "Allow: " + response.allow + "\r\n";
  for (const std::string& header : response.headers) h += header + "\r\n";
  // A body that holds request or log values is never taken for another type.
  h += "X-Content-Type-Options: nosniff\r\n";
  // Pages change with every build; nothing from a log may run as script.
  if (response.web_view)
    h += "Cache-Control: no-cache\r\n"
         "Content-Security-Policy: default-src 'none'; style-src "
         "'unsafe-inline'; img-src 'self'\r\n";
  return h + "Connection: close\r\n\r\n";
}

HttpResponse MethodNotAllowed(const std::string& method,
                              const std::string& path, const std::string& allow,
                              const std::string& use) {
  HttpResponse r;
  r.status = 405;
  r.body = "method " + Printable(method) + " not allowed on " +
           Printable(path) + "; use " + use;
  r.allow = allow;
  return r;
}

std::string FormatHttpResponse(const HttpResponse& response) {
  std::string body = response.body;
  if (response.content_type.compare(0, 10, "text/plain") == 0 &&
      (body.empty() || body.back() != '\n'))
    body += '\n';
  return ResponseHead(response, static_cast<long long>(body.size())) + body;
}

bool WriteHttpResponse(int fd, const HttpResponse& response, std::string* err) {
  std::string text = FormatHttpResponse(response);
  if (!WriteAll(fd, text.data(), text.size())) {
    *err = std::string("cannot write the response: ") + strerror(errno);
    return false;
  }
  return true;
}

}  // namespace mm
