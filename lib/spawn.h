// Starting a child without a shell, the building block of process.h: fork,
// a process group of its own, the given descriptors as stdin, stdout and
// stderr and no others, default signal dispositions and an empty signal
// mask, execvpe (PATH lookup when argv[0] has no '/') with the environment
// of the spec. A failing chdir or exec is reported through a CLOEXEC pipe,
// so the caller knows at once whether the child started.
//
// Also the descriptor plumbing the rest of mmbuild shares (an owned fd, a
// pipe, writing a whole buffer), so that there is one of each.
#ifndef MIXMASTER_SPAWN_H_
#define MIXMASTER_SPAWN_H_

#include <sys/types.h>
#include <unistd.h>

#include <string>

#include "process.h"

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

// Starts spec.argv (with spec.env and spec.cwd) and fills *pid. With
// `die_with_parent`, the child gets SIGTERM when this process dies. False
// with a message ("cannot run prog: No such file or directory", "cannot
// change to directory ...") when it could not start.
bool SpawnChild(const ProcessSpec& spec, int in_fd, int out_fd, int err_fd,
                bool die_with_parent, pid_t* pid, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_SPAWN_H_
