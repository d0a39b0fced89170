#include "build/spool_reader.h"

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
#include "job/job_settings.h"
#include "job/rejected.h"

namespace mm {
namespace {

// The id the log is named after, and the note explaining a fresh one.
std::string ChooseId(const Job& job, const Clock& clock, std::string* note) {
  if (IsJobId(job.id)) return job.id;
  std::string fresh = NewJobId(clock.Now());
  *note = job.id.empty()
              ? "the job has no id; this build is " + fresh
              : "job id `" + job.id +
                    "` is not a safe file name; this build is " + fresh;
  return fresh;
}

// Names for a claimed job's log: its id first, then fresh ids.
NameChooser LogNames(ClaimedJob* job, const Clock& clock) {
  return [job, &clock](int attempt) {
    if (attempt > 0) {
      std::string fresh = NewJobId(clock.Now());
      job->note = "a log named " + job->id + ".log exists already; this " +
                  "build is " + fresh;
      job->id = fresh;
    }
    return job->id + ".log";
  };
}

}  // namespace

bool PrepareJob(const std::string& text, const std::string& filename,
                const Config& config, bool allow_trailing_sections,
                ClaimedJob* out, std::string* err) {
  ClaimedJob claimed;
  if (!ReadRunnableJob(text, filename, config, allow_trailing_sections,
                       &claimed.job, err))
    return false;
  claimed.project_dir =
      JoinPath(config.build_root, SafeName(claimed.job.project));
  *out = std::move(claimed);
  return true;
}

bool StoreJob(const std::string& text, const Clock& clock, ClaimedJob* job,
              std::string* err) {
  job->id = ChooseId(job->job, clock, &job->note);
  std::string jobs_dir = JoinPath(job->project_dir, "JOBS");
  if (!MakeDirs(jobs_dir, err)) return false;
  return CreateFileInDir(jobs_dir, LogNames(job, clock), JobSectionText(text),
                         0600, &job->log_path, err) &&
         LockFile(job->log_path, "build log", &job->lock, err) ==
             LockResult::kHeld;
}

SpoolReader::SpoolReader(const Config& config, const Clock& clock,
                         const Journal& journal)
    : config_(config), clock_(clock), journal_(journal) {}

bool SpoolReader::List(std::vector<std::string>* names,
                       std::string* err) const {
  return ListSpoolJobs(config_.spool, names, err);
}

bool SpoolReader::ClaimNext(ClaimedJob* job, bool* claimed, std::string* err) {
  return ClaimNext(nullptr, job, claimed, err);
}

bool SpoolReader::ClaimNext(const JobFilter& wanted, ClaimedJob* job,
                            bool* claimed, std::string* err) {
  *claimed = false;
  std::vector<std::string> names;
  if (!List(&names, err)) return false;
  for (const std::string& name : names) {
    std::string path = JoinPath(config_.spool, name);
    std::string text, why;
    if (!ReadRegularFile(path, kMaxJobFileBytes, &text, &why)) {
      if (!Exists(path) && errno == ENOENT) continue;  // claimed meanwhile
      Reject(path, name, why);
      continue;
    }
    ClaimedJob candidate;
    if (!PrepareJob(text, path, config_, false, &candidate, &why)) {
      Reject(path, name, why);
      continue;
    }
    if (wanted && !wanted(name, candidate)) continue;
    // Locked before it moves: busy, another mmbuild is claiming it.
    switch (LockFile(path, "job", &candidate.lock, err)) {
      case LockResult::kBusy:
        continue;
      case LockResult::kFailed:
        if (!Exists(path)) continue;  // claimed by someone else
        return false;
      case LockResult::kHeld:
        break;
    }
    candidate.id = ChooseId(candidate.job, clock_, &candidate.note);
    std::string jobs_dir = JoinPath(candidate.project_dir, "JOBS");
    if (!MakeDirs(jobs_dir, err)) return false;
    switch (MoveIntoDir(path, jobs_dir, LogNames(&candidate, clock_),
                        &candidate.log_path, err)) {
      case MoveResult::kGone:
        continue;
      case MoveResult::kFailed:
        return false;
      case MoveResult::kMoved:
        break;
    }
    // Copied across filesystems: the lock was the spool file's.
    struct stat locked, moved;
    if (fstat(candidate.lock.get(), &locked) != 0 ||
        stat(candidate.log_path.c_str(), &moved) != 0 ||
        locked.st_ino != moved.st_ino || locked.st_dev != moved.st_dev) {
      candidate.lock.Reset();
      std::string why;
      LockFile(candidate.log_path, "build log", &candidate.lock, &why);
    }
    *job = std::move(candidate);
    *claimed = true;
    return true;
  }
  return true;
}

void SpoolReader::Reject(const std::string& path, const std::string& name,
                         const std::string& why) {
  std::string dir = JoinPath(config_.build_root, "REJECTED");
  std::string dest, err, note_error;
  if (!MakeDirs(dir, &err)) {
    journal_.Error("cannot reject " + path + " (" + why + "): " + err);
    return;
  }
  // The reason goes into the job before it moves, under the job's lock
  // (job/rejected.h). Busy or gone: another mmbuild deals with it.
  UniqueFd lock;
  LockResult locked = LockFile(path, "job", &lock, &err);
  if (locked == LockResult::kBusy ||
      (locked == LockResult::kFailed && !Exists(path)))
    return;
  bool noted = NoteRejection(path, "mmbuild", why, clock_.Now(), &note_error);
  switch (MoveIntoDir(path, dir, ClashNames(name), &dest, &err)) {
    case MoveResult::kGone:
      return;  // someone else dealt with it
    case MoveResult::kFailed:
      journal_.Error("cannot reject " + path + " (" + why + "): " + err);
      return;
    case MoveResult::kMoved:
      ++rejected_;
      journal_.Error("rejected job " + why + "; moved to " + dest);
      if (!noted)
        journal_.Warning("cannot note why it was rejected: " + note_error);
  }
}

}  // namespace mm
