#include "setup/setup_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/ini.h"
#include "base/paths.h"
#include "process/spawn.h"

namespace mm {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Creates `path` (which must not exist) with `text`, synced, or nothing.
bool CreateFile(const std::string& path, const std::string& text, mode_t mode,
                std::string* err) {
  if (CreateFileExclusive(path, text, mode, err)) return true;
  if (errno == EEXIST) *err = path + " exists; it is not overwritten";
  return false;
}

SetupStep DirectoryStep(const std::string& path, const std::string& what) {
  return {
      IsDirectory(path) ? StepKind::kKeepDirectory : StepKind::kCreateDirectory,
      path, "", what};
}

}  // namespace

std::string SetupStep::Describe() const {
  switch (kind) {
    case StepKind::kCreateDirectory:
      return "create the " + what + " " + path;
    case StepKind::kKeepDirectory:
      return "keep the " + what + " " + path + " (it exists)";
    case StepKind::kWriteConfig:
      return "write the configuration " + path + " (" + what + ")";
    case StepKind::kKeepConfig:
      return "keep the existing configuration " + path +
             " (mmsetup never overwrites it)";
    case StepKind::kBackUpConfig:
      return "move the configuration " + path + " (with its projects and " +
             "secret) to " + content;
    case StepKind::kWriteDropIn:
      return "write " + path + " (" + what + ")";
    case StepKind::kReplaceDropIn:
      return "replace " + path + " (" + what + ")";
    case StepKind::kKeepDropIn:
      return "keep " + path + " (unchanged)";
    case StepKind::kRemoveDropIn:
      return "remove " + path;
  }
  return path;
}

bool SetupStep::Changes() const {
  return kind != StepKind::kKeepDirectory && kind != StepKind::kKeepConfig &&
         kind != StepKind::kKeepDropIn;
}

bool ChangesDropIns(const std::vector<SetupStep>& steps) {
  for (const SetupStep& s : steps) {
    if (s.kind == StepKind::kWriteDropIn ||
        s.kind == StepKind::kReplaceDropIn ||
        s.kind == StepKind::kRemoveDropIn) {
      return true;
    }
  }
  return false;
}

std::vector<SetupStep> PlanSetup(const SetupSettings& settings,
                                 const std::string& config_path,
                                 const std::string& config_text,
                                 const std::vector<DropIn>& desired,
                                 const std::vector<std::string>& managed) {
  std::vector<SetupStep> steps;
  steps.push_back(DirectoryStep(settings.build_root, "build root"));
  steps.push_back(DirectoryStep(settings.spool, "spool"));
  if (Exists(config_path)) {
    steps.push_back({StepKind::kKeepConfig, config_path, "", ""});
  } else {
    steps.push_back(
        {StepKind::kWriteConfig, config_path, config_text,
         settings.with_secret ? "with a random secret" : "WITHOUT a secret"});
  }
  for (const std::string& path : managed) {
    const DropIn* want = nullptr;
    for (const DropIn& d : desired)
      if (d.path == path) want = &d;
    std::string have, ignored;
    bool exists = Exists(path);
    if (!want) {
      if (exists) steps.push_back({StepKind::kRemoveDropIn, path, "", ""});
      continue;
    }
    StepKind kind = StepKind::kWriteDropIn;
    if (exists) {
      kind = ReadFile(path, &have, &ignored) && have == want->content
                 ? StepKind::kKeepDropIn
                 : StepKind::kReplaceDropIn;
    }
    steps.push_back({kind, path, want->content, want->purpose});
  }
  return steps;
}

std::vector<SetupStep> PlanTeardown(const std::string& config_path,
                                    const std::string& backup,
                                    const std::vector<std::string>& managed) {
  std::vector<SetupStep> steps;
  if (Exists(config_path)) {
    steps.push_back({StepKind::kBackUpConfig, config_path, backup, ""});
  }
  for (const std::string& path : managed) {
    if (Exists(path)) {
      steps.push_back({StepKind::kRemoveDropIn, path, "", ""});
    }
  }
  return steps;
}

std::string ConfigBackupPath(const std::string& config_path, time_t now) {
  struct tm local;
  char stamp[32] = "backup";
  if (localtime_r(&now, &local)) {
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  }
  return config_path + "." + stamp + ".bak";
}

bool ApplyStep(const SetupStep& step, std::string* err) {
  switch (step.kind) {
    case StepKind::kKeepDirectory:
    case StepKind::kKeepConfig:
    case StepKind::kKeepDropIn:
      return true;
    case StepKind::kCreateDirectory:
      return MakeDirs(step.path, err);
    case StepKind::kWriteConfig:
      return MakeDirs(DirName(step.path), err) &&
             CreateFile(step.path, step.content, 0600, err);
    case StepKind::kWriteDropIn:
    case StepKind::kReplaceDropIn:
      return MakeDirs(DirName(step.path), err) &&
             ReplaceFile(step.path, step.path + ".mmsetup-new", step.content,
                         0644, err);
    case StepKind::kBackUpConfig:
      // Never replaces an existing backup, and the configuration stays
      // where it was if it cannot be moved.
      if (MoveNoReplace(step.path, step.content, err)) return true;
      *err = ErrnoText("cannot keep a copy of " + step.path + " as " +
                       step.content);
      return false;
    case StepKind::kRemoveDropIn:
      if (unlink(step.path.c_str()) != 0 && errno != ENOENT) {
        *err = ErrnoText("cannot remove " + step.path);
        return false;
      }
      // The drop-in directory goes too when nothing else is in it.
      rmdir(DirName(step.path).c_str());
      return true;
  }
  return false;
}

}  // namespace mm
