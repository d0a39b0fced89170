// The per-job ssh-agent of mmbuild(1) How a job runs: `ssh-agent -D -a
// <socket>` run as a child, its socket in a private temporary directory,
// `ssh-add <key>` when the configuration names a key, stopped (and its
// directory removed) when the job ends. The job and libgit2 reach it through
// SSH_AUTH_SOCK.
#ifndef MIXMASTER_SSH_AGENT_H_
#define MIXMASTER_SSH_AGENT_H_

#include <string>

#include "base/paths.h"  // ScopedEnv, for SSH_AUTH_SOCK
#include "process/process.h"

namespace mm {

// Move-only: it owns the agent's process and directory.
class SshAgent {
 public:
  SshAgent() = default;
  ~SshAgent();
  SshAgent(SshAgent&& other) noexcept;
  SshAgent& operator=(SshAgent&& other) noexcept;
  SshAgent(const SshAgent&) = delete;
  SshAgent& operator=(const SshAgent&) = delete;

  // Starts the agent and waits (at most 5 s) for its socket.
  bool Start(std::string* err) { return Launch(err) && WaitUntilReady(err); }
  // The two halves of Start, so that other work can run while the agent
  // starts up. Launch uses the directory of PlanSocket when that came just
  // before, else makes one.
  bool Launch(std::string* err);
  // Makes the agent's directory, so that planned_socket() is known before
  // any agent runs: a runner's guard told of it then removes it whenever the
  // runner dies (job_guard.h).
  bool PlanSocket(std::string* err);
  bool WaitUntilReady(std::string* err);

  // `ssh-add key`; each line it writes goes to `lines`.
  bool AddKey(const std::string& key, const LineSink& lines, std::string* err);

  // Stops the agent and removes its directory.
  void Stop();

  // The SSH_AUTH_SOCK value; empty when not running.
  const std::string& socket() const { return socket_; }
  // Where the socket will be once Launch has succeeded, before it is ready
  // (in a directory of its own); empty before PlanSocket or Launch.
  std::string planned_socket() const;

 private:
  BackgroundProcess process_;
  std::string dir_;
  std::string socket_;
};

}  // namespace mm

#endif  // MIXMASTER_SSH_AGENT_H_
