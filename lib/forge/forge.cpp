#include "forge/forge.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <string.h>

#include "base/journal.h"
#include "base/text.h"
#include "forge/status_url.h"

namespace mm {
namespace {

using rapidjson::Value;

// A payload field that is wrong: the answer (kInvalid) names it.
struct FieldError {
  std::string message;
};

// Reads string fields of one JSON object, naming each field in its errors by
// `prefix` + its dotted path ("repository.full_name", "commits[0].url").
class FieldReader {
 public:
  FieldReader(const Value& object, std::string prefix)
      : object_(object), prefix_(std::move(prefix)) {}

  // The value at `path`, or null when it is absent or JSON null. Fails when
  // something on the way is not an object.
  bool Find(const std::string& path, const Value** out, FieldError* error) {
    const Value* v = &object_;
    size_t pos = 0;
    for (;;) {
      if (!v->IsObject()) {
        std::string name = prefix_ + path.substr(0, pos ? pos - 1 : 0);
        error->message =
            "field " + (name.empty() ? "payload" : name) + " must be an object";
        return false;
      }
      size_t dot = path.find('.', pos);
      std::string key = path.substr(pos, dot - pos);
      auto it =
          v->FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
      if (it == v->MemberEnd() || it->value.IsNull()) {
        *out = nullptr;
        return true;
      }
      v = &it->value;
      if (dot == std::string::npos) break;
      pos = dot + 1;
    }
    *out = v;
    return true;
  }

  // A string field; absent or null gives "". `required` also refuses "".
  bool String(const std::string& path, bool required, std::string* out,
              FieldError* error) {
    const Value* v = nullptr;
    if (!Find(path, &v, error)) return false;
    std::string name = prefix_ + path;
    if (!v) {
      if (required) error->message = "missing field " + name;
      out->clear();
      return !required;
    }
    if (!v->IsString()) {
      error->message = "field " + name + " must be a string";
      return false;
    }
    out->assign(v->GetString(), v->GetStringLength());
    if (out->find('\0') != std::string::npos) {
      error->message = "field " + name + " must not contain a NUL character";
      return false;
    }
    if (required && out->empty()) {
      error->message = "field " + name + " must not be empty";
      return false;
    }
    return true;
  }

  // The first or last element of the array at `path`, which must be an
  // object; null when the array is absent or empty.
  bool Element(const std::string& path, bool last, const Value** out,
               std::string* name, FieldError* error) {
    const Value* v = nullptr;
    if (!Find(path, &v, error)) return false;
    *out = nullptr;
    if (!v) return true;
    if (!v->IsArray()) {
      error->message = "field " + prefix_ + path + " must be an array";
      return false;
    }
    if (v->Empty()) return true;
    rapidjson::SizeType index = last ? v->Size() - 1 : 0;
    *name = prefix_ + path + "[" + std::to_string(index) + "]";
    *out = &(*v)[index];
    if (!(*out)->IsObject()) {
      error->message = "field " + *name + " must be an object";
      return false;
    }
    return true;
  }

 private:
  const Value& object_;
  std::string prefix_;
};

// A string field of the first or last element of an array of objects.
bool ElementString(FieldReader* root, const std::string& array, bool last,
                   const std::string& field, std::string* out,
                   FieldError* error) {
  const Value* element = nullptr;
  std::string name;
  if (!root->Element(array, last, &element, &name, error)) return false;
  out->clear();
  if (!element) return true;
  FieldReader reader(*element, name + ".");
  return reader.String(field, false, out, error);
}

bool ReadLightweight(FieldReader* f, BuildRequest* r, FieldError* e) {
  std::string notifications;
  if (!f->String("scm", true, &r->scm, e) ||
      !f->String("repositoryUrl", true, &r->repository_url, e) ||
      !f->String("project", true, &r->project, e) ||
      !f->String("target", true, &r->target, e) ||
      !f->String("commit", false, &r->commit, e) ||
      !f->String("task", false, &r->task, e) ||
      !f->String("viewUrl", false, &r->view_url, e) ||
      !f->String("message", false, &r->message, e) ||
      !f->String("pusher", false, &r->pusher, e))
    return false;
  r->ref = r->target;
  r->repository_urls = {r->repository_url};
  const Value* v = nullptr;
  if (!f->Find("notifications", &v, e)) return false;
  if (v) {
    if (!f->String("notifications", false, &notifications, e)) return false;
    if (!ParseNotifications(notifications, &r->notifications)) {
      e->message = "field notifications must be all, failures or none, not `" +
                   Printable(notifications) + "`";
      return false;
    }
  }
  return true;
}

// Where each forge keeps what mmbridge(1) Endpoints maps (the fields and
// the forge documentation each comes from: mmbridge(1) "Payload fields").
enum class CommitMessage { kNone, kFirst, kLast };
struct ForgeFields {
  const char* project;
  const char* ssh_url;
  const char* http_url;
  const char* web_url;          // names the repository too, never fetched
  const char* commit;           // preferred when set and not empty; else after
  const char* view_url;         // preferred
  const char* view_commit_url;  // else this field of the first commit
  const char* head_message;     // preferred
  CommitMessage message_from;   // else this commit's message
  const char* pusher;           // preferred
  const char* pusher_fallback;  // else this one
};

// Gitea and GitHub name the commit of an annotated tag in head_commit.id
// (`after` is the tag object); GitLab in checkout_sha.
const ForgeFields kGiteaFields = {"repository.full_name",
                                  "repository.ssh_url",
                                  "repository.clone_url",
                                  "repository.html_url",
                                  "head_commit.id",
                                  "compare_url",
                                  "url",
                                  "head_commit.message",
                                  CommitMessage::kFirst,
                                  "pusher.login",
                                  "pusher.username"};
const ForgeFields kGitHubFields = {"repository.full_name",
                                   "repository.ssh_url",
                                   "repository.clone_url",
                                   "repository.html_url",
                                   "head_commit.id",
                                   "compare",
                                   nullptr,
                                   "head_commit.message",
                                   CommitMessage::kNone,
                                   "pusher.name",
                                   "sender.login"};
const ForgeFields kGitLabFields = {"project.path_with_namespace",
                                   "project.git_ssh_url",
                                   "project.git_http_url",
                                   "project.web_url",
                                   "checkout_sha",
                                   "project.web_url",
                                   nullptr,
                                   nullptr,
                                   CommitMessage::kLast,
                                   "user_username",
                                   nullptr};

// The target of a pushed ref: a branch by its name, unless that name starts
// with refs/ itself (git allows a branch refs/tags/v9): then, like a tag or
// any other ref, by the full ref, so that it can never pass for a tag.
std::string TargetOfRef(const std::string& ref) {
  static const char kHeads[] = "refs/heads/";
  if (!StartsWith(ref, kHeads)) return ref;
  std::string branch = ref.substr(sizeof kHeads - 1);
  return StartsWith(branch, "refs/") ? ref : branch;
}

// The page of the commit built (mmbridge(1) "Payload fields"): the
// url of head_commit, else of the first or last of `commits`, whichever has
// the commit's id; none when none has. Only shown: a field of another type
// is left out, not refused.
void ReadCommitUrl(FieldReader* f, BuildRequest* r) {
  FieldError ignored;
  std::string id, url;
  if (r->commit.empty()) return;
  if (f->String("head_commit.id", false, &id, &ignored) && id == r->commit &&
      f->String("head_commit.url", false, &url, &ignored) && !url.empty()) {
    r->commit_url = url;
    return;
  }
  for (bool last : {false, true}) {
    if (ElementString(f, "commits", last, "id", &id, &ignored) &&
        id == r->commit &&
        ElementString(f, "commits", last, "url", &url, &ignored) &&
        !url.empty()) {
      r->commit_url = url;
      return;
    }
  }
}

bool ReadForge(const ForgeFields& map, FieldReader* f, const std::string& after,
               BuildRequest* r, FieldError* e) {
  r->scm = "git";
  std::string http_url, web_url;
  if (!f->String(map.project, true, &r->project, e) ||
      !f->String(map.ssh_url, false, &r->repository_url, e) ||
      !f->String(map.http_url, false, &http_url, e) ||
      !f->String(map.web_url, false, &web_url, e) ||
      !f->String("ref", true, &r->ref, e))
    return false;
  if (r->repository_url.empty()) r->repository_url = http_url;
  if (r->repository_url.empty()) {
    e->message =
        std::string("missing field ") + map.ssh_url + " or " + map.http_url;
    return false;
  }
  for (const std::string* url : {&r->repository_url, &http_url, &web_url})
    if (!url->empty()) r->repository_urls.push_back(*url);
  r->target = TargetOfRef(r->ref);
  if (r->target.empty()) {
    e->message = "field ref names no branch";
    return false;
  }
  r->commit = after;
  if (map.commit) {
    std::string commit;
    if (!f->String(map.commit, false, &commit, e)) return false;
    if (!commit.empty()) r->commit = commit;
  }
  if (!f->String(map.view_url, false, &r->view_url, e)) return false;
  if (r->view_url.empty() && map.view_commit_url &&
      !ElementString(f, "commits", false, map.view_commit_url, &r->view_url, e))
    return false;
  if (map.head_message && !f->String(map.head_message, false, &r->message, e))
    return false;
  if (r->message.empty() && map.message_from != CommitMessage::kNone &&
      !ElementString(f, "commits", map.message_from == CommitMessage::kLast,
                     "message", &r->message, e))
    return false;
  ReadCommitUrl(f, r);
  // Only shown: a pusher of another type is left out, not refused.
  FieldError ignored;
  for (const char* field : {map.pusher, map.pusher_fallback})
    if (field && r->pusher.empty() &&
        !f->String(field, false, &r->pusher, &ignored))
      r->pusher.clear();
  return true;
}

// The forge and the commit-status URL of a push (mmbridge(1) "Commit
// statuses"). A payload that yields no valid URL still queues its build.
void ReadStatusUrl(Forge format, FieldReader* f, BuildRequest* r) {
  FieldError ignored;
  std::string web_url, name, why;
  bool ok = false;
  r->forge = format;
  if (format == Forge::kGitea) {
    ok = f->String("repository.html_url", false, &web_url, &ignored) &&
         f->String("repository.full_name", false, &name, &ignored) &&
         GiteaStatusUrl(web_url, name, r->commit, &r->status_url, &why);
  } else if (format == Forge::kGitHub) {
    ok = f->String("repository.statuses_url", false, &web_url, &ignored) &&
         GitHubStatusUrl(web_url, r->commit, &r->status_url, &why);
  } else if (format == Forge::kGitLab) {
    ok = f->String("project.web_url", false, &web_url, &ignored) &&
         f->String("project.path_with_namespace", false, &name, &ignored) &&
         GitLabStatusUrl(web_url, name, r->commit, &r->status_url, &why);
  }
  if (!ok) r->status_url.clear();
}

PayloadVerdict Answer(PayloadKind kind, const std::string& message) {
  PayloadVerdict v;
  v.kind = kind;
  v.message = message;
  return v;
}

// "ignored: <event> event", or a kBuild verdict for a push.
PayloadVerdict CheckEvent(Forge format, const std::string& event) {
  if (event.empty() || format == Forge::kNone) return {};
  bool push = false;
  switch (format) {
    case Forge::kGitea:
      push = event == "push";
      break;
    case Forge::kGitHub:
      if (event == "ping") return Answer(PayloadKind::kPong, "pong");
      push = event == "push";
      break;
    case Forge::kGitLab:
      push = event == "Push Hook" || event == "Tag Push Hook";
      break;
    case Forge::kNone:
      break;
  }
  if (push) return {};
  return Answer(PayloadKind::kIgnored,
                "ignored: " + Printable(event) + " event");
}

// GitLab names tag pushes by their event: a "Push Hook" is never a tag's
// (GitLab's webhook_events.md, "Push events"), and a "Tag Push Hook" always
// is. A ref that says otherwise is refused rather than guessed at.
bool RefFitsEvent(Forge format, const std::string& event,
                  const std::string& ref, FieldError* e) {
  if (format != Forge::kGitLab || event.empty()) return true;
  bool tag = StartsWith(ref, "refs/tags/");
  if (tag == (event == "Tag Push Hook")) return true;
  e->message = "field ref `" + Printable(ref) + "` is " +
               (tag ? "a tag" : "not a tag") + ", but the event is " +
               Printable(event);
  return false;
}

bool AllZeros(const std::string& s) {
  return !s.empty() && s.find_first_not_of('0') == std::string::npos;
}

}  // namespace

bool ForgeForPath(const std::string& path, Forge* format) {
  if (path == "/") {
    *format = Forge::kNone;
  } else if (path == "/gitea") {
    *format = Forge::kGitea;
  } else if (path == "/github") {
    *format = Forge::kGitHub;
  } else if (path == "/gitlab") {
    *format = Forge::kGitLab;
  } else {
    return false;
  }
  return true;
}

PayloadVerdict ReadPayload(Forge format, const std::string& event,
                           std::string body, BuildRequest* request) {
  PayloadVerdict verdict = CheckEvent(format, event);
  if (!verdict.build()) return verdict;

  // Iterative: a payload nested 100,000 deep costs heap, not stack. The
  // document's pool allocator frees without recursion too. In place (the
  // strings stay in `body`, unescaped there), so that the document adds
  // only its values; in-place parsing stops at a NUL byte, so a body
  // holding one is parsed by length, which reports it.
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  rapidjson::Document doc;
  if (memchr(body.data(), '\0', body.size())) {
    doc.Parse<kFlags>(body.data(), body.size());
  } else {
    // rapidjson's UTF-8 check takes a lead byte's continuation bytes
    // before it looks at them: a body ending in a cut sequence would be
    // read past its terminating NUL (found by make fuzz). Three more NULs
    // end any sequence inside the string.
    body.append(3, '\0');
    doc.ParseInsitu<kFlags>(&body[0]);
  }
  if (doc.HasParseError())
    return Answer(PayloadKind::kInvalid,
                  "invalid JSON at byte " +
                      std::to_string(doc.GetErrorOffset()) + ": " +
                      GetParseError_En(doc.GetParseError()));
  if (!doc.IsObject())
    return Answer(PayloadKind::kInvalid, "payload must be a JSON object");

  FieldReader fields(doc, "");
  FieldError error;
  BuildRequest r;
  bool ok;
  if (format == Forge::kNone) {
    ok = ReadLightweight(&fields, &r, &error);
  } else {
    std::string after;
    if (!fields.String("after", false, &after, &error))
      return Answer(PayloadKind::kInvalid, error.message);
    if (AllZeros(after))
      return Answer(PayloadKind::kIgnored, "ignored: ref deleted");
    const ForgeFields& map = format == Forge::kGitea    ? kGiteaFields
                             : format == Forge::kGitHub ? kGitHubFields
                                                        : kGitLabFields;
    ok = ReadForge(map, &fields, after, &r, &error) &&
         RefFitsEvent(format, event, r.ref, &error);
    if (ok) ReadStatusUrl(format, &fields, &r);
  }
  if (!ok) return Answer(PayloadKind::kInvalid, error.message);
  if (r.scm != "git")
    return Answer(
        PayloadKind::kUnsupported,
        "unsupported scm " + Printable(r.scm) + ": only git is supported");
  *request = std::move(r);
  return verdict;
}

}  // namespace mm
