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
#include "job/job_settings.h"
#include "job/queued_jobs.h"
#include "job/spool_writer.h"
#include "job/target_match.h"

namespace mm {
namespace {

// A job's [job] section is at most about a request's size.
constexpr size_t kJobBytes = 4 << 20;

const char* AnsiColour(const std::string& status) {
  if (status == "success") return "\033[32m";
  if (status == "failure" || status == "killed") return "\033[31m";
  if (status == "error") return "\033[33m";
  if (status == "queued") return "\033[2m";
  return "\033[34m";
}

// One line of --list; log values are made one line of printable text, so
// that a log cannot move the terminal's cursor. A queued job shows its place
// in the queue where a build shows its duration.
std::string Row(const BuildSummary& b, bool colour) {
  std::string status = OneLine(b.status);
  std::string pad(status.size() < 7 ? 7 - status.size() : 0, ' ');
  if (colour) status = AnsiColour(b.status) + status + "\033[0m";
  std::string last = b.queue_position > 0
                         ? "#" + std::to_string(b.queue_position)
                     : b.duration.empty() ? "-"
                                          : OneLine(b.duration) + "s";
  return b.id + "  " + OneLine(b.project_name()) + "  " + OneLine(b.target) +
         "  " + status + pad + "  " + last + "\n";
}

}  // namespace

bool ListBuilds(const Config& config, const std::string& project, bool colour,
                std::string* text, std::string* err) {
  BuildHistory history;
  if (!history.Open(config.build_root, err)) return false;
  std::vector<BuildSummary> queued;
  // Every one: the console is where a page's "more wait" points.
  if (!ListQueuedJobs(config.spool, project.empty() ? "" : SafeName(project), 0,
                      &queued, nullptr, err))
    return false;
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
      // A project whose first job waits has no logs yet.
      if (missing && !queued.empty()) continue;
      if (missing) *err = "no builds of project " + OneLine(project);
      return false;
    }
    for (const std::string& id : ids) builds.emplace_back(id, dir);
  }
  std::sort(builds.rbegin(), builds.rend());
  std::vector<BuildSummary> logs;
  for (const auto& [id, dir] : builds) {
    BuildSummary b;
    if (history.ReadSummary(dir, id, &b)) logs.push_back(std::move(b));
  }
  // What waits, in the order it will be taken, then what runs, then the
  // rest, newest first.
  std::stable_partition(logs.begin(), logs.end(),
                        [](const BuildSummary& b) { return !b.complete(); });
  text->clear();
  for (const BuildSummary& b : queued) *text += Row(b, colour);
  for (const BuildSummary& b : logs) *text += Row(b, colour);
  return true;
}

namespace {

// The project directory and id of the build `build` names.
bool Find(const BuildHistory& history, const BuildName& build, std::string* dir,
          std::string* id, std::string* err) {
  return history.FindBuild(build.name,
                           build.project.empty() ? "" : SafeName(build.project),
                           dir, id, err);
}

}  // namespace

FollowResult FollowBuild(const Config& config, const BuildName& build,
                         int out_fd, const FollowOptions& options,
                         std::string* status, std::string* err) {
  BuildHistory history;
  if (!history.Open(config.build_root, err)) return FollowResult::kError;
  std::string dir, id;
  if (!Find(history, build, &dir, &id, err)) return FollowResult::kNoSuchJob;
  UniqueFd log = history.OpenLog(dir, id);
  if (!log.ok()) {
    *err = "cannot open the log of " + id;
    return FollowResult::kError;
  }
  off_t offset = 0;
  double until = MonotonicSeconds() + options.limit_seconds;
  for (;;) {
    bool complete = LogHasResult(log.get());
    // [result] is the last write: one more copy takes all of it.
    if (!CopyNewLogBytes(log.get(), &offset, out_fd, false, err))
      return FollowResult::kError;
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

bool RebuildJob(const Config& config, const BuildName& build,
                const Clock& clock, Rebuild* rebuild, std::string* err) {
  BuildHistory history;
  if (!history.Open(config.build_root, err)) return false;
  std::string dir, id;
  if (!Find(history, build, &dir, &id, err)) return false;
  UniqueFd log = history.OpenLog(dir, id);
  if (!log.ok()) {
    *err = "cannot open the log of " + id;
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
  // The command is the configuration's, whatever the original ran: a
  // rebuild is what a fixed configuration is tried with. The copy goes
  // through the spool, so it only selects the same build: the command,
  // mailto and mode are the configuration's when it runs, as for a job from
  // the bridge; what it gives now is said here.
  const Project* project = ProjectOfJob(config, job, err);
  TargetMatch match;
  if (!project || !MatchTarget(*project, job.target, job.task, &match, err))
    return false;
  Rebuild r;
  r.of = id;
  r.key = match.key;
  r.command = match.command;
  r.old_command = job.build_command;
  job.rebuild_of = id;
  if (QueueJob(config, clock, &job, err) != QueueResult::kQueued) return false;
  r.id = job.id;
  *rebuild = std::move(r);
  return true;
}

}  // namespace mm
