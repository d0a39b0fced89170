// Payloads (SPEC 4.2, 4.3): the lightweight JSON of `/` and the push
// payloads of Gitea/Forgejo, GitHub and GitLab, each turned into the same
// build request, or into an answer that makes no job (a ping, an ignored
// event, a deleted ref, a payload that is wrong).
#ifndef MIXMASTER_FORGE_H_
#define MIXMASTER_FORGE_H_

#include <string>

#include "http_request.h"

namespace mm {

enum class PayloadFormat { kLightweight, kGitea, kGitHub, kGitLab };

// The format served at `path` (`/`, `/gitea`, `/github`, `/gitlab`); false
// for any other path.
bool PayloadFormatForPath(const std::string& path, PayloadFormat* format);

// True when `content_type` (null: the header was not sent) announces JSON:
// `application/json` or `application/<anything>+json`, with any parameters.
// A request without Content-Type is taken as JSON, since a person with curl
// often sends none.
bool IsJsonContentType(const std::string* content_type);

// What a payload asks for; the bridge adds the id, command and settings.
struct BuildRequest {
  std::string scm;
  std::string repository_url;
  std::string project;
  std::string target;
  std::string task;
  std::string commit;
  std::string view_url;
  std::string message;
  std::string notifications = "all";  // all, failures, none
  // Forge pushes (mmbridge(1) "Commit statuses"): the forge, and the commit's
  // status URL when the payload yields a valid one (else empty).
  std::string forge;
  std::string status_url;
};

// The outcome of reading a payload: a build, or an answer without a job.
struct PayloadVerdict {
  bool build = false;   // true: the BuildRequest is filled in
  int status = 0;       // otherwise: 200 pong, 202 ignored, 400, 422
  std::string message;  // the response body when !build
};

// The event named by the forge's header (X-Gitea-Event or X-Forgejo-Event,
// X-GitHub-Event, X-Gitlab-Event); empty when there is none, which is taken
// as a push. Always empty for the lightweight format.
std::string PayloadEvent(PayloadFormat format, const HttpRequest& request);

// Reads `body` as a payload of `format` sent with `event`. JSON of any size
// or nesting is parsed without recursion.
PayloadVerdict ReadPayload(PayloadFormat format, const std::string& event,
                           const std::string& body, BuildRequest* request);

}  // namespace mm

#endif  // MIXMASTER_FORGE_H_
