#include "job/build_history.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "base/fsutil.h"
#include "base/ini.h"
#include "base/journal.h"
#include "base/redact.h"
#include "job/build_log.h"
#include "job/job.h"

namespace mm {
namespace {

// A log's [job] and [build] sections are usually well under the first read,
// which takes many a whole log, [result] included; a job with a long
// message gets the second, and what is past it is not shown.
constexpr size_t kFirstHeadBytes = 16 << 10;
constexpr size_t kHeadBytes = 64 << 10;
// [result] is about 100 bytes at the very end.
constexpr size_t kTailBytes = 4 << 10;
constexpr size_t kCopyBytes = 64 << 10;
constexpr char kLogSuffix[] = ".log";

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool ReadAt(int fd, off_t offset, size_t size, std::string* text) {
  text->resize(size);
  size_t got = 0;
  while (got < size) {
    ssize_t n = pread(fd, &(*text)[got], size - got, offset + got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    got += n;
    // A regular file reads short only at its end: no call to learn that.
    if (static_cast<size_t>(n) < size - (got - n)) break;
  }
  text->resize(got);
  return true;
}

}  // namespace

bool IsProjectDirName(const std::string& name) {
  if (name.empty() || name.size() > 255 || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(), IsNameChar);
}

double LiveLogSeconds(long build_timeout) {
  const double kDay = 24 * 3600.0;
  if (build_timeout <= 0 || build_timeout >= kDay - 60) return kDay;
  return build_timeout + 60.0;
}

bool LogHasResult(int fd) {
  std::string tail, err;
  bool cut;
  return ReadTail(fd, kTailBytes, &tail, &cut, &err) && HasResultSection(tail);
}

namespace {

// Writes `n` bytes of a log, as one HTTP/1.1 chunk when `chunked`.
bool WriteLogBytes(int out_fd, const char* data, size_t n, bool chunked) {
  if (n == 0) return true;
  if (chunked) {
    char size[32];
    int len = snprintf(size, sizeof size, "%zx\r\n", n);
    if (!WriteAll(out_fd, size, len)) return false;
  }
  return WriteAll(out_fd, data, n) && (!chunked || WriteAll(out_fd, "\r\n", 2));
}

}  // namespace

bool ReadLogEnds(int fd, size_t tail_bytes, std::string* text,
                 std::string* err) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    *err = strerror(errno);
    return false;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  std::string tail;
  bool ok = size <= kHeadBytes + tail_bytes
                ? ReadAt(fd, 0, size, text)
                : ReadAt(fd, 0, kHeadBytes, text) &&
                      ReadAt(fd, static_cast<off_t>(size - tail_bytes),
                             tail_bytes, &tail);
  if (!ok) {
    *err = strerror(errno);
    return false;
  }
  if (!tail.empty()) {  // each cut at a line, so no line is made of two
    text->resize(text->rfind('\n') + 1);
    size_t nl = tail.find('\n');
    *text += tail.substr(nl == std::string::npos ? tail.size() : nl + 1);
  }
  return true;
}

bool ReadShownJobSection(int fd, std::string* shown, off_t* length) {
  std::string head(kHeadBytes, '\0');
  ssize_t n;
  do n = pread(fd, &head[0], head.size(), 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) return false;
  head.resize(n);
  size_t end = 0;
  bool found = false;
  while (!found && end < head.size()) {
    size_t nl = head.find('\n', end);
    if (nl == std::string::npos) break;
    if (end > 0 && head[end] == '[') {
      found = true;
      break;
    }
    end = nl + 1;
  }
  // A log starts as its job file, whole (build_log.h); without a section
  // after it yet, or longer than the read, all that was read is its part.
  if (!found) end = head.size();
  *shown = RedactUrlsIn(head.substr(0, end));
  *length = static_cast<off_t>(end);
  return true;
}

bool ShownLogSize(int fd, off_t* size) {
  struct stat st;
  std::string shown;
  off_t length = 0;
  if (fstat(fd, &st) != 0 || !ReadShownJobSection(fd, &shown, &length))
    return false;
  *size = st.st_size - length + static_cast<off_t>(shown.size());
  return true;
}

bool CopyNewLogBytes(int fd, off_t* offset, int out_fd, bool chunked,
                     std::string* err) {
  if (*offset == 0) {
    std::string shown;
    off_t length = 0;
    if (!ReadShownJobSection(fd, &shown, &length)) {
      *err = ErrnoText("cannot read the log");
      return false;
    }
    if (!WriteLogBytes(out_fd, shown.data(), shown.size(), chunked)) {
      *err = ErrnoText("cannot write");
      return false;
    }
    *offset = length;
    if (length == 0) return true;  // nothing written yet
  }
  std::string buf(kCopyBytes, '\0');
  for (;;) {
    ssize_t n = pread(fd, &buf[0], buf.size(), *offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = ErrnoText("cannot read the log");
      return false;
    }
    if (n == 0) return true;
    *offset += n;
    if (!WriteLogBytes(out_fd, buf.data(), n, chunked)) {
      *err = ErrnoText("cannot write");
      return false;
    }
  }
}

bool ReadTail(int fd, size_t max_bytes, std::string* text, bool* cut,
              std::string* err) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    *err = strerror(errno);
    return false;
  }
  size_t size = static_cast<size_t>(st.st_size);
  size_t from = size > max_bytes ? size - max_bytes : 0;
  if (!ReadAt(fd, static_cast<off_t>(from), size - from, text)) {
    *err = strerror(errno);
    return false;
  }
  *cut = from > 0;
  if (*cut) {
    size_t nl = text->find('\n');
    text->erase(0, nl == std::string::npos ? text->size() : nl + 1);
  }
  return true;
}

bool BuildHistory::Open(const std::string& build_root, std::string* err) {
  root_ =
      UniqueFd(open(build_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_.ok() && errno == ENOENT) return true;  // no builds yet
  if (!root_.ok()) {
    *err = "cannot open build root " + build_root + ": " + strerror(errno);
    return false;
  }
  return true;
}

int BuildHistory::JobsDir(const std::string& dir) const {
  if (!IsProjectDirName(dir)) {
    errno = ENOENT;
    return -1;
  }
  if (jobs_.ok() && jobs_dir_ == dir) return jobs_.get();
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  UniqueFd project(openat(root_.get(), dir.c_str(), kFlags));
  if (!project.ok()) return -1;
  jobs_ = UniqueFd(openat(project.get(), "JOBS", kFlags));
  int saved = errno;
  jobs_dir_ = dir;
  project.Reset();
  errno = saved;
  return jobs_.get();
}

bool BuildHistory::ListProjects(std::vector<std::string>* dirs,
                                std::string* err) const {
  dirs->clear();
  if (!root_.ok()) return true;
  DIR* d = fdopendir(fcntl(root_.get(), F_DUPFD_CLOEXEC, 0));
  if (!d) {
    *err = std::string("cannot list the build root: ") + strerror(errno);
    return false;
  }
  rewinddir(d);
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (IsProjectDirName(name) && JobsDir(name) >= 0) dirs->push_back(name);
  }
  closedir(d);
  std::sort(dirs->begin(), dirs->end());
  return true;
}

bool BuildHistory::ListJobs(const std::string& dir,
                            std::vector<std::string>* ids, bool* missing,
                            std::string* err) const {
  ids->clear();
  *missing = false;
  int jobs = JobsDir(dir);
  if (jobs < 0) {
    *missing = true;
    return false;
  }
  DIR* d = fdopendir(fcntl(jobs, F_DUPFD_CLOEXEC, 0));
  if (!d) {
    *err = std::string("cannot list the jobs: ") + strerror(errno);
    return false;
  }
  rewinddir(d);  // the copy shares its offset with the kept descriptor
  const size_t suffix = sizeof kLogSuffix - 1;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() <= suffix ||
        name.compare(name.size() - suffix, suffix, kLogSuffix) != 0)
      continue;
    name.resize(name.size() - suffix);
    if (IsJobId(name)) ids->push_back(name);
  }
  closedir(d);
  std::sort(ids->rbegin(), ids->rend());
  return true;
}

UniqueFd BuildHistory::OpenLog(const std::string& dir, const std::string& id,
                               std::string* err) const {
  // Nothing there, or nothing a log could be (a symlink): not an error.
  auto failed = [err](const std::string& what) {
    if (err && errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
      *err = ErrnoText(what);
    return UniqueFd();
  };
  if (!IsJobId(id)) return UniqueFd();
  int jobs = JobsDir(dir);
  if (jobs < 0) return failed("cannot open the logs of " + dir);
  std::string name = id + kLogSuffix;
  UniqueFd log(openat(jobs, name.c_str(),
                      O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  struct stat st;
  if (!log.ok() || fstat(log.get(), &st) != 0)
    return failed("cannot open the log " + dir + "/" + name);
  if (!S_ISREG(st.st_mode)) return UniqueFd();
  return log;
}

bool BuildHistory::ReadSummary(const std::string& dir, const std::string& id,
                               BuildSummary* summary) const {
  UniqueFd log = OpenLog(dir, id);
  return log.ok() && ReadSummary(log.get(), dir, id, summary);
}

bool BuildHistory::ReadSummary(int log, const std::string& dir,
                               const std::string& id, BuildSummary* summary) {
  std::string head, tail, err;
  bool cut;
  if (!ReadAt(log, 0, kFirstHeadBytes, &head)) return false;
  if (head.size() == kFirstHeadBytes &&
      head.find("\n[log]\n") == std::string::npos &&
      !ReadAt(log, 0, kHeadBytes, &head))
    return false;
  if (head.size() < kFirstHeadBytes)
    tail = head;  // the whole log
  else if (!ReadTail(log, kTailBytes, &tail, &cut, &err))
    return false;
  *summary = BuildSummary();
  summary->id = id;
  summary->project_dir = dir;
  ParseBuildSummary(head, tail, summary);
  return true;
}

bool BuildHistory::FindBuild(const std::string& name, const std::string& dir,
                             std::string* found_dir, std::string* id,
                             std::string* err) const {
  std::vector<std::string> dirs;
  if (!dir.empty())
    dirs.push_back(dir);
  else if (!ListProjects(&dirs, err))
    return false;
  bool last = name == "last";
  // (id, dir) of every log the name fits; an exact id wins.
  std::vector<std::pair<std::string, std::string>> fits;
  if (IsJobId(name)) {
    for (const std::string& d : dirs) {
      std::vector<std::string> ids;
      bool missing;
      if (!ListJobs(d, &ids, &missing, err) && !missing) return false;
      for (const std::string& i : ids) {
        if (i == name) {
          *found_dir = d;
          *id = i;
          return true;
        }
        if (last || i.compare(0, name.size(), name) == 0)
          fits.emplace_back(i, d);
      }
    }
  }
  std::sort(fits.rbegin(), fits.rend());
  std::string where = dir.empty() ? "" : " of " + dir;
  if (fits.empty()) {
    *err =
        (last ? "no build" : "no build log with id " + OneLine(name)) + where;
    return false;
  }
  if (fits.size() > 1 && !last) {
    *err = "id " + name + " is ambiguous: " + std::to_string(fits.size()) +
           " builds" + where + " start with it (" + fits[0].first;
    for (size_t i = 1; i < fits.size() && i < 3; ++i)
      *err += ", " + fits[i].first;
    *err += fits.size() > 3 ? ", ...)" : ")";
    return false;
  }
  *id = fits[0].first;
  *found_dir = fits[0].second;
  return true;
}

}  // namespace mm
