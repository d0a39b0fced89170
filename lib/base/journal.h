// Diagnostics for the journal (mmbuild(1), mmbridge(1) Log): one line each on
// stderr, prefixed with a syslog priority (`<3>`, `<4>`, `<5>`, `<6>`) when
// stderr is the journal (so that journald files them at the right level), else
// with the program's name.
#ifndef MIXMASTER_JOURNAL_H_
#define MIXMASTER_JOURNAL_H_

#include <string>

namespace mm {

enum class Priority { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6 };

class Journal {
 public:
  // Writes to `fd`; decides once whether to add priority prefixes.
  explicit Journal(int fd = 2);
  // `program` prefixes each line when not writing to the journal
  // ("mmbuild: ...").
  void set_program(const std::string& program) { program_ = program; }

  void Error(const std::string& message) const;
  void Warning(const std::string& message) const;
  void Info(const std::string& message) const;
  void Line(Priority priority, const std::string& message) const;

  // The exact text one line would have (no newline characters inside).
  std::string Format(Priority priority, const std::string& message) const;

 private:
  int fd_;
  bool prefixes_;
  std::string program_;
};

// Replaces control characters (CR, LF, ...) by spaces, so that a value from a
// request can never start a second journal, log or header line.
std::string OneLine(const std::string& text);

// A value from a request as it may be quoted in a response body or a
// journal line: control characters as spaces (so it cannot start a line of
// its own), cut to 200 bytes, at a character boundary, with "..." after.
std::string Printable(const std::string& value);

}  // namespace mm

#endif  // MIXMASTER_JOURNAL_H_
