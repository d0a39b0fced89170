// SSH host keys checked against OpenSSH's known_hosts (mmbuild(1) How a job
// runs): plain and hashed (`|1|salt|hash`) host names, `[host]:port` for other
// ports, comma lists, `*`/`?` wildcards, `!` negation, `@revoked`.
// `@cert-authority` lines are not supported (and so never match). Used by
// git_checkout's certificate-check callback; kept apart so it can be tested
// without a server.
#ifndef MIXMASTER_KNOWN_HOSTS_H_
#define MIXMASTER_KNOWN_HOSTS_H_

#include <string>

#include "base/base64.h"  // DecodeBase64, for a known_hosts key

namespace mm {

enum class HostKeyMatch {
  kMatch,     // a line for the host has this key
  kMismatch,  // lines for the host exist, none with this key: key changed
  kUnknown,   // no line for the host
  kRevoked,   // the key is marked @revoked
};

// Looks up `host` (on `port`) with the raw key blob (the SSH wire format,
// i.e. the base64-decoded second field of a known_hosts line) in the text of
// a known_hosts file.
HostKeyMatch MatchKnownHost(const std::string& known_hosts_text,
                            const std::string& host, int port,
                            const std::string& key_blob);

// Reads `known_hosts_path` and checks; on anything but a match fills `err`
// with a message for the build log ("host key of example.org:22 is not in
// ~/.ssh/known_hosts (unknown host) ...").
bool CheckHostKey(const std::string& known_hosts_path, const std::string& host,
                  int port, const std::string& key_blob, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_KNOWN_HOSTS_H_
