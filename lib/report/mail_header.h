// Header fields that request data cannot break (mmbuild(1) The mails, SECURITY
// CONSIDERATIONS): unstructured text with every control character turned into a
// blank, RFC 2047 encoded-words (UTF-8, base64) for what is not plain ASCII,
// folding to legal line lengths, and addresses that are exactly one mailbox.
#ifndef MIXMASTER_MAIL_HEADER_H_
#define MIXMASTER_MAIL_HEADER_H_

#include <string>

namespace mm {

// `s` as valid UTF-8: each byte that does not start a valid sequence (overlong
// forms, surrogates and values past U+10FFFF included) becomes U+FFFD.
std::string ValidUtf8(const std::string& s);

// True for a byte that continues a UTF-8 sequence (10xxxxxx).
bool IsUtf8Continuation(unsigned char c);

// Checks that `address` is one mailbox that cannot add a recipient or a
// header: `local@domain`, `local` (sendmail qualifies it) or
// `Display Name <local@domain>`, printable ASCII only apart from a UTF-8
// display name, no comma, semicolon or control character. Fills *header with
// the text to put after `To: ` / `From: `.
bool CheckMailAddress(const std::string& address, std::string* header,
                      std::string* err);

// The unstructured header `name: text`, with control characters turned into
// blanks, folded to lines of at most 78 characters where it has blanks, and
// RFC 2047 (UTF-8, base64) encoded-words when `text` is not ASCII, contains
// `=?`, or has a word too long for a line. No trailing newline.
std::string EncodeUnstructuredHeader(const std::string& name,
                                     const std::string& text);

}  // namespace mm

#endif  // MIXMASTER_MAIL_HEADER_H_
