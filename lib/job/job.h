// The job file of mmbuild(1) FILES and mmbridge(1) Writing the job: one `[job]`
// section, keys in a fixed order, each value on one line with `\` written `\\`,
// newline `\n`, carriage return `\r` (and, so that any string round-trips
// through INI trimming, a tab `\t` and a space at either end of a value `\s`).
#ifndef MIXMASTER_JOB_H_
#define MIXMASTER_JOB_H_

#include <string>

#include "base/clock.h"

namespace mm {

// `mode` (mixmaster.ini(5)): normal builds, dryrun only logs the steps.
enum class JobMode { kNormal, kDryRun };
// `notifications` (mmbuild(1) NOTIFICATIONS): which mails go out.
enum class Notifications { kAll, kFailures, kNone };
// The forge a push came from (mmbridge(1) Endpoints, "Commit statuses"):
// kNone for the lightweight JSON of `/` and a hand-written job.
enum class Forge { kNone, kGitea, kGitHub, kGitLab };

// The names of those values, as job files and the configuration write
// them: "normal", "dryrun"; "all", "failures", "none"; "gitea", "github",
// "gitlab" (and "" for Forge::kNone). Parse* is false for any other text.
const char* JobModeName(JobMode mode);
bool ParseJobMode(const std::string& name, JobMode* mode);
const char* NotificationsName(Notifications notifications);
bool ParseNotifications(const std::string& name, Notifications* notifications);
const char* ForgeName(Forge forge);
bool ParseForge(const std::string& name, Forge* forge);

// The text of a job file; ResolveJob (job_settings.h) reads mode,
// notifications and forge into their enums.
struct Job {
  std::string id;
  std::string received;
  std::string endpoint;
  std::string scm;
  std::string project;
  std::string repository_url;
  std::string target;
  std::string task;
  std::string commit;
  std::string build_command;
  std::string view_url;
  // The forge's page of the commit built, when the payload names one
  // (mmbuild(1) JOB FILES). Written only when set.
  std::string commit_url;
  std::string message;
  // Who pushed (mmbuild(1) JOB FILES): the forge's login or user name of
  // the pusher, as sent; only ever shown (escaped), never run or mailed in
  // a header. Written only when set.
  std::string pusher;
  std::string notifications;  // NotificationsName
  std::string mailto;
  std::string mode;  // JobModeName
  // Forge pushes (mmbridge(1) "Commit statuses"): ForgeName, and where
  // that commit's status is set. Written only when set.
  std::string forge;
  std::string status_url;
  // `mmbuild --rebuild` (mmbuild(1) BUILD HISTORY): the id of the job this
  // one repeats, run with the command the configuration gives when it runs.
  // Written only when set.
  std::string rebuild_of;
  // A job may leave these out; they then come from the configuration. A job
  // in the spool must (mmbuild(1) DESCRIPTION): it only selects a build.
  bool has_build_command = false;
  bool has_mailto = false;
  bool has_mode = false;
};

// The `[job]` part of a job file's text: everything before the first other
// section (a build log is the job file with its own sections after it, and
// one given back to mmbuild is run as the job it was).
std::string JobSectionText(const std::string& text);

std::string EscapeJobValue(const std::string& value);
// Undoes EscapeJobValue; an unknown escape is an error.
bool UnescapeJobValue(const std::string& text, std::string* value,
                      std::string* err);

// The whole file, `[job]` and every key in the documented order; the
// buildCommand, mailto and mode a job leaves out (has_*) are not written.
std::string EncodeJob(const Job& job);

// Parses a job file (only its `[job]` section; anything after it, such as the
// sections of a build log, is ignored). Requires scm, project, repositoryUrl
// and target; `id` is kept as written (check it with IsJobId before use).
bool DecodeJob(const std::string& text, const std::string& filename, Job* job,
               std::string* err);

// The first C0 or C1 control character in `value` as "U+001B", or "" when
// there is none. Tab is allowed, and with `multiline` line feed and
// carriage return; C1 is looked for as UTF-8 (U+0080..U+009F).
std::string ControlCharacterIn(const std::string& value, bool multiline);

// False (with `err` naming the key and the character) when a value holds a
// control character (ControlCharacterIn; the message may hold line
// breaks): an ESC or BEL would reach a terminal through `mmbuild --follow`
// or a mail (mmbridge(1) Responses). DecodeJob refuses such a job too.
bool JobValuesShowable(const Job& job, std::string* err);

// The one job id rule, for writing a job, naming its log, listing, pruning
// and the web view (mmbuild(1) FILES): [0-9A-Za-z._-], at most 200 bytes,
// not starting with a dot (so never `.`, `..` or a hidden file). A job
// whose id breaks it runs under a fresh one.
bool IsJobId(const std::string& id);

// A fresh job id: YYYYMMDD-HHMMSS-<microseconds>-<pid>-<32 random bits>, UTC,
// so names sort in arrival order and never collide between processes.
std::string NewJobId(const struct timespec& now);

}  // namespace mm

#endif  // MIXMASTER_JOB_H_
