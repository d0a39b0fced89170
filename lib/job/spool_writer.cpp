#include "job/spool_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/paths.h"
#include "job/job_settings.h"

namespace mm {
namespace {

// Enough for a thousand requests in one microsecond in one process, which
// cannot happen; past it something else is wrong.
constexpr int kAttempts = 16;

// Replaces the whole content of `fd` with `text` and flushes it to disk.
bool WriteSynced(int fd, const std::string& text, std::string* err) {
  if (ftruncate(fd, 0) != 0) {
    *err = ErrnoText("cannot write job");
    return false;
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = pwrite(fd, text.data() + done, text.size() - done,
                       static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *err = ErrnoText("cannot write job");
      return false;
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    *err = ErrnoText("cannot flush job to disk");
    return false;
  }
  return true;
}

}  // namespace

bool SpoolWriter::Durable(const std::string& target, std::string* err) const {
  if (SyncDir(dir_)) return true;
  std::string why = ErrnoText("spool " + dir_ + ": cannot flush it to disk");
  // Not known to be on disk, so not queued: taken back, unless an mmbuild
  // has claimed it already, which makes it its own.
  if (unlink(target.c_str()) != 0) {
    if (errno == ENOENT) return true;
    why += ErrnoText("; the job stays queued, it cannot be removed");
  }
  *err = why;
  return false;
}

std::string SpoolWriter::JobPath(const Job& job) const {
  return JoinPath(dir_, job.id + ".ini");
}

bool SpoolWriter::Write(Job* job, const std::function<std::string()>& new_id,
                        std::string* path, std::string* err) {
  struct stat st;
  if (stat(dir_.c_str(), &st) != 0) {
    *err = ErrnoText("spool " + dir_ + " is not writable");
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    *err = "spool " + dir_ + " is not writable: not a directory";
    return false;
  }
  if (!IsJobId(job->id)) job->id = new_id();
  if (use_tmpfile_) {
    Outcome o = WriteTmpfile(job, new_id, path, err);
    if (o != Outcome::kUnsupported) return o == Outcome::kDone;
  }
  return WriteRenamed(job, new_id, path, err);
}

SpoolWriter::Outcome SpoolWriter::WriteTmpfile(
    Job* job, const std::function<std::string()>& new_id, std::string* path,
    std::string* err) {
  UniqueFd fd(open(dir_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)
      return Outcome::kUnsupported;
    *err = ErrnoText("spool " + dir_ + " is not writable");
    return Outcome::kFailed;
  }
  char proc_path[64];
  snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", fd.get());
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (!WriteSynced(fd.get(), EncodeJob(*job), err)) {
      *err = "spool " + dir_ + ": " + *err;
      return Outcome::kFailed;
    }
    std::string target = JobPath(*job);
    if (linkat(AT_FDCWD, proc_path, AT_FDCWD, target.c_str(),
               AT_SYMLINK_FOLLOW) == 0) {
      if (!Durable(target, err)) return Outcome::kFailed;
      *path = target;
      return Outcome::kDone;
    }
    if (errno == EEXIST) {
      job->id = new_id();
      continue;
    }
    // Without /proc the anonymous file cannot be named; the fallback can.
    if (errno == ENOENT && access("/proc/self/fd", F_OK) != 0)
      return Outcome::kUnsupported;
    *err = ErrnoText("spool " + dir_ + " is not writable");
    return Outcome::kFailed;
  }
  *err = "spool " + dir_ + ": no free job name after " +
         std::to_string(kAttempts) + " attempts";
  return Outcome::kFailed;
}

bool SpoolWriter::WriteRenamed(Job* job,
                               const std::function<std::string()>& new_id,
                               std::string* path, std::string* err) {
  // The temporary file lives beside the spool, not in it, so that nothing
  // in the spool is ever incomplete; same filesystem in the usual layout.
  std::string parent = DirName(dir_);
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    std::string temp = JoinPath(parent, ".mmbridge-" + job->id + ".tmp");
    int raw = open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (raw < 0 && errno == EEXIST) {
      job->id = new_id();
      continue;
    }
    if (raw < 0) {
      *err = ErrnoText("spool " + dir_ + " is not writable: cannot create " +
                       temp);
      return false;
    }
    {
      UniqueFd fd(raw);
      if (!WriteSynced(fd.get(), EncodeJob(*job), err)) {
        unlink(temp.c_str());
        *err = "spool " + dir_ + ": " + *err;
        return false;
      }
    }
    std::string target = JobPath(*job);
    std::string why;
    if (MoveNoReplace(temp, target, &why)) {
      if (!Durable(target, err)) return false;
      *path = target;
      return true;
    }
    int saved = errno;
    unlink(temp.c_str());
    errno = saved;
    if (errno == EEXIST) {
      job->id = new_id();
      continue;
    }
    *err =
        ErrnoText("spool " + dir_ + " is not writable: cannot move the job in");
    return false;
  }
  *err = "spool " + dir_ + ": no free job name after " +
         std::to_string(kAttempts) + " attempts";
  return false;
}

bool ListSpoolJobs(const std::string& spool, std::vector<std::string>* names,
                   std::string* err) {
  std::vector<std::string> all;
  if (!ListDir(spool, "spool " + spool, &all, err)) return false;
  names->clear();
  for (const std::string& name : all) {
    struct stat st;
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".ini") == 0 &&
        lstat(JoinPath(spool, name).c_str(), &st) == 0 && S_ISREG(st.st_mode))
      names->push_back(name);
  }
  return true;
}

QueueResult QueueJob(const Config& config, const Clock& clock, Job* job,
                     std::string* err) {
  // Resolved on a copy, to refuse now what mmbuild could not build. The
  // file only selects the build (mmbuild(1) DESCRIPTION): whatever reaches
  // the spool cannot choose what runs, so mmbuild takes the command, mailto
  // and mode from the configuration when it runs the job.
  Job resolved = *job;
  JobSettings settings;
  if (!ResolveJob(config, &resolved, &settings, err))
    return QueueResult::kCannotBuild;
  job->has_build_command = job->has_mailto = job->has_mode = false;
  // A pinned repository (mixmaster.ini(5) Project settings) is what the job
  // names: the one it is built from.
  job->repository_url = resolved.repository_url;
  struct timespec now = clock.Now();
  job->id = NewJobId(now);
  job->received = FormatIsoUtc(now);
  SpoolWriter writer(config.spool);
  std::string path;
  if (!writer.Write(
          job, [&clock] { return NewJobId(clock.Now()); }, &path, err))
    return QueueResult::kSpoolFailed;
  return QueueResult::kQueued;
}

}  // namespace mm
