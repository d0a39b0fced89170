// mmcleanup(1): after mixmaster.service ends badly, the jobs still in
// the spool are moved to <buildRoot>/REJECTED/ (or deleted), so that
// mixmaster.path, which starts the service while the spool is not empty, does
// not start it again and again for jobs that cannot be run.
#ifndef MIXMASTER_CLEANUP_H_
#define MIXMASTER_CLEANUP_H_

#include <string>
#include <vector>

namespace mm {

// True when the service ended badly: $SERVICE_RESULT is anything but
// `success`. Unset (mmcleanup run by hand) counts as not success, since a
// person who runs it wants the spool cleared.
bool ServiceFailed(const char* service_result);

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
  // The service failed: every entry, jobs first among them.
  kEverything,
  // It succeeded: only what mmbuild will never take as a job (anything but
  // a regular `*.ini` file). Left there, it would keep the spool not empty,
  // and mixmaster.path would start the service again at once, over and over
  // until systemd's start limit stops both units.
  kNotJobs,
};

// What happened to one spool entry.
struct CleanupOutcome {
  std::string name;         // file name in the spool
  bool is_job = false;      // mmbuild would take it as a job
  std::string destination;  // where it was moved; empty when deleted
  bool ok = false;
  std::string error;  // when !ok; the entry was left in the spool
};

// Moves the entries of `spool` that `scope` names (sorted by name, i.e.
// oldest job first) into `rejected_dir`, which is created when needed, or
// deletes them. A file of the same name in `rejected_dir`, even one that
// appears while the entry is moved, is never replaced: the new one gets a
// `-1`, `-2`, ... suffix before `.ini` (MoveIntoDir, ClashNames). Across
// filesystems a regular file is copied, synced and then unlinked. A spool that
// does not exist holds nothing. Returns false only when the spool cannot be
// listed or `rejected_dir` cannot be created; per-entry failures are in
// `outcomes`.
bool CleanUpSpool(const std::string& spool, const std::string& rejected_dir,
                  CleanupAction action, CleanupScope scope,
                  std::vector<CleanupOutcome>* outcomes, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_CLEANUP_H_
