#include "report/status_notifier.h"

#include <cmath>

#include "forge/status_url.h"
#include "report/status_tokens.h"

namespace mm {
namespace {

constexpr size_t kMaxAnswerChars = 200;

// The first line of an answer body, short, with every copy of the token
// taken out (a forge might echo the request).
std::string Excerpt(const std::string& body, const std::string& token) {
  std::string text = body.substr(0, body.find('\n'));
  if (!token.empty()) {
    for (size_t at; (at = text.find(token)) != std::string::npos;)
      text.replace(at, token.size(), "<token>");
  }
  if (text.size() > kMaxAnswerChars)
    text = text.substr(0, kMaxAnswerChars) + "...";
  return text;
}

// GitLab answers 400 "Cannot transition status via :run from :running" when
// the state is already the one sent (a build given again): harmless.
bool RepeatedGitLabTransition(Forge forge, const HttpAnswer& answer) {
  return forge == Forge::kGitLab && answer.status == 400 &&
         answer.body.find("Cannot transition status") != std::string::npos;
}

}  // namespace

StatusNotifier::StatusNotifier(const Config& config, HttpClient& http,
                               const Clock& clock)
    : public_url_(config.public_url),
      tokens_path_(config.status_tokens),
      http_(http),
      clock_(clock) {}

void StatusNotifier::OnEvent(const BuildReport& report, BuildLog* log) {
  // A superseded job was never built: no status was set, none is ended.
  if (report.event == BuildEvent::kSuperseded) return;
  if (report.event != BuildEvent::kStart) {
    Finish(report, log);
    return;
  }
  active_ = Prepare(report, log);
  if (!active_) return;
  facts_.started = true;
  Send(facts_, log);
}

bool StatusNotifier::Prepare(const BuildReport& report, BuildLog* log) {
  const Job& job = report.job;
  started_ = clock_.Now();
  token_.clear();
  // No URL (a lightweight push, a hand-written job) or no token file: the
  // user has not asked for statuses, and nothing is said.
  if (job.status_url.empty() || tokens_path_.empty()) return false;
  std::string why;
  UrlOrigin origin;
  forge_ = report.settings.forge;
  if (forge_ == Forge::kNone) {
    log->Line(marker::kStderr,
              "commit status not sent: unknown forge `" + job.forge + "`");
    return false;
  }
  if (!ParseUrlOrigin(job.status_url, &origin, &why)) {
    log->Line(marker::kStderr, "commit status not sent: " + why);
    return false;
  }
  StatusTokens tokens;
  if (!tokens.Load(tokens_path_, &why)) {
    log->Line(marker::kStderr, "commit status not sent: no token used: " + why);
    return false;
  }
  const std::string* token = tokens.For(job.status_url);
  if (!token) {
    log->Line(marker::kMixmaster, "commit status not sent: " + tokens_path_ +
                                      " has no token for " + origin.scheme +
                                      "://" + origin.host + ":" +
                                      std::to_string(origin.port));
    return false;
  }
  token_ = *token;
  url_ = job.status_url;
  facts_ = StatusFacts();
  facts_.target = job.target;
  facts_.task = job.task;
  facts_.target_url =
      StatusTargetUrl(public_url_, job.project, report.job_id, job.view_url);
  return true;
}

void StatusNotifier::Finish(const BuildReport& report, BuildLog* log) {
  // A log finished for a runner that died (mmbuild(1) KILLED RUNNER) still
  // gets its final status, though its start was sent by another process.
  if (report.runner_died) active_ = Prepare(report, log);
  if (!active_) return;
  active_ = false;
  struct timespec now = clock_.Now();
  double seconds = static_cast<double>(now.tv_sec - started_.tv_sec) +
                   (now.tv_nsec - started_.tv_nsec) / 1e9;
  facts_.started = false;
  facts_.status = report.status;
  facts_.exit_code = report.exit_code;
  facts_.seconds = seconds > 0 ? std::lround(seconds) : 0;
  facts_.runner_died = report.runner_died;
  Send(facts_, log);
}

void StatusNotifier::Send(const StatusFacts& facts, BuildLog* log) const {
  StatusRequest request = ComposeStatus(forge_, url_, facts, token_);
  std::string what =
      "commit status `" + StatusState(forge_, facts) + "` to " + url_;
  HttpAnswer answer;
  std::string err;
  if (!http_.Post(request.url, request.headers, request.body, &answer, &err)) {
    log->Line(marker::kStderr, what + ": " + Excerpt(err, token_));
    return;
  }
  std::string code = "HTTP " + std::to_string(answer.status);
  if (answer.status >= 200 && answer.status < 300) {
    log->Line(marker::kMixmaster, what + ": " + code);
  } else if (RepeatedGitLabTransition(forge_, answer)) {
    log->Line(marker::kMixmaster,
              what + ": " + code + ", already in that state (harmless)");
  } else {
    std::string body = Excerpt(answer.body, token_);
    log->Line(marker::kStderr,
              what + ": " + code + (body.empty() ? "" : ": " + body));
  }
}

}  // namespace mm
