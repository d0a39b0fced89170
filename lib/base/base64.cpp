#include "base/base64.h"

#include <ctype.h>
#include <nettle/base64.h>

namespace mm {

bool DecodeBase64(const std::string& text, std::string* out) {
  out->clear();
  // nettle skips blanks and wants the padding; this takes neither.
  size_t end = text.find('=');
  std::string data = text.substr(0, end);
  if (end != std::string::npos &&
      text.find_first_not_of('=', end) != std::string::npos)
    return false;
  for (char c : data)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/')
      return false;
  while (data.size() % 4 != 0) data += '=';
  struct base64_decode_ctx ctx;
  base64_decode_init(&ctx);
  std::string decoded(BASE64_DECODE_LENGTH(data.size()), '\0');
  size_t length = decoded.size();
  if (!base64_decode_update(&ctx, &length,
                            reinterpret_cast<uint8_t*>(&decoded[0]),
                            data.size(), data.data()) ||
      !base64_decode_final(&ctx))
    return false;
  decoded.resize(length);
  *out = std::move(decoded);
  return true;
}

}  // namespace mm
