#include "git/git_remote_auth.h"

#include <stdlib.h>

#include "git/known_hosts.h"

namespace mm {
namespace {

int OnCredentials(git_credential** out, const char* url,
                  const char* username_from_url, unsigned int allowed,
                  void* payload) {
  auto* callbacks = static_cast<RemoteAuth*>(payload);
  const char* user =
      username_from_url && *username_from_url ? username_from_url : "git";
  if (allowed & GIT_CREDENTIAL_USERNAME)
    return git_credential_username_new(out, user);
  if ((allowed & GIT_CREDENTIAL_SSH_KEY) && callbacks->agent_attempts++ == 0) {
    if (!getenv("SSH_AUTH_SOCK")) {
      git_error_set_str(GIT_ERROR_SSH,
                        "no ssh-agent to authenticate with (SSH_AUTH_SOCK "
                        "is not set)");
      return GIT_EUSER;
    }
    return git_credential_ssh_key_from_agent(out, user);
  }
  std::string message =
      (allowed & GIT_CREDENTIAL_SSH_KEY)
          ? std::string(
                "the server refused every key of the job's ssh-agent "
                "(sshKey in the configuration adds one)")
          : RedactUrl(url) +
                " asks for credentials; Mixmaster authenticates only with "
                "the keys of its ssh-agent";
  git_error_set_str(GIT_ERROR_SSH, message.c_str());
  return GIT_EUSER;
}

int OnCertificate(git_cert* cert, int valid, const char* host, void* payload) {
  (void)valid;
  // TLS certificates: libgit2's own verdict (the system's CAs) stands.
  if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) return GIT_PASSTHROUGH;
  auto* callbacks = static_cast<RemoteAuth*>(payload);
  auto* hostkey = reinterpret_cast<git_cert_hostkey*>(cert);
  std::string err;
  if (!(hostkey->type & GIT_CERT_SSH_RAW)) {
    err = std::string("cannot check the host key of ") + host +
          ": libssh2 gave no raw key";
  } else if (CheckHostKey(callbacks->known_hosts, host, SshPort(callbacks->url),
                          std::string(hostkey->hostkey, hostkey->hostkey_len),
                          &err)) {
    return 0;
  }
  git_error_set_str(GIT_ERROR_SSH, err.c_str());
  return GIT_ECERTIFICATE;
}

int OnTransfer(const git_indexer_progress*, void* payload) {
  return static_cast<RemoteAuth*>(payload)->Stopped() ? -1 : 0;
}

int OnSideband(const char*, int, void* payload) {
  return static_cast<RemoteAuth*>(payload)->Stopped() ? -1 : 0;
}

}  // namespace

// The SSH port of a URL, for known_hosts ("[host]:port" when not 22).
int SshPort(const std::string& url) {
  if (url.compare(0, 6, "ssh://") != 0 && url.compare(0, 10, "git+ssh://") != 0)
    return 22;
  size_t host = url.find("://") + 3;
  size_t slash = url.find('/', host);
  std::string authority = url.substr(host, slash - host);
  authority = authority.substr(authority.rfind('@') + 1);
  size_t colon = authority.rfind(':');
  if (colon == std::string::npos || authority.back() == ']') return 22;
  int port = atoi(authority.c_str() + colon + 1);
  return port > 0 ? port : 22;
}

bool RemoteAuth::Stopped() const { return stop_requested && *stop_requested; }

void SetRemoteCallbacks(RemoteAuth* auth, git_remote_callbacks* callbacks) {
  callbacks->credentials = OnCredentials;
  callbacks->certificate_check = OnCertificate;
  callbacks->transfer_progress = OnTransfer;
  callbacks->sideband_progress = OnSideband;
  callbacks->payload = auth;
}

std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t start = scheme + 3;
  size_t at = url.find('@', start);
  size_t slash = url.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && at > slash))
    return url;
  size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace mm
