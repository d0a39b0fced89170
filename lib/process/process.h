// Running a child process without a shell (mmbuild(1) How a job runs, The
// hook): its own process group, stdin from /dev/null or from a string, stdout
// and stderr read line by line as they come, a deadline after which the group
// gets TERM and, after a grace period, KILL. Used for the build command
// (through /bin/sh -c, which is the user's own command, never request data),
// sendmail, the hook and ssh-agent helpers.
#ifndef MIXMASTER_PROCESS_H_
#define MIXMASTER_PROCESS_H_

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "process/spawn.h"

namespace mm {

struct ProcessResult {
  bool started = false;    // false: fork/exec failed, see error
  int exit_code = -1;      // exit status, or -1 when killed by a signal
  int term_signal = 0;     // the signal that ended it, if any
  bool timed_out = false;  // stopped because of timeout_seconds
  bool stopped = false;    // stopped because *stop_requested was set
  std::string error;       // why it did not start, when !started
};

// Called for each complete line (without its newline) as it arrives: stream
// 'O' for stdout, '!' for stderr. A last line without newline is passed too.
// A line longer than 64 KiB is passed in 64 KiB pieces.
using LineSink = std::function<void(char stream, const std::string& line)>;
constexpr char kStdoutStream = 'O';
constexpr char kStderrStream = '!';

// Runs the process to completion (or until stopped). Returns false only when
// it could not be started at all (result->error says why, e.g. "cannot run
// /usr/sbin/sendmail: No such file or directory"). It returns only when no
// process of the child's group is left alive: when the child itself exits,
// members of its group still running get TERM, then KILL after
// kill_grace_seconds. Output held open by a process that left the group is
// not waited for.
bool RunProcess(const ProcessSpec& spec, const LineSink& sink,
                ProcessResult* result);

// Whether a process RunProcess ran exited with status 0. Otherwise *err says
// how it ended, naming it `name`: "<name> did not finish within 60 s and was
// stopped", "<name> was killed by signal 15 (Terminated)", "<name> exited
// with status 1".
bool ExitedZero(const ProcessResult& result, const std::string& name,
                double timeout_seconds, std::string* err);

// The state letter and process group of process `pid` from /proc/<pid>/stat
// (`pid (comm) state ppid pgrp ...`, read from the last `)`: comm may hold
// anything). False when it cannot be read.
bool ReadProcStat(pid_t pid, char* state, pid_t* pgrp);

// True while process `pid` exists and is not a zombie (also when /proc
// cannot tell: alive is the safe answer).
bool ProcessAlive(pid_t pid);

// A child left running in the background (e.g. the per-job ssh-agent) while
// the caller does other work: its own process group, stdin, stdout and stderr
// on /dev/null. Stopped (TERM, then KILL after the grace period) and reaped
// by Stop() or by the destructor; it also gets TERM if its owner dies first.
// Move-only: it owns the pid.
class BackgroundProcess {
 public:
  BackgroundProcess() = default;
  ~BackgroundProcess();
  BackgroundProcess(BackgroundProcess&& other) noexcept;
  BackgroundProcess& operator=(BackgroundProcess&& other) noexcept;
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // Uses spec.argv, spec.env and spec.cwd; the other fields are ignored.
  bool Start(const ProcessSpec& spec, std::string* err);
  // True while the child has not exited (it is reaped when it has).
  bool Running();
  // TERM to the child's group, KILL after `grace_seconds`, then reap.
  void Stop(double grace_seconds = 2);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

}  // namespace mm

#endif  // MIXMASTER_PROCESS_H_
