#include "report/hook.h"

#include "process/process.h"

namespace mm {
namespace {

// The events of mmbuild(1) The hook and QUEUE; anything else is refused.
bool IsHookEvent(const std::string& event) {
  return event == "job-start" || event == "job-end" || event == "job-fail" ||
         event == "job-superseded";
}

}  // namespace

bool RunHook(const HookOptions& options, const std::string& event,
             const std::vector<std::string>& env, const HookLineSink& lines,
             std::string* err) {
  if (options.program.empty()) {
    *err = "no hook program given";
    return false;
  }
  if (!IsHookEvent(event)) {
    *err = "unknown hook event '" + event + "'";
    return false;
  }
  ProcessSpec spec;
  spec.argv = {options.program};
  // Later entries replace earlier ones, so the event cannot be overridden.
  for (const std::string& e : env) {
    if (e.compare(0, 16, "MIXMASTER_EVENT=") != 0) spec.env.push_back(e);
  }
  spec.env.push_back("MIXMASTER_EVENT=" + event);
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
