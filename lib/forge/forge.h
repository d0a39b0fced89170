// Payloads (mmbridge(1) Endpoints): the lightweight JSON of `/` and the push
// payloads of Gitea/Forgejo, GitHub and GitLab, each turned into the same
// build request, or into a verdict that makes no job (a ping, an ignored
// event, a deleted ref, a payload that is wrong). JSON only: no HTTP here.
#ifndef MIXMASTER_FORGE_H_
#define MIXMASTER_FORGE_H_

#include <string>
#include <vector>

#include "job/job.h"

namespace mm {

// The forge whose payloads are served at `path`: `/gitea`, `/github`,
// `/gitlab`, and Forge::kNone (the lightweight JSON) at `/`; false for any
// other path.
bool ForgeForPath(const std::string& path, Forge* forge);

// What a payload asks for; the bridge adds the id, command and settings.
struct BuildRequest {
  std::string scm;
  std::string repository_url;  // what the build fetches from
  // Every URL the payload names its repository by (the lightweight
  // repositoryUrl; a forge's SSH, HTTP and web URLs), for a project whose
  // repository is pinned (mixmaster.ini(5) Project settings).
  std::vector<std::string> repository_urls;
  std::string project;
  // A branch name, or a full ref: a tag (refs/tags/v1), or a branch whose
  // own name starts with refs/ (refs/heads/refs/tags/x), which a name alone
  // would make look like a tag.
  std::string target;
  // The ref as pushed (refs/heads/main); for the lightweight format, the
  // target as sent.
  std::string ref;
  std::string task;
  std::string commit;
  std::string view_url;
  // The forge's page of `commit`, when the payload names it.
  std::string commit_url;
  std::string message;
  // Who pushed (mmbridge(1) "Payload fields"); empty when the payload does
  // not say.
  std::string pusher;
  Notifications notifications = Notifications::kAll;
  // Forge pushes (mmbridge(1) "Commit statuses"): the forge, and the commit's
  // status URL when the payload yields a valid one (else empty).
  Forge forge = Forge::kNone;
  std::string status_url;
};

// What a payload comes to; the bridge answers each with its status code.
enum class PayloadKind {
  kBuild,        // the BuildRequest is filled in
  kPong,         // a GitHub ping
  kIgnored,      // an event other than a push, or a deleted ref
  kInvalid,      // not JSON, or a field missing or of the wrong type
  kUnsupported,  // a repository that is not git
};

// The outcome of reading a payload: a build, or an answer without a job.
struct PayloadVerdict {
  PayloadKind kind = PayloadKind::kBuild;
  std::string message;  // for anything but kBuild: what to answer
  bool build() const { return kind == PayloadKind::kBuild; }
};

// Reads `body` as a payload of `forge` sent with `event`, the forge's name
// for it (empty: a push; the bridge reads it from the forge's header). JSON of
// any size or nesting is parsed without recursion, in place: `body` is taken
// (move it in), so that a payload of maxRequestBytes is in memory once.
PayloadVerdict ReadPayload(Forge forge, const std::string& event,
                           std::string body, BuildRequest* request);

}  // namespace mm

#endif  // MIXMASTER_FORGE_H_
