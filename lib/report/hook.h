// The `hook` program of mmbuild(1) The hook: run at job start, end and failure
// with MIXMASTER_EVENT and the build's MIXMASTER_* variables, no shell and no
// arguments, stdin /dev/null, stopped at a deadline. Its output becomes `H`
// lines of the build log; its failure is reported and never changes a build.
#ifndef MIXMASTER_HOOK_H_
#define MIXMASTER_HOOK_H_

#include <functional>
#include <string>
#include <vector>

#include "report/build_observers.h"

namespace mm {

struct HookOptions {
  // A path; without a '/', it is looked up in PATH.
  std::string program;
  double timeout_seconds = 60;
  double kill_grace_seconds = 5;
};

// Receives each line the hook writes, stdout and stderr alike, as it comes.
using HookLineSink = std::function<void(const std::string& line)>;

// Runs options.program with the inherited environment plus `env` ("NAME=
// value") plus MIXMASTER_EVENT=BuildEventName(event) (which wins over one
// in `env`). True when
// it exited 0; otherwise *err says why (cannot run, exit status, signal,
// deadline).
bool RunHook(const HookOptions& options, BuildEvent event,
             const std::vector<std::string>& env, const HookLineSink& lines,
             std::string* err);

}  // namespace mm

#endif  // MIXMASTER_HOOK_H_
