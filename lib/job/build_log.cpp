#include "job/build_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/ini.h"
#include "base/journal.h"
#include "job/job.h"

namespace mm {
namespace {

// Finds a line that is exactly `header` (a section start), or npos.
size_t FindSection(const std::string& text, const std::string& header) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl;
    if (text.compare(pos, end - pos, header) == 0) return pos;
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return std::string::npos;
}

// The closing lines, written and read from this one table so that the two
// cannot drift apart: `marker`, then `text`, then the why when it has one.
struct ClosingLine {
  BuildStatus status;
  char marker;
  const char* text;
  bool why;
};
constexpr ClosingLine kClosingLines[] = {
    {BuildStatus::kSuccess, marker::kMixmaster, "Build finished", false},
    {BuildStatus::kFailure, marker::kMixmaster, "Build failed: ", true},
    {BuildStatus::kError, marker::kMixmaster, "Build error: ", true},
    {BuildStatus::kKilled, marker::kKilled, "Build stopped: ", true},
};

// Calls `line(section, key, value)` for each `key = value` line of `text`,
// `section` being the last `[name]` seen, up to a [log] section.
void ForEachKey(const std::string& text,
                const std::function<void(const std::string&, const std::string&,
                                         const std::string&)>& line) {
  std::string section;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // a partial last line
    std::string l = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (l.size() > 2 && l.front() == '[' && l.back() == ']') {
      section = l.substr(1, l.size() - 2);
      if (section == "log") return;  // build output: no keys in it
      continue;
    }
    size_t eq = l.find('=');
    if (eq == std::string::npos) continue;
    line(section, Trim(l.substr(0, eq)), Trim(l.substr(eq + 1)));
  }
}

// The offset of the last line that is exactly "[result]", or npos.
size_t FindResult(const std::string& tail) {
  size_t at = tail.rfind("\n[result]\n");
  if (at != std::string::npos) return at + 1;
  return tail.compare(0, 9, "[result]\n") == 0 ? 0 : std::string::npos;
}

}  // namespace

const char* BuildStatusName(BuildStatus status) {
  switch (status) {
    case BuildStatus::kSuccess:
      return "success";
    case BuildStatus::kFailure:
      return "failure";
    case BuildStatus::kError:
      return "error";
    case BuildStatus::kKilled:
      return "killed";
  }
  return "error";
}

bool BuildLog::Open(const std::string& path, const Clock& clock,
                    std::string* err) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.ok()) {
    *err = "cannot open build log " + path + ": " + strerror(errno);
    return false;
  }
  fd_ = std::move(fd);
  clock_ = &clock;
  path_ = path;
  ok_ = true;
  // A job written by hand may lack its last newline; the sections below
  // must start on a line of their own.
  struct stat st;
  char last = '\n';
  if (fstat(fd_.get(), &st) == 0 && st.st_size > 0) {
    UniqueFd reader(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (reader.ok() && pread(reader.get(), &last, 1, st.st_size - 1) != 1)
      last = '\n';
  }
  return last == '\n' || Append("\n", err);
}

bool BuildLog::Append(const std::string& text, std::string* err) {
  if (WriteAll(fd_.get(), text.data(), text.size())) return true;
  std::string why = "cannot write build log " + path_ + ": " + strerror(errno);
  if (ok_) error_ = why;
  ok_ = false;
  if (err) *err = why;
  return false;
}

bool BuildLog::BeginBuild(pid_t pid, const struct timespec& started,
                          const std::string& launcher, std::string* err) {
  return Append("\n[build]\npid = " + std::to_string(pid) +
                    "\nstarted = " + FormatIsoUtc(started) + "\n" +
                    (launcher.empty() ? "" : "launcher = " + launcher + "\n") +
                    "\n[log]\n",
                err);
}

bool BuildLog::Fits(size_t bytes) {
  struct stat st;
  if (fstat(fd_.get(), &st) != 0) return true;
  const off_t want = static_cast<off_t>(bytes) + kReserveBytes;
  if (fallocate(fd_.get(), FALLOC_FL_KEEP_SIZE, st.st_size, want) == 0)
    return true;
  // Without fallocate (some filesystems) there is no reserve: write on.
  return errno != ENOSPC && errno != EDQUOT;
}

void BuildLog::Line(char marker, const std::string& text) {
  std::string line = FormatClock(clock_->Now());
  line += ' ';
  line += marker;
  line += ' ';
  line += OneLine(text);
  line += '\n';
  if (marker != marker::kMixmaster && (full() || !Fits(line.size()))) {
    ++dropped_lines_;
    return;
  }
  Append(line, nullptr);
}

bool BuildLog::EndBuild(const BuildResult& result, std::string* err) {
  return AppendResult(BuildStatusName(result.status), result.exit_code,
                      result.finished, result.duration_seconds, "", err);
}

bool BuildLog::EndSuperseded(const struct timespec& finished,
                             const std::string& by, std::string* err) {
  return AppendResult("superseded", -1, finished, 0,
                      "supersededBy = " + EscapeJobValue(by) + "\n", err);
}

bool BuildLog::AppendResult(const char* status, int exit_code,
                            const struct timespec& finished,
                            double duration_seconds, const std::string& more,
                            std::string* err) {
  char duration[32];
  snprintf(duration, sizeof duration, "%.3f", duration_seconds);
  bool written = Append(std::string("\n[result]\nstatus = ") + status +
                            "\nexitCode = " + std::to_string(exit_code) +
                            "\nfinished = " + FormatIsoUtc(finished) +
                            "\nduration = " + duration + "\n" + more,
                        err);
  // The reserve past the end is given back (a truncate to the same size
  // keeps it on tmpfs).
  struct stat st;
  if (fstat(fd_.get(), &st) == 0)
    fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, st.st_size,
              kReserveBytes + 64 * 1024);
  return written;
}

std::string LogSectionOf(const std::string& log_text) {
  size_t start = FindSection(log_text, "[log]");
  if (start == std::string::npos) return "";
  start = log_text.find('\n', start);
  if (start == std::string::npos) return "";
  ++start;
  size_t end = FindSection(log_text.substr(start), "[result]");
  std::string lines = end == std::string::npos ? log_text.substr(start)
                                               : log_text.substr(start, end);
  while (!lines.empty() && lines.back() == '\n') lines.pop_back();
  if (!lines.empty()) lines += '\n';
  return lines;
}

bool HasResultSection(const std::string& log_text) {
  return FindSection(log_text, "[result]") != std::string::npos;
}

void LogClosingLine(BuildStatus status, const std::string& why, BuildLog* log) {
  for (const ClosingLine& line : kClosingLines)
    if (line.status == status)
      log->Line(line.marker, line.why ? line.text + why : line.text);
}

bool IsFailedClosingLine(const std::string& line) {
  for (const ClosingLine& closing : kClosingLines) {
    if (closing.status != BuildStatus::kFailure &&
        closing.status != BuildStatus::kError)
      continue;
    const std::string text = closing.text;
    if (line.size() >= 11 + text.size() && line[8] == ' ' &&
        line[9] == closing.marker && line[10] == ' ' &&
        line.compare(11, text.size(), text) == 0)
      return true;
  }
  return false;
}

bool ClosingLineStatus(const std::string& log_text, BuildStatus* status) {
  const size_t log_at = log_text.find("\n[log]\n");
  if (log_at == std::string::npos) return false;
  size_t last = std::string::npos;
  for (const ClosingLine& line : kClosingLines) {
    // `HH:MM:SS <marker> <text>`: after the time, and the whole rest of the
    // line when there is no why.
    std::string tail = std::string(" ") + line.marker + " " + line.text +
                       (line.why ? "" : "\n");
    size_t at = log_text.rfind(tail);
    if (at == std::string::npos || at < log_at) continue;
    if (last == std::string::npos || at > last) {
      last = at;
      *status = line.status;
    }
  }
  return last != std::string::npos;
}

void ParseBuildSummary(const std::string& head, const std::string& tail,
                       BuildSummary* s) {
  ForEachKey(head, [s](const std::string& section, const std::string& key,
                       const std::string& raw) {
    std::string value, ignored;
    if (section == "build" && key == "started") s->started = raw;
    if (section != "job" || !UnescapeJobValue(raw, &value, &ignored)) return;
    if (key == "project") s->project = value;
    if (key == "target") s->target = value;
    if (key == "task") s->task = value;
    if (key == "commit") s->commit = value;
    if (key == "received") s->received = value;
    if (key == "viewUrl") s->view_url = value;
    if (key == "commitUrl") s->commit_url = value;
    if (key == "message") s->message = value;
    if (key == "pusher") s->pusher = value;
    if (key == "buildCommand") s->build_command = value;
  });
  s->status = "running";
  size_t result = FindResult(tail);
  if (result == std::string::npos) return;
  s->status = "error";  // a [result] without a status
  ForEachKey(tail.substr(result),
             [s](const std::string&, const std::string& key,
                 const std::string& value) {
               if (key == "status" && !value.empty()) s->status = value;
               if (key == "exitCode") s->exit_code = value;
               if (key == "finished") s->finished = value;
               if (key == "duration") s->duration = value;
               if (key == "supersededBy") s->superseded_by = value;
             });
}

bool ReadBuildSection(const std::string& log_text, pid_t* pid,
                      std::string* started, std::string* launcher) {
  std::string value;
  launcher->clear();
  ForEachKey(log_text, [&](const std::string& section, const std::string& key,
                           const std::string& v) {
    if (section != "build") return;
    if (key == "pid") value = v;
    if (key == "started") *started = v;
    if (key == "launcher") *launcher = v;
  });
  if (value.empty() ||
      value.find_first_not_of("0123456789") != std::string::npos ||
      value.size() > 9)
    return false;
  *pid = static_cast<pid_t>(std::stol(value));
  return *pid > 0;
}

bool HasBuildSection(const std::string& log_text) {
  return FindSection(log_text, "[build]") != std::string::npos;
}

void ForEachLogLine(
    const std::string& text, bool cut,
    const std::function<void(const std::string& line, char marker)>& each) {
  bool in_log = cut;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl;
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line == "[log]") {
      in_log = true;
      continue;
    }
    if (line == "[result]") break;
    if (!in_log || line.empty()) continue;
    each(line, line.size() >= 10 && line[8] == ' ' && line[10] == ' ' ? line[9]
                                                                      : '\0');
  }
}

}  // namespace mm
