// File descriptor plumbing every program shares, so that there is one of
// each: an owned descriptor, a close-on-exec pipe, writing a whole buffer.
#ifndef MIXMASTER_UNIQUE_FD_H_
#define MIXMASTER_UNIQUE_FD_H_

#include <stddef.h>
#include <unistd.h>

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

}  // namespace mm

#endif  // MIXMASTER_UNIQUE_FD_H_
