// The three notification mails of mmbuild(1) The mails (start, end, failure),
// composed as complete RFC 5322 messages for `sendmail -t`. Lines end in LF,
// not CRLF: sendmail, msmtp and friends take a local message with Unix line
// endings and convert them on the wire.
//
// Nothing from a job reaches a header unchecked: the project becomes part of
// the Subject only after every control character is turned into a blank (and
// RFC 2047-encoded when it is not ASCII); addresses must be exactly one
// mailbox; ids are built from [0-9A-Za-z_-] only.
#ifndef MIXMASTER_MAIL_MESSAGE_H_
#define MIXMASTER_MAIL_MESSAGE_H_

#include <time.h>

#include <cstddef>
#include <string>

#include "job/job.h"
#include "report/build_observers.h"
#include "report/mail_header.h"

namespace mm {

// The mail of each build event: "start", "end", "failure", in Message-IDs and
// in the build log's notes.
const char* MailKindName(BuildEvent kind);

struct MailEnvelope {
  std::string to;    // one mailbox: `a@example.org` or `Name <a@example.org>`
  std::string from;  // same form; empty: no From header (sendmail picks one)
  std::string hostname;  // right-hand side of the Message-IDs
  struct timespec date = {0, 0};
  // False makes the end/failure mail a thread of its own: no `Re: `, no
  // In-Reply-To or References (used when no start mail was sent).
  bool reply_to_start = true;
  // The failure mail carries at most this many bytes of the log, its tail.
  size_t max_log_bytes = 256 * 1024;
  // Where the build log is, named at the foot of every mail; may be empty.
  std::string log_path;
  // The build's page in the web view (mixmaster.ini(5) publicUrl), given
  // in every mail; empty when there is no public URL.
  std::string build_url;
  // The end mail of the first success after a failure: FIXED, not OK.
  bool fixed = false;
};

// What the text given to ComposeMail for the failure mail's quote is.
enum class LogFormat {
  kBuildLog,  // a whole build log (BuildLog): its [log] lines are quoted
  kLogLines,  // only [log] lines, quoted as they are
};

// `<mixmaster.<job-id>.<start|end|failure>@<hostname>>`: derived from the job
// id and the host alone, so a mail composed later can name the start mail.
std::string MailMessageId(const std::string& job_id,
                          const std::string& hostname, BuildEvent kind);

// `Wed, 25 Nov 2026 12:00:00 +0000` (always UTC).
std::string FormatMailDate(const struct timespec& t);

// The first body line, e.g. `Mixmaster has started building 1a2b3c4d on
// master.` or `Mixmaster was unable to run the docs task on master at
// 1a2b3c4d.`
std::string MailSummary(BuildEvent kind, const Job& job);

// The subject of each mail, what an inbox is triaged by: the status, the
// project, the target (and task) and the short commit, e.g. `[mixmaster]
// FAILED acme/app main 1a2b3c4d`; FIXED for an end mail when `fixed`
// (mmbuild(1) The mails).
std::string MailSubject(BuildEvent kind, const Job& job, bool fixed = false);

// The whole message (headers, blank line, body), LF line endings. The
// failure mail quotes the [log] lines of `log_text`, which is in `format`.
// Fails only when an address is unusable.
bool ComposeMail(BuildEvent kind, const Job& job, const MailEnvelope& envelope,
                 const std::string& log_text, LogFormat format,
                 std::string* message, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_MAIL_MESSAGE_H_
