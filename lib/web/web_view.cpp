#include "web/web_view.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <vector>

#include "base/clock.h"
#include "base/fsutil.h"
#include "base/paths.h"
#include "http/http_response.h"
#include "job/build_history.h"
#include "job/job.h"
#include "job/queued_jobs.h"
#include "job/target_match.h"
#include "web/badge.h"
#include "web/web_auth.h"
#include "web/web_pages.h"

namespace mm {
namespace {

constexpr size_t kBuildsPerPage = 50;
// The lists show at most this many of the jobs that wait: a flood of pushes
// must not swell a page past the bridge's memory (mmbridge(1) WEB VIEW).
constexpr size_t kQueuedShown = 50;
constexpr long kMaxPage = 1000000;
// A build page shows at most this much of the end of its log.
constexpr size_t kPageLogBytes = 256 << 10;
// The history page and badges look at this many of a project's newest logs
// for its targets' last builds, so that they cost the same for 10 builds or
// 10,000.
constexpr size_t kTargetScan = 30;
// A badge looks further back for its one target.
constexpr size_t kBadgeScan = 100;
constexpr char kHtml[] = "text/html; charset=utf-8";
constexpr char kText[] = "text/plain; charset=utf-8";
constexpr char kSvg[] = "image/svg+xml";

WebViewAnswer Send(int out_fd, int status, const char* type,
                   const std::string& body, const std::string& note,
                   const std::vector<std::string>& headers = {}) {
  WebViewAnswer a;
  a.status = status;
  a.note = note;
  HttpResponse r;
  r.status = status;
  r.content_type = type;
  r.body = body;
  r.headers = headers;
  r.web_view = true;
  WriteHttpResponse(out_fd, r, &a.err);
  return a;
}

WebViewAnswer Send(int out_fd, HttpResponse r, const std::string& note) {
  WebViewAnswer a;
  a.status = r.status;
  a.note = note;
  r.web_view = true;
  WriteHttpResponse(out_fd, r, &a.err);
  return a;
}

WebViewAnswer NotFound(int out_fd, const std::string& path) {
  return Send(out_fd, 404, kText, "no such page " + Printable(path) + "\n",
              "not found");
}

// The `page` parameter of a query string: 1 when absent, 0 when bad.
long PageOf(const std::string& target) {
  size_t q = target.find('?');
  if (q == std::string::npos) return 1;
  std::string query = "&" + target.substr(q + 1);
  size_t at = query.find("&page=");
  if (at == std::string::npos) return 1;
  std::string digits = query.substr(at + 6, query.find('&', at + 1) - at - 6);
  if (digits.empty() || digits.size() > 7 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  long page = strtol(digits.c_str(), nullptr, 10);
  return page >= 1 && page <= kMaxPage ? page : 0;
}

// The path split at '/', without the leading one.
std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> parts;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return parts;
}

bool StripSuffix(std::string* s, const std::string& suffix) {
  if (s->size() <= suffix.size() ||
      s->compare(s->size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  s->resize(s->size() - suffix.size());
  return true;
}

// The newest build of each target among the project's newest logs, in the
// order found. False when the project has no builds directory.
bool LastPerTarget(const BuildHistory& history, const std::string& dir,
                   std::vector<BuildSummary>* found) {
  std::vector<std::string> ids;
  std::map<std::string, bool> seen;
  bool missing = false;
  std::string err;
  if (!history.ListJobs(dir, &ids, &missing, &err)) return false;
  for (size_t i = 0; i < ids.size() && i < kTargetScan; ++i) {
    BuildSummary b;
    if (!history.ReadSummary(dir, ids[i], &b) || seen[b.target]) continue;
    seen[b.target] = true;
    found->push_back(b);
  }
  return true;
}

time_t Now() { return SystemClock().Now().tv_sec; }

// The first jobs of `dir` (every project's when empty) that wait in the
// spool, *more when others wait after them; an unreadable spool shows none
// rather than no page (the bridge reports it when it spools).
std::vector<BuildSummary> Queued(const Config& config, const std::string& dir,
                                 bool* more) {
  std::vector<BuildSummary> queued;
  std::string ignored;
  ListQueuedJobs(config.spool, dir, kQueuedShown, &queued, more, &ignored);
  return queued;
}

WebViewAnswer ServeHistory(const Config& config, const BuildHistory& history,
                           int out_fd) {
  std::vector<std::string> dirs;
  std::string err;
  if (!history.ListProjects(&dirs, &err))
    return Send(out_fd, 500, kText, err + "\n", err);
  bool more = false;
  std::vector<BuildSummary> rows = Queued(config, "", &more);
  size_t queued = rows.size();
  for (const std::string& dir : dirs) LastPerTarget(history, dir, &rows);
  // What waits, then what runs, then the rest, as `mmbuild --list` does.
  std::stable_partition(rows.begin() + queued, rows.end(),
                        [](const BuildSummary& b) { return !b.complete(); });
  return Send(out_fd, 200, kHtml, HistoryPage(rows, Now(), more),
              "history of " + std::to_string(dirs.size()) + " projects, " +
                  std::to_string(queued) + " queued");
}

WebViewAnswer ServeProject(const Config& config, const BuildHistory& history,
                           const HttpRequest& request, const std::string& dir,
                           int out_fd) {
  std::vector<std::string> ids;
  bool missing = false;
  std::string err;
  long page = PageOf(request.target);
  std::vector<BuildSummary> rows;
  bool more = false;
  if (page == 1) rows = Queued(config, dir, &more);
  // A project whose first job waits has no logs yet, but a page.
  bool listed = page != 0 && history.ListJobs(dir, &ids, &missing, &err);
  if (!listed && !(missing && !rows.empty()))
    return missing || page == 0 ? NotFound(out_fd, request.path)
                                : Send(out_fd, 500, kText, err + "\n", err);
  size_t first = (page - 1) * kBuildsPerPage;
  if (first >= ids.size() && page > 1) return NotFound(out_fd, request.target);
  for (size_t i = first; i < ids.size() && i < first + kBuildsPerPage; ++i) {
    BuildSummary b;
    if (history.ReadSummary(dir, ids[i], &b)) rows.push_back(std::move(b));
  }
  bool older = ids.size() > first + kBuildsPerPage;
  return Send(out_fd, 200, kHtml,
              ProjectPage(dir, rows, page, older, Now(), more),
              dir + " page " + std::to_string(page));
}

WebViewAnswer ServeBuild(const BuildHistory& history, const std::string& path,
                         const std::string& dir, const std::string& id,
                         int out_fd) {
  BuildSummary b;
  std::string text, err;
  UniqueFd log = history.OpenLog(dir, id, &err);
  bool cut = false;
  if (!log.ok() && err.empty()) return NotFound(out_fd, path);
  if (log.ok() && !BuildHistory::ReadSummary(log.get(), dir, id, &b))
    err = ErrnoText("cannot read the log");
  if (err.empty() && !ReadTail(log.get(), kPageLogBytes, &text, &cut, &err))
    err = "cannot read the log: " + err;
  if (!err.empty()) return Send(out_fd, 500, kText, err + "\n", err);
  return Send(out_fd, 200, kHtml, BuildPage(b, text, cut, Now()),
              dir + "/" + id + " " + b.status);
}

// Waits up to `seconds` for the client to go away; true when it did.
bool ClientGone(int in_fd, double seconds) {
  struct pollfd pfd = {in_fd, POLLIN | POLLRDHUP, 0};
  if (poll(&pfd, 1, static_cast<int>(seconds * 1000)) <= 0) return false;
  if (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
  char buf[4096];
  return read(in_fd, buf, sizeof buf) <= 0;
}

// The raw log: whole, with a length, when the build is over; else chunked
// (to an HTTP/1.0 client: until the connection closes) as it grows until
// [result], the client leaves or the stream bound passes.
WebViewAnswer ServeRawLog(const BuildHistory& history,
                          const HttpRequest& request, const std::string& dir,
                          const std::string& id, int in_fd, int out_fd,
                          const WebViewOptions& options) {
  const std::string& path = request.path;
  std::string err;
  UniqueFd log = history.OpenLog(dir, id, &err);
  if (!log.ok() && err.empty()) return NotFound(out_fd, path);
  if (!log.ok()) return Send(out_fd, 500, kText, err + "\n", err);
  bool complete = LogHasResult(log.get());
  // The size once [result] is there, which is the last write: taken before
  // it, the length could be short of the bytes sent.
  off_t size = 0;
  if (complete && !ShownLogSize(log.get(), &size)) {
    err = ErrnoText("cannot read the log");
    return Send(out_fd, 500, kText, err + "\n", err);
  }
  WebViewAnswer a;
  a.note = dir + "/" + id + ".log";
  bool http10 = request.http_major == 1 && request.http_minor == 0;
  bool chunked = !complete && !http10;
  HttpResponse r;
  r.web_view = true;
  std::string head = ResponseHead(r, complete  ? size
                                     : chunked ? kChunkedBody
                                               : kBodyUntilClose);
  off_t offset = 0;
  bool sent = WriteAll(out_fd, head.data(), head.size());
  if (!sent) a.err = ErrnoText("cannot write");
  sent = sent && CopyNewLogBytes(log.get(), &offset, out_fd, chunked, &a.err);
  double until = MonotonicSeconds() + options.stream_seconds;
  while (sent && !complete) {
    complete = LogHasResult(log.get());
    // [result] is the last write: one more copy takes all of it.
    sent = CopyNewLogBytes(log.get(), &offset, out_fd, chunked, &a.err);
    if (complete || !sent) break;
    if (MonotonicSeconds() >= until) {
      a.note += " streamed until the time limit";
      break;
    }
    if (ClientGone(in_fd, options.poll_seconds)) {
      a.note += " streamed until the client left";
      break;
    }
  }
  if (sent && chunked && !WriteAll(out_fd, "0\r\n\r\n", 5))
    a.err = ErrnoText("cannot write");
  return a;
}

// The last build of `target` among the project's kBadgeScan newest logs
// that says how the target stands: not a task's run, not superseded.
std::string BadgeStatus(const BuildHistory& history, const std::string& dir,
                        const std::string& target) {
  std::vector<std::string> ids;
  bool missing = false;
  std::string err;
  if (!history.ListJobs(dir, &ids, &missing, &err)) return "unknown";
  for (size_t i = 0; i < ids.size() && i < kBadgeScan; ++i) {
    BuildSummary b;
    if (!history.ReadSummary(dir, ids[i], &b) || !b.task.empty() ||
        b.status == "superseded" || SafeName(b.target) != SafeName(target))
      continue;
    return b.status;
  }
  return "unknown";
}

// /badge/<dir>.svg follows the project's badge target (BadgeTarget),
// /badge/<dir>/<target>.svg that target. A project or target without
// builds, or not configured, is a grey `unknown` (a README shows that, not
// a broken image); only a path that names no badge is a 404.
WebViewAnswer ServeBadge(const Config& config, const BuildHistory& history,
                         const std::vector<std::string>& parts, int out_fd,
                         const std::string& path) {
  std::string dir = parts.size() > 1 ? parts[1] : "", target;
  bool ok = parts.size() == 2 && StripSuffix(&dir, ".svg");
  if (parts.size() == 3) {
    target = parts[2];
    ok = StripSuffix(&target, ".svg") && IsJobId(target);
  }
  if (!ok || !IsProjectDirName(dir)) return NotFound(out_fd, path);
  const Project* project = nullptr;
  for (const Project& p : config.projects)
    if (SafeName(p.name) == dir) project = &p;
  std::string label = target.empty() ? "build" : target;
  if (project && target.empty()) target = BadgeTarget(*project);
  std::string status = project && !target.empty()
                           ? BadgeStatus(history, dir, target)
                           : "unknown";
  return Send(out_fd, 200, kSvg, BadgeSvg(label, status), "badge " + status);
}

}  // namespace

bool IsWebViewPath(const std::string& path) {
  return path == "/builds" || path.compare(0, 8, "/builds/") == 0 ||
         path.compare(0, 7, "/badge/") == 0;
}

WebViewAnswer ServeWebView(const Config& config, const HttpRequest& request,
                           int in_fd, int out_fd,
                           const WebViewOptions& options) {
  const std::string& path = request.path;
  if (!config.web_view)
    return Send(out_fd, 404, kText,
                "no such page " + Printable(path) +
                    ": the web view is off; set `webView = yes` in [_] of "
                    "the configuration to turn it on (mmbridge(1) WEB VIEW)\n",
                "not found: the web view is off");
  if (request.method != "GET")
    return Send(out_fd, MethodNotAllowed(request.method, path, "GET", "GET"),
                "method not allowed");
  std::vector<std::string> parts = Segments(path);
  bool badge = parts[0] == "badge";
  if (!badge && !config.web_password.empty() &&
      !WebPasswordAccepted(request, config.web_password, config.secret))
    return Send(out_fd, 401, kText, "password required\n",
                request.Header("Authorization") ? "wrong password"
                                                : "password required",
                {"WWW-Authenticate: Basic realm=\"Mixmaster builds\", "
                 "charset=\"UTF-8\""});
  BuildHistory history;
  std::string err;
  if (!history.Open(config.build_root, &err))
    return Send(out_fd, 500, kText, "build root unreadable\n", err);
  if (badge) return ServeBadge(config, history, parts, out_fd, path);
  if (parts.size() == 1 || (parts.size() == 2 && parts[1].empty()))
    return ServeHistory(config, history, out_fd);
  if (!IsProjectDirName(parts[1]) || parts.size() > 3)
    return NotFound(out_fd, path);
  if (parts.size() == 2)
    return ServeProject(config, history, request, parts[1], out_fd);
  std::string id = parts[2];
  if (StripSuffix(&id, ".log"))
    return ServeRawLog(history, request, parts[1], id, in_fd, out_fd, options);
  return ServeBuild(history, path, parts[1], id, out_fd);
}

}  // namespace mm
