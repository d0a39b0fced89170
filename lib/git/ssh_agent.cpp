#include "git/ssh_agent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <utility>

#include "base/clock.h"
#include "base/fsutil.h"
#include "base/paths.h"

namespace mm {
namespace {

// A directory only this user can enter; the socket path must stay short
// (sun_path holds 108 bytes), so $TMPDIR is used only when it is short.
bool MakePrivateDir(std::string* dir, std::string* err) {
  const char* tmp = getenv("TMPDIR");
  std::string base = tmp && *tmp && strlen(tmp) < 60 ? tmp : "/tmp";
  std::string pattern = JoinPath(base, "mixmaster-agent.XXXXXX");
  if (!mkdtemp(&pattern[0])) {
    *err = "cannot create a directory in " + base + ": " + strerror(errno);
    return false;
  }
  *dir = pattern;
  return true;
}

// Whether something listens on the Unix socket `path`. A connect fails while
// the path is missing or no socket, and also between the agent's bind (the
// file appears) and its listen, when a client is refused.
bool Listening(const std::string& path) {
  struct sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return false;
  memcpy(address.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return fd.ok() && connect(fd.get(), reinterpret_cast<sockaddr*>(&address),
                            sizeof address) == 0;
}

}  // namespace

SshAgent::~SshAgent() { Stop(); }

SshAgent::SshAgent(SshAgent&& other) noexcept
    : process_(std::move(other.process_)),
      dir_(std::move(other.dir_)),
      socket_(std::move(other.socket_)) {
  other.dir_.clear();
  other.socket_.clear();
}

SshAgent& SshAgent::operator=(SshAgent&& other) noexcept {
  if (this != &other) {
    Stop();
    process_ = std::move(other.process_);
    dir_ = std::move(other.dir_);
    socket_ = std::move(other.socket_);
    other.dir_.clear();
    other.socket_.clear();
  }
  return *this;
}

std::string SshAgent::planned_socket() const {
  return dir_.empty() ? "" : JoinPath(dir_, "agent.sock");
}

bool SshAgent::PlanSocket(std::string* err) {
  Stop();
  return MakePrivateDir(&dir_, err);
}

bool SshAgent::Launch(std::string* err) {
  bool planned = !dir_.empty() && socket_.empty() && process_.pid() <= 0;
  if (!planned && !PlanSocket(err)) return false;
  ProcessSpec spec;
  spec.argv = {"ssh-agent", "-D", "-a", planned_socket()};
  if (!process_.Start(spec, err)) {
    Stop();
    return false;
  }
  return true;
}

bool SshAgent::WaitUntilReady(std::string* err) {
  if (dir_.empty()) {
    *err = "ssh-agent was not started";
    return false;
  }
  std::string socket = planned_socket();
  // -D keeps the agent in the foreground; it is ready once it accepts
  // connections on its socket.
  double give_up = MonotonicSeconds() + 5;
  for (;;) {
    if (Listening(socket)) break;
    if (!process_.Running()) {
      *err = "ssh-agent exited at once";
      Stop();
      return false;
    }
    if (MonotonicSeconds() > give_up) {
      *err = "ssh-agent did not create its socket within 5 s";
      Stop();
      return false;
    }
    struct timespec pause = {0, 500000};  // 0.5 ms
    nanosleep(&pause, nullptr);
  }
  socket_ = socket;
  return true;
}

bool SshAgent::AddKey(const std::string& key, const LineSink& lines,
                      std::string* err) {
  ProcessSpec spec;
  spec.argv = {"ssh-add", key};
  spec.env = {"SSH_AUTH_SOCK=" + socket_, "SSH_ASKPASS_REQUIRE=never",
              "DISPLAY="};
  spec.timeout_seconds = 30;
  spec.kill_grace_seconds = 2;
  // With no terminal and no askpass, ssh-add asks for a passphrase it can
  // never get and fails: say so rather than leave the reader to guess.
  bool asked_passphrase = false;
  auto watch = [&lines, &asked_passphrase](char marker,
                                           const std::string& text) {
    if (text.compare(0, 21, "Enter passphrase for ") == 0)
      asked_passphrase = true;
    lines(marker, text);
  };
  ProcessResult result;
  if (!RunProcess(spec, watch, &result)) {
    *err = result.error;
    return false;
  }
  if (result.exit_code != 0 && asked_passphrase) {
    *err = "ssh-add " + key +
           " failed: the key has a passphrase, which mmbuild cannot type "
           "(remove it: ssh-keygen -p -N '' -f " +
           key + ")";
    return false;
  }
  if (result.exit_code != 0) {
    *err = "ssh-add " + key + " failed (is it a passwordless private key?)";
    return false;
  }
  return true;
}

void SshAgent::Stop() {
  process_.Stop();
  if (!socket_.empty()) unlink(socket_.c_str());
  if (!dir_.empty()) {
    unlink(JoinPath(dir_, "agent.sock").c_str());
    rmdir(dir_.c_str());
  }
  socket_.clear();
  dir_.clear();
}

}  // namespace mm
