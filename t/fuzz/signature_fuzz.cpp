// Signature checking (signature.h): the first line is the secret, then
// `Name: value` header lines up to an empty line, then the body. A request
// signed with the right HMAC must pass.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "http/signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mm_fuzz::Input input(data, size);
  std::string secret = input.Line();
  if (secret.empty()) return 0;
  mm::HttpRequest request;
  for (std::string line = input.Line(); !line.empty(); line = input.Line()) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    request.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
  }
  request.body = input.Rest();
  std::string detail;
  mm::HasSignatureHeader(request);
  mm::CheckSignature(secret, request, &detail);
  mm::HttpRequest signed_request;
  signed_request.body = request.body;
  signed_request.headers.push_back(
      {"X-Gitea-Signature", mm::HmacSha256Hex(secret, request.body)});
  if (mm::CheckSignature(secret, signed_request, &detail) !=
      mm::SignatureCheck::kValid)
    abort();
  return 0;
}
