#include "cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "config.h"
#include "ini.h"
#include "paths.h"
#include "spawn.h"
#include "spool_reader.h"

namespace mm {
namespace {

std::string Errno(const std::string& what) {
  return what + ": " + strerror(errno);
}

// `name` with `-n` before its extension: job.ini -> job-1.ini.
std::string WithSuffix(const std::string& name, int n) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) {
    return name + "-" + std::to_string(n);
  }
  return name.substr(0, dot) + "-" + std::to_string(n) + name.substr(dot);
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// Copies a regular file to `to` (which must not exist), syncs it, then
// unlinks `from`: a move across filesystems that never leaves a half copy
// behind as the only copy.
bool CopyThenUnlink(const std::string& from, const std::string& to,
                    std::string* err) {
  UniqueFd in(open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!in.ok()) {
    *err = Errno("cannot open " + from);
    return false;
  }
  if (fstat(in.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    *err = from + " is not a regular file and cannot be moved across " +
           "filesystems";
    return false;
  }
  int out = open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) {
    *err = Errno("cannot create " + to);
    return false;
  }
  char buf[65536];
  bool ok = true;
  for (;;) {
    ssize_t n = read(in.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n < 0) *err = Errno("cannot read " + from);
      ok = n == 0;
      break;
    }
    if (!WriteAll(out, buf, static_cast<size_t>(n))) {
      *err = Errno("cannot write " + to);
      ok = false;
      break;
    }
  }
  if (ok && fsync(out) != 0) {
    *err = Errno("cannot sync " + to);
    ok = false;
  }
  // close() is checked too: it is where some filesystems report a failed
  // write.
  if (close(out) != 0 && ok) {
    *err = Errno("cannot write " + to);
    ok = false;
  }
  if (!ok) {
    unlink(to.c_str());
    return false;
  }
  if (unlink(from.c_str()) != 0) {
    *err = Errno("copied to " + to + " but cannot remove " + from);
    return false;
  }
  return true;
}

// Moves `from` to a name in `dir` that is not taken; fills `to`.
bool MoveWithoutReplacing(const std::string& from, const std::string& dir,
                          const std::string& name, std::string* to,
                          std::string* err) {
  for (int n = 0; n < 1000; ++n) {
    *to = JoinPath(dir, n == 0 ? name : WithSuffix(name, n));
    if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to->c_str(),
                  RENAME_NOREPLACE) == 0) {
      return true;
    }
    if (errno == EEXIST) continue;
    if (errno == EINVAL || errno == ENOSYS) {
      // A filesystem without RENAME_NOREPLACE: check, then rename.
      if (Exists(*to)) continue;
      if (rename(from.c_str(), to->c_str()) == 0) return true;
    }
    if (errno == EXDEV) {
      if (Exists(*to)) continue;
      return CopyThenUnlink(from, *to, err);
    }
    *err = Errno("cannot move " + from + " to " + *to);
    return false;
  }
  *err = "cannot move " + from + ": too many rejected jobs named " + name;
  return false;
}

void SyncDirectory(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

}  // namespace

bool ServiceFailed(const char* service_result) {
  return service_result == nullptr || strcmp(service_result, "success") != 0;
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

bool CleanUpSpool(const std::string& spool, const std::string& rejected_dir,
                  CleanupAction action, CleanupScope scope,
                  std::vector<CleanupOutcome>* outcomes, std::string* err) {
  outcomes->clear();
  DIR* dir = opendir(spool.c_str());
  if (!dir) {
    if (errno == ENOENT) return true;
    *err = Errno("cannot read spool " + spool);
    return false;
  }
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  }
  int read_errno = errno;
  closedir(dir);
  if (read_errno != 0) {
    errno = read_errno;
    *err = Errno("cannot read spool " + spool);
    return false;
  }
  std::sort(names.begin(), names.end());
  // mmbuild's own list of jobs, so that the two never disagree about what
  // a job is.
  Config config;
  config.spool = spool;
  Journal unused(-1);
  std::vector<std::string> jobs;
  if (!SpoolReader(config, SystemClock(), unused).List(&jobs, err)) {
    return false;
  }
  auto is_job = [&jobs](const std::string& name) {
    return std::binary_search(jobs.begin(), jobs.end(), name);
  };
  if (scope == CleanupScope::kNotJobs) {
    names.erase(std::remove_if(names.begin(), names.end(), is_job),
                names.end());
  }
  if (names.empty()) return true;

  if (action == CleanupAction::kMove && !MakeDirs(rejected_dir, err)) {
    return false;
  }
  for (const std::string& name : names) {
    CleanupOutcome outcome;
    outcome.name = name;
    outcome.is_job = is_job(name);
    std::string from = JoinPath(spool, name);
    if (action == CleanupAction::kDelete) {
      if (unlink(from.c_str()) != 0) {
        if (errno == ENOENT) continue;  // claimed by mmbuild meanwhile
        outcome.error = Errno("cannot delete " + from);
      } else {
        outcome.ok = true;
      }
    } else {
      outcome.ok = MoveWithoutReplacing(from, rejected_dir, name,
                                        &outcome.destination, &outcome.error);
      // mmbuild claimed it between listing and moving: nothing to do.
      if (!outcome.ok && !Exists(from)) continue;
      if (!outcome.ok) outcome.destination.clear();
    }
    outcomes->push_back(std::move(outcome));
  }
  if (action == CleanupAction::kMove) SyncDirectory(rejected_dir);
  SyncDirectory(spool);
  return true;
}

}  // namespace mm
