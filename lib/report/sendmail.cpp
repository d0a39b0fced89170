#include "report/sendmail.h"

#include "base/text.h"
#include "process/process.h"

namespace mm {

bool SplitSendmailCommand(const std::string& command,
                          std::vector<std::string>* argv, std::string* err) {
  *argv = SplitWords(command);
  if (argv->empty()) {
    *err = "the sendmail command is empty";
    return false;
  }
  return true;
}

bool SendMail(const SendmailOptions& options, const std::string& message,
              std::vector<std::string>* output, std::string* err) {
  ProcessSpec spec;
  if (!SplitSendmailCommand(options.command, &spec.argv, err)) return false;
  spec.feed_stdin = true;
  spec.stdin_data = message;
  spec.timeout_seconds = options.timeout_seconds;
  spec.kill_grace_seconds = options.kill_grace_seconds;
  ProcessResult result;
  auto sink = [output](char, const std::string& line) {
    output->push_back(line);
  };
  if (!RunProcess(spec, sink, &result)) {
    *err = result.error.empty() ? "cannot run " + spec.argv[0] : result.error;
    return false;
  }
  return ExitedZero(result, "sendmail command '" + options.command + "'",
                    options.timeout_seconds, err);
}

}  // namespace mm
