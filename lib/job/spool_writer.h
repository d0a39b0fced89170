// Writing a job into the spool (mmbridge(1) Writing the job) so that it appears
// whole or not at all: mmbuild and the path unit watch the spool and must never
// see a half-written file, nor anything but complete `<id>.ini` jobs.
#ifndef MIXMASTER_SPOOL_WRITER_H_
#define MIXMASTER_SPOOL_WRITER_H_

#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "job/config.h"
#include "job/job.h"

namespace mm {

class SpoolWriter {
 public:
  // `dir` is the spool; it must exist (the bridge does not create it).
  explicit SpoolWriter(std::string dir) : dir_(std::move(dir)) {}

  // Tests use this to take the fallback path where O_TMPFILE works.
  void set_use_tmpfile(bool use) { use_tmpfile_ = use; }

  // Writes `job` as `<dir>/<job->id>.ini`. The file is written unseen and
  // fsynced before it gets its name: an anonymous O_TMPFILE in the spool
  // linked in through /proc/self/fd, or, where O_TMPFILE is not supported, a
  // temporary file in the spool's parent directory renamed into the spool.
  // Neither ever replaces a file: when the name is taken, the job gets a new
  // id from `new_id` and is written again. Fills `path` with the job's path;
  // on failure `err` says what, and nothing is left behind.
  bool Write(Job* job, const std::function<std::string()>& new_id,
             std::string* path, std::string* err);

 private:
  enum class Outcome { kDone, kFailed, kUnsupported };
  Outcome WriteTmpfile(Job* job, const std::function<std::string()>& new_id,
                       std::string* path, std::string* err);
  bool WriteRenamed(Job* job, const std::function<std::string()>& new_id,
                    std::string* path, std::string* err);
  std::string JobPath(const Job& job) const;

  std::string dir_;
  bool use_tmpfile_ = true;
};

// The names of the jobs in `spool` (regular files `*.ini`, not hidden),
// oldest first: what mmbuild takes and mmcleanup(1) calls a job. A spool
// that does not exist is empty; one that cannot be read is an error.
bool ListSpoolJobs(const std::string& spool, std::vector<std::string>* names,
                   std::string* err);

enum class QueueResult {
  kQueued,       // written into the spool
  kCannotBuild,  // ResolveJob refused it (unknown project, no target key)
  kSpoolFailed,  // the spool could not be written; nothing is left behind
};

// Makes `job` a new job in the configured spool, in the one way both the
// bridge (a payload) and `mmbuild --rebuild` (a copy of an earlier job) do:
// ResolveJob fills in what it leaves out, so the file is written whole;
// it gets a fresh id and receive time from `clock`; SpoolWriter writes it.
// `err` says why when it is not kQueued.
QueueResult QueueJob(const Config& config, const Clock& clock, Job* job,
                     std::string* err);

}  // namespace mm

#endif  // MIXMASTER_SPOOL_WRITER_H_
