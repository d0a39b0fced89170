// What mmbuild tells a forge about a build (mmbuild(1) COMMIT STATUSES): the
// state, context, description and link of the commit status at the start and
// at the end, and the request each forge wants for it.
#ifndef MIXMASTER_COMMIT_STATUS_H_
#define MIXMASTER_COMMIT_STATUS_H_

#include <string>
#include <vector>

#include "job/build_log.h"
#include "job/job.h"

namespace mm {

// One moment of a build, as a status tells it.
struct StatusFacts {
  bool started = false;  // true: the build starts; else it has ended
  BuildStatus status = BuildStatus::kError;  // at the end
  int exit_code = -1;                        // at the end
  long seconds = 0;                          // at the end: how long it ran
  // At the end: its runner died, so how long it ran is not known
  // (mmbuild(1) KILLED RUNNER).
  bool runner_died = false;
  std::string target;
  std::string task;
  std::string target_url;  // empty: no link
};

// The forge's state: Gitea/GitHub pending, success, failure, error (also for
// killed); GitLab running, success, failed, canceled (killed).
std::string StatusState(Forge forge, const StatusFacts& facts);

// `mixmaster/<target>`, or `mixmaster/<target>/<task>` for a task.
std::string StatusContext(const std::string& target, const std::string& task);

// One line: "build started", "build passed after 12 s", "build failed (exit
// 3) after 12 s", "build could not run (error) after 0 s", "build killed
// after 5 s", "build error: its runner died".
std::string StatusDescription(const StatusFacts& facts);

// The link of a status: <public_url>/builds/<project dir>/<job id> when
// `public_url` is set (the build's page in the web view), else `view_url`.
std::string StatusTargetUrl(const std::string& public_url,
                            const std::string& project,
                            const std::string& job_id,
                            const std::string& view_url);

// An HTTP POST with a JSON body.
struct StatusRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
};

// The request that sets the status: POST `status_url` with the JSON body
// each forge documents, and its auth header (Gitea `Authorization: token T`;
// GitHub `Authorization: Bearer T` with its Accept; GitLab `PRIVATE-TOKEN:
// T`).
StatusRequest ComposeStatus(Forge forge, const std::string& status_url,
                            const StatusFacts& facts, const std::string& token);

}  // namespace mm

#endif  // MIXMASTER_COMMIT_STATUS_H_
