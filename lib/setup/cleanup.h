// mmcleanup(1): after mixmaster.service ends badly, the jobs still in
// the spool are moved to <buildRoot>/REJECTED/ (or deleted), so that
// mixmaster.path, which starts the service while the spool is not empty, does
// not start it again and again for jobs that cannot be run.
#ifndef MIXMASTER_CLEANUP_H_
#define MIXMASTER_CLEANUP_H_

#include <time.h>

#include <string>
#include <vector>

#include "job/config.h"

namespace mm {

// How the service ended, for the journal lines, from $SERVICE_RESULT,
// $EXIT_CODE and $EXIT_STATUS (each may be null): "(service result
// exit-code, exited 3)", or "(no $SERVICE_RESULT: run by hand)".
std::string ServiceEndNote(const char* service_result, const char* exit_code,
                           const char* exit_status);

// Where to clean up.
struct CleanupPaths {
  std::string spool;
  std::string build_root;
  // Why the configuration was not used, when it was not (for a warning).
  std::string fallback_reason;
  // The configuration, when it could be used (fallback_reason is empty).
  Config config;
  // What is wrong with a configuration that was used (its permissions).
  std::vector<std::string> warnings;
};

// The spool and build root: `spool_option` / `build_root_option` when given,
// else the configuration's. When the configuration cannot be read or parsed
// and was not named explicitly (`config_explicit`), the defaults
// `home`/Builds/INBOX and `home`/Builds are used and `fallback_reason` says
// why: mmbuild could not start for the same reason, and the path unit's
// default spool is exactly that directory. An explicit --config that cannot
// be read is an error (false, `err`).
bool ResolveCleanupPaths(const std::string& config_path, bool config_explicit,
                         const std::string& spool_option,
                         const std::string& build_root_option,
                         const std::string& home, CleanupPaths* paths,
                         std::string* err);

enum class CleanupAction { kMove, kDelete };

// Which entries of the spool to clean. Hidden ones (a leading `.`) are never
// touched: mmbuild does not take them, mixmaster.path does not count them,
// and one may be a job someone is still writing before renaming it in.
enum class CleanupScope {
  // The service failed (or `--all`): every entry, jobs first among them.
  kEverything,
  // It succeeded: only what mmbuild will never take as a job (anything but
  // a regular `*.ini` file). Left there, it would keep the spool not empty,
  // and mixmaster.path would start the service again at once, over and over
  // until systemd's start limit stops both units.
  kNotJobs,
  // Run by hand: what mmbuild cannot take, that is what is not a job and
  // the jobs it would reject (ReadRunnableJob, job/rejected.h); the jobs it
  // can build stay queued.
  kCannotRun,
};

// The scope for $SERVICE_RESULT (`service_result`, null when unset):
// kEverything when the service ended badly (anything but `success`),
// kNotJobs after a success, kCannotRun when unset (run by hand, while
// builds may go on normally); `all` (--all) makes it kEverything.
CleanupScope ScopeFor(const char* service_result, bool all);

// The reason given for an entry that is not a job.
extern const char kNotAJobReason[];

// One spool entry to clean, and why (the line noted beside it in
// REJECTED/, job/rejected.h).
struct CleanupEntry {
  std::string name;     // file name in the spool
  bool is_job = false;  // mmbuild would take it as a job
  std::string reason;
};

// The entries of `spool` that `scope` names, sorted by name (oldest job
// first), each with its reason: kNotAJobReason, the reason mmbuild would
// reject a job for (kCannotRun; with `config` null, when the configuration
// cannot be used, `config_problem` for every job), or `queued_reason` for a
// job taken whole (kEverything). A spool that does not exist holds nothing;
// one that cannot be listed is an error.
bool ListCleanup(const std::string& spool, CleanupScope scope,
                 const Config* config, const std::string& config_problem,
                 const std::string& queued_reason,
                 std::vector<CleanupEntry>* entries, std::string* err);

// What happened to one spool entry.
struct CleanupOutcome {
  CleanupEntry entry;
  std::string destination;  // where it was moved; empty when deleted
  bool ok = false;
  std::string error;  // when !ok; the entry was left in the spool
  // When the `.why` beside an entry that is not a job could not be written
  // (it moved all the same: nothing would build it).
  std::string note_error;
};

// Moves `entries` of `spool` into `rejected_dir`, which is created when
// needed, or deletes them. A file of the same name in `rejected_dir`, even one
// that appears while the entry is moved, is never replaced: the new one gets
// a `-1`, `-2`, ... suffix before `.ini` (MoveIntoDir, ClashNames). Across
// filesystems a regular file is copied, synced and then unlinked. A job
// moved gets RejectionNote("mmcleanup", its reason, `now`) first, under its
// lock (job/rejected.h): when that note cannot be written the job stays in
// the spool (an error outcome), so that no job is ever in REJECTED/ without
// its reason; a job locked by an mmbuild claiming it is left to it.
// Anything else gets its `.why` beside it once moved. An entry gone
// meanwhile (mmbuild claimed it) has no outcome. Returns false only when
// `rejected_dir` cannot be created; per-entry failures are in `outcomes`.
bool CleanUpEntries(const std::string& spool, const std::string& rejected_dir,
                    CleanupAction action,
                    const std::vector<CleanupEntry>& entries,
                    const struct timespec& now,
                    std::vector<CleanupOutcome>* outcomes, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_CLEANUP_H_
