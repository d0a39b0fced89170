#include "report/hook.h"

#include "process/process.h"

namespace mm {
bool RunHook(const HookOptions& options, BuildEvent event,
             const std::vector<std::string>& env, const HookLineSink& lines,
             std::string* err) {
  if (options.program.empty()) {
    *err = "no hook program given";
    return false;
  }
  ProcessSpec spec;
  spec.argv = {options.program};
  // Later entries replace earlier ones, so the event cannot be overridden.
  for (const std::string& e : env) {
    if (e.compare(0, 16, "MIXMASTER_EVENT=") != 0) spec.env.push_back(e);
  }
  spec.env.push_back(std::string("MIXMASTER_EVENT=") + BuildEventName(event));
  spec.timeout_seconds = options.timeout_seconds;
  spec.kill_grace_seconds = options.kill_grace_seconds;
  ProcessResult result;
  auto sink = [&lines](char, const std::string& line) {
    if (lines) lines(line);
  };
  if (!RunProcess(spec, sink, &result)) {
    *err = "hook: " + (result.error.empty() ? "cannot run " + options.program
                                            : result.error);
    return false;
  }
  return ExitedZero(result, "hook " + options.program, options.timeout_seconds,
                    err);
}

}  // namespace mm
