#include "base/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <algorithm>

#include "base/paths.h"

namespace mm {
namespace {

// Names tried before giving up: far more clashes than a spool ever sees.
constexpr int kMaxNames = 1000;

bool ReadFd(int fd, std::string* out) {
  out->clear();
  char buf[16384];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
  }
}

// Across filesystems: a synced exclusive copy first, then the unlink of the
// source decides; whoever unlinks it owns it, the loser removes its copy.
MoveResult CopyThenUnlink(const std::string& from, const std::string& dir,
                          const NameChooser& choose, std::string* dest,
                          std::string* err) {
  UniqueFd in(open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in.ok() && errno == ENOENT) return MoveResult::kGone;
  struct stat st;
  if (!in.ok() || fstat(in.get(), &st) != 0) {
    *err = ErrnoText("cannot open " + from);
    return MoveResult::kFailed;
  }
  if (!S_ISREG(st.st_mode)) {
    *err = from + " is not a regular file and cannot be moved across " +
           "filesystems";
    return MoveResult::kFailed;
  }
  std::string text;
  if (!ReadFd(in.get(), &text)) {
    *err = ErrnoText("cannot read " + from);
    return MoveResult::kFailed;
  }
  in.Reset();
  if (!CreateFileInDir(dir, choose, text, 0600, dest, err))
    return MoveResult::kFailed;
  if (unlink(from.c_str()) != 0) {
    int saved = errno;
    unlink(dest->c_str());
    if (saved == ENOENT) return MoveResult::kGone;
    errno = saved;
    *err = ErrnoText("copied to " + *dest + " but cannot remove " + from);
    return MoveResult::kFailed;
  }
  return MoveResult::kMoved;
}

}  // namespace

bool MoveNoReplace(const std::string& from, const std::string& to,
                   std::string* err) {
  if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(),
                RENAME_NOREPLACE) == 0)
    return true;
  if (errno == EINVAL || errno == ENOSYS) {
    // A filesystem without RENAME_NOREPLACE: link(2) never replaces either.
    if (link(from.c_str(), to.c_str()) == 0) {
      if (unlink(from.c_str()) == 0) return true;
      int saved = errno;
      unlink(to.c_str());  // on ENOENT another taker unlinked it: theirs
      errno = saved;
    }
  }
  int saved = errno;
  *err = ErrnoText("cannot move " + from + " to " + to);
  errno = saved;
  return false;
}

bool MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  *read_end = UniqueFd(fds[0]);
  *write_end = UniqueFd(fds[1]);
  return true;
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::string ErrnoText(const std::string& what) {
  return what + ": " + strerror(errno);
}

bool ReadFile(const std::string& path, std::string* out, std::string* err) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok() || !ReadFd(fd.get(), out)) {
    *err = ErrnoText(path);
    return false;
  }
  return true;
}

void SyncDir(const std::string& dir) {
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.ok()) fsync(fd.get());
}

bool CreateFileExclusive(const std::string& path, const std::string& text,
                         mode_t mode, std::string* err) {
  int fd = open(path.c_str(),
                O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    int saved = errno;
    *err = ErrnoText("cannot create " + path);
    errno = saved;
    return false;
  }
  bool ok = WriteAll(fd, text.data(), text.size()) && fsync(fd) == 0;
  int saved = errno;
  ok = close(fd) == 0 && ok;
  if (!ok) {
    if (saved != 0) errno = saved;
    *err = ErrnoText("cannot write " + path);
    unlink(path.c_str());
    errno = EIO;
  }
  return ok;
}

bool CreateFileInDir(const std::string& dir, const NameChooser& choose,
                     const std::string& text, mode_t mode, std::string* path,
                     std::string* err) {
  for (int attempt = 0; attempt < kMaxNames; ++attempt) {
    std::string candidate = JoinPath(dir, choose(attempt));
    if (CreateFileExclusive(candidate, text, mode, err)) {
      *path = candidate;
      return true;
    }
    if (errno != EEXIST) return false;
  }
  *err = "cannot find a free name in " + dir;
  return false;
}

std::string ClashName(const std::string& name, int n) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) {
    return name + "-" + std::to_string(n);
  }
  return name.substr(0, dot) + "-" + std::to_string(n) + name.substr(dot);
}

NameChooser ClashNames(const std::string& name) {
  return [name](int attempt) {
    return attempt == 0 ? name : ClashName(name, attempt);
  };
}

MoveResult MoveIntoDir(const std::string& from, const std::string& dir,
                       const NameChooser& choose, std::string* dest,
                       std::string* err) {
  for (int attempt = 0; attempt < kMaxNames; ++attempt) {
    std::string candidate = JoinPath(dir, choose(attempt));
    if (MoveNoReplace(from, candidate, err)) {
      *dest = candidate;
      return MoveResult::kMoved;
    }
    if (errno == EEXIST) continue;
    if (errno == EXDEV) {
      NameChooser from_here = [&](int n) { return choose(attempt + n); };
      return CopyThenUnlink(from, dir, from_here, dest, err);
    }
    if (errno == ENOENT && access(from.c_str(), F_OK) != 0)
      return MoveResult::kGone;
    return MoveResult::kFailed;
  }
  *err = "cannot move " + from + ": no free name in " + dir;
  return MoveResult::kFailed;
}

bool ListDir(const std::string& dir, const std::string& what,
             std::vector<std::string>* names, std::string* err) {
  names->clear();
  DIR* d = opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return true;
    *err = ErrnoText("cannot read " + what);
    return false;
  }
  errno = 0;
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') names->push_back(e->d_name);
  }
  int read_errno = errno;
  closedir(d);
  if (read_errno != 0) {
    errno = read_errno;
    *err = ErrnoText("cannot read " + what);
    names->clear();
    return false;
  }
  std::sort(names->begin(), names->end());
  return true;
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

bool ReplaceFile(const std::string& path, const std::string& temp,
                 const std::string& text, mode_t mode, std::string* err) {
  unlink(temp.c_str());
  if (!CreateFileExclusive(temp, text, mode, err)) return false;
  if (rename(temp.c_str(), path.c_str()) != 0) {
    *err = ErrnoText("cannot replace " + path);
    unlink(temp.c_str());
    return false;
  }
  return true;
}

}  // namespace mm
