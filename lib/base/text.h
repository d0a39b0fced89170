// Small text helpers every part shares, one of each: ASCII case (never the
// locale's: the names compared here are protocol tokens, hex digits, host
// names and settings), trimming and splitting on blanks.
#ifndef MIXMASTER_TEXT_H_
#define MIXMASTER_TEXT_H_

#include <string>
#include <vector>

namespace mm {

// ASCII case-insensitive equality, as HTTP compares header names and tokens.
bool EqualsIgnoreCase(const std::string& a, const std::string& b);

// `s` with ASCII upper-case letters lowered (media types, hex digits, host
// names, setting values); other bytes as they are.
std::string AsciiLower(std::string s);

// The words of `text` separated by runs of `blanks`; none for blanks only.
std::vector<std::string> SplitWords(const std::string& text,
                                    const char* blanks = " \t");

}  // namespace mm

#endif  // MIXMASTER_TEXT_H_
