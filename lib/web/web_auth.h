// HTTP basic authentication for the web view (mmbridge(1) WEB VIEW): any
// user name, the password `webPassword` (mixmaster.ini(5)).
#ifndef MIXMASTER_WEB_AUTH_H_
#define MIXMASTER_WEB_AUTH_H_

#include <string>

#include "http/http_request.h"

namespace mm {

// The password of an `Authorization: Basic` header value; false when it is
// not one (other scheme, bad base64, no colon). The base64 is read as
// DecodeBase64 reads it: padding optional, no blanks inside.
bool BasicAuthPassword(const std::string& header, std::string* password);

// True when `request` carries `password`. The comparison (SecretMatches)
// takes the same time wherever the two differ, so that timing tells nothing
// of the password.
// The webhook `secret` is never accepted, even when it is the password:
// people who read builds are not the forge.
bool WebPasswordAccepted(const HttpRequest& request,
                         const std::string& password,
                         const std::string& webhook_secret);

}  // namespace mm

#endif  // MIXMASTER_WEB_AUTH_H_
