// Form-encoded bodies (mmbridge(1) Endpoints): GitHub's default webhook
// content type, and one Gitea and Forgejo offer, is
// application/x-www-form-urlencoded with the JSON payload in one field,
// `payload`. This reads that field; what the payload says is forge's.
#ifndef MIXMASTER_FORM_H_
#define MIXMASTER_FORM_H_

#include <string>

namespace mm {

// The media type of a Content-Type value: lower-cased, without parameters
// and surrounding blanks ("Application/JSON; charset=utf-8": application/json).
std::string MediaType(const std::string& content_type);

// True when `content_type` (null: the header was not sent) is
// application/x-www-form-urlencoded, with any parameters.
bool IsFormContentType(const std::string* content_type);

// The value of the field `name` in the form-encoded `body` (`&`-separated
// name=value pairs, `+` a space, %XX a byte), decoded. False with a message
// in `err` when the field is missing or given twice, or a %-escape in it is
// not two hex digits: a payload is taken only when it is unambiguous.
bool FormField(const std::string& body, const std::string& name,
               std::string* value, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_FORM_H_
