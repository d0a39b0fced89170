// Base64 as SSH keys and HTTP basic authentication write it, on nettle; a
// module of its own so that only its users link nettle.
#ifndef MIXMASTER_BASE64_H_
#define MIXMASTER_BASE64_H_

#include <string>

namespace mm {

// Decodes standard base64 (padding optional); false on any other character.
bool DecodeBase64(const std::string& text, std::string* out);

}  // namespace mm

#endif  // MIXMASTER_BASE64_H_
