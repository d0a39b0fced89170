// The status tokens file (mixmaster.ini(5) statusTokens): one line per
// forge, `BASE-URL TOKEN`. A token goes only to a status URL whose scheme,
// host and port are those of its line, so a payload cannot send it
// elsewhere; the file must be the user's own and closed to group and others.
#ifndef MIXMASTER_STATUS_TOKENS_H_
#define MIXMASTER_STATUS_TOKENS_H_

#include <string>
#include <vector>

#include "forge/status_url.h"

namespace mm {

class StatusTokens {
 public:
  // Reads the file at `path`. Fails (and keeps no token) when it is not a
  // regular file, not owned by this user, readable or writable by group or
  // others, or holds a line that is not `BASE-URL TOKEN` (blank lines and
  // `#` comments aside). `why` names the file and line, never a token.
  bool Load(const std::string& path, std::string* why);

  // Parses the text of such a file (`name` for messages).
  bool Parse(const std::string& text, const std::string& name,
             std::string* why);

  // The token for `url`: the first line whose origin equals the URL's; null
  // when there is none or `url` is not a valid http(s) URL.
  const std::string* For(const std::string& url) const;

  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    UrlOrigin origin;
    std::string token;
  };
  std::vector<Entry> entries_;
};

}  // namespace mm

#endif  // MIXMASTER_STATUS_TOKENS_H_
