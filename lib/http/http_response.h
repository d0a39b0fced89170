// The one response mmbridge writes (mmbridge(1) Responses): a status line, a
// short `text/plain` body with its exact Content-Length, and `Connection:
// close`, since every connection carries exactly one request.
#ifndef MIXMASTER_HTTP_RESPONSE_H_
#define MIXMASTER_HTTP_RESPONSE_H_

#include <stddef.h>

#include <string>

#include "base/journal.h"  // Printable

namespace mm {

struct HttpResponse {
  int status = 200;
  // For a person reading it: one line, to which a newline is added when it
  // has none, so that `curl` output ends cleanly.
  std::string body;
  // The methods a path takes, sent as `Allow:` (with 405).
  std::string allow;
};

// The reason phrase of a status code ("Accepted"); "Unknown" for others.
const char* StatusReason(int status);

// The whole response, head and body.
std::string FormatHttpResponse(const HttpResponse& response);

// Writes FormatHttpResponse(response) to `fd`.
bool WriteHttpResponse(int fd, const HttpResponse& response, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_HTTP_RESPONSE_H_
