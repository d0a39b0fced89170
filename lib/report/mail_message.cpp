#include "report/mail_message.h"

#include <stdio.h>

#include <vector>

#include "base/journal.h"
#include "base/redact.h"
#include "job/build_log.h"
#include "report/mail_header.h"

namespace mm {
namespace {

const size_t kMaxBodyLine = 998;  // RFC 5322 2.1.1: MUST

// An atom-safe copy of `s` (only [0-9A-Za-z_-], '-' for anything else).
std::string IdAtom(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
    out += ok ? c : '-';
  }
  return out.empty() ? "job" : out;
}

// The hostname as a dot-atom: labels of [0-9A-Za-z-], no empty labels.
std::string HostAtom(const std::string& host) {
  std::string out;
  std::string label;
  for (size_t i = 0; i <= host.size(); ++i) {
    char c = i < host.size() ? host[i] : '.';
    if (c == '.') {
      if (!label.empty()) out += (out.empty() ? "" : ".") + label;
      label.clear();
    } else {
      bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                (c >= 'A' && c <= 'Z') || c == '-';
      label += ok ? c : '-';
    }
  }
  return out.empty() ? "localhost" : out;
}

std::string Shorten(const std::string& commit) { return commit.substr(0, 8); }

// Body text that 8bit MIME allows: valid UTF-8, LF line ends, no NUL, no
// line longer than 998 bytes (long ones are broken at a character boundary).
std::string BodyText(const std::string& raw) {
  std::string s = ValidUtf8(raw);
  std::string out;
  size_t line = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\0') continue;
    if (c == '\r') {
      if (i + 1 < s.size() && s[i + 1] == '\n') continue;
      c = '\n';
    }
    if (c != '\n' && line >= kMaxBodyLine - 3 &&
        !IsUtf8Continuation(static_cast<unsigned char>(c))) {
      out += '\n';
      line = 0;
    }
    out += c;
    line = c == '\n' ? 0 : line + 1;
  }
  return out;
}

// The tail of the log that fits in max_bytes, starting at a line.
std::string LogTail(const std::string& log, size_t max_bytes) {
  if (log.size() <= max_bytes) return log;
  size_t cut = log.find('\n', log.size() - max_bytes);
  cut = cut == std::string::npos ? log.size() : cut + 1;
  return "(the first " + std::to_string(cut) +
         " bytes of the log are left out)\n" + log.substr(cut);
}

// The [log] lines of `log_text`.
std::string LogLines(const std::string& log_text, LogFormat format) {
  return format == LogFormat::kBuildLog ? LogSectionOf(log_text) : log_text;
}

}  // namespace

const char* MailKindName(BuildEvent kind) {
  switch (kind) {
    case BuildEvent::kStart:
      return "start";
    case BuildEvent::kEnd:
      return "end";
    case BuildEvent::kFail:
    case BuildEvent::kSuperseded:  // never mailed
      break;
  }
  return "failure";
}

std::string MailMessageId(const std::string& job_id,
                          const std::string& hostname, BuildEvent kind) {
  return "<mixmaster." + IdAtom(job_id) + "." + MailKindName(kind) + "@" +
         HostAtom(hostname) + ">";
}

std::string FormatMailDate(const struct timespec& t) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed",
                                      "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                        "May", "Jun", "Jul", "Aug",
                                        "Sep", "Oct", "Nov", "Dec"};
  struct tm tm;
  gmtime_r(&t.tv_sec, &tm);
  char buf[64];
  snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000",
           kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
           tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string MailSummary(BuildEvent kind, const Job& job) {
  std::string target = OneLine(job.target);
  std::string task = OneLine(job.task);
  std::string commit = Shorten(OneLine(job.commit));
  std::string what;
  if (task.empty()) {
    std::string verb = kind == BuildEvent::kStart ? "has started building "
                       : kind == BuildEvent::kEnd ? "has finished building "
                                                  : "was unable to build ";
    what = verb + (commit.empty() ? "the head of " + target
                                  : commit + " on " + target);
  } else {
    std::string verb = kind == BuildEvent::kStart ? "has started the "
                       : kind == BuildEvent::kEnd ? "has finished the "
                                                  : "was unable to run the ";
    what =
        verb + task + " task on " +
        (commit.empty() ? "the head of " + target : target + " at " + commit);
  }
  return "Mixmaster " + what + ".";
}

std::string MailSubject(BuildEvent kind, const Job& job, bool fixed) {
  const char* status = kind == BuildEvent::kStart ? "Building"
                       : kind != BuildEvent::kEnd ? "FAILED"
                       : fixed                    ? "FIXED"
                                                  : "OK";
  std::string subject = std::string("[mixmaster] ") + status + " " +
                        OneLine(job.project) + " " + OneLine(job.target);
  if (!job.task.empty()) subject += " " + OneLine(job.task);
  if (!job.commit.empty()) subject += " " + Shorten(OneLine(job.commit));
  return subject;
}

bool ComposeMail(BuildEvent kind, const Job& job, const MailEnvelope& envelope,
                 const std::string& log_text, LogFormat format,
                 std::string* message, std::string* err) {
  std::string to, from;
  if (!CheckMailAddress(envelope.to, &to, err)) return false;
  if (!envelope.from.empty() && !CheckMailAddress(envelope.from, &from, err))
    return false;
  bool reply = kind != BuildEvent::kStart && envelope.reply_to_start;
  std::string start_id =
      MailMessageId(job.id, envelope.hostname, BuildEvent::kStart);

  std::string m = "To: " + to + "\n";
  if (!from.empty()) m += "From: " + from + "\n";
  // No `Re: `: the subjects differ by status, and the thread is kept by
  // In-Reply-To and References.
  m += EncodeUnstructuredHeader("Subject",
                                MailSubject(kind, job, envelope.fixed)) +
       "\n";
  m += "Date: " + FormatMailDate(envelope.date) + "\n";
  m += "Message-ID: " + MailMessageId(job.id, envelope.hostname, kind) + "\n";
  if (reply) {
    m += "In-Reply-To: " + start_id + "\n";
    m += "References: " + start_id + "\n";
  }
  m += "MIME-Version: 1.0\n";
  m += "Content-Type: text/plain; charset=utf-8\n";
  m += "Content-Transfer-Encoding: 8bit\n";
  m += "Auto-Submitted: auto-generated\n";
  m += "\n";

  std::string body = MailSummary(kind, job) + "\n";
  if (!envelope.build_url.empty())
    body += "\nBuild page: " + OneLine(envelope.build_url) + "\n";
  if (!job.view_url.empty())
    body += "\n" + OneLine(RedactUrl(job.view_url)) + "\n";
  if (kind == BuildEvent::kStart && !job.message.empty()) {
    body += "\n" + job.message;
    if (body.back() != '\n') body += '\n';
  }
  if (kind == BuildEvent::kFail) {
    std::string log =
        LogTail(LogLines(log_text, format), envelope.max_log_bytes);
    body += "\n[log]\n" + log;
    if (body.back() != '\n') body += '\n';
  }
  body += "\n-- \nMixmaster job " + OneLine(job.id) + "\n";
  if (!envelope.log_path.empty()) body += OneLine(envelope.log_path) + "\n";
  *message = m + BodyText(body);
  return true;
}

}  // namespace mm
