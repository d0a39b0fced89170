#include "setup/config_check.h"

#include "base/journal.h"
#include "base/text.h"
#include "job/target_match.h"

namespace mm {
namespace {

// Settings whose values are never shown, only whether they are set.
bool IsSecret(const std::string& key) {
  return key == "secret" || key == "webPassword";
}

// The project settings a key in a project's section may be meant as.
const char* const kProjectSettingNames[] = {"repository", "launcher", "notify",
                                            "badge"};

std::string Plural(size_t n, const std::string& what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

// "[owner/repo]" and its keys, settings and badge.
std::string DescribeProject(const Project& p, CheckReport* report) {
  std::string text = "\n[" + OneLine(p.name) + "]\n";
  for (const auto& [key, command] : p.targets) {
    text += OneLine(key) + " = " + OneLine(command) + "\n";
    for (const char* name : kProjectSettingNames) {
      if (EqualsIgnoreCase(key, name))
        report->notes.push_back("`" + OneLine(key) + "` in [" +
                                OneLine(p.name) +
                                "] is a branch key; the project setting is "
                                "written `:" +
                                name + "`");
    }
  }
  for (const ProjectSetting& s : p.settings) {
    text += ":" + s.name + (s.branch_key.empty() ? "" : ":" + s.branch_key) +
            " = " + OneLine(s.value) + "\n";
  }
  std::string badge = BadgeTarget(p);
  TargetMatch match;
  std::string why;
  if (badge.empty()) {
    text += "; no keys: nothing is built\n";
  } else {
    text += "; badge: the last build of " + OneLine(badge) + "\n";
    if (!MatchTarget(p, badge, "", &match, &why))
      report->warnings.push_back("[" + OneLine(p.name) + "] :badge " +
                                 OneLine(badge) + ": " + why +
                                 ", so its badge stays unknown");
  }
  return text;
}

// What each project would run for `request`.
std::string DescribeBranch(const Config& config, const CheckRequest& request) {
  std::string what =
      "branch " + OneLine(request.branch) +
      (request.task.empty() ? "" : " task " + OneLine(request.task));
  std::string text = "\n; " + what + ":\n";
  for (const Project& p : config.projects) {
    TargetMatch match;
    std::string why;
    text += "; [" + OneLine(p.name) + "] ";
    if (MatchTarget(p, request.branch, request.task, &match, &why)) {
      text += "key " + OneLine(match.key) + " runs: " + OneLine(match.command);
      std::string notify = ProjectSettingValue(config, p, "notify",
                                               request.branch, request.task);
      text += " (notify " + notify + ")\n";
    } else {
      text += why + "\n";
    }
  }
  if (config.projects.empty()) text += "; no projects\n";
  return text;
}

}  // namespace

CheckReport CheckConfig(const Config& config, const CheckRequest& request) {
  CheckReport report;
  report.warnings = config.warnings;
  std::string body = "[_]\n";
  for (const SettingText& s : SettingsOf(config)) {
    if (IsSecret(s.key))
      body +=
          s.key + " = " + (s.value.empty() ? "" : "(set, not shown)") + "\n";
    else
      body += s.key + " = " + OneLine(s.value) + "\n";
  }
  for (const Project& p : config.projects) body += DescribeProject(p, &report);
  if (!request.branch.empty()) body += DescribeBranch(config, request);

  std::string head = "; " + OneLine(config.path) + ": " +
                     Plural(config.projects.size(), "project") + ", " +
                     Plural(report.warnings.size(), "warning") + "\n";
  for (const std::string& w : report.warnings)
    head += "; warning: " + OneLine(w) + "\n";
  for (const std::string& n : report.notes)
    head += "; note: " + OneLine(n) + "\n";
  report.text = head + body;
  return report;
}

}  // namespace mm
