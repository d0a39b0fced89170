// The HTML of the web view (mmbridge(1) WEB VIEW): plain pages with one small
// stylesheet, no JavaScript, readable on a phone. These functions only format
// what lib/job/build_history read; every value is escaped (lib/web/html).
#ifndef MIXMASTER_WEB_PAGES_H_
#define MIXMASTER_WEB_PAGES_H_

#include <string>
#include <vector>

#include "job/build_history.h"

namespace mm {

// GET /builds: each project's last build per target.
std::string HistoryPage(const std::vector<BuildSummary>& last_builds);

// GET /builds/<dir>?page=N: one page of a project's builds, newest first.
std::string ProjectPage(const std::string& dir,
                        const std::vector<BuildSummary>& builds, long page,
                        bool has_older);

// GET /builds/<dir>/<id>: a build's fields and its log. `log_text` is the
// log or, when `cut`, its last part; a running build's page reloads itself.
std::string BuildPage(const BuildSummary& build, const std::string& log_text,
                      bool cut);

// The [log] lines of `text` as HTML, each marker styled apart; `cut` text
// starts inside the [log] section.
std::string LogLinesHtml(const std::string& text, bool cut);

}  // namespace mm

#endif  // MIXMASTER_WEB_PAGES_H_
