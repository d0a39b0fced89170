#include "forge/commit_status.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "base/paths.h"
#include "base/version.h"

namespace mm {
namespace {

void Field(rapidjson::Writer<rapidjson::StringBuffer>* w, const char* key,
           const std::string& value) {
  w->Key(key);
  w->String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

std::string StatusState(Forge forge, const StatusFacts& facts) {
  bool gitlab = forge == Forge::kGitLab;
  if (facts.started) return gitlab ? "running" : "pending";
  switch (facts.status) {
    case BuildStatus::kSuccess:
      return "success";
    case BuildStatus::kFailure:
      return gitlab ? "failed" : "failure";
    case BuildStatus::kError:
      return gitlab ? "failed" : "error";
    case BuildStatus::kKilled:
      return gitlab ? "canceled" : "error";
  }
  return "error";
}

std::string StatusContext(const std::string& target, const std::string& task) {
  return "mixmaster/" + target + (task.empty() ? "" : "/" + task);
}

std::string StatusDescription(const StatusFacts& facts) {
  if (facts.started) return "build started";
  if (facts.runner_died) return "build error: its runner died";
  std::string what;
  switch (facts.status) {
    case BuildStatus::kSuccess:
      what = "build passed";
      break;
    case BuildStatus::kFailure:
      what = "build failed (exit " + std::to_string(facts.exit_code) + ")";
      break;
    case BuildStatus::kError:
      what = "build could not run (error)";
      break;
    case BuildStatus::kKilled:
      what = "build killed";
      break;
  }
  return what + " after " + std::to_string(facts.seconds) + " s";
}

std::string StatusTargetUrl(const std::string& public_url,
                            const std::string& project,
                            const std::string& job_id,
                            const std::string& view_url) {
  if (public_url.empty()) return view_url;
  std::string base = public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/builds/" + SafeName(project) + "/" + job_id;
}

StatusRequest ComposeStatus(Forge forge, const std::string& status_url,
                            const StatusFacts& facts,
                            const std::string& token) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  Field(&w, "state", StatusState(forge, facts));
  // GitLab calls the context `name` (it also takes `context`, but `name` is
  // the one its documentation leads with).
  Field(&w, forge == Forge::kGitLab ? "name" : "context",
        StatusContext(facts.target, facts.task));
  Field(&w, "description", StatusDescription(facts));
  if (!facts.target_url.empty()) Field(&w, "target_url", facts.target_url);
  w.EndObject();

  StatusRequest request;
  request.url = status_url;
  request.body.assign(buffer.GetString(), buffer.GetSize());
  request.headers.push_back("Content-Type: application/json");
  request.headers.push_back(std::string("User-Agent: Mixmaster/") + Version());
  switch (forge) {
    case Forge::kGitea:
      request.headers.push_back("Accept: application/json");
      request.headers.push_back("Authorization: token " + token);
      break;
    case Forge::kGitHub:
      request.headers.push_back("Accept: application/vnd.github+json");
      request.headers.push_back("Authorization: Bearer " + token);
      break;
    case Forge::kGitLab:
      request.headers.push_back("Accept: application/json");
      request.headers.push_back("PRIVATE-TOKEN: " + token);
      break;
    case Forge::kNone:  // no forge takes a status: never asked for
      break;
  }
  return request;
}

}  // namespace mm
