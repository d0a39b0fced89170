#include "process/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <vector>

extern char** environ;

namespace mm {
namespace {

// The inherited environment with `overrides` ("NAME=value") replacing or
// added to it. Built before fork: the child may only make async-signal-safe
// calls.
std::vector<std::string> MergeEnvironment(
    const std::vector<std::string>& overrides) {
  std::vector<std::string> out;
  auto name_of = [](const std::string& kv) {
    return kv.substr(0, kv.find('='));
  };
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    bool replaced = false;
    for (const std::string& o : overrides)
      if (name_of(o) == name_of(kv)) replaced = true;
    if (!replaced) out.push_back(kv);
  }
  for (const std::string& o : overrides) out.push_back(o);
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(&s[0]);
  out.push_back(nullptr);
  return out;
}

// What the child reports through the CLOEXEC pipe when it cannot exec.
struct ExecFailure {
  int stage;  // 0 exec, 1 chdir, 2 dup2, 3 waiting for the observer
  int error;
};

SpawnObserver g_spawn_observer = nullptr;

// In the child, when there is an observer: waits for the parent's byte on
// `go_fd`, sent once the observer knows this child's group. A parent killed
// before that (no byte, end of file) leaves a child that never runs the
// program: a setgid one (ssh-agent) would lose PR_SET_PDEATHSIG at its exec
// and live on in a group nobody knows (mmbuild(1) KILLED RUNNER).
bool ObserverToldOfChild(int go_fd, int go_write_fd, ExecFailure* failure) {
  close(go_write_fd);
  char go;
  ssize_t n;
  do {
    n = read(go_fd, &go, 1);
  } while (n < 0 && errno == EINTR);
  if (n == 1) return true;
  *failure = ExecFailure{3, n < 0 ? errno : EPIPE};
  return false;
}

// In the child: async-signal-safe calls only. Reports a failure through
// `report_fd` and exits 127; on success it becomes the program.
[[noreturn]] void ExecChild(pid_t parent, bool die_with_parent, int in_fd,
                            int out_fd, int err_fd, const char* cwd,
                            char* const* argv, char* const* envp, int report_fd,
                            int go_fd, int go_write_fd) {
  setpgid(0, 0);
  if (die_with_parent) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
  }
  ExecFailure failure{2, 0};
  if (go_fd >= 0 && !ObserverToldOfChild(go_fd, go_write_fd, &failure)) {
    ssize_t ignored = write(report_fd, &failure, sizeof failure);
    (void)ignored;
    _exit(127);
  }
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) {
    failure.error = errno;
  } else if (cwd && chdir(cwd) != 0) {
    failure = ExecFailure{1, errno};
  } else {
    // Whatever the parent left open without O_CLOEXEC stays out of the
    // child (the build log, a claimed job, ...).
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    execvpe(argv[0], argv, envp);
    failure = ExecFailure{0, errno};
  }
  ssize_t ignored = write(report_fd, &failure, sizeof failure);
  (void)ignored;
  _exit(127);
}

// In the parent: whether the child reported a failure before exec, which
// also reaps it.
bool ExecReported(pid_t pid, int report_fd, const ProcessSpec& spec,
                  std::string* err) {
  ExecFailure failure{0, 0};
  ssize_t n;
  do {
    n = read(report_fd, &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof failure)) return false;
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (failure.stage == 1) {
    *err = "cannot change to directory " + spec.cwd + ": " +
           strerror(failure.error);
  } else if (failure.stage == 3) {
    *err = "cannot run " + spec.argv[0] +
           ": cannot wait for its start: " + strerror(failure.error);
  } else {
    *err = "cannot run " + spec.argv[0] + ": " + strerror(failure.error);
  }
  return true;
}

}  // namespace

void SetSpawnObserver(SpawnObserver observer) { g_spawn_observer = observer; }

bool SpawnChild(const ProcessSpec& spec, int in_fd, int out_fd, int err_fd,
                bool die_with_parent, pid_t* pid_out, std::string* err) {
  if (spec.argv.empty()) {
    *err = "cannot run a process: no command given";
    return false;
  }
  std::vector<std::string> argv_strings = spec.argv;
  std::vector<std::string> env_strings = MergeEnvironment(spec.env);
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(env_strings);
  const char* cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str();

  UniqueFd report_read, report_write, go_read, go_write;
  if (!MakePipe(&report_read, &report_write) ||
      (g_spawn_observer && !MakePipe(&go_read, &go_write))) {
    *err = std::string("cannot create a pipe: ") + strerror(errno);
    return false;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    *err = std::string("cannot fork: ") + strerror(errno);
    return false;
  }
  if (pid == 0)
    ExecChild(parent, die_with_parent, in_fd, out_fd, err_fd, cwd, argv.data(),
              envp.data(), report_write.get(), go_read.get(), go_write.get());
  // Both sides set the group, so it exists before anyone signals it; the
  // observer learns it before the child may exec (ObserverToldOfChild).
  setpgid(pid, pid);
  if (g_spawn_observer) {
    g_spawn_observer(pid, spec.term_child_alone);
    ssize_t n;
    do {
      n = write(go_write.get(), "g", 1);
    } while (n < 0 && errno == EINTR);
    int write_error = errno;
    go_write.Reset();
    if (n != 1) {
      // The child reads end of file, reports it and exits; reap it.
      report_write.Reset();
      ExecReported(pid, report_read.get(), spec, err);
      *err = "cannot run " + spec.argv[0] +
             ": cannot let it start: " + strerror(write_error);
      return false;
    }
  }
  report_write.Reset();
  if (ExecReported(pid, report_read.get(), spec, err)) return false;
  *pid_out = pid;
  return true;
}

}  // namespace mm
