#include "build_notifier.h"

#include "ini.h"

namespace mm {

Job JobForMail(BuildEvent event, const Job& job,
               const std::vector<std::string>& env) {
  Job described = job;
  std::string id = EnvValue(env, "MIXMASTER_JOB");
  if (!id.empty()) described.id = id;
  // At the start nothing is checked out yet: MIXMASTER_COMMIT is only the
  // commit asked for, which the job already says.
  if (event != BuildEvent::kStart && described.commit.empty())
    described.commit = EnvValue(env, "MIXMASTER_COMMIT");
  return described;
}

BuildNotifier::BuildNotifier(const Config& config,
                             const NotifierOptions& options)
    : notifier_(config, options) {}

void BuildNotifier::OnStart(const BuildReport& report, BuildLog* log) {
  Tell(BuildEvent::kStart, report, log);
}

void BuildNotifier::OnEnd(const BuildReport& report, BuildLog* log) {
  Tell(BuildEvent::kEnd, report, log);
}

void BuildNotifier::OnFail(const BuildReport& report, BuildLog* log) {
  Tell(BuildEvent::kFail, report, log);
}

void BuildNotifier::Tell(BuildEvent event, const BuildReport& report,
                         BuildLog* log) const {
  auto sink = [log](char marker, const std::string& text) {
    log->Line(marker, text);
  };
  // Read afresh at each moment: the log grows between them, and every line
  // is already on disk (BuildLog writes each with one write(2)).
  std::string log_text, err;
  if (!ReadFile(log->path(), &log_text, &err)) {
    sink(marker::kStderr,
         "cannot read the build log for the notifications: " + err);
    log_text.clear();
  }
  notifier_.Send(event, JobForMail(event, report.job, report.env), report.env,
                 log_text, sink);
}

}  // namespace mm
