#include "web/web_auth.h"

#include "base/base64.h"
#include "base/text.h"
#include "http/signature.h"

namespace mm {

bool BasicAuthPassword(const std::string& header, std::string* password) {
  size_t sp = header.find(' ');
  if (sp != 5 || !EqualsIgnoreCase(header.substr(0, 5), "Basic")) return false;
  size_t start = header.find_first_not_of(' ', sp);
  if (start == std::string::npos) return false;
  std::string encoded = header.substr(start);
  while (!encoded.empty() && encoded.back() == ' ') encoded.pop_back();
  std::string text;
  if (!DecodeBase64(encoded, &text)) return false;
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
  bool match = SecretMatches(password, given);
  bool is_secret =
      !webhook_secret.empty() && SecretMatches(webhook_secret, given);
  return match && !is_secret;
}

}  // namespace mm
