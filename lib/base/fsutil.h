// The file plumbing every program shares, so that there is one of each: an
// owned descriptor, a close-on-exec pipe, writing and reading a whole file,
// the errno text of a failure, syncing a directory, creating a file that was
// not there, and moving a file without ever replacing another.
#ifndef MIXMASTER_FSUTIL_H_
#define MIXMASTER_FSUTIL_H_

#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

namespace mm {

// An owned file descriptor. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// A pipe, both ends close-on-exec.
bool MakePipe(UniqueFd* read_end, UniqueFd* write_end);

// Writes all of `data`, retrying on EINTR and short writes. False (errno
// set; EIO for a write of nothing) when it could not.
bool WriteAll(int fd, const char* data, size_t size);

// `what` and the text of the current errno: "cannot open x: No such file".
std::string ErrnoText(const std::string& what);

// Reads the whole file; `err` is "<path>: <reason>" when it cannot.
bool ReadFile(const std::string& path, std::string* out, std::string* err);

// The names in `dir` but the hidden ones (a leading `.`), sorted. A
// directory that does not exist holds nothing; a failure to open or to
// read it is an error ("cannot read <what>: reason").
bool ListDir(const std::string& dir, const std::string& what,
             std::vector<std::string>* names, std::string* err);

// True when something (a dangling symlink too) is at `path`. False when
// nothing is, or when it cannot tell: errno is ENOENT only for the first.
bool Exists(const std::string& path);

// Replaces `path` with `text` at once: written to `temp` (which must be in
// the same directory, and is removed first), synced, then renamed over it,
// so that `path` is whole either way. On failure `path` is as it was.
bool ReplaceFile(const std::string& path, const std::string& temp,
                 const std::string& text, mode_t mode, std::string* err);

// fsyncs a directory so that the names just made in it are durable. Best
// effort: the names are already visible, so a failure is not reported.
void SyncDir(const std::string& dir);

// Creates `path`, which must not exist, with `text`, flushed to disk (close
// is checked too: some filesystems report a failed write there), or leaves
// nothing. When the name is taken it fails with errno EEXIST.
bool CreateFileExclusive(const std::string& path, const std::string& text,
                         mode_t mode, std::string* err);

// The n-th name tried for `name` in a directory where it is taken (n = 1,
// 2, ...): `-n` before the extension (job.ini -> job-1.ini). The one rule for
// a clash in <buildRoot>/REJECTED/, mmbuild(1) and mmcleanup(1) alike.
std::string ClashName(const std::string& name, int n);

// Gives the n-th name to try for a new file's name (n = 0, 1, ...).
using NameChooser = std::function<std::string(int attempt)>;

// `name` first, then ClashName(name, 1), ClashName(name, 2), ...
NameChooser ClashNames(const std::string& name);

// Creates a file with `text` in `dir` (as CreateFileExclusive) under the
// first of `choose`'s names that is free; `path` is the file made.
bool CreateFileInDir(const std::string& dir, const NameChooser& choose,
                     const std::string& text, mode_t mode, std::string* path,
                     std::string* err);

// Renames `from` to `to` unless `to` exists, also while it is being done:
// RENAME_NOREPLACE, or where the filesystem has none, link(2) (which never
// replaces) and unlink. False with errno EEXIST when `to` is taken, ENOENT
// when `from` is gone, EXDEV across filesystems.
bool MoveNoReplace(const std::string& from, const std::string& to,
                   std::string* err);

enum class MoveResult { kMoved, kGone, kFailed };

// Moves `from` into `dir` under the first of `choose`'s names that is free,
// never replacing a file that is there or appears meanwhile (MoveNoReplace);
// across filesystems a regular file is copied (created
// exclusively, synced) and then unlinked, and whoever unlinks the source
// owns it. kGone when `from` vanished (another process took it); `dest` is
// the new path.
MoveResult MoveIntoDir(const std::string& from, const std::string& dir,
                       const NameChooser& choose, std::string* dest,
                       std::string* err);

}  // namespace mm

#endif  // MIXMASTER_FSUTIL_H_
