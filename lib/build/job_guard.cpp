#include "build/job_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "process/spawn.h"

namespace mm {
namespace {

// The runner's end of the watcher's socket, for the spawn observer.
int g_watcher_socket = -1;

void TellWatcher(pid_t pgid) {
  if (g_watcher_socket < 0) return;
  // MSG_NOSIGNAL: a watcher that is gone must not kill the runner.
  ssize_t ignored = send(g_watcher_socket, &pgid, sizeof pgid, MSG_NOSIGNAL);
  (void)ignored;
}

// The watcher's state. It runs in a forked child: async-signal-safe calls
// only, no allocation. A message of the size of a pid_t is a process
// group; a longer one is the path of the agent's socket.
constexpr int kMaxGroups = 256;

struct Groups {
  pid_t pgid[kMaxGroups];
  int count = 0;

  // Drops the groups with no process left, so that a group id the system
  // hands out again is never signalled.
  void Prune() {
    int kept = 0;
    for (int i = 0; i < count; ++i)
      if (kill(-pgid[i], 0) == 0 || errno == EPERM) pgid[kept++] = pgid[i];
    count = kept;
  }
  void Add(pid_t group) {
    Prune();
    if (count < kMaxGroups) pgid[count++] = group;
  }
  void SignalAll(int sig) {
    for (int i = 0; i < count; ++i) kill(-pgid[i], sig);
  }
};

void Pause(long millis) {
  struct timespec pause = {millis / 1000, (millis % 1000) * 1000000};
  nanosleep(&pause, nullptr);
}

// TERM to every group left, KILL after two seconds to what is still there.
void StopGroups(Groups* groups) {
  groups->Prune();
  groups->SignalAll(SIGTERM);
  for (int i = 0; i < 20 && groups->count > 0; ++i) {
    Pause(100);
    groups->Prune();
  }
  groups->SignalAll(SIGKILL);
}

// The agent's socket (GuardRemovesSocketDir), once its groups are stopped:
// removed when nothing listens on it any more, then its directory if empty.
void RemoveSocketDir(char* path) {
  if (path[0] != '/') return;
  struct sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  size_t length = strlen(path);
  if (length >= sizeof address.sun_path) return;
  memcpy(address.sun_path, path, length + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  bool listening =
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  if (listening) return;  // not the dead runner's agent
  unlink(path);
  *strrchr(path, '/') = '\0';
  if (path[0] != '\0') rmdir(path);
}

[[noreturn]] void Watch(int sock, pid_t runner, int parent_fd,
                        double runner_grace) {
  Groups groups;
  static char agent_socket[sizeof(sockaddr_un::sun_path) + 1];
  double kill_runner_at = -1;  // set once the mmbuild is gone
  for (;;) {
    struct pollfd fds[2] = {{sock, POLLIN, 0}, {parent_fd, POLLIN, 0}};
    int nfds = parent_fd >= 0 && kill_runner_at < 0 ? 2 : 1;
    int n = poll(fds, nfds, 1000);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) groups.Prune();
    if (nfds == 2 && fds[1].revents) {
      // The mmbuild that forked the runner is gone. The runner stops its
      // build itself (its PR_SET_PDEATHSIG, or this TERM) and completes its
      // log; only a runner that has not ended after the grace is killed.
      // Its groups go once its end of the socket closes.
      kill(runner, SIGTERM);
      kill_runner_at = MonotonicSeconds() + runner_grace;
    }
    if (kill_runner_at >= 0 && MonotonicSeconds() >= kill_runner_at) {
      kill(runner, SIGKILL);
      kill_runner_at = 1e300;
    }
    if (fds[0].revents) {
      char message[sizeof agent_socket];
      ssize_t r = recv(sock, message, sizeof message - 1, 0);
      pid_t pgid;
      if (r == static_cast<ssize_t>(sizeof pgid)) {
        memcpy(&pgid, message, sizeof pgid);
        if (pgid > 1) groups.Add(pgid);
      } else if (r > static_cast<ssize_t>(sizeof pgid)) {
        memcpy(agent_socket, message, static_cast<size_t>(r));
        agent_socket[r] = '\0';
      } else if (r == 0 || (r < 0 && errno != EINTR)) {
        break;  // the runner is gone (or ended its guard)
      }
    }
  }
  StopGroups(&groups);
  RemoveSocketDir(agent_socket);
  _exit(0);
}

}  // namespace

void GuardRemovesSocketDir(const std::string& socket_path) {
  if (g_watcher_socket < 0 || socket_path.size() <= sizeof(pid_t) ||
      socket_path.size() >= sizeof(sockaddr_un::sun_path)) {
    return;
  }
  ssize_t ignored = send(g_watcher_socket, socket_path.data(),
                         socket_path.size(), MSG_NOSIGNAL);
  (void)ignored;
}

JobGuard::~JobGuard() { StopWatcher(); }

JobGuard::JobGuard(JobGuard&& other) noexcept
    : lock_(std::move(other.lock_)),
      socket_(std::move(other.socket_)),
      watcher_(other.watcher_) {
  other.watcher_ = -1;
}

JobGuard& JobGuard::operator=(JobGuard&& other) noexcept {
  if (this != &other) {
    StopWatcher();
    lock_ = std::move(other.lock_);
    socket_ = std::move(other.socket_);
    watcher_ = other.watcher_;
    other.watcher_ = -1;
  }
  return *this;
}

bool JobGuard::StartWatcher(pid_t mmbuild, double runner_grace,
                            std::string* err) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    *err = std::string("cannot create a socket: ") + strerror(errno);
    return false;
  }
  UniqueFd mine(pair[0]), theirs(pair[1]);
  const pid_t runner = getpid();
  // The mmbuild that forked the runner, if any and still its parent (one
  // already gone has sent the runner its stop, build_queue.h). (glibc
  // 2.36's <sys/pidfd.h> lacks extern "C", hence the raw syscall.)
  UniqueFd parent;
  if (mmbuild > 0) {
    parent = UniqueFd(static_cast<int>(syscall(SYS_pidfd_open, mmbuild, 0)));
    if (getppid() != mmbuild) parent.Reset();
  }
  pid_t pid = fork();
  if (pid < 0) {
    *err = std::string("cannot fork the job guard: ") + strerror(errno);
    return false;
  }
  if (pid == 0) {
    // A group of its own (a Ctrl-C or a signal to mmbuild's group leaves it
    // alone) and a name `pkill mmbuild` does not match. TERM too leaves it
    // alone: systemd sends it to the whole service when mmbuild dies, and
    // the watcher must outlive a runner killed then, to stop its groups and
    // remove its agent's directory. It ends by itself once the runner has.
    setpgid(0, 0);
    prctl(PR_SET_NAME, "mm-jobguard");
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0), dup2(null, 1), dup2(null, 2);
    }
    // Only the socket and the pidfd stay open: no lock, no log, no pipe
    // anyone waits on.
    dup2(theirs.get(), 3);
    int parent_fd = -1;
    if (parent.ok()) parent_fd = dup2(parent.get(), 4);
    close_range(parent_fd >= 0 ? 5 : 4, ~0U, 0);
    Watch(3, runner, parent_fd, runner_grace);
  }
  watcher_ = pid;
  socket_ = std::move(mine);
  return true;
}

bool JobGuard::Start(const std::string& log_path, pid_t mmbuild,
                     double runner_grace, std::string* err) {
  // The watcher first, the lock after: a lock taken before the fork would
  // be the watcher's too (flock(2) locks belong to the open file), and a
  // runner that died at once would leave its log locked for a moment.
  std::string why;
  bool watching = StartWatcher(mmbuild, runner_grace, &why);
  UniqueFd lock;
  std::string lock_error;
  bool locked = LogLockedByRunner(log_path, &lock, &lock_error);
  if (locked || !lock.ok()) {
    *err = locked ? "the build log " + log_path + " is locked by another build"
                  : lock_error;
    StopWatcher();
    return false;
  }
  lock_ = std::move(lock);
  if (!watching) {
    *err = why;
    return false;
  }
  g_watcher_socket = socket_.get();
  SetSpawnObserver(TellWatcher);
  return true;
}

void JobGuard::StopWatcher() {
  if (watcher_ < 0) return;
  if (g_watcher_socket == socket_.get()) {
    SetSpawnObserver(nullptr);
    g_watcher_socket = -1;
  }
  socket_.Reset();
  int status;
  while (waitpid(watcher_, &status, 0) < 0 && errno == EINTR) {
  }
  watcher_ = -1;
}

bool LogLockedByRunner(const std::string& path, UniqueFd* lock,
                       std::string* err) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.ok()) {
    *err = "cannot open build log " + path + ": " + strerror(errno);
    return false;
  }
  while (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return true;
    if (errno != EINTR) {
      *err = "cannot lock build log " + path + ": " + strerror(errno);
      return false;
    }
  }
  *lock = std::move(fd);
  return false;
}

}  // namespace mm
