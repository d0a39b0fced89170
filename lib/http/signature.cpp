#include "http/signature.h"

#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "base/text.h"

namespace mm {
namespace {

// The forms of mmbridge(1) Signatures, by header name.
enum class SignatureForm { kNone, kHex, kPrefixedHex, kToken };

SignatureForm FormOf(const HttpHeader& header) {
  if (EqualsIgnoreCase(header.name, "X-Gitea-Signature") ||
      EqualsIgnoreCase(header.name, "X-Forgejo-Signature"))
    return SignatureForm::kHex;
  if (EqualsIgnoreCase(header.name, "X-Hub-Signature-256"))
    return SignatureForm::kPrefixedHex;
  if (EqualsIgnoreCase(header.name, "X-Gitlab-Token"))
    return SignatureForm::kToken;
  return SignatureForm::kNone;
}

bool HexMatches(const std::string& expected, const std::string& given) {
  // The length of a SHA-256 hex digest is public; only the content is not.
  if (given.size() != expected.size()) return false;
  return memeql_sec(expected.data(), given.data(), expected.size()) != 0;
}

}  // namespace

bool SecretMatches(const std::string& secret, const std::string& given) {
  uint8_t a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE];
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, secret.size(),
                reinterpret_cast<const uint8_t*>(secret.data()));
  sha256_digest(&ctx, sizeof a, a);
  sha256_init(&ctx);
  sha256_update(&ctx, given.size(),
                reinterpret_cast<const uint8_t*>(given.data()));
  sha256_digest(&ctx, sizeof b, b);
  return memeql_sec(a, b, sizeof a) != 0;
}

std::string HmacSha256Hex(const std::string& key, const std::string& data) {
  struct hmac_sha256_ctx ctx;
  hmac_sha256_set_key(&ctx, key.size(),
                      reinterpret_cast<const uint8_t*>(key.data()));
  hmac_sha256_update(&ctx, data.size(),
                     reinterpret_cast<const uint8_t*>(data.data()));
  uint8_t digest[SHA256_DIGEST_SIZE];
  hmac_sha256_digest(&ctx, sizeof digest, digest);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * sizeof digest);
  for (uint8_t b : digest) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

bool HasSignatureHeader(const HttpRequest& request) {
  for (const HttpHeader& h : request.headers)
    if (FormOf(h) != SignatureForm::kNone) return true;
  return false;
}

SignatureCheck CheckSignature(const std::string& secret,
                              const HttpRequest& request, std::string* detail) {
  std::string expected;  // computed once, when a header needs it
  auto hmac = [&]() -> const std::string& {
    if (expected.empty()) expected = HmacSha256Hex(secret, request.body);
    return expected;
  };
  bool seen = false;
  std::string wrong;
  static const char kPrefix[] = "sha256=";
  for (const HttpHeader& h : request.headers) {
    bool ok = false;
    switch (FormOf(h)) {
      case SignatureForm::kHex:
        // Hex digits may come in either case; the digest is not secret
        // once it is in the request, so lowering it may take its time.
        ok = HexMatches(hmac(), AsciiLower(h.value));
        break;
      case SignatureForm::kPrefixedHex:
        ok = h.value.compare(0, sizeof kPrefix - 1, kPrefix) == 0 &&
             HexMatches(hmac(), AsciiLower(h.value.substr(sizeof kPrefix - 1)));
        break;
      case SignatureForm::kToken:
        ok = SecretMatches(secret, h.value);
        break;
      case SignatureForm::kNone:
        continue;
    }
    seen = true;
    if (ok) {
      *detail = "signed (" + h.name + ")";
      return SignatureCheck::kValid;
    }
    if (wrong.empty()) wrong = h.name;
  }
  if (!seen) {
    *detail = "no signature header";
    return SignatureCheck::kMissing;
  }
  *detail = "wrong signature in " + wrong;
  return SignatureCheck::kWrong;
}

}  // namespace mm
