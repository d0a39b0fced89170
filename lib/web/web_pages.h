// The HTML of the web view (mmbridge(1) WEB VIEW): plain pages with one small
// stylesheet, no JavaScript, readable on a phone. These functions only format
// what lib/job/build_history read; every value is escaped (lib/web/html).
#ifndef MIXMASTER_WEB_PAGES_H_
#define MIXMASTER_WEB_PAGES_H_

#include <time.h>

#include <string>
#include <vector>

#include "job/build_history.h"

namespace mm {

// The lists show each build's status (a queued job's place in the queue, the
// job that superseded a build, linked), its commit (linked to the forge's
// page when the job has one), subject, pusher, when its push arrived
// (readable, the ISO time in a title) and its duration (for a running build
// how long it has run at `now`). A list that holds a queued or running row
// reloads itself, like a running build's page. With `more_queued` a list
// says that more jobs wait than its queued rows, and where all are listed.

// GET /builds: the jobs queued in the spool, then each project's last build
// per target.
std::string HistoryPage(const std::vector<BuildSummary>& rows, time_t now,
                        bool more_queued = false);

// GET /builds/<dir>?page=N: one page of a project's builds, its queued jobs
// first on the first page, then the builds newest first.
std::string ProjectPage(const std::string& dir,
                        const std::vector<BuildSummary>& builds, long page,
                        bool has_older, time_t now, bool more_queued = false);

// GET /builds/<dir>/<id>: a build's fields and its log. `log_text` is the
// log or, when `cut`, its last part; a running build's page reloads itself.
std::string BuildPage(const BuildSummary& build, const std::string& log_text,
                      bool cut, time_t now);

// The [log] lines of `text` as HTML, each marker styled apart, and the
// closing line of a failed build or error (`m-failed`) in red; `cut` text
// starts inside the [log] section.
std::string LogLinesHtml(const std::string& text, bool cut);

}  // namespace mm

#endif  // MIXMASTER_WEB_PAGES_H_
