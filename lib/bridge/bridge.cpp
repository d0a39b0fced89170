#include "bridge/bridge.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/text.h"
#include "base/version.h"
#include "forge/forge.h"
#include "http/http_request.h"
#include "http/signature.h"
#include "job/build_history.h"
#include "job/config.h"
#include "job/job.h"
#include "job/spool_writer.h"
#include "web/web_view.h"

namespace mm {
namespace {

constexpr double kDefaultReadTimeout = 10;
// How long to read what a client still sends after a refusal.
constexpr double kDrainSeconds = 1;

// What one request came to: the response, what the journal line says after
// the status (the job id, or the reason in full: it is not cut, since the
// journal is where the details go; request values in it are already
// Printable), and how it ended.
struct Answer {
  HttpResponse response;
  std::string note;
  BridgeResult result = BridgeResult::kAnswered;
  // The web view writes its own response (a page, a streamed log): then
  // `sent` is set, and `send_error` says why it could not be written.
  bool sent = false;
  std::string send_error;
};

Answer Reply(int status, const std::string& body) {
  Answer a;
  a.response.status = status;
  a.response.body = body;
  a.note = body;
  return a;
}

Answer NotAllowed(const std::string& method, const std::string& path,
                  const std::string& allow, const std::string& use) {
  Answer a;
  a.response = MethodNotAllowed(method, path, allow, use);
  a.note = a.response.body;
  return a;
}

// The peer of `fd` as text, or "-" when it is not an IP socket.
std::string PeerAddress(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getpeername(fd, reinterpret_cast<struct sockaddr*>(&ss), &len) != 0)
    return "-";
  char buf[INET6_ADDRSTRLEN];
  const void* addr = nullptr;
  if (ss.ss_family == AF_INET)
    addr = &reinterpret_cast<struct sockaddr_in*>(&ss)->sin_addr;
  else if (ss.ss_family == AF_INET6)
    addr = &reinterpret_cast<struct sockaddr_in6*>(&ss)->sin6_addr;
  if (!addr || !inet_ntop(ss.ss_family, addr, buf, sizeof buf)) return "-";
  return buf;
}

// See ServeConnection. Not a socket (a file, a pipe): shutdown fails and
// reading ends at once, which is as it should be.
void DrainUnread(int in_fd, int out_fd) {
  shutdown(out_fd, SHUT_WR);
  double until = MonotonicSeconds() + kDrainSeconds;
  char buf[16384];
  for (;;) {
    double left = until - MonotonicSeconds();
    if (left <= 0) return;
    struct pollfd pfd = {in_fd, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left * 1000) + 1) <= 0) return;
    if (read(in_fd, buf, sizeof buf) <= 0) return;
  }
}

// Makes the job for a payload that asks for a build, and spools it.
Answer Spool(const Config& config, const HttpRequest& request,
             const BuildRequest& build, const Clock& clock) {
  Job job;
  job.endpoint = request.path;
  job.scm = build.scm;
  job.project = build.project;
  job.repository_url = build.repository_url;
  job.target = build.target;
  job.task = build.task;
  job.commit = build.commit;
  job.view_url = build.view_url;
  job.message = build.message;
  job.notifications = NotificationsName(build.notifications);
  job.forge = ForgeName(build.forge);
  job.status_url = build.status_url;
  std::string err;
  switch (QueueJob(config, clock, &job, &err)) {
    case QueueResult::kCannotBuild:
      return Reply(422, Printable(err));
    case QueueResult::kSpoolFailed: {
      // A changed spool or buildRoot needs mmsetup again, which creates the
      // spool and points mixmaster.path at it (mmsetup(1)).
      Answer a = Reply(500, "spool not writable: " + err +
                                "; after changing spool or buildRoot, run "
                                "mmsetup again");
      a.result = BridgeResult::kSpoolUnwritable;
      return a;
    }
    case QueueResult::kQueued:
      break;
  }
  Answer a = Reply(202, "queued " + job.id);
  a.note = job.id;
  return a;
}

// The 500 for a configuration that could not be read. The body names the
// file (and line), not its text, which may hold the secret; the journal gets
// it all.
Answer ConfigUnreadable(const std::string& err) {
  Answer a =
      Reply(500, "configuration unreadable: " + err.substr(0, err.find(": ")) +
                     " (details in the journal)");
  a.note = "configuration unreadable: " + err;
  a.result = BridgeResult::kConfigUnreadable;
  return a;
}

// A POST or PUT to a payload endpoint. Every check that needs no body comes
// before the body is read, so that `Expect: 100-continue` invites a body
// only when it stands a chance.
Answer ServePayload(const BridgeOptions& options, Forge format,
                    HttpRequestReader* reader, HttpRequest* request,
                    const Clock& clock) {
  if (!options.config_error.empty())
    return ConfigUnreadable(options.config_error);
  const Config& config = options.config;
  const std::string* type = request->Header("Content-Type");
  if (!IsJsonContentType(type))
    return Reply(
        415, "Content-Type must be application/json, not " + Printable(*type));
  bool signed_only = !config.secret.empty();
  if (signed_only && !HasSignatureHeader(*request))
    return Reply(401,
                 "signature required: send X-Hub-Signature-256, "
                 "X-Gitea-Signature, X-Forgejo-Signature or X-Gitlab-Token");

  HttpError error;
  if (!reader->ReadBody(static_cast<size_t>(config.max_request_bytes), request,
                        &error))
    return Reply(error.status, error.message);
  if (signed_only) {
    std::string detail;
    if (CheckSignature(config.secret, *request, &detail) !=
        SignatureCheck::kValid) {
      Answer a = Reply(403, "signature does not match");
      a.note = detail;
      return a;
    }
  }

  BuildRequest build;
  PayloadVerdict verdict = ReadPayload(format, PayloadEvent(format, *request),
                                       request->body, &build);
  if (!verdict.build())
    return Reply(PayloadStatus(verdict.kind), verdict.message);
  return Spool(config, *request, build, clock);
}

// mmbridge(1) WEB VIEW, from the configuration read for this request before
// the sandbox (LoadBridgeConfig); lib/web/web_view answers on `out_fd` itself.
Answer ServeWeb(const BridgeOptions& options, const HttpRequest& request,
                int in_fd, int out_fd) {
  if (!options.config_error.empty())
    return ConfigUnreadable(options.config_error);
  WebViewOptions web_options;
  web_options.stream_seconds = LiveLogSeconds(options.config.timeout);
  WebViewAnswer web =
      ServeWebView(options.config, request, in_fd, out_fd, web_options);
  Answer a;
  a.response.status = web.status;
  a.note = web.note;
  a.sent = true;
  a.send_error = web.err;
  return a;
}

Answer Serve(const BridgeOptions& options, HttpRequestReader* reader,
             HttpRequest* request, const Clock& clock, int in_fd, int out_fd) {
  HttpError error;
  if (!reader->ReadHead(request, &error))
    return Reply(error.status, error.message);
  const std::string& path = request->path;
  const std::string& method = request->method;
  if (IsWebViewPath(path)) return ServeWeb(options, *request, in_fd, out_fd);
  if (path == "/version") {
    if (method != "GET") return NotAllowed(method, path, "GET", "GET");
    Answer a = Reply(200, Version());
    a.note = "version";
    return a;
  }
  Forge format;
  if (!ForgeForPath(path, &format))
    return Reply(404, "no such endpoint " + Printable(path) +
                          "; the endpoints are /, /gitea, /github, /gitlab "
                          "and /version");
  if (method != "POST" && method != "PUT")
    return NotAllowed(method, path, "POST, PUT", "POST or PUT");
  return ServePayload(options, format, reader, request, clock);
}

}  // namespace

bool IsJsonContentType(const std::string* content_type) {
  if (!content_type) return true;
  std::string type =
      AsciiLower(content_type->substr(0, content_type->find(';')));
  size_t b = type.find_first_not_of(" \t");
  size_t e = type.find_last_not_of(" \t");
  type = b == std::string::npos ? "" : type.substr(b, e - b + 1);
  static const char kApp[] = "application/";
  static const char kSuffix[] = "+json";
  if (type == "application/json") return true;
  return type.size() > sizeof kApp - 1 + sizeof kSuffix - 1 &&
         type.compare(0, sizeof kApp - 1, kApp) == 0 &&
         type.compare(type.size() - (sizeof kSuffix - 1), sizeof kSuffix - 1,
                      kSuffix) == 0;
}

std::string PayloadEvent(Forge format, const HttpRequest& request) {
  const std::string* v = nullptr;
  switch (format) {
    case Forge::kGitea:
      v = request.Header("X-Gitea-Event");
      if (!v) v = request.Header("X-Forgejo-Event");
      break;
    case Forge::kGitHub:
      v = request.Header("X-GitHub-Event");
      break;
    case Forge::kGitLab:
      v = request.Header("X-Gitlab-Event");
      break;
    case Forge::kNone:
      break;
  }
  return v ? *v : "";
}

int PayloadStatus(PayloadKind kind) {
  switch (kind) {
    case PayloadKind::kBuild:
      return 202;
    case PayloadKind::kPong:
      return 200;
    case PayloadKind::kIgnored:
      return 202;
    case PayloadKind::kInvalid:
      return 400;
    case PayloadKind::kUnsupported:
      return 422;
  }
  return 500;
}

double ReadTimeoutSetting(const char* text) {
  if (!text || !*text) return kDefaultReadTimeout;
  char* end = nullptr;
  double v = strtod(text, &end);
  return (*end == '\0' && v > 0 && v <= 3600) ? v : kDefaultReadTimeout;
}

bool LoadBridgeConfig(BridgeOptions* options) {
  options->config = Config();
  options->config_error.clear();
  return LoadConfig(options->config_path, &options->config,
                    &options->config_error);
}

BridgeOutcome ServeConnection(const BridgeOptions& options, int in_fd,
                              int out_fd, const Clock& clock) {
  // Asked first: once the client has hung up, the socket has no peer.
  std::string remote = options.remote_address.empty()
                           ? PeerAddress(in_fd)
                           : Printable(options.remote_address);
  HttpReadLimits limits;
  limits.timeout_seconds = options.read_timeout_seconds;
  HttpRequestReader reader(in_fd, out_fd, limits);
  HttpRequest request;
  Answer answer = Serve(options, &reader, &request, clock, in_fd, out_fd);

  std::string err = answer.send_error;
  bool answered = answer.sent
                      ? err.empty()
                      : WriteHttpResponse(out_fd, answer.response, &err);
  if (!reader.complete()) DrainUnread(in_fd, out_fd);

  BridgeOutcome outcome;
  outcome.response = answer.response;
  outcome.result = answer.result;
  int status = answer.response.status;
  outcome.journal_line =
      remote + " " + (request.method.empty() ? "-" : request.method) + " " +
      (request.path.empty() ? "-" : Printable(request.path)) + " " +
      std::to_string(status) + " " + OneLine(answer.note);
  if (!answered) {
    outcome.journal_line += " (" + err + ")";
    outcome.result = BridgeResult::kNotAnswered;
  }
  outcome.priority = !answered || status >= 500 ? Priority::kError
                     : status >= 400            ? Priority::kWarning
                                                : Priority::kInfo;
  return outcome;
}

}  // namespace mm
