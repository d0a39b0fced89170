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

std::string FormatHttpResponse(const HttpResponse& response) {
  std::string body = response.body;
  if (body.empty() || body.back() != '\n') body += '\n';
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                    StatusReason(response.status) + "\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (!response.allow.empty()) out += "Allow: " + response.allow + "\r\n";
  out += "Connection: close\r\n\r\n";
  out += body;
  return out;
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
