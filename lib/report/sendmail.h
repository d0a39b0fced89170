// Handing a composed message to the configured `sendmail` command
// (mixmaster.ini(5) Settings, 7): the config string split on blanks into argv,
// run without a shell, the message on its stdin, stopped at a deadline.
#ifndef MIXMASTER_SENDMAIL_H_
#define MIXMASTER_SENDMAIL_H_

#include <string>
#include <vector>

namespace mm {

struct SendmailOptions {
  std::string command = "/usr/sbin/sendmail -t";
  double timeout_seconds = 60;
  double kill_grace_seconds = 5;
};

// `command` split on blanks (spaces and tabs); no quoting, no expansion.
// Fails on a command of blanks only.
bool SplitSendmailCommand(const std::string& command,
                          std::vector<std::string>* argv, std::string* err);

// Runs the command with `message` on stdin. True when it exited 0. Otherwise
// *err says why: the command does not exist or cannot run, exited non-zero,
// was killed by a signal, or did not finish before the deadline. Every line
// the command wrote (stdout and stderr, in order) is appended to *output.
bool SendMail(const SendmailOptions& options, const std::string& message,
              std::vector<std::string>* output, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_SENDMAIL_H_
