#include "web_auth.h"

#include <nettle/base64.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <stdint.h>

#include <vector>

namespace mm {
namespace {

void Digest(const std::string& text, uint8_t* out) {
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, text.size(),
                reinterpret_cast<const uint8_t*>(text.data()));
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

bool SameSecret(const std::string& a, const std::string& b) {
  uint8_t da[SHA256_DIGEST_SIZE], db[SHA256_DIGEST_SIZE];
  Digest(a, da);
  Digest(b, db);
  return memeql_sec(da, db, SHA256_DIGEST_SIZE) != 0;
}

}  // namespace

bool BasicAuthPassword(const std::string& header, std::string* password) {
  size_t sp = header.find(' ');
  if (sp != 5 || !EqualsIgnoreCase(header.substr(0, 5), "Basic")) return false;
  size_t start = header.find_first_not_of(' ', sp);
  if (start == std::string::npos) return false;
  std::string encoded = header.substr(start);
  while (!encoded.empty() && encoded.back() == ' ') encoded.pop_back();
  std::vector<uint8_t> decoded(BASE64_DECODE_LENGTH(encoded.size()) + 1);
  struct base64_decode_ctx ctx;
  base64_decode_init(&ctx);
  size_t length = decoded.size();
  if (!base64_decode_update(&ctx, &length, decoded.data(), encoded.size(),
                            encoded.data()) ||
      !base64_decode_final(&ctx))
    return false;
  std::string text(decoded.begin(), decoded.begin() + length);
  size_t colon = text.find(':');
  if (colon == std::string::npos) return false;
  *password = text.substr(colon + 1);
  return true;
}

bool WebPasswordAccepted(const HttpRequest& request,
                         const std::string& password,
                         const std::string& webhook_secret) {
  const std::string* header = request.Header("Authorization");
  std::string given;
  if (!header || !BasicAuthPassword(*header, &given)) return false;
  bool match = SameSecret(given, password);
  bool is_secret = !webhook_secret.empty() && SameSecret(given, webhook_secret);
  return match && !is_secret;
}

}  // namespace mm
