#include "build/build_console.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "base/fsutil.h"
#include "base/journal.h"
#include "base/paths.h"
#include "build/spool_reader.h"
#include "job/build_history.h"
#include "job/job.h"
#include "job/spool_writer.h"

namespace mm {
namespace {

// A job's [job] section is at most about a request's size.
constexpr size_t kJobBytes = 4 << 20;

const char* AnsiColour(const std::string& status) {
  if (status == "success") return "\033[32m";
  if (status == "failure" || status == "killed") return "\033[31m";
  if (status == "error") return "\033[33m";
  return "\033[34m";
}

// One line of --list; log values are made one line of printable text, so
// that a log cannot move the terminal's cursor.
std::string Row(const BuildSummary& b, bool colour) {
  std::string status = OneLine(b.status);
  std::string pad(status.size() < 7 ? 7 - status.size() : 0, ' ');
  if (colour) status = AnsiColour(b.status) + status + "\033[0m";
  return b.id + "  " + OneLine(b.project_name()) + "  " + OneLine(b.target) +
         "  " + status + pad + "  " +
         (b.duration.empty() ? "-" : OneLine(b.duration) + "s") + "\n";
}

}  // namespace

bool ListBuilds(const Config& config, const std::string& project, bool colour,
                std::string* text, std::string* err) {
  BuildHistory history;
  if (!history.Open(config.build_root, err)) return false;
  std::vector<std::string> dirs;
  if (!project.empty())
    dirs.push_back(SafeName(project));
  else if (!history.ListProjects(&dirs, err))
    return false;
  std::vector<std::pair<std::string, std::string>> builds;  // id, dir
  for (const std::string& dir : dirs) {
    std::vector<std::string> ids;
    bool missing = false;
    if (!history.ListJobs(dir, &ids, &missing, err)) {
      if (missing) *err = "no builds of project " + OneLine(project);
      return false;
    }
    for (const std::string& id : ids) builds.emplace_back(id, dir);
  }
  std::sort(builds.rbegin(), builds.rend());
  text->clear();
  for (const auto& [id, dir] : builds) {
    BuildSummary b;
    if (history.ReadSummary(dir, id, &b)) *text += Row(b, colour);
  }
  return true;
}

FollowResult FollowBuild(const Config& config, const std::string& id,
                         int out_fd, const FollowOptions& options,
                         std::string* status, std::string* err) {
  BuildHistory history;
  if (!history.Open(config.build_root, err)) return FollowResult::kError;
  std::string dir = history.FindJob(id);
  if (dir.empty()) {
    *err = "no build log with id " + OneLine(id);
    return FollowResult::kNoSuchJob;
  }
  UniqueFd log = history.OpenLog(dir, id);
  off_t offset = 0;
  double until = MonotonicSeconds() + options.limit_seconds;
  for (;;) {
    bool complete = LogHasResult(log.get());
    // [result] is the last write: one more copy takes all of it.
    if (!CopyNewLogBytes(log.get(), &offset, out_fd, false)) {
      *err = std::string("cannot write: ") + strerror(errno);
      return FollowResult::kError;
    }
    if (complete) break;
    if (MonotonicSeconds() >= until) {
      *err = "no [result] in the log of " + id + " after " +
             std::to_string(static_cast<long>(options.limit_seconds)) +
             " s; was its mmbuild stopped?";
      return FollowResult::kNoResult;
    }
    poll(nullptr, 0, static_cast<int>(options.poll_seconds * 1000));
  }
  BuildSummary b;
  if (!BuildHistory::ReadSummary(log.get(), dir, id, &b)) {
    *err = "cannot read the log of " + id;
    return FollowResult::kError;
  }
  *status = b.status;
  return b.status == "success" ? FollowResult::kSuccess : FollowResult::kFailed;
}

bool RebuildJob(const Config& config, const std::string& id, const Clock& clock,
                std::string* new_id, std::string* err) {
  BuildHistory history;
  if (!history.Open(config.build_root, err)) return false;
  std::string dir = history.FindJob(id);
  UniqueFd log = dir.empty() ? UniqueFd() : history.OpenLog(dir, id);
  if (!log.ok()) {
    *err = "no build log with id " + OneLine(id);
    return false;
  }
  std::string text(kJobBytes, '\0');
  ssize_t n = pread(log.get(), &text[0], text.size(), 0);
  if (n < 0) {
    *err = "cannot read the log of " + id + ": " + strerror(errno);
    return false;
  }
  text.resize(n);
  Job job;
  if (!DecodeJob(JobSectionText(text), id + ".log", &job, err)) return false;
  // A job file leaves buildCommand, mailto and mode out to take them from
  // the configuration; the copy is written whole, so it takes them now, as
  // the original did.
  if (QueueJob(config, clock, &job, err) != QueueResult::kQueued) return false;
  *new_id = job.id;
  return true;
}

}  // namespace mm
