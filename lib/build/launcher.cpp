#include "build/launcher.h"

#include <sys/stat.h>

#include "base/text.h"
#include "job/target_match.h"

namespace mm {
namespace {

// The hook's bound (mmbuild(1) The hook), for --stop too.
constexpr double kStopSeconds = 60;

std::vector<std::string> EnvWithTimeout(const std::vector<std::string>& env,
                                        long timeout_seconds) {
  std::vector<std::string> all = env;
  all.push_back("MIXMASTER_TIMEOUT=" + std::to_string(timeout_seconds));
  return all;
}

LaunchResult Classify(const ProcessResult& process, bool launched) {
  LaunchResult r;
  r.term_signal = process.term_signal;
  r.exit_code =
      process.term_signal ? 128 + process.term_signal : process.exit_code;
  if (process.timed_out) {
    r.end = LaunchEnd::kTimedOut;
  } else if (process.stopped) {
    r.end = LaunchEnd::kStopped;
  } else if (process.term_signal) {
    r.end = launched ? LaunchEnd::kLauncherKilled : LaunchEnd::kSignaled;
  } else if (launched && process.exit_code == kLauncherCannotRun) {
    r.end = LaunchEnd::kCannotRun;
  } else {
    r.end = LaunchEnd::kExited;
  }
  r.stop_needed = launched && r.end != LaunchEnd::kExited;
  return r;
}

}  // namespace

std::string LauncherOf(const Config& config, const Job& job) {
  const Project* project = config.FindProject(job.project);
  if (!project) return "";
  return ProjectSettingValue(config, *project, "launcher", job.target,
                             job.task);
}

bool LaunchCommand(const CommandLaunch& launch, const LineSink& sink,
                   LaunchResult* result, std::string* err) {
  ProcessSpec spec;
  spec.argv = SplitWords(launch.launcher);
  const bool launched = !spec.argv.empty();
  if (!launched) spec.argv = {"/bin/sh"};
  spec.argv.push_back("-c");
  spec.argv.push_back(launch.command);
  spec.env = EnvWithTimeout(launch.env, launch.timeout_seconds);
  spec.cwd = launch.workspace;
  spec.timeout_seconds = static_cast<double>(launch.timeout_seconds);
  spec.kill_grace_seconds = launch.kill_grace_seconds;
  spec.stop_requested = launch.stop_requested;
  spec.term_child_alone = launched;
  ProcessResult process;
  if (!RunProcess(spec, sink, &process)) {
    *err = process.error;
    return false;
  }
  *result = Classify(process, launched);
  return true;
}

bool StopLaunched(const std::string& launcher,
                  const std::vector<std::string>& env,
                  const std::string& workspace, long timeout_seconds,
                  const LineSink& sink, std::string* err) {
  ProcessSpec spec;
  spec.argv = SplitWords(launcher);
  if (spec.argv.empty()) return true;  // a build here leaves nothing
  spec.argv.push_back("--stop");
  spec.env = EnvWithTimeout(env, timeout_seconds);
  struct stat st;
  if (stat(workspace.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    spec.cwd = workspace;
  spec.timeout_seconds = kStopSeconds;
  ProcessResult process;
  if (!RunProcess(spec, sink, &process)) {
    *err = process.error;
    return false;
  }
  return ExitedZero(process, launcher + " --stop", kStopSeconds, err);
}

}  // namespace mm
