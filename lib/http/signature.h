// Webhook signatures (mmbridge(1) Signatures): with a secret configured, a POST
// or PUT is accepted only with a valid signature over the raw body in one of
// the forms the forges send. Every comparison is constant-time (nettle's
// memeql_sec), so a wrong signature takes as long to refuse however much of it
// is right.
#ifndef MIXMASTER_SIGNATURE_H_
#define MIXMASTER_SIGNATURE_H_

#include <string>

#include "http/http_request.h"

namespace mm {

enum class SignatureCheck {
  kValid,    // at least one signature header is right
  kMissing,  // no signature header at all: 401
  kWrong,    // signature headers, none of them right: 403
};

// True when `given` is `secret`. Both are hashed with SHA-256 and the
// digests compared in constant time, so that timing tells neither where they
// differ nor how long the secret is (X-Gitlab-Token, the web view password).
bool SecretMatches(const std::string& secret, const std::string& given);

// HMAC-SHA256 of `data` under `key`, as lower-case hex.
std::string HmacSha256Hex(const std::string& key, const std::string& data);

// True when `request` carries at least one of the signature headers below,
// right or wrong. Needs no body, so that an unsigned request is refused
// before its body is read.
bool HasSignatureHeader(const HttpRequest& request);

// Checks `request` (headers and body) against `secret`, which must not be
// empty. Accepted forms, on any endpoint:
//   X-Gitea-Signature, X-Forgejo-Signature: hex HMAC-SHA256 (either case)
//   X-Hub-Signature-256: `sha256=` and that hex
//   X-Gitlab-Token: the secret itself
// `detail` says which header was missing or wrong, for the journal.
SignatureCheck CheckSignature(const std::string& secret,
                              const HttpRequest& request, std::string* detail);

}  // namespace mm

#endif  // MIXMASTER_SIGNATURE_H_
