// The build log of mmbuild(1) BUILD LOG. The job file, once claimed into
// <project dir>/JOBS/<id>.log, becomes the log: `[build]` (pid, started),
// then `[log]` lines `HH:MM:SS <marker> text` written one write(2) each with
// O_APPEND as they happen, then `[result]` (status, exitCode, finished,
// duration).
#ifndef MIXMASTER_BUILD_LOG_H_
#define MIXMASTER_BUILD_LOG_H_

#include <sys/types.h>
#include <time.h>

#include <functional>
#include <string>

#include "base/clock.h"
#include "base/fsutil.h"

namespace mm {

// The markers of [log] lines.
namespace marker {
constexpr char kMixmaster = '#';
constexpr char kStep = '$';
constexpr char kStdout = 'O';
constexpr char kStderr = '!';
constexpr char kKilled = 'X';
constexpr char kHook = 'H';
}  // namespace marker

enum class BuildStatus { kSuccess, kFailure, kError, kKilled };

// "success", "failure", "error", "killed".
const char* BuildStatusName(BuildStatus status);

struct BuildResult {
  BuildStatus status = BuildStatus::kError;
  // The command's exit status; 128+N when a signal N ended it; -1 when it
  // never ran (error, or stopped before it started).
  int exit_code = -1;
  struct timespec finished = {0, 0};
  double duration_seconds = 0;
};

// Appends to one build log. Move-only: it owns the file descriptor.
class BuildLog {
 public:
  BuildLog() = default;
  BuildLog(BuildLog&& other) noexcept = default;
  BuildLog& operator=(BuildLog&& other) noexcept = default;
  BuildLog(const BuildLog&) = delete;
  BuildLog& operator=(const BuildLog&) = delete;

  // Opens the claimed job file at `path` for appending (never following a
  // symlink). `clock` stamps the lines and must outlive the log.
  bool Open(const std::string& path, const Clock& clock, std::string* err);

  // `[build]` with `pid`, `started` and, when not empty, `launcher`
  // (mmbuild(1) LAUNCHERS), then the `[log]` header.
  bool BeginBuild(pid_t pid, const struct timespec& started,
                  const std::string& launcher, std::string* err);
  bool BeginBuild(pid_t pid, const struct timespec& started, std::string* err) {
    return BeginBuild(pid, started, "", err);
  }

  // One `HH:MM:SS <marker> text` line. Control characters in `text` become
  // spaces, so that build output can never start a line or a section of its
  // own. A failed write is remembered (see ok()).
  //
  // A full filesystem (mmbuild(1) BUILD LOG): each line is written only if
  // kReserveBytes more stay allocated past it (fallocate(2), KEEP_SIZE).
  // Once that fails the log is full(): other lines are dropped and counted,
  // while `#` lines (Mixmaster's own: the closing line, the notifications)
  // and [result] go into the reserve.
  void Line(char marker, const std::string& text);
  static constexpr off_t kReserveBytes = 16 * 1024;

  // `[result]`; the log is complete after it.
  bool EndBuild(const BuildResult& result, std::string* err);

  // `[result]` with `status = superseded` and `supersededBy = <by>`
  // (mmbuild(1) QUEUE): the job was never built, since the newer job `by`
  // for the same target and task waits.
  bool EndSuperseded(const struct timespec& finished, const std::string& by,
                     std::string* err);

  const std::string& path() const { return path_; }
  // False once a write has failed; error() then names the first failure
  // ("cannot write build log PATH: REASON").
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  // True once a line was dropped for want of space; how many were.
  bool full() const { return dropped_lines_ > 0; }
  long dropped_lines() const { return dropped_lines_; }

 private:
  bool Append(const std::string& text, std::string* err);
  bool AppendResult(const char* status, int exit_code,
                    const struct timespec& finished, double duration_seconds,
                    const std::string& more, std::string* err);
  // Whether `bytes` more fit with the reserve left after them.
  bool Fits(size_t bytes);

  UniqueFd fd_;
  const Clock* clock_ = nullptr;
  std::string path_;
  bool ok_ = true;
  std::string error_;
  long dropped_lines_ = 0;
};

// One build as its log tells it, or a job that waits in the spool.
struct BuildSummary {
  std::string id;           // the log's name without `.log`
  std::string project_dir;  // the directory under the build root
  std::string project, target, task, commit, received, view_url, message;
  std::string commit_url;
  std::string pusher;
  std::string build_command;
  std::string started;  // from [build]; empty before the build began
  // From [result]; "running" without one; "queued" for a job in the spool.
  std::string status;
  std::string finished;  // from [result]
  std::string duration;  // seconds, from [result]
  std::string exit_code;
  std::string superseded_by;  // from [result], for `superseded`
  // A queued job's place in the order mmbuild takes the spool (1: next).
  long queue_position = 0;
  bool complete() const { return status != "running" && status != "queued"; }
  // The first line of the commit message.
  std::string subject() const { return message.substr(0, message.find('\n')); }
  // The project as its job names it; its directory when the log has none.
  const std::string& project_name() const {
    return project.empty() ? project_dir : project;
  }
};

// Fills `summary` (but id and project_dir) from the start of a log (`head`,
// at least its [job] and [build] sections when they are there) and its end
// (`tail`, holding [result] when the build is over).
void ParseBuildSummary(const std::string& head, const std::string& tail,
                       BuildSummary* summary);

// The `pid`, `started` and `launcher` (empty when there is none, a build
// here: mmbuild(1) LAUNCHERS) of a build log's [build] section. False when
// the text has no [build] section with a pid.
bool ReadBuildSection(const std::string& log_text, pid_t* pid,
                      std::string* started, std::string* launcher);

// True when the text of a build log has its [build] section: the build was
// started (mmbuild(1) KILLED RUNNER).
bool HasBuildSection(const std::string& log_text);

// Calls `each` with every line of the [log] section of `text` and its
// marker (`HH:MM:SS M text`), or 0 for a line not of that form; `cut` text
// starts inside the section (the tail of a long log).
void ForEachLogLine(
    const std::string& text, bool cut,
    const std::function<void(const std::string& line, char marker)>& each);

// The [log] lines of a build log's text (what a failure mail shows), without
// the section header; empty when there are none.
std::string LogSectionOf(const std::string& log_text);

// True when the text of a build log already has its [result] section.
bool HasResultSection(const std::string& log_text);

// The closing line of a build's [log] (mmbuild(1) BUILD LOG), which names
// its outcome: `# Build finished`, `# Build failed: WHY`, `# Build error:
// WHY` or `X Build stopped: WHY` (a success has no `why`).
void LogClosingLine(BuildStatus status, const std::string& why, BuildLog* log);

// True when `line`, a [log] line (`HH:MM:SS M text`), is the closing line
// of a build that failed or ended in error (`# Build failed: WHY`, `# Build
// error: WHY`): the line a reader looks for first.
bool IsFailedClosingLine(const std::string& line);

// The outcome named by the last closing line in the [log] section of
// `log_text`; false when there is none.
bool ClosingLineStatus(const std::string& log_text, BuildStatus* status);

}  // namespace mm

#endif  // MIXMASTER_BUILD_LOG_H_
