#include "report/notify.h"

#include <limits.h>
#include <unistd.h>

#include "base/ini.h"
#include "base/journal.h"
#include "report/hook.h"
#include "report/mail_message.h"
#include "report/sendmail.h"

namespace mm {
namespace {

std::string Lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string LocalHostname() {
  char name[HOST_NAME_MAX + 1] = {0};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0')
    return "localhost";
  return name;
}

}  // namespace

const char* HookEventName(BuildEvent event) {
  switch (event) {
    case BuildEvent::kStart:
      return "job-start";
    case BuildEvent::kEnd:
      return "job-end";
    case BuildEvent::kFail:
      break;
  }
  return "job-fail";
}

NotifyPlan PlanNotification(BuildEvent event, const Job& job,
                            const Config& config) {
  NotifyPlan plan;
  std::string wish = Lower(Trim(job.notifications));
  if (wish.empty() || wish == "all" || wish == "failures" || wish == "none") {
    plan.notifications = wish.empty() ? "all" : wish;
  } else {
    plan.notifications = "all";
    plan.warning = "unknown notifications value '" +
                   OneLine(job.notifications) + "', taken as 'all'";
  }
  plan.mailto = Trim(job.has_mailto ? job.mailto : config.mailto);
  bool wanted =
      plan.notifications == "all" ||
      (plan.notifications == "failures" && event == BuildEvent::kFail);
  plan.send_mail = wanted && !plan.mailto.empty();
  plan.reply_to_start = plan.notifications == "all";
  plan.run_hook = !config.hook.empty();
  return plan;
}

Notifier::Notifier(const Config& config, const NotifierOptions& options)
    : config_(config), options_(options) {
  if (options_.hostname.empty()) options_.hostname = LocalHostname();
  if (options_.clock == nullptr) options_.clock = &SystemClock();
}

void Notifier::Send(BuildEvent event, const Job& job,
                    const std::string& log_path,
                    const std::vector<std::string>& env,
                    const std::string& log_text,
                    const NotifyLogSink& log) const {
  NotifyPlan plan = PlanNotification(event, job, config_);
  // Said once per job, at its start, which every job has.
  if (!plan.warning.empty() && event == BuildEvent::kStart)
    log(marker::kStderr, plan.warning);
  if (plan.send_mail) SendMailFor(event, job, plan, log_path, log_text, log);
  if (plan.run_hook) RunHookFor(event, plan, env, log);
}

void Notifier::SendMailFor(BuildEvent event, const Job& job,
                           const NotifyPlan& plan, const std::string& log_path,
                           const std::string& log_text,
                           const NotifyLogSink& log) const {
  MailEnvelope envelope;
  envelope.to = plan.mailto;
  envelope.from = config_.mailfrom;
  envelope.hostname = options_.hostname;
  envelope.date = options_.clock->Now();
  envelope.reply_to_start = plan.reply_to_start;
  envelope.log_path = log_path;
  const std::string what = std::string(MailKindName(event)) + " mail";
  std::string message, err;
  if (!ComposeMail(event, job, envelope, log_text, LogFormat::kBuildLog,
                   &message, &err)) {
    log(marker::kStderr, what + " not sent: " + err);
    return;
  }
  SendmailOptions sendmail;
  sendmail.command = config_.sendmail;
  sendmail.timeout_seconds = options_.sendmail_timeout_seconds;
  sendmail.kill_grace_seconds = options_.kill_grace_seconds;
  std::vector<std::string> output;
  bool sent = SendMail(sendmail, message, &output, &err);
  // Whatever sendmail says is worth reading: it talks only about trouble.
  for (const std::string& line : output)
    log(marker::kStderr, "sendmail: " + line);
  if (sent) {
    log(marker::kMixmaster, "Sent the " + what + " to " + OneLine(plan.mailto));
  } else {
    log(marker::kStderr, what + " not sent: " + err);
  }
}

void Notifier::RunHookFor(BuildEvent event, const NotifyPlan& plan,
                          const std::vector<std::string>& env,
                          const NotifyLogSink& log) const {
  HookOptions hook;
  hook.program = config_.hook;
  hook.timeout_seconds = options_.hook_timeout_seconds;
  hook.kill_grace_seconds = options_.kill_grace_seconds;
  std::vector<std::string> hook_env = env;
  hook_env.push_back("MIXMASTER_NOTIFICATIONS=" + plan.notifications);
  std::string err;
  if (!RunHook(
          hook, HookEventName(event), hook_env,
          [&log](const std::string& line) {
            log(marker::kHook, OneLine(line));
          },
          &err))
    log(marker::kStderr, err + " (ignored)");
}

}  // namespace mm
