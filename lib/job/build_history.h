// Reading the build history from the logs alone (mmbuild(1) BUILD LOG):
// <buildRoot>/<project dir>/JOBS/<id>.log, one per build. Nothing else is
// stored, so every view (the web pages of mmbridge(1) WEB VIEW, `mmbuild
// --list`) reads the same files, and reads only the ones it shows: job ids
// sort by time, so a directory listing orders the builds, and a build's
// summary comes from the head of its log ([job], [build]) and its last few
// KiB ([result]), whatever the log's size.
//
// Names from a request are checked against strict patterns before they touch
// the filesystem, and every file is opened one component at a time relative
// to the build root with O_NOFOLLOW, so nothing outside the root is read.
#ifndef MIXMASTER_BUILD_HISTORY_H_
#define MIXMASTER_BUILD_HISTORY_H_

#include <stddef.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "base/fsutil.h"
#include "job/build_log.h"

namespace mm {

// A project directory as mmbuild names it (SafeName): [a-z0-9._-], at most
// 255 bytes, not starting with a dot.
bool IsProjectDirName(const std::string& name);

// True when the log open at `fd` ends with its [result] section: the build
// is over, and the log grows no more. Reads only its last few KiB.
bool LogHasResult(int fd);

// Copies what the log open at `fd` holds past *offset to `out_fd`, moving
// *offset on; framed as HTTP/1.1 chunks when `chunked` (the web view's
// stream). From offset 0, its [job] section is sent as shown
// (ReadShownJobSection). False when it cannot be read or written: `err`
// says which and why ("cannot read the log: ...", "cannot write: ...").
bool CopyNewLogBytes(int fd, off_t* offset, int out_fd, bool chunked,
                     std::string* err);

// The log's [job] section as it may be shown (the raw log, `mmbuild
// --follow`): the credentials of its URLs masked (base/redact.h), since the
// section keeps the job whole for `mmbuild --rebuild`. `*length` is the
// section's length in the file.
bool ReadShownJobSection(int fd, std::string* shown, off_t* length);

// The log open at `fd` as far as the readers of its sections need it, in
// constant memory whatever its size: whole up to 64 KiB + `tail_bytes`,
// else its first 64 KiB ([job], [build], the start of [log]) and its last
// `tail_bytes` (the closing line, [result]; kLogEndBytes is enough for
// them), each cut at a line.
constexpr size_t kLogEndBytes = 64 << 10;
bool ReadLogEnds(int fd, size_t tail_bytes, std::string* text,
                 std::string* err);

// The size of the log as CopyNewLogBytes sends it from offset 0.
bool ShownLogSize(int fd, off_t* size);

// How long a live log is followed at most without its [result] (by the web
// view's stream and `mmbuild --follow`): the build `timeout` plus a minute,
// and never more than a day (also when builds have no timeout), so that
// mixmaster-bridge@.service's RuntimeMaxSec= can be a backstop above every
// stream. A log can lack [result] for good only when its mmbuild was killed
// outright.
double LiveLogSeconds(long build_timeout);

// Reads at most `max_bytes` from the end of `fd`, starting at a line (when
// cut, the partial first line is dropped and *cut is set).
bool ReadTail(int fd, size_t max_bytes, std::string* text, bool* cut,
              std::string* err);

// The build root, opened once. Move-only: it owns the descriptor.
class BuildHistory {
 public:
  // Opens `build_root` (following a symlink there: the user chose it). One
  // that does not exist yet holds no builds.
  bool Open(const std::string& build_root, std::string* err);

  // The project directories that have a JOBS/ directory, sorted.
  bool ListProjects(std::vector<std::string>* dirs, std::string* err) const;

  // The ids of `dir`'s logs, newest first. False with *missing set when
  // the project has no such directory (or a bad name).
  bool ListJobs(const std::string& dir, std::vector<std::string>* ids,
                bool* missing, std::string* err) const;

  // The log JOBS/<id>.log of `dir`, opened for reading, or an invalid fd
  // (bad name, no such log, a symlink, not a regular file). When it could
  // not be opened for another reason (an I/O error, no descriptor left),
  // `err` (if given) says why: that is not a missing log.
  UniqueFd OpenLog(const std::string& dir, const std::string& id,
                   std::string* err = nullptr) const;

  // The summary of one log; false when it cannot be opened or read.
  bool ReadSummary(const std::string& dir, const std::string& id,
                   BuildSummary* summary) const;
  // The same for the log of `dir` and `id` already open at `log` (OpenLog),
  // so that a caller who reads more of it opens it once.
  static bool ReadSummary(int log, const std::string& dir,
                          const std::string& id, BuildSummary* summary);

  // The build a person names (mmbuild(1) BUILD HISTORY: --follow,
  // --rebuild): a job id, any prefix of one that fits no other, or `last`,
  // the newest; among the builds of `dir` when it is not empty, else of
  // every project. Fills its project directory and id. False with `err`
  // saying why: no build of that name, or the ids an ambiguous prefix fits.
  bool FindBuild(const std::string& name, const std::string& dir,
                 std::string* found_dir, std::string* id,
                 std::string* err) const;

 private:
  // The JOBS/ directory of `dir` (kept open for the next call), or -1.
  int JobsDir(const std::string& dir) const;

  UniqueFd root_;
  // The last JOBS/ directory opened: a page reads many logs of one project.
  mutable std::string jobs_dir_;
  mutable UniqueFd jobs_;
};

}  // namespace mm

#endif  // MIXMASTER_BUILD_HISTORY_H_
