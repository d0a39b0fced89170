#include "report/status_tokens.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/text.h"

namespace mm {
namespace {

// More than any sensible list of forges; a bigger file is a mistake.
constexpr off_t kMaxBytes = 65536;

bool ReadPrivateFile(const std::string& path, std::string* text,
                     std::string* why) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st;
  if (!fd.ok() || fstat(fd.get(), &st) != 0) {
    *why = path + ": " + strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *why = path + ": not a regular file";
    return false;
  }
  if (st.st_uid != geteuid()) {
    *why = path + ": not owned by this user (uid " + std::to_string(st.st_uid) +
           ")";
    return false;
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    char mode[8];
    snprintf(mode, sizeof mode, "%04o",
             static_cast<unsigned>(st.st_mode & 07777));
    *why = path + ": open to group or others (mode " + mode + "); chmod 600 it";
    return false;
  }
  if (st.st_size > kMaxBytes) {
    *why = path + ": larger than 64 KiB";
    return false;
  }
  text->clear();
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *why = path + ": " + strerror(errno);
      return false;
    }
    if (n == 0 || text->size() > static_cast<size_t>(kMaxBytes)) break;
    text->append(buf, static_cast<size_t>(n));
  }
  return true;
}

bool PrintableToken(const std::string& token) {
  for (unsigned char c : token)
    if (c <= 0x20 || c >= 0x7f) return false;
  return !token.empty();
}

}  // namespace

bool StatusTokens::Load(const std::string& path, std::string* why) {
  entries_.clear();
  std::string text;
  return ReadPrivateFile(path, &text, why) && Parse(text, path, why);
}

bool StatusTokens::Parse(const std::string& text, const std::string& name,
                         std::string* why) {
  std::vector<Entry> entries;
  size_t pos = 0;
  for (int number = 1; pos < text.size(); ++number) {
    size_t nl = text.find('\n', pos);
    std::string line =
        text.substr(pos, nl == std::string::npos ? nl : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    std::vector<std::string> words = SplitWords(line, " \t\r");
    if (words.empty() || words[0][0] == '#') continue;
    // The message never quotes the line: it may hold a token.
    std::string where = name + ":" + std::to_string(number) + ": ";
    if (words.size() != 2) {
      *why = where + "expected `BASE-URL TOKEN`";
      return false;
    }
    Entry entry;
    std::string bad_url;
    if (!ParseUrlOrigin(words[0], &entry.origin, &bad_url)) {
      *why = where + "bad BASE-URL: " + bad_url;
      return false;
    }
    if (!PrintableToken(words[1])) {
      *why = where + "the token holds a non-printable byte";
      return false;
    }
    entry.token = words[1];
    entries.push_back(std::move(entry));
  }
  entries_ = std::move(entries);
  return true;
}

const std::string* StatusTokens::For(const std::string& url) const {
  UrlOrigin origin;
  std::string why;
  if (!ParseUrlOrigin(url, &origin, &why)) return nullptr;
  for (const Entry& e : entries_)
    if (e.origin == origin) return &e.token;
  return nullptr;
}

}  // namespace mm
