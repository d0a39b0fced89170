// mmbuild: runs spooled jobs (SPEC 6). No argument: every job in the spool,
// oldest first, until it is empty. FILE: that job file (copied into
// JOBS/<id>.log, left where it is). `-`: a job file on stdin.
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <string>

#include "build_notifier.h"
#include "build_queue.h"
#include "config.h"
#include "ini.h"
#include "journal.h"
#include "paths.h"
#include "version.h"

namespace {

constexpr int kExitBadJob = 1;
constexpr int kExitUsage = 2;
constexpr int kExitConfig = 3;
constexpr int kExitSystem = 4;

bool ReadStdin(std::string* out, std::string* err) {
  char buf[16384];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = std::string("cannot read stdin: ") + strerror(errno);
      return false;
    }
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

int main(int argc, char** argv) {
  mm::Journal journal;
  journal.set_program("mmbuild");

  CLI::App app{
      "Runs Mixmaster build jobs: every job in the spool, oldest first, "
      "until it is empty; or the job FILE given; or a job on stdin (`-`)."};
  app.set_version_flag("--version", mm::Version());
  std::string config_path, job_file;
  app.add_option("--config", config_path,
                 "configuration file (default: $MIXMASTER_CONFIG, else "
                 "$XDG_CONFIG_HOME/mixmaster.ini)");
  app.add_option("FILE", job_file,
                 "a job file to run (copied into JOBS/, left in place); `-` "
                 "reads one from stdin");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }

  if (config_path.empty()) config_path = mm::DefaultConfigPath();
  mm::Config config;
  std::string err;
  if (!mm::LoadConfig(config_path, &config, &err)) {
    journal.Error(err);
    return kExitConfig;
  }
  for (const std::string& warning : config.warnings) journal.Warning(warning);

  mm::InstallStopHandlers();
  // Mail and hook at each job's start, end and failure (SPEC 7).
  mm::BuildNotifier notifier(config);
  mm::QueueOptions options;
  options.config = &config;
  options.journal = &journal;
  options.observer = &notifier;

  mm::QueueStatus status;
  if (job_file.empty()) {
    status = mm::RunSpool(options);
  } else {
    std::string text;
    bool read = job_file == "-" ? ReadStdin(&text, &err)
                                : mm::ReadFile(job_file, &text, &err);
    if (!read) {
      journal.Error("cannot read job " + err);
      return kExitBadJob;
    }
    status =
        mm::RunGivenJob(text, job_file == "-" ? "stdin" : job_file, options);
  }
  switch (status) {
    case mm::QueueStatus::kDone:
      return 0;
    case mm::QueueStatus::kBadJob:
      return kExitBadJob;
    case mm::QueueStatus::kSystemError:
      return kExitSystem;
  }
  return kExitSystem;
}
