// What every fetch of git_checkout is told (mmbuild(1) How a job runs): SSH
// authenticates with the keys of the ssh-agent at SSH_AUTH_SOCK (one round; a
// password prompt is refused), SSH host keys must be in known_hosts (an unknown
// or changed key fails the fetch with a message saying which), TLS keeps
// libgit2's own verdict, and a stop request abandons the transfer.
#ifndef MIXMASTER_GIT_REMOTE_AUTH_H_
#define MIXMASTER_GIT_REMOTE_AUTH_H_

#include <git2.h>
#include <signal.h>

#include <string>

namespace mm {

// The payload of the callbacks; it must outlive the fetch.
struct RemoteAuth {
  std::string url;          // for messages and the SSH port
  std::string known_hosts;  // e.g. ~/.ssh/known_hosts
  const volatile sig_atomic_t* stop_requested = nullptr;
  int agent_attempts = 0;  // reset before each fetch

  bool Stopped() const;
};

// Points the credential, certificate-check and progress callbacks of
// `callbacks` at `auth`.
void SetRemoteCallbacks(RemoteAuth* auth, git_remote_callbacks* callbacks);

// The SSH port of a repository URL: the one in ssh://host:port/..., else 22
// (scp-like user@host:path included).
int SshPort(const std::string& url);

// The URL as it may be shown in a log: a password in it is replaced by ***.
std::string RedactUrl(const std::string& url);

}  // namespace mm

#endif  // MIXMASTER_GIT_REMOTE_AUTH_H_
