#include "bridge/bridge.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "base/text.h"
#include "base/version.h"
#include "forge/forge.h"
#include "http/form.h"
#include "http/http_request.h"
#include "http/signature.h"
#include "job/build_history.h"
#include "job/config.h"
#include "job/job.h"
#include "job/repository_url.h"
#include "job/spool_writer.h"
#include "job/target_match.h"
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

// Every write to a socket then waits at most `seconds` for the client to
// take a byte, and fails with EAGAIN after, so that an answer or a stream
// ends for a client that stopped reading under any inetd, not only under
// the unit's RuntimeMaxSec=. Not a socket (a file, a pipe): nothing to do.
void SetSendDeadline(int out_fd, double seconds) {
  struct timeval tv;
  tv.tv_sec = static_cast<time_t>(seconds);
  tv.tv_usec = static_cast<suseconds_t>((seconds - tv.tv_sec) * 1e6);
  setsockopt(out_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// The journal's reason for an answer not (fully) sent: a client that took
// nothing for the deadline is named as such.
std::string NotSentReason(const std::string& err, double seconds) {
  if (err.find(strerror(EAGAIN)) == std::string::npos) return err;
  char text[64];
  snprintf(text, sizeof text, "%g", seconds);
  return "the client took no bytes for " + std::string(text) +
         " s and was dropped";
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

// Whether a request for a configured project makes a job at all; false with
// the answer when it does not. A project that pins its repository
// (mixmaster.ini(5) Project settings) takes only requests that name it; a
// forge sends every push, and one to a ref the project does not build is
// not a failed delivery (a person asking on / is told why, by QueueJob).
bool Admitted(const Config& config, const Project& project,
              const BuildRequest& build, Answer* answer) {
  std::string repository = ProjectSettingValue(config, project, "repository",
                                               build.target, build.task);
  const std::vector<std::string>& urls = build.repository_urls;
  if (!repository.empty() &&
      std::none_of(urls.begin(), urls.end(), [&](const std::string& url) {
        return SameRepository(repository, url);
      })) {
    *answer = Reply(403, "repository not the one configured for " +
                             Printable(build.project));
    std::string named;
    for (const std::string& url : urls)
      named += (named.empty() ? "" : ", ") + Printable(url);
    answer->note = answer->response.body + " (the request names " + named + ")";
    return false;
  }
  TargetMatch match;
  std::string unused;
  if (build.forge != Forge::kNone &&
      !MatchTarget(project, build.target, build.task, &match, &unused)) {
    *answer = Reply(202, "ignored: no command for " + Printable(build.ref));
    return false;
  }
  return true;
}

// Makes the job for a payload that asks for a build, and spools it.
Answer Spool(const Config& config, const HttpRequest& request,
             const BuildRequest& build, const Clock& clock) {
  Job job;
  job.endpoint = request.path;
  job.scm = build.scm;
  job.project = build.project;
  job.repository_url = build.repository_url;  // or the pinned one (ResolveJob)
  job.target = build.target;
  job.task = build.task;
  job.commit = build.commit;
  job.view_url = build.view_url;
  job.commit_url = build.commit_url;
  job.message = build.message;
  job.pusher = build.pusher;
  job.notifications = NotificationsName(build.notifications);
  job.forge = ForgeName(build.forge);
  job.status_url = build.status_url;
  // First: an ESC or BEL would reach a terminal through mmbuild --follow
  // or a mail, and the answers below quote the values.
  std::string err;
  if (!JobValuesShowable(job, &err)) return Reply(400, "request value " + err);
  if (const Project* project = config.FindProject(build.project)) {
    Answer refused;
    if (!Admitted(config, *project, build, &refused)) return refused;
  }
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
  // GitHub's default content type, and Gitea's other one: the JSON in the
  // form field `payload` (mmbridge(1) Endpoints).
  bool form = format != Forge::kNone && IsFormContentType(type);
  if (!form && !IsJsonContentType(type))
    return Reply(415, std::string("Content-Type must be application/json") +
                          (format == Forge::kNone
                               ? ""
                               : " or application/x-www-form-urlencoded") +
                          ", not " + Printable(*type));
  bool signed_only = !config.secret.empty();
  if (signed_only && !HasSignatureHeader(*request))
    return Reply(401, SignatureRequiredMessage(*request));

  HttpError error;
  if (!reader->ReadBody(static_cast<size_t>(config.max_request_bytes), request,
                        &error))
    return Reply(error.status, error.message);
  std::string payload, form_error;
  bool decoded =
      form && FormField(request->body, "payload", &payload, &form_error);
  if (signed_only) {
    std::string detail;
    if (CheckSignature(config.secret, *request, decoded ? &payload : nullptr,
                       &detail) != SignatureCheck::kValid) {
      Answer a = Reply(403, "signature does not match");
      a.note = detail;
      return a;
    }
  }
  if (form && !decoded) return Reply(400, form_error);
  // The raw form is no longer needed: freed before the JSON is parsed.
  if (form) {
    request->body.swap(payload);
    std::string().swap(payload);
  }

  BuildRequest build;
  PayloadVerdict verdict = ReadPayload(format, PayloadEvent(format, *request),
                                       std::move(request->body), &build);
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
  std::string type = MediaType(*content_type);
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
  SetSendDeadline(out_fd, options.read_timeout_seconds);
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
    outcome.journal_line +=
        " (" + NotSentReason(err, options.read_timeout_seconds) + ")";
    outcome.result = BridgeResult::kNotAnswered;
  }
  outcome.priority = !answered || status >= 500 ? Priority::kError
                     : status >= 400            ? Priority::kWarning
                                                : Priority::kInfo;
  return outcome;
}

}  // namespace mm
