// One mmbridge connection (mmbridge(1)): read one HTTP request, check it, write
// at most one job into the spool, answer. The program around it only parses
// options, prints the journal line and turns the result into an exit code,
// so everything a request can do is here, where tests can drive it through a
// socketpair with a fixed clock.
#ifndef MIXMASTER_BRIDGE_H_
#define MIXMASTER_BRIDGE_H_

#include <string>

#include "base/clock.h"
#include "base/journal.h"
#include "forge/forge.h"
#include "http/http_request.h"
#include "http/http_response.h"
#include "job/config.h"

namespace mm {

struct BridgeOptions {
  std::string config_path;
  // The configuration, read once per process by LoadBridgeConfig (mmbridge
  // reads it before it sandboxes itself, which needs its paths);
  // `config_error` says why it could not be read.
  Config config;
  std::string config_error;
  // Seconds allowed for the whole request (mmbridge(1) ENVIRONMENT).
  double read_timeout_seconds = 10;
  // The client's address for the journal line ($REMOTE_ADDR from systemd);
  // when empty, the peer of the input socket, else "-".
  std::string remote_address;
};

// How a connection ended, for the exit code (mmbridge(1) EXIT STATUS: only a
// 500 or no answer at all is a failure; a bad request is the client's problem).
enum class BridgeResult {
  kAnswered,          // any 2xx or 4xx was sent
  kConfigUnreadable,  // 500 sent: the configuration could not be loaded
  kSpoolUnwritable,   // 500 sent: the job could not be written
  kNotAnswered,       // the response could not be written
};

struct BridgeOutcome {
  HttpResponse response;  // what was sent (or could not be)
  BridgeResult result = BridgeResult::kAnswered;
  // The one journal line for the request: address, method, path, status and
  // the job id or the reason; one line, request values made printable.
  std::string journal_line;
  Priority priority = Priority::kInfo;  // info 2xx, warning 4xx, error else
};

// The event named by the forge's header (X-Gitea-Event or X-Forgejo-Event,
// X-GitHub-Event, X-Gitlab-Event); empty when there is none, which is taken
// as a push. Always empty for the lightweight format.
std::string PayloadEvent(Forge format, const HttpRequest& request);

// True when `content_type` (null: the header was not sent) announces JSON:
// `application/json` or `application/<anything>+json`, with any parameters.
// A request without Content-Type is taken as JSON, since a person with curl
// often sends none.
bool IsJsonContentType(const std::string* content_type);

// The status code that answers a payload's verdict: 202 queued or ignored,
// 200 pong, 400 invalid, 422 unsupported.
int PayloadStatus(PayloadKind kind);

// The request deadline from the text of $MIXMASTER_READ_TIMEOUT (null when
// unset): seconds in (0, 3600], else the default 10, so that a stray value
// cannot take the bridge's deadline away.
double ReadTimeoutSetting(const char* text);

// Reads options->config_path into options->config, or sets
// options->config_error. False when it could not be read.
bool LoadBridgeConfig(BridgeOptions* options);

// Reads one request from `in_fd`, answers it on `out_fd` (with a
// `100 Continue` first when asked), and when the request was not read to its
// end, stops sending and reads what the client still sends for a second:
// closing a socket with unread data resets it, and the client could lose
// the answer. The job's id and `received` come from `clock`.
BridgeOutcome ServeConnection(const BridgeOptions& options, int in_fd,
                              int out_fd, const Clock& clock);

}  // namespace mm

#endif  // MIXMASTER_BRIDGE_H_
