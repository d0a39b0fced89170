#include "base/journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"

namespace mm {

std::string OneLine(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

std::string Printable(const std::string& value) {
  constexpr size_t kMax = 200;
  if (value.size() <= kMax) return OneLine(value);
  size_t cut = kMax;
  // Back up over UTF-8 continuation bytes, so the body stays valid UTF-8.
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xc0) == 0x80)
    --cut;
  return OneLine(value.substr(0, cut)) + "...";
}

namespace {

// True when `fd` is the stream systemd connected to the journal: the
// "DEVICE:INODE" in $JOURNAL_STREAM is that of `fd` (systemd.exec(5)).
// A pipe or file that merely inherited the variable does not match.
bool IsJournalStream(int fd) {
  const char* stream = getenv("JOURNAL_STREAM");
  struct stat st;
  if (!stream || fd < 0 || fstat(fd, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  char extra;
  if (sscanf(stream, "%llu:%llu%c", &dev, &ino, &extra) != 2) return false;
  return dev == static_cast<unsigned long long>(st.st_dev) &&
         ino == static_cast<unsigned long long>(st.st_ino);
}

}  // namespace

Journal::Journal(int fd) : fd_(fd), prefixes_(IsJournalStream(fd)) {}

std::string Journal::Format(Priority priority,
                            const std::string& message) const {
  std::string line;
  if (prefixes_) {
    line = "<" + std::to_string(static_cast<int>(priority)) + ">";
  } else if (!program_.empty()) {
    line = program_ + ": ";
  }
  return line + OneLine(message) + "\n";
}

void Journal::Line(Priority priority, const std::string& message) const {
  std::string line = Format(priority, message);
  // Nowhere left to report a failing stderr.
  WriteAll(fd_, line.data(), line.size());
}

void Journal::Error(const std::string& m) const { Line(Priority::kError, m); }
void Journal::Warning(const std::string& m) const {
  Line(Priority::kWarning, m);
}
void Journal::Info(const std::string& m) const { Line(Priority::kInfo, m); }

}  // namespace mm
