#include "setup/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/fsutil.h"
#include "base/ini.h"
#include "base/paths.h"
#include "job/config.h"
#include "job/job.h"
#include "job/rejected.h"
#include "job/spool_writer.h"

namespace mm {
namespace {

// Cleans one entry; false when there was nothing left to clean (mmbuild
// claimed it meanwhile).
bool CleanEntry(const std::string& spool, const std::string& rejected_dir,
                CleanupAction action, const struct timespec& now,
                CleanupOutcome* outcome) {
  std::string from = JoinPath(spool, outcome->entry.name);
  if (action == CleanupAction::kDelete) {
    if (unlink(from.c_str()) == 0) {
      outcome->ok = true;
    } else if (errno == ENOENT) {
      return false;
    } else {
      outcome->error = ErrnoText("cannot delete " + from);
    }
    return true;
  }
  const CleanupEntry& entry = outcome->entry;
  UniqueFd lock;
  if (entry.is_job) {
    std::string why;
    LockResult locked = LockFile(from, "job", &lock, &why);
    if (locked == LockResult::kBusy ||
        (locked == LockResult::kFailed && !Exists(from)))
      return false;  // an mmbuild is claiming it, or has
    if (!NoteRejection(from, "mmcleanup", entry.reason, now, &why)) {
      outcome->error = "cannot note why it is rejected, so it stays: " + why;
      return true;
    }
  }
  switch (MoveIntoDir(from, rejected_dir, ClashNames(entry.name),
                      &outcome->destination, &outcome->error)) {
    case MoveResult::kMoved:
      outcome->ok = true;
      if (!entry.is_job)
        WriteRejectionNoteBeside(outcome->destination, "mmcleanup",
                                 entry.reason, now, &outcome->note_error);
      return true;
    case MoveResult::kGone:
      return false;
    case MoveResult::kFailed:
      outcome->destination.clear();
      return Exists(from);
  }
  return true;
}

}  // namespace

const char kNotAJobReason[] =
    "not a job: mmbuild takes regular *.ini files only";

CleanupScope ScopeFor(const char* service_result, bool all) {
  if (all) return CleanupScope::kEverything;
  if (service_result == nullptr) return CleanupScope::kCannotRun;
  return strcmp(service_result, "success") == 0 ? CleanupScope::kNotJobs
                                                : CleanupScope::kEverything;
}

std::string ServiceEndNote(const char* service_result, const char* exit_code,
                           const char* exit_status) {
  if (!service_result) return "(no $SERVICE_RESULT: run by hand)";
  std::string note = "(service result " + std::string(service_result);
  if (exit_status && *exit_status) {
    note += ", " + std::string(exit_code && *exit_code ? exit_code : "status") +
            " " + exit_status;
  }
  return note + ")";
}

bool ResolveCleanupPaths(const std::string& config_path, bool config_explicit,
                         const std::string& spool_option,
                         const std::string& build_root_option,
                         const std::string& home, CleanupPaths* paths,
                         std::string* err) {
  CleanupPaths p;
  std::string text, why;
  Config config;
  if (ReadFile(config_path, &text, &why) &&
      ParseConfig(text, config_path, home, &config, &why)) {
    p.build_root = config.build_root;
    p.spool = config.spool;
    std::string warning = ConfigPermissionWarning(config_path, config);
    if (!warning.empty()) p.warnings.push_back(warning);
    p.config = std::move(config);
  } else if (config_explicit) {
    *err = "cannot use configuration " + why;
    return false;
  } else {
    p.fallback_reason = why;
    p.build_root = JoinPath(home, "Builds");
    p.spool = JoinPath(p.build_root, "INBOX");
  }
  if (!build_root_option.empty()) {
    p.build_root = ExpandHome(build_root_option, home);
  }
  if (!spool_option.empty()) p.spool = ExpandHome(spool_option, home);
  *paths = std::move(p);
  return true;
}

bool ListCleanup(const std::string& spool, CleanupScope scope,
                 const Config* config, const std::string& config_problem,
                 const std::string& queued_reason,
                 std::vector<CleanupEntry>* entries, std::string* err) {
  entries->clear();
  std::vector<std::string> names;
  // mmbuild's own list of jobs, so that the two never disagree about what
  // a job is.
  std::vector<std::string> jobs;
  if (!ListDir(spool, "spool " + spool, &names, err) ||
      !ListSpoolJobs(spool, &jobs, err)) {
    return false;
  }
  for (const std::string& name : names) {
    CleanupEntry entry;
    entry.name = name;
    entry.is_job = std::binary_search(jobs.begin(), jobs.end(), name);
    if (!entry.is_job) {
      entry.reason = kNotAJobReason;
    } else if (scope == CleanupScope::kEverything) {
      entry.reason = queued_reason;
    } else if (scope == CleanupScope::kNotJobs) {
      continue;
    } else if (!config) {
      entry.reason = config_problem;
    } else {
      // Read as mmbuild would; a job claimed meanwhile is not there to
      // clean.
      std::string path = JoinPath(spool, name), text, why;
      Job job;
      if (!ReadFile(path, &text, &why)) {
        if (!Exists(path)) continue;
        entry.reason = why;
      } else if (ReadRunnableJob(text, path, *config, false, &job, &why)) {
        continue;
      } else {
        entry.reason = why;
      }
    }
    entries->push_back(std::move(entry));
  }
  return true;
}

bool CleanUpEntries(const std::string& spool, const std::string& rejected_dir,
                    CleanupAction action,
                    const std::vector<CleanupEntry>& entries,
                    const struct timespec& now,
                    std::vector<CleanupOutcome>* outcomes, std::string* err) {
  outcomes->clear();
  if (entries.empty()) return true;
  if (action == CleanupAction::kMove && !MakeDirs(rejected_dir, err)) {
    return false;
  }
  for (const CleanupEntry& entry : entries) {
    CleanupOutcome outcome;
    outcome.entry = entry;
    if (CleanEntry(spool, rejected_dir, action, now, &outcome)) {
      outcomes->push_back(std::move(outcome));
    }
  }
  if (action == CleanupAction::kMove) SyncDir(rejected_dir);
  SyncDir(spool);
  return true;
}

}  // namespace mm
