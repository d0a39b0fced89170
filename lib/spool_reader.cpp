#include "spool_reader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <functional>

#include "ini.h"
#include "paths.h"
#include "spawn.h"

namespace mm {
namespace {

enum class Move { kMoved, kGone, kFailed };

// Gives the n-th name to try for a move's destination (n = 0, 1, ...).
using NameChooser = std::function<std::string(int attempt)>;

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 || errno != ENOENT;
}

// Creates dir/<name> with O_EXCL, trying the chooser's names until one is
// free, and writes `text` to it, fsynced; *path is the file made.
bool CreateExclusive(const std::string& dir, const NameChooser& choose,
                     const std::string& text, std::string* path,
                     std::string* err) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string candidate = JoinPath(dir, choose(attempt));
    UniqueFd fd(open(candidate.c_str(),
                     O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                     0600));
    if (!fd.ok() && errno == EEXIST) continue;
    if (!fd.ok()) {
      *err = "cannot create " + candidate + ": " + strerror(errno);
      return false;
    }
    bool ok =
        WriteAll(fd.get(), text.data(), text.size()) && fsync(fd.get()) == 0;
    int saved = errno;
    fd.Reset();
    if (!ok) {
      unlink(candidate.c_str());
      *err = "cannot write " + candidate + ": " + strerror(saved);
      return false;
    }
    *path = candidate;
    return true;
  }
  *err = "cannot find a free name in " + dir;
  return false;
}

// Moves `src` into `dir` under a chosen name, never replacing a file. On one
// filesystem a rename(RENAME_NOREPLACE) decides who gets the job; across
// filesystems the copy is made (O_EXCL, fsync) first and the unlink of the
// source decides: whoever unlinks it owns it, the loser removes its copy.
Move MoveNoReplace(const std::string& src, const std::string& dir,
                   const NameChooser& choose, std::string* dest,
                   std::string* err) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string candidate = JoinPath(dir, choose(attempt));
    if (renameat2(AT_FDCWD, src.c_str(), AT_FDCWD, candidate.c_str(),
                  RENAME_NOREPLACE) == 0) {
      *dest = candidate;
      return Move::kMoved;
    }
    if (errno == ENOENT) return Move::kGone;
    if (errno == EEXIST) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS) {
      *err = "cannot move " + src + " to " + candidate + ": " + strerror(errno);
      return Move::kFailed;
    }
    // Another filesystem (or one without RENAME_NOREPLACE): copy.
    std::string text;
    std::string why;
    if (!ReadFile(src, &text, &why)) {
      if (!Exists(src)) return Move::kGone;  // claimed meanwhile
      *err = why;
      return Move::kFailed;
    }
    NameChooser from_here = [&](int n) { return choose(attempt + n); };
    if (!CreateExclusive(dir, from_here, text, dest, err)) return Move::kFailed;
    if (unlink(src.c_str()) != 0) {
      int saved = errno;
      unlink(dest->c_str());
      if (saved == ENOENT) return Move::kGone;
      *err = "cannot remove " + src + ": " + strerror(saved);
      return Move::kFailed;
    }
    return Move::kMoved;
  }
  *err = "cannot find a free name in " + dir;
  return Move::kFailed;
}

bool IsJobName(const std::string& name) {
  return name.size() > 4 && name[0] != '.' &&
         name.compare(name.size() - 4, 4, ".ini") == 0;
}

// The id the log is named after, and the note explaining a fresh one.
std::string ChooseId(const Job& job, const Clock& clock, std::string* note) {
  if (IsSafeJobId(job.id)) return job.id;
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

std::string JobSectionText(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl;
    size_t b = text.find_first_not_of(" \t", pos);
    if (b < end && text[b] == '[' && text.compare(b, 5, "[job]") != 0)
      return text.substr(0, pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  return text;
}

bool PrepareJob(const std::string& text, const std::string& filename,
                const Config& config, bool allow_trailing_sections,
                ClaimedJob* out, std::string* err) {
  ClaimedJob claimed;
  if (!DecodeJob(text, filename, &claimed.job, err)) return false;
  if (!allow_trailing_sections && JobSectionText(text).size() != text.size()) {
    *err = filename + ": a job file holds one [job] section and nothing after";
    return false;
  }
  if (!config.FindProject(claimed.job.project)) {
    *err = filename + ": unknown project " + OneLine(claimed.job.project);
    return false;
  }
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
  return CreateExclusive(jobs_dir, LogNames(job, clock), JobSectionText(text),
                         &job->log_path, err);
}

SpoolReader::SpoolReader(const Config& config, const Clock& clock,
                         const Journal& journal)
    : config_(config), clock_(clock), journal_(journal) {}

bool SpoolReader::List(std::vector<std::string>* names,
                       std::string* err) const {
  names->clear();
  DIR* dir = opendir(config_.spool.c_str());
  if (!dir) {
    if (errno == ENOENT) return true;
    *err = "cannot read spool " + config_.spool + ": " + strerror(errno);
    return false;
  }
  while (struct dirent* d = readdir(dir)) {
    std::string name = d->d_name;
    if (!IsJobName(name)) continue;
    struct stat st;
    if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode))
      continue;
    names->push_back(name);
  }
  closedir(dir);
  std::sort(names->begin(), names->end());
  return true;
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
    if (!ReadFile(path, &text, &why)) {
      if (!Exists(path)) continue;  // claimed by someone else
      Reject(path, name, why);
      continue;
    }
    ClaimedJob candidate;
    if (!PrepareJob(text, path, config_, false, &candidate, &why)) {
      Reject(path, name, why);
      continue;
    }
    if (wanted && !wanted(name, candidate)) continue;
    candidate.id = ChooseId(candidate.job, clock_, &candidate.note);
    std::string jobs_dir = JoinPath(candidate.project_dir, "JOBS");
    if (!MakeDirs(jobs_dir, err)) return false;
    switch (MoveNoReplace(path, jobs_dir, LogNames(&candidate, clock_),
                          &candidate.log_path, err)) {
      case Move::kGone:
        continue;
      case Move::kFailed:
        return false;
      case Move::kMoved:
        break;
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
  std::string dest, err;
  NameChooser names = [&name](int attempt) {
    if (attempt == 0) return name;
    return name.substr(0, name.size() - 4) + "." + std::to_string(attempt) +
           ".ini";
  };
  if (!MakeDirs(dir, &err)) {
    journal_.Error("cannot reject " + path + " (" + why + "): " + err);
    return;
  }
  switch (MoveNoReplace(path, dir, names, &dest, &err)) {
    case Move::kGone:
      return;  // someone else dealt with it
    case Move::kFailed:
      journal_.Error("cannot reject " + path + " (" + why + "): " + err);
      return;
    case Move::kMoved:
      ++rejected_;
      journal_.Error("rejected job " + why + "; moved to " + dest);
  }
}

}  // namespace mm
