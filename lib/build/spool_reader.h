// Taking jobs for mmbuild (mmbuild(1) DESCRIPTION): the spool's `*.ini` jobs
// oldest first (by name: ids sort in arrival order), each claimed by moving it
// to <project dir>/JOBS/<id>.log, where it becomes the build log. Whoever moves
// a job first owns it, so two mmbuild processes never run the same job. A job
// that cannot be run at all (unparseable, unknown project) goes to
// <buildRoot>/REJECTED/ with a journal line and never blocks the queue.
#ifndef MIXMASTER_SPOOL_READER_H_
#define MIXMASTER_SPOOL_READER_H_

#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/fsutil.h"
#include "base/journal.h"
#include "job/claimed_job.h"
#include "job/config.h"
#include "job/job.h"
#include "job/spool_writer.h"

namespace mm {

// The most a job file in the spool may hold; a larger one (no request makes
// one) is rejected unread, as are a FIFO, a symlink or a device there.
constexpr size_t kMaxJobFileBytes = 64 << 20;

// Reads `text` as ReadRunnableJob (job/rejected.h) does and fills
// everything of `out` but the log path; false with the reason the job
// cannot be run.
bool PrepareJob(const std::string& text, const std::string& filename,
                const Config& config, bool allow_trailing_sections,
                ClaimedJob* out, std::string* err);

// Writes the [job] part of a job given by hand (a FILE or stdin) to a new
// JOBS/<id>.log (never replacing one: a taken name gets a fresh id), and
// locks it. The original stays where it is.
bool StoreJob(const std::string& text, const Clock& clock, ClaimedJob* job,
              std::string* err);

class SpoolReader {
 public:
  SpoolReader(const Config& config, const Clock& clock, const Journal& journal);

  // ListSpoolJobs of the configured spool.
  bool List(std::vector<std::string>* names, std::string* err) const;

  // Claims the oldest runnable job, locked (ClaimedJob::lock). Jobs another
  // process claims or claimed meanwhile are skipped; bad ones are moved to
  // REJECTED/ with a journal line.
  // *claimed is false when the spool holds no job. False only on a system
  // error (cannot create JOBS/, cannot read the spool).
  bool ClaimNext(ClaimedJob* job, bool* claimed, std::string* err);

  // Whether the queue wants a runnable job now; `name` is its spool name.
  using JobFilter =
      std::function<bool(const std::string& name, const ClaimedJob& job)>;
  // As above, but jobs `wanted` refuses stay in the spool, untouched
  // (mmbuild(1) QUEUE: a job whose workspace is busy waits its turn).
  bool ClaimNext(const JobFilter& wanted, ClaimedJob* job, bool* claimed,
                 std::string* err);

  // How many jobs this reader moved to REJECTED/.
  int rejected() const { return rejected_; }

 private:
  void Reject(const std::string& path, const std::string& name,
              const std::string& why);

  const Config& config_;
  const Clock& clock_;
  const Journal& journal_;
  int rejected_ = 0;
};

}  // namespace mm

#endif  // MIXMASTER_SPOOL_READER_H_
