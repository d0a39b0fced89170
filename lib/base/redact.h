// Credentials in URLs as they may be shown: in a log, a page, a mail or the
// journal (mmbuild(1) BUILD LOG). A job keeps its URL whole, since the
// fetch and `mmbuild --rebuild` need it; only what is shown is masked.
#ifndef MIXMASTER_REDACT_H_
#define MIXMASTER_REDACT_H_

#include <string>

namespace mm {

// The URL with the password in its user part replaced by ***
// (`https://user:***@host/`); for http and https, a user part without a
// password is taken for a token and replaced whole (`https://***@host/`).
// An ssh user name (`ssh://git@host/`, `git@host:path`) is kept.
std::string RedactUrl(const std::string& url);

// `text` with every URL in it redacted as RedactUrl does; a URL ends at
// white space, a quote or `<`/`>`.
std::string RedactUrlsIn(const std::string& text);

}  // namespace mm

#endif  // MIXMASTER_REDACT_H_
