#include "report/build_notifier.h"

#include "base/fsutil.h"
#include "job/build_history.h"

namespace mm {

Job JobForMail(const BuildReport& report) {
  Job described = report.job;
  if (!report.job_id.empty()) described.id = report.job_id;
  // At the start nothing is checked out yet: report.commit is only the
  // commit asked for, which the job already says.
  if (report.event != BuildEvent::kStart && described.commit.empty())
    described.commit = report.commit;
  return described;
}

namespace {
// More than a mail shows (MailEnvelope::max_log_bytes), with room for the
// closing sections.
constexpr size_t kMailLogEndBytes = (256 << 10) + kLogEndBytes;
}  // namespace

BuildNotifier::BuildNotifier(const Config& config,
                             const NotifierOptions& options)
    : notifier_(config, options) {}

void BuildNotifier::OnEvent(const BuildReport& report, BuildLog* log) {
  auto sink = [log](char marker, const std::string& text) {
    log->Line(marker, text);
  };
  // Read afresh at each event: the log grows between them, and every line
  // is already on disk (BuildLog writes each with one write(2)).
  // Its ends only: a mail shows at most the last MailEnvelope::max_log_bytes
  // of [log], and a log of gigabytes must not be read whole.
  std::string log_text, err;
  UniqueFd fd = OpenRegularFile(log->path(), &err);
  if (!fd.ok() || !ReadLogEnds(fd.get(), kMailLogEndBytes, &log_text, &err)) {
    sink(marker::kStderr,
         "cannot read the build log for the notifications: " + err);
    log_text.clear();
  }
  notifier_.Send(report.event, JobForMail(report), report.log_path, report.env,
                 log_text, sink);
}

}  // namespace mm
