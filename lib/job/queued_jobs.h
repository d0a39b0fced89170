// The jobs that wait in the spool, as the lists show them (mmbuild(1) BUILD
// HISTORY, mmbridge(1) WEB VIEW): status `queued` and their place in the
// order mmbuild takes them, oldest first by name (spool_writer.h). Only the
// spool is read, never written, so the web view can list them from inside
// mmbridge's sandbox, to which the spool is open anyway.
#ifndef MIXMASTER_QUEUED_JOBS_H_
#define MIXMASTER_QUEUED_JOBS_H_

#include <string>
#include <vector>

#include "job/build_log.h"

namespace mm {

// The jobs of `spool` in the order mmbuild takes them, each with status
// `queued`, queue_position (1: the next one taken) and project_dir (the
// project's directory under the build root); only those of the project
// directory `dir` when it is not empty. A job that is claimed while it is
// listed, or that is no job (no [job] section, a bad id), is left out, but
// still counts for the positions after it. With a `limit` (not 0) at most
// that many are listed, so that a flood of pushes cannot swell a page beyond
// the bridge's memory; *more (when not null) then says whether another job
// of `dir` waits after them. A spool that does not exist is empty; one that
// cannot be listed is an error.
bool ListQueuedJobs(const std::string& spool, const std::string& dir,
                    size_t limit, std::vector<BuildSummary>* queued, bool* more,
                    std::string* err);

}  // namespace mm

#endif  // MIXMASTER_QUEUED_JOBS_H_
