#include "report/build_notifier.h"

#include "base/fsutil.h"

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

BuildNotifier::BuildNotifier(const Config& config,
                             const NotifierOptions& options)
    : notifier_(config, options) {}

void BuildNotifier::OnEvent(const BuildReport& report, BuildLog* log) {
  auto sink = [log](char marker, const std::string& text) {
    log->Line(marker, text);
  };
  // Read afresh at each event: the log grows between them, and every line
  // is already on disk (BuildLog writes each with one write(2)).
  std::string log_text, err;
  if (!ReadFile(log->path(), &log_text, &err)) {
    sink(marker::kStderr,
         "cannot read the build log for the notifications: " + err);
    log_text.clear();
  }
  notifier_.Send(report.event, JobForMail(report), report.log_path, report.env,
                 log_text, sink);
}

}  // namespace mm
