#include "process/process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "base/clock.h"
#include "process/spawn.h"

extern char** environ;

namespace mm {
namespace {

constexpr size_t kMaxLine = 64 * 1024;
// How often the stop flag, the deadline and the group are looked at.
constexpr double kPollSeconds = 0.1;

void SetNonBlocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// True when a process other than a zombie belongs to group `pgid` (whose
// leader has been reaped). The kill() probe answers the common case at once;
// /proc is read only when it says the group exists, since members that
// became zombies count as gone (some container inits never reap them). The
// group's id cannot be reused while a member lives, and right after the
// leader is reaped it is not handed out again before the pid space wraps.
bool GroupHasLiveMembers(pid_t pgid) {
  if (kill(-pgid, 0) != 0) return false;
  DIR* proc = opendir("/proc");
  if (!proc) return true;  // cannot tell: assume so, the caller KILLs
  bool live = false;
  while (struct dirent* d = readdir(proc)) {
    if (d->d_name[0] < '0' || d->d_name[0] > '9') continue;
    char state;
    pid_t pgrp;
    if (!ReadProcStat(static_cast<pid_t>(atol(d->d_name)), &state, &pgrp))
      continue;
    if (pgrp == pgid && state != 'Z' && state != 'X') {
      live = true;
      break;
    }
  }
  closedir(proc);
  return live;
}

// Writes to a pipe whose reader may be gone without raising SIGPIPE in this
// process: SIGPIPE is blocked for the call and a pending one consumed.
ssize_t WriteNoSigpipe(int fd, const char* data, size_t size) {
  sigset_t pipe_set, old_set, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  ssize_t n = write(fd, data, size);
  int saved = errno;
  if (n < 0 && saved == EPIPE && !was_pending) {
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  errno = saved;
  return n;
}

// Splits one stream into lines for the sink.
class LineSplitter {
 public:
  LineSplitter(char stream, const LineSink& sink)
      : stream_(stream), sink_(sink) {}
  void Add(const char* data, size_t size) {
    buffer_.append(data, size);
    size_t start = 0;
    for (;;) {
      size_t nl = buffer_.find('\n', start);
      if (nl == std::string::npos) break;
      sink_(stream_, buffer_.substr(start, nl - start));
      start = nl + 1;
    }
    buffer_.erase(0, start);
    while (buffer_.size() >= kMaxLine) {
      sink_(stream_, buffer_.substr(0, kMaxLine));
      buffer_.erase(0, kMaxLine);
    }
  }
  void Finish() {
    if (!buffer_.empty()) sink_(stream_, buffer_);
    buffer_.clear();
  }

 private:
  char stream_;
  const LineSink& sink_;
  std::string buffer_;
};

// One output pipe and its splitter.
struct OutputStream {
  UniqueFd fd;
  LineSplitter splitter;
  // Reads what is there; false once the pipe is at EOF (or broken).
  bool ReadAvailable() {
    char buf[16384];
    for (;;) {
      ssize_t n = read(fd.get(), buf, sizeof buf);
      if (n > 0) {
        splitter.Add(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      splitter.Finish();
      fd.Reset();
      return false;
    }
  }
};

// The three pipes of a child: stdin (or /dev/null), stdout, stderr.
struct ChildPipes {
  UniqueFd in_read, in_write, out_read, out_write, err_read, err_write;
};

bool OpenPipes(bool feed_stdin, ChildPipes* p, std::string* err) {
  if (feed_stdin) {
    if (!MakePipe(&p->in_read, &p->in_write)) {
      *err = ErrnoText("cannot create a pipe");
      return false;
    }
  } else {
    p->in_read = UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!p->in_read.ok()) {
      *err = ErrnoText("cannot open /dev/null");
      return false;
    }
  }
  if (!MakePipe(&p->out_read, &p->out_write) ||
      !MakePipe(&p->err_read, &p->err_write)) {
    *err = ErrnoText("cannot create a pipe");
    return false;
  }
  return true;
}

// Writes spec.stdin_data to the child as fast as it reads, never blocking.
struct InputFeed {
  UniqueFd fd;
  const std::string& data;
  size_t fed = 0;
  void WriteAvailable() {
    if (!fd.ok()) return;
    ssize_t n = WriteNoSigpipe(fd.get(), data.data() + fed,
                               std::min<size_t>(data.size() - fed, 65536));
    if (n > 0) fed += static_cast<size_t>(n);
    if ((n < 0 && errno != EAGAIN && errno != EINTR) || fed == data.size())
      fd.Reset();
  }
};

bool IsStopSignal(int sig) {
  return sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGKILL;
}

// Watches a started child's process group: TERM at the deadline or on a
// stop request, TERM to what the leader left behind once it exited, KILL
// when the grace period is over.
class GroupWatch {
 public:
  GroupWatch(const ProcessSpec& spec, pid_t pid, ProcessResult* result)
      : spec_(spec), pid_(pid), result_(result) {
    if (spec.timeout_seconds > 0)
      deadline_ = MonotonicSeconds() + spec.timeout_seconds;
  }

  // Sends what is due at `now`; true once the whole group is gone.
  bool Update(double now) {
    if (!leader_exited_) {
      pid_t r = waitpid(pid_, &status_, WNOHANG);
      leader_exited_ = r == pid_ || (r < 0 && errno == ECHILD);
      // Killed by a stop's signal while a stop was asked for: the same stop
      // reached the group first (systemd signals a whole control group).
      if (leader_exited_ && kill_at_ == 0 && r == pid_ &&
          WIFSIGNALED(status_) && IsStopSignal(WTERMSIG(status_)) &&
          spec_.stop_requested && *spec_.stop_requested)
        result_->stopped = true;
    }
    if (kill_at_ == 0 && !leader_exited_) {
      bool stop = spec_.stop_requested && *spec_.stop_requested;
      bool late = deadline_ > 0 && now >= deadline_;
      if (stop || late) {
        result_->stopped = stop;
        result_->timed_out = !stop;
        Terminate(now);
      }
    }
    if (leader_exited_) {
      if (!GroupHasLiveMembers(pid_)) return true;
      // The command is done; what it left behind in its group is not.
      if (kill_at_ == 0) Terminate(now);
    }
    if (kill_at_ > 0 && now >= kill_at_ && !kill_sent_) {
      kill(-pid_, SIGKILL);
      kill_sent_ = true;
    }
    return false;
  }

  // How long to poll at `now` before the next thing may be due.
  int PollMillis(double now) const {
    double wait = kPollSeconds;
    if (deadline_ > 0 && kill_at_ == 0) wait = std::min(wait, deadline_ - now);
    if (kill_at_ > 0 && !kill_sent_) wait = std::min(wait, kill_at_ - now);
    if (leader_exited_) wait = std::min(wait, 0.01);
    return std::max(0, static_cast<int>(wait * 1000) + 1);
  }

  bool leader_exited() const { return leader_exited_; }
  int status() const { return status_; }

 private:
  void Terminate(double now) {
    kill(-pid_, SIGTERM);
    kill_at_ = now + spec_.kill_grace_seconds;
  }

  const ProcessSpec& spec_;
  pid_t pid_;
  ProcessResult* result_;
  double deadline_ = 0;
  double kill_at_ = 0;  // when TERM was sent: the time for KILL
  bool leader_exited_ = false;
  bool kill_sent_ = false;
  int status_ = 0;
};

}  // namespace

bool RunProcess(const ProcessSpec& spec, const LineSink& sink,
                ProcessResult* result) {
  *result = ProcessResult();
  ChildPipes p;
  if (!OpenPipes(spec.feed_stdin, &p, &result->error)) return false;
  pid_t pid;
  if (!SpawnChild(spec, p.in_read.get(), p.out_write.get(), p.err_write.get(),
                  false, &pid, &result->error))
    return false;
  result->started = true;
  p.in_read.Reset();
  p.out_write.Reset();
  p.err_write.Reset();

  OutputStream out{std::move(p.out_read), LineSplitter(kStdoutStream, sink)};
  OutputStream err{std::move(p.err_read), LineSplitter(kStderrStream, sink)};
  SetNonBlocking(out.fd.get());
  SetNonBlocking(err.fd.get());
  InputFeed in{std::move(p.in_write), spec.stdin_data};
  if (in.fd.ok()) {
    SetNonBlocking(in.fd.get());
    if (spec.stdin_data.empty()) in.fd.Reset();
  }
  // Readable when the child exits, so its end is seen at once even when a
  // grandchild keeps the pipes open. Without pidfds, the poll period bounds
  // the delay. (Called through syscall(): Debian 12's <sys/pidfd.h> lacks
  // extern "C".)
  UniqueFd exit_fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  GroupWatch group(spec, pid, result);
  for (;;) {
    double now = MonotonicSeconds();
    if (group.Update(now)) break;
    struct pollfd fds[4];
    nfds_t nfds = 0;
    auto add = [&](int fd, short events) {
      if (fd >= 0) fds[nfds++] = pollfd{fd, events, 0};
    };
    add(out.fd.get(), POLLIN);
    add(err.fd.get(), POLLIN);
    add(in.fd.get(), POLLOUT);
    if (!group.leader_exited()) add(exit_fd.get(), POLLIN);
    if (poll(fds, nfds, group.PollMillis(now)) < 0 && errno != EINTR) break;
    if (out.fd.ok()) out.ReadAvailable();
    if (err.fd.ok()) err.ReadAvailable();
    in.WriteAvailable();
  }
  // The group is gone: what is in the pipes is all it wrote. A process that
  // left the group may hold them open; it is not waited for.
  if (out.fd.ok()) out.ReadAvailable();
  if (err.fd.ok()) err.ReadAvailable();
  out.splitter.Finish();
  err.splitter.Finish();

  int status = group.status();
  if (WIFEXITED(status)) {
    result->exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result->term_signal = WTERMSIG(status);
  }
  return true;
}

bool ExitedZero(const ProcessResult& result, const std::string& name,
                double timeout_seconds, std::string* err) {
  if (result.timed_out) {
    char seconds[32];
    snprintf(seconds, sizeof seconds, "%g", timeout_seconds);
    *err = name + " did not finish within " + seconds + " s and was stopped";
    return false;
  }
  if (result.term_signal != 0) {
    *err = name + " was killed by signal " +
           std::to_string(result.term_signal) + " (" +
           strsignal(result.term_signal) + ")";
    return false;
  }
  if (result.exit_code != 0) {
    *err = name + " exited with status " + std::to_string(result.exit_code);
    return false;
  }
  return true;
}

BackgroundProcess::~BackgroundProcess() { Stop(); }

BackgroundProcess::BackgroundProcess(BackgroundProcess&& other) noexcept
    : pid_(other.pid_) {
  other.pid_ = -1;
}

BackgroundProcess& BackgroundProcess::operator=(
    BackgroundProcess&& other) noexcept {
  if (this != &other) {
    Stop();
    pid_ = other.pid_;
    other.pid_ = -1;
  }
  return *this;
}

bool BackgroundProcess::Start(const ProcessSpec& spec, std::string* err) {
  Stop();
  UniqueFd null_fd(open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null_fd.ok()) {
    *err = std::string("cannot open /dev/null: ") + strerror(errno);
    return false;
  }
  pid_t pid;
  if (!SpawnChild(spec, null_fd.get(), null_fd.get(), null_fd.get(), true, &pid,
                  err))
    return false;
  pid_ = pid;
  return true;
}

bool BackgroundProcess::Running() {
  if (pid_ < 0) return false;
  int status;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    pid_ = -1;
    return false;
  }
  return true;
}

void BackgroundProcess::Stop(double grace_seconds) {
  if (!Running()) return;
  kill(-pid_, SIGTERM);
  double kill_at = MonotonicSeconds() + grace_seconds;
  bool killed = false;
  for (;;) {
    int status;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) break;
    if (!killed && MonotonicSeconds() >= kill_at) {
      kill(-pid_, SIGKILL);
      killed = true;
    }
    struct timespec pause = {0, 1000000};  // 1 ms
    nanosleep(&pause, nullptr);
  }
  pid_ = -1;
}

bool ReadProcStat(pid_t pid, char* state, pid_t* pgrp) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return false;
  char buf[512];
  ssize_t n = read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return false;
  buf[n] = '\0';
  char* paren = strrchr(buf, ')');
  int ppid, group;
  if (!paren || sscanf(paren + 1, " %c %d %d", state, &ppid, &group) != 3)
    return false;
  *pgrp = static_cast<pid_t>(group);
  return true;
}

bool ProcessAlive(pid_t pid) {
  if (kill(pid, 0) != 0 && errno != EPERM) return false;
  char state;
  pid_t pgrp;
  if (!ReadProcStat(pid, &state, &pgrp)) return true;  // cannot tell
  return state != 'Z' && state != 'X';
}

}  // namespace mm
