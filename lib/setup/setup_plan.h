// mmsetup's plan (mmsetup(1)): the list of file steps it shows before asking
// and then carries out. Planning only looks at the filesystem; applying a step
// never overwrites the configuration and never touches the build root or
// spool contents. Re-running with the same options plans only `keep` steps.
#ifndef MIXMASTER_SETUP_PLAN_H_
#define MIXMASTER_SETUP_PLAN_H_

#include <time.h>

#include <string>
#include <vector>

#include "setup/setup_config.h"
#include "setup/units.h"

namespace mm {

enum class StepKind {
  kCreateDirectory,
  kKeepDirectory,
  kWriteConfig,
  kKeepConfig,
  kBackUpConfig,
  kWriteDropIn,
  kReplaceDropIn,
  kKeepDropIn,
  kRemoveDropIn,
};

struct SetupStep {
  StepKind kind;
  std::string path;
  std::string content;  // kWriteConfig, kWriteDropIn, kReplaceDropIn; for
                        // kBackUpConfig the path the configuration goes to
  std::string what;     // "build root", "spool", or a drop-in's purpose

  // One line for the plan: "create the build root /home/u/Builds".
  std::string Describe() const;
  // False for the keep steps, which change nothing.
  bool Changes() const;
};

// Steps for setting up: the build root and spool, the configuration at
// `config_path` (written from `config_text` only when no file is there), and
// the drop-ins: each of `desired` written or kept, each other file of
// `managed` that exists removed.
std::vector<SetupStep> PlanSetup(const SetupSettings& settings,
                                 const std::string& config_path,
                                 const std::string& config_text,
                                 const std::vector<DropIn>& desired,
                                 const std::vector<std::string>& managed);

// True when `steps` write, replace or remove a drop-in, which the running
// units read only when restarted.
bool ChangesDropIns(const std::vector<SetupStep>& steps);

// Steps for --teardown: move the configuration (its projects and secret)
// to `backup`, and remove every managed drop-in that exists. The build root
// and spool are not steps: they are kept.
std::vector<SetupStep> PlanTeardown(const std::string& config_path,
                                    const std::string& backup,
                                    const std::vector<std::string>& managed);

// Where --teardown keeps the configuration: beside it, named after the
// local time `now`, e.g. mixmaster.ini.20261201-143000.bak.
std::string ConfigBackupPath(const std::string& config_path, time_t now);

// Carries out one step. A configuration is created with O_EXCL and mode
// 0600 (it holds the secret) and synced; a drop-in is written to a
// temporary file and renamed into place; removing a drop-in also removes
// its `.d` directory when that is left empty. A backup never replaces a file.
bool ApplyStep(const SetupStep& step, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_SETUP_PLAN_H_
