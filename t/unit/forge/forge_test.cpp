#include "forge/forge.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <string.h>

#include <string>

#include "base/ini.h"
#include "support/fixtures.h"

namespace mm {
namespace {

using testing_support::Fixture;

PayloadVerdict Read(Forge format, const std::string& event,
                    const std::string& body, BuildRequest* r) {
  return ReadPayload(format, event, body, r);
}

// The 400 (or other) answer for a lightweight payload.
std::string LightweightError(const std::string& body,
                             PayloadKind kind = PayloadKind::kInvalid) {
  BuildRequest r;
  PayloadVerdict v = Read(Forge::kNone, "", body, &r);
  EXPECT_FALSE(v.build()) << body;
  EXPECT_EQ(v.kind, kind) << body;
  return v.message;
}

const char kMinimal[] =
    R"({"scm":"git","repositoryUrl":"git@example.com:o/r.git",)"
    R"("project":"o/r","target":"main"})";

TEST(ForgeTest, GiteaFixture) {
  BuildRequest r;
  PayloadVerdict v =
      Read(Forge::kGitea, "push", Fixture("gitea-push.json"), &r);
  ASSERT_TRUE(v.build()) << v.message;
  EXPECT_EQ(r.scm, "git");
  EXPECT_EQ(r.project, "test-org/test-repo");
  EXPECT_EQ(r.repository_url, "git@git.example.com:test-org/test-repo");
  EXPECT_EQ(r.target, "production");
  EXPECT_EQ(r.commit, "HEAD");
  EXPECT_EQ(r.view_url, "http://example.com/compare_url");
  // head_commit is null: the first commit's message.
  EXPECT_EQ(r.message, "Test commit message\n");
  EXPECT_EQ(r.task, "");
  EXPECT_EQ(r.notifications, Notifications::kAll);
  EXPECT_EQ(r.pusher, "test");  // pusher.login
  EXPECT_EQ(r.commit_url, "");  // no commit of the payload has id HEAD
}

TEST(ForgeTest, GiteaFallsBackToCloneUrlAndFirstCommitUrl) {
  std::string body = Fixture("gitea-push.json");
  body.replace(body.find("git@git.example.com:test-org/test-repo"),
               strlen("git@git.example.com:test-org/test-repo"), "");
  body.replace(body.find("http://example.com/compare_url"),
               strlen("http://example.com/compare_url"), "");
  BuildRequest r;
  ASSERT_TRUE(Read(Forge::kGitea, "", body, &r).build());
  EXPECT_EQ(r.repository_url, "file:///tmp/test-repo");
  EXPECT_EQ(r.view_url, "http://example.com/commit/xxx");
}

TEST(ForgeTest, GitHubFixture) {
  BuildRequest r;
  PayloadVerdict v =
      Read(Forge::kGitHub, "push", Fixture("github-push.json"), &r);
  ASSERT_TRUE(v.build()) << v.message;
  EXPECT_EQ(r.project, "Codertocat/Hello-World");
  EXPECT_EQ(r.repository_url, "git@github.com:Codertocat/Hello-World.git");
  EXPECT_EQ(r.target, "master");
  EXPECT_EQ(r.commit, "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
  EXPECT_EQ(r.view_url,
            "https://github.com/Codertocat/Hello-World/commit/"
            "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
  EXPECT_EQ(r.message, "Initial commit");
  EXPECT_EQ(r.pusher, "Codertocat");  // pusher.name
  EXPECT_EQ(r.commit_url,
            "https://github.com/Codertocat/Hello-World/commit/"
            "6113728f27ae82c7b1a177c8d03f9e96e0adf246");  // head_commit.url
}

TEST(ForgeTest, GitLabFixture) {
  BuildRequest r;
  PayloadVerdict v =
      Read(Forge::kGitLab, "Push Hook", Fixture("gitlab-push.json"), &r);
  ASSERT_TRUE(v.build()) << v.message;
  EXPECT_EQ(r.project, "example-group/web-shop");
  EXPECT_EQ(r.repository_url,
            "git@gitlab.example.com:example-group/web-shop.git");
  EXPECT_EQ(r.target, "staging/login-form");
  EXPECT_EQ(r.commit, "da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
  EXPECT_EQ(r.view_url, "https://gitlab.example.com/example-group/web-shop");
  EXPECT_EQ(r.message, "Show the error under the field\n");  // the last one
  EXPECT_EQ(r.pusher, "ada");                                // user_username
  // The last of `commits`, whose id is checkout_sha.
  EXPECT_EQ(r.commit_url,
            "https://gitlab.example.com/example-group/web-shop/-/commit/"
            "da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
}

// Gitea and Forgejo list the newest commit first: its url is the commit's
// page when its id is the commit built, whatever compare_url says.
TEST(ForgeTest, GiteaCommitUrlIsThatOfTheCommitBuilt) {
  std::string body = Fixture("gitea-push.json");
  body.replace(body.find("\"after\": \"HEAD\""), strlen("\"after\": \"HEAD\""),
               "\"after\": \"xxx\"");
  BuildRequest r;
  ASSERT_TRUE(Read(Forge::kGitea, "push", body, &r).build());
  EXPECT_EQ(r.commit, "xxx");
  EXPECT_EQ(r.commit_url, "http://example.com/commit/xxx");
  EXPECT_EQ(r.view_url, "http://example.com/compare_url");
}

// Who pushed is only shown: each forge's second field when the first is
// missing, and a pusher of the wrong type is left out, never a 400.
TEST(ForgeTest, PusherFallsBackAndNeverRefusesAPush) {
  std::string gitea = Fixture("gitea-push.json");
  gitea.replace(gitea.find("\"login\": \"test\""),
                strlen("\"login\": \"test\""), "\"login\": null");
  BuildRequest r;
  ASSERT_TRUE(Read(Forge::kGitea, "push", gitea, &r).build());
  EXPECT_EQ(r.pusher, "test");  // pusher.username
  std::string github = Fixture("github-push.json");
  github.replace(github.find("\"name\": \"Codertocat\""),
                 strlen("\"name\": \"Codertocat\""), "\"name\": 7");
  ASSERT_TRUE(Read(Forge::kGitHub, "push", github, &r).build());
  EXPECT_EQ(r.pusher, "Codertocat");  // sender.login
  std::string gitlab = Fixture("gitlab-push.json");
  gitlab.replace(gitlab.find("\"user_username\": \"ada\""),
                 strlen("\"user_username\": \"ada\""), "\"user_username\": {}");
  ASSERT_TRUE(Read(Forge::kGitLab, "Push Hook", gitlab, &r).build());
  EXPECT_EQ(r.pusher, "");
}

TEST(ForgeTest, GitLabTagPushKeepsTheFullRefAndTheCheckoutSha) {
  BuildRequest r;
  PayloadVerdict v = Read(Forge::kGitLab, "Tag Push Hook",
                          Fixture("gitlab-tag-push.json"), &r);
  ASSERT_TRUE(v.build()) << v.message;
  EXPECT_EQ(r.target, "refs/tags/v1.2.0");
  EXPECT_EQ(r.commit, "5937ac0a7beb003549fc5fd26fc247adbce4a52e");
  EXPECT_EQ(r.message, "");  // no commits in a tag push
}

TEST(ForgeTest, GitHubTagRefIsKept) {
  std::string body = Fixture("github-push.json");
  body.replace(body.find("refs/heads/master"), 17, "refs/tags/v2.0");
  BuildRequest r;
  ASSERT_TRUE(Read(Forge::kGitHub, "push", body, &r).build());
  EXPECT_EQ(r.target, "refs/tags/v2.0");
}

// Replaces the first `from` in `text` by `to`.
std::string Replaced(std::string text, const std::string& from,
                     const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

const char kTagObject[] = "0fd6b7e4a6d2ac1b7e0b1c6c3c8c0c1a5d1e2f30";

// An annotated tag pushed to GitHub: `after` is the tag object, head_commit
// the commit it points to (GitHub's push event, `head_commit`).
TEST(ForgeTest, GitHubAnnotatedTagBuildsItsCommit) {
  std::string body = Replaced(Fixture("github-push.json"), "refs/heads/master",
                              "refs/tags/v2.0");
  body =
      Replaced(body, "\"after\": \"6113728f27ae82c7b1a177c8d03f9e96e0adf246\"",
               std::string("\"after\": \"") + kTagObject + "\"");
  BuildRequest r;
  ASSERT_TRUE(Read(Forge::kGitHub, "push", body, &r).build());
  EXPECT_EQ(r.target, "refs/tags/v2.0");
  EXPECT_EQ(r.ref, "refs/tags/v2.0");
  EXPECT_EQ(r.commit, "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
  EXPECT_EQ(r.status_url,
            "https://api.github.com/repos/Codertocat/Hello-World/statuses/"
            "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
  // Without head_commit, `after` as before.
  body =
      Replaced(body, "\"head_commit\": {", "\"head_commit\": null, \"x\": {");
  ASSERT_TRUE(Read(Forge::kGitHub, "push", body, &r).build());
  EXPECT_EQ(r.commit, kTagObject);
}

// Gitea and Forgejo: the same fields (services/repository/push.go sets
// head_commit to the tag's commit).
TEST(ForgeTest, GiteaAnnotatedTagBuildsItsCommit) {
  std::string body = Replaced(Fixture("gitea-push.json"),
                              "refs/heads/production", "refs/tags/v3");
  body = Replaced(body, "\"after\": \"HEAD\"",
                  std::string("\"after\": \"") + kTagObject + "\"");
  body = Replaced(body, "http://example.com/testrepo",
                  "http://example.com/test-org/test-repo");
  body = Replaced(body, "\"head_commit\": null",
                  "\"head_commit\": {\"id\": "
                  "\"1111111111111111111111111111111111111111\"}");
  BuildRequest r;
  ASSERT_TRUE(Read(Forge::kGitea, "push", body, &r).build());
  EXPECT_EQ(r.target, "refs/tags/v3");
  EXPECT_EQ(r.commit, "1111111111111111111111111111111111111111");
  EXPECT_EQ(r.status_url,
            "http://example.com/api/v1/repos/test-org/test-repo/statuses/"
            "1111111111111111111111111111111111111111");
}

// A branch whose name starts with refs/ keeps refs/heads/ in its target on
// every forge endpoint, so it never passes for a tag.
TEST(ForgeTest, BranchNamedLikeATagStaysABranch) {
  BuildRequest r;
  std::string gitea =
      Replaced(Fixture("gitea-push.json"), "refs/heads/production",
               "refs/heads/refs/tags/v9");
  ASSERT_TRUE(Read(Forge::kGitea, "push", gitea, &r).build());
  EXPECT_EQ(r.target, "refs/heads/refs/tags/v9");
  std::string github = Replaced(Fixture("github-push.json"),
                                "refs/heads/master", "refs/heads/refs/tags/v9");
  ASSERT_TRUE(Read(Forge::kGitHub, "push", github, &r).build());
  EXPECT_EQ(r.target, "refs/heads/refs/tags/v9");
  std::string gitlab =
      Replaced(Fixture("gitlab-push.json"), "refs/heads/staging/login-form",
               "refs/heads/refs/tags/v9");
  ASSERT_TRUE(Read(Forge::kGitLab, "Push Hook", gitlab, &r).build());
  EXPECT_EQ(r.target, "refs/heads/refs/tags/v9");
  EXPECT_EQ(r.ref, "refs/heads/refs/tags/v9");
  // Any other branch is its name.
  ASSERT_TRUE(
      Read(Forge::kGitLab, "Push Hook",
           Replaced(gitlab, "refs/heads/refs/tags/v9", "refs/heads/tags/v9"),
           &r)
          .build());
  EXPECT_EQ(r.target, "tags/v9");
}

// GitLab tells tags by the event: a Push Hook is never a tag's, a Tag Push
// Hook always is.
TEST(ForgeTest, GitLabEventAndRefMustAgree) {
  BuildRequest r;
  PayloadVerdict v =
      Read(Forge::kGitLab, "Push Hook", Fixture("gitlab-tag-push.json"), &r);
  EXPECT_EQ(v.kind, PayloadKind::kInvalid);
  EXPECT_EQ(
      v.message,
      "field ref `refs/tags/v1.2.0` is a tag, but the event is Push Hook");
  v = Read(Forge::kGitLab, "Tag Push Hook", Fixture("gitlab-push.json"), &r);
  EXPECT_EQ(v.message,
            "field ref `refs/heads/staging/login-form` is not a tag, but the "
            "event is Tag Push Hook");
  // Without the header, the ref decides.
  EXPECT_TRUE(
      Read(Forge::kGitLab, "", Fixture("gitlab-tag-push.json"), &r).build());
}

// What a pinned repository is compared with (mixmaster.ini(5) Projects).
TEST(ForgeTest, EveryRepositoryUrlIsKept) {
  BuildRequest r;
  ASSERT_TRUE(
      Read(Forge::kGitHub, "push", Fixture("github-push.json"), &r).build());
  EXPECT_EQ(
      r.repository_urls,
      (std::vector<std::string>{"git@github.com:Codertocat/Hello-World.git",
                                "https://github.com/Codertocat/Hello-World.git",
                                "https://github.com/Codertocat/Hello-World"}));
  ASSERT_TRUE(
      Read(Forge::kGitLab, "Tag Push Hook", Fixture("gitlab-tag-push.json"), &r)
          .build());
  EXPECT_EQ(r.repository_urls,
            (std::vector<std::string>{
                "git@gitlab.example.com:example-group/web-shop.git",
                "https://gitlab.example.com/example-group/web-shop.git",
                "https://gitlab.example.com/example-group/web-shop"}));
  ASSERT_TRUE(Read(Forge::kNone, "", kMinimal, &r).build());
  EXPECT_EQ(r.repository_urls,
            std::vector<std::string>{"git@example.com:o/r.git"});
  EXPECT_EQ(r.ref, "main");
}

TEST(ForgeTest, EventHeaders) {
  BuildRequest r;
  PayloadVerdict v = Read(Forge::kGitHub, "ping", "{\"zen\":1}", &r);
  EXPECT_FALSE(v.build());
  EXPECT_EQ(v.kind, PayloadKind::kPong);
  EXPECT_EQ(v.message, "pong");

  v = Read(Forge::kGitHub, "pull_request", "not even JSON", &r);
  EXPECT_EQ(v.kind, PayloadKind::kIgnored);
  EXPECT_EQ(v.message, "ignored: pull_request event");
  v = Read(Forge::kGitea, "issues", "{}", &r);
  EXPECT_EQ(v.kind, PayloadKind::kIgnored);
  EXPECT_EQ(v.message, "ignored: issues event");
  v = Read(Forge::kGitLab, "Merge Request Hook", "{}", &r);
  EXPECT_EQ(v.kind, PayloadKind::kIgnored);
  EXPECT_EQ(v.message, "ignored: Merge Request Hook event");
  // GitLab's push names are its own; a Gitea name is not a push there.
  v = Read(Forge::kGitLab, "push", "{}", &r);
  EXPECT_EQ(v.message, "ignored: push event");
  // No event header: a push.
  EXPECT_TRUE(
      Read(Forge::kGitHub, "", Fixture("github-push.json"), &r).build());
}

TEST(ForgeTest, DeletedRefIsIgnored) {
  std::string body = Fixture("gitlab-push.json");
  const std::string after =
      "\"after\": \"da1560886d4f094c3e6c9ef40349f7d38b5d27d7\"";
  body.replace(body.find(after), after.size(),
               "\"after\": \"0000000000000000000000000000000000000000\"");
  BuildRequest r;
  PayloadVerdict v = Read(Forge::kGitLab, "Push Hook", body, &r);
  EXPECT_FALSE(v.build());
  EXPECT_EQ(v.kind, PayloadKind::kIgnored);
  EXPECT_EQ(v.message, "ignored: ref deleted");
  v = Read(Forge::kGitHub, "push",
           R"({"after":"0000000000000000000000000000000000000000"})", &r);
  EXPECT_EQ(v.message, "ignored: ref deleted");
}

TEST(ForgeTest, LightweightPayload) {
  BuildRequest r;
  PayloadVerdict v = Read(Forge::kNone, "",
                          R"({"scm":"git","repositoryUrl":"/srv/r.git",
                              "project":"o/r","target":"master",
                              "commit":"abc123","task":"docs",
                              "viewUrl":"https://x/1","message":"m",
                              "notifications":"failures","extra":[1,2],
                              "pusher":"ada"})",
                          &r);
  ASSERT_TRUE(v.build()) << v.message;
  EXPECT_EQ(r.repository_url, "/srv/r.git");
  EXPECT_EQ(r.project, "o/r");
  EXPECT_EQ(r.target, "master");
  EXPECT_EQ(r.commit, "abc123");
  EXPECT_EQ(r.task, "docs");
  EXPECT_EQ(r.view_url, "https://x/1");
  EXPECT_EQ(r.message, "m");
  EXPECT_EQ(r.notifications, Notifications::kFailures);
  EXPECT_EQ(r.pusher, "ada");

  ASSERT_TRUE(Read(Forge::kNone, "", kMinimal, &r).build());
  EXPECT_EQ(r.notifications, Notifications::kAll);
  EXPECT_EQ(r.commit, "");
}

TEST(ForgeTest, LightweightTargetIsTakenLiterally) {
  BuildRequest r;
  std::string body = kMinimal;
  body.replace(body.find("\"main\""), 6, "\"refs/heads/main\"");
  ASSERT_TRUE(Read(Forge::kNone, "", body, &r).build());
  EXPECT_EQ(r.target, "refs/heads/main");
}

TEST(ForgeTest, InvalidJsonIs400) {
  EXPECT_EQ(LightweightError("{\"scm\": "),
            "invalid JSON at byte 8: Invalid value.");
  EXPECT_EQ(LightweightError(""),
            "invalid JSON at byte 0: The document is empty.");
  EXPECT_EQ(LightweightError(std::string(kMinimal) + " {}").substr(0, 15),
            "invalid JSON at");
  EXPECT_EQ(LightweightError("{\"scm\":\"g\xff\"}").substr(0, 15),
            "invalid JSON at");  // not UTF-8
  EXPECT_EQ(LightweightError("[1,2]"), "payload must be a JSON object");
  // A body that ends inside a UTF-8 sequence is refused without a byte
  // read past it (the sanitizer suite runs this; make fuzz found it).
  for (const char* cut : {"tb\n{\"lll\xed", "{\"a\":\"\xf0\x9f", "{\"\xe2"})
    EXPECT_EQ(LightweightError(cut).substr(0, 15), "invalid JSON at") << cut;
}

TEST(ForgeTest, DeepNestingDoesNotOverflowTheStack) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  EXPECT_EQ(LightweightError(deep), "payload must be a JSON object");
  std::string deep_object = "{\"scm\":";
  for (int i = 0; i < 100000; ++i) deep_object += "{\"a\":";
  deep_object += "1" + std::string(100000, '}') + "}";
  EXPECT_EQ(LightweightError(deep_object), "field scm must be a string");
  std::string unclosed(100000, '[');
  EXPECT_EQ(LightweightError(unclosed).substr(0, 15), "invalid JSON at");
}

TEST(ForgeTest, MissingAndWrongFieldsAreNamed) {
  EXPECT_EQ(LightweightError(R"({"scm":"git","project":"o/r","target":"m"})"),
            "missing field repositoryUrl");
  EXPECT_EQ(
      LightweightError(R"({"scm":"git","repositoryUrl":"u","project":"o/r"})"),
      "missing field target");
  EXPECT_EQ(LightweightError(R"({"scm":"git","repositoryUrl":"u",
                                 "project":7,"target":"m"})"),
            "field project must be a string");
  EXPECT_EQ(LightweightError(R"({"scm":"git","repositoryUrl":"u",
                                 "project":"","target":"m"})"),
            "field project must not be empty");
  EXPECT_EQ(LightweightError(R"({"scm":"git","repositoryUrl":"u",
                                 "project":"o/r","target":"m","task":[]})"),
            "field task must be a string");
  EXPECT_EQ(LightweightError(R"({"scm":"git","repositoryUrl":"u",
                                 "project":"o\u0000r","target":"m"})"),
            "field project must not contain a NUL character");

  BuildRequest r;
  PayloadVerdict v =
      Read(Forge::kGitea, "push", R"({"ref":"refs/heads/m"})", &r);
  EXPECT_EQ(v.kind, PayloadKind::kInvalid);
  EXPECT_EQ(v.message, "missing field repository.full_name");
  v = Read(Forge::kGitea, "push",
           R"({"ref":"refs/heads/m","repository":"o/r"})", &r);
  EXPECT_EQ(v.message, "field repository must be an object");
  v = Read(Forge::kGitHub, "push",
           R"({"ref":"refs/heads/m","repository":{"full_name":"o/r"}})", &r);
  EXPECT_EQ(v.message,
            "missing field repository.ssh_url or repository.clone_url");
  v = Read(Forge::kGitLab, "Push Hook",
           R"({"ref":5,"project":{"path_with_namespace":"o/r",
               "git_http_url":"u"}})",
           &r);
  EXPECT_EQ(v.message, "field ref must be a string");
  v = Read(Forge::kGitLab, "Push Hook",
           R"({"ref":"refs/heads/m","project":{"path_with_namespace":"o/r",
               "git_http_url":"u"},"commits":[{"message":1}]})",
           &r);
  EXPECT_EQ(v.message, "field commits[0].message must be a string");
  v = Read(Forge::kGitea, "push",
           R"({"ref":"refs/heads/","repository":{"full_name":"o/r",
               "clone_url":"u"}})",
           &r);
  EXPECT_EQ(v.message, "field ref names no branch");
  v = Read(Forge::kGitea, "push", R"({"after":1})", &r);
  EXPECT_EQ(v.message, "field after must be a string");
}

TEST(ForgeTest, NotificationsMustBeKnown) {
  std::string body = kMinimal;
  body.insert(body.size() - 1, ",\"notifications\":\"sometimes\"");
  EXPECT_EQ(LightweightError(body),
            "field notifications must be all, failures or none, not "
            "`sometimes`");
  body = kMinimal;
  body.insert(body.size() - 1, ",\"notifications\":\"none\"");
  BuildRequest r;
  ASSERT_TRUE(Read(Forge::kNone, "", body, &r).build());
  EXPECT_EQ(r.notifications, Notifications::kNone);
}

TEST(ForgeTest, OnlyGitIsSupported) {
  std::string body = kMinimal;
  body.replace(body.find("\"git\""), 5, "\"svn\"");
  EXPECT_EQ(LightweightError(body, PayloadKind::kUnsupported),
            "unsupported scm svn: only git is supported");
}

TEST(ForgeTest, Paths) {
  Forge f;
  ASSERT_TRUE(ForgeForPath("/", &f));
  EXPECT_EQ(f, Forge::kNone);
  ASSERT_TRUE(ForgeForPath("/gitea", &f));
  EXPECT_EQ(f, Forge::kGitea);
  ASSERT_TRUE(ForgeForPath("/github", &f));
  EXPECT_EQ(f, Forge::kGitHub);
  ASSERT_TRUE(ForgeForPath("/gitlab", &f));
  EXPECT_EQ(f, Forge::kGitLab);
  EXPECT_FALSE(ForgeForPath("/gitea/", &f));
  EXPECT_FALSE(ForgeForPath("/version", &f));
  EXPECT_FALSE(ForgeForPath("", &f));
}

}  // namespace
}  // namespace mm
