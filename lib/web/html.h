// Text for the web view's HTML (mmbridge(1) WEB VIEW). Every value that comes
// from a log, a job or a request goes through HtmlEscape, so that a build
// that prints `<script>` shows it rather than runs it.
#ifndef MIXMASTER_HTML_H_
#define MIXMASTER_HTML_H_

#include <string>

namespace mm {

// `s` with & < > " ' written as character references; usable both as text
// and inside a double- or single-quoted attribute.
std::string HtmlEscape(const std::string& s);

// True for an absolute http:// or https:// URL without control characters
// or spaces: the only links the pages make from job values (a `javascript:`
// viewUrl stays text).
bool IsWebLink(const std::string& url);

}  // namespace mm

#endif  // MIXMASTER_HTML_H_
