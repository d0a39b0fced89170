#include "job/queued_jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/paths.h"
#include "job/job.h"
#include "job/spool_writer.h"

namespace mm {
namespace {

// A job's [job] section from the bridge is well under this; what is past it
// (the rest of a very long message) is not shown.
constexpr size_t kJobHeadBytes = 64 << 10;

// The head of the job file `name` in `spool`; false when it is gone (taken
// meanwhile) or is not a regular file.
bool ReadJobHead(const std::string& spool, const std::string& name,
                 std::string* head) {
  UniqueFd fd(open(JoinPath(spool, name).c_str(),
                   O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  struct stat st;
  if (!fd.ok() || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return false;
  head->assign(kJobHeadBytes, '\0');
  size_t got = 0;
  while (got < head->size()) {
    ssize_t n = read(fd.get(), &(*head)[got], head->size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += n;
  }
  head->resize(got);
  return true;
}

}  // namespace

bool ListQueuedJobs(const std::string& spool, const std::string& dir,
                    size_t limit, std::vector<BuildSummary>* queued, bool* more,
                    std::string* err) {
  std::vector<std::string> names;
  queued->clear();
  if (more) *more = false;
  if (!ListSpoolJobs(spool, &names, err)) return false;
  for (size_t i = 0; i < names.size(); ++i) {
    std::string id = names[i].substr(0, names[i].size() - 4);  // `.ini`
    std::string head;
    if (!IsJobId(id) || !ReadJobHead(spool, names[i], &head)) continue;
    BuildSummary b;
    ParseBuildSummary(JobSectionText(head), "", &b);
    if (b.project.empty()) continue;
    b.id = id;
    b.project_dir = SafeName(b.project);
    if (!dir.empty() && b.project_dir != dir) continue;
    if (limit != 0 && queued->size() == limit) {
      if (more) *more = true;
      break;
    }
    b.status = "queued";
    b.queue_position = static_cast<long>(i) + 1;
    queued->push_back(std::move(b));
  }
  return true;
}

}  // namespace mm
