#include "forge/status_url.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "base/ini.h"
#include "forge/forge.h"
#include "support/fixtures.h"

namespace mm {
namespace {

using testing_support::Fixture;

std::string Replace(std::string text, const std::string& from,
                    const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

BuildRequest Read(Forge format, const std::string& body) {
  BuildRequest r;
  PayloadVerdict v = ReadPayload(format, "", body, &r);
  EXPECT_TRUE(v.build()) << v.message;
  return r;
}

const char kSha[] = "0123456789abcdef0123456789abcdef01234567";

TEST(StatusUrlTest, GiteaFromFixture) {
  // The fixture (from Gitea's documentation) pushes "HEAD", and its
  // html_url does not end with its full name: no status URL, still a build.
  BuildRequest r = Read(Forge::kGitea, Fixture("gitea-push.json"));
  EXPECT_EQ(r.forge, Forge::kGitea);
  EXPECT_EQ(r.status_url, "");
  // As a real Gitea sends it: base + /api/v1/repos/owner/repo/statuses/sha.
  std::string body = Replace(Fixture("gitea-push.json"), "\"after\": \"HEAD\"",
                             std::string("\"after\": \"") + kSha + "\"");
  body = Replace(body, "\"html_url\": \"http://example.com/testrepo\"",
                 "\"html_url\": \"http://example.com/git/test-org/test-repo\"");
  r = Read(Forge::kGitea, body);
  EXPECT_EQ(r.forge, Forge::kGitea);
  EXPECT_EQ(r.status_url, std::string("http://example.com/git/api/v1/repos/"
                                      "test-org/test-repo/statuses/") +
                              kSha);
}

TEST(StatusUrlTest, GitHubFromFixture) {
  BuildRequest r = Read(Forge::kGitHub, Fixture("github-push.json"));
  EXPECT_EQ(r.forge, Forge::kGitHub);
  EXPECT_EQ(r.status_url,
            "https://api.github.com/repos/Codertocat/Hello-World/statuses/"
            "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
}

TEST(StatusUrlTest, GitLabFromFixtures) {
  BuildRequest r = Read(Forge::kGitLab, Fixture("gitlab-push.json"));
  EXPECT_EQ(r.forge, Forge::kGitLab);
  EXPECT_EQ(
      r.status_url,
      "https://gitlab.example.com/api/v4/projects/example-group%2Fweb-shop/"
      "statuses/da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
  // A tag push: the status of the commit the tag points at (checkout_sha).
  r = Read(Forge::kGitLab, Fixture("gitlab-tag-push.json"));
  EXPECT_EQ(
      r.status_url,
      "https://gitlab.example.com/api/v4/projects/example-group%2Fweb-shop/"
      "statuses/5937ac0a7beb003549fc5fd26fc247adbce4a52e");
}

TEST(StatusUrlTest, LightweightRecordsNone) {
  BuildRequest r =
      Read(Forge::kNone,
           R"({"scm":"git","repositoryUrl":"x","project":"o/r","target":"m",)"
           R"("commit":"0123456789abcdef0123456789abcdef01234567"})");
  EXPECT_EQ(r.forge, Forge::kNone);
  EXPECT_EQ(r.status_url, "");
}

TEST(StatusUrlTest, RefusedPayloadUrlsStillQueueTheBuild) {
  std::string github = Fixture("github-push.json");
  const std::string from =
      "\"statuses_url\": \"https://api.github.com/repos/Codertocat/"
      "Hello-World/statuses/{sha}\"";
  for (const char* bad :
       {"ftp://api.github.com/repos/o/r/statuses/{sha}",
        "https://token:x@api.github.com/repos/o/r/statuses/{sha}",
        "https://api.github.com/repos/o/r\\u0000/statuses/{sha}",
        "https://api.github.com/repos/o/r\\n/statuses/{sha}",
        "https://api.github.com/repos/o/r/statuses/{sha}?x=1",
        "https://api.github.com/repos/o/r/commits/{sha}",
        "javascript:alert(1)//statuses/{sha}"}) {
    std::string body =
        Replace(github, from, std::string("\"statuses_url\": \"") + bad + "\"");
    BuildRequest r;
    PayloadVerdict v = ReadPayload(Forge::kGitHub, "", body, &r);
    ASSERT_TRUE(v.build()) << bad << ": " << v.message;
    EXPECT_EQ(r.status_url, "") << bad;
    EXPECT_EQ(r.forge, Forge::kGitHub);
  }
  std::string gitlab = Replace(
      Fixture("gitlab-push.json"),
      "\"web_url\": \"https://gitlab.example.com/example-group/web-shop\"",
      "\"web_url\": "
      "\"https://gitlab.example.com\\u0007/example-group/web-shop\"");
  EXPECT_EQ(Read(Forge::kGitLab, gitlab).status_url, "");
}

TEST(StatusUrlTest, OriginOfAcceptedUrls) {
  UrlOrigin o;
  std::string why;
  ASSERT_TRUE(ParseUrlOrigin("HTTPS://Git.Example.ORG:8443/x", &o, &why));
  EXPECT_EQ(o.scheme, "https");
  EXPECT_EQ(o.host, "git.example.org");
  EXPECT_EQ(o.port, 8443);
  ASSERT_TRUE(ParseUrlOrigin("https://api.github.com", &o, &why));
  EXPECT_EQ(o.port, 443);
  ASSERT_TRUE(ParseUrlOrigin("http://127.0.0.1/api", &o, &why));
  EXPECT_EQ(o.port, 80);
  ASSERT_TRUE(ParseUrlOrigin("http://[::1]:8080/api", &o, &why));
  EXPECT_EQ(o.host, "[::1]");
  EXPECT_EQ(o.port, 8080);
}

TEST(StatusUrlTest, RefusedUrls) {
  for (const char* bad :
       {"", "git.example.org/x", "ftp://git.example.org/x",
        "file:///etc/passwd", "http://user@git.example.org/x",
        "https://u:p@git.example.org/x", "http://git.example.org/a\nb",
        "http://git.example.org/a\rb", "http://git.example.org/\x7f",
        "http://git example.org/", "http://git.example.org/caf\xc3\xa9",
        "http:///path", "http://:80/", "http://git.example.org:0/",
        "http://git.example.org:65536/", "http://git.example.org:/",
        "http://git.example.org:8x/", "http://[::1/", "http://a]b/"}) {
    UrlOrigin o;
    std::string why;
    EXPECT_FALSE(ParseUrlOrigin(bad, &o, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(StatusUrlTest, DerivationChecks) {
  std::string url, why;
  EXPECT_FALSE(
      GiteaStatusUrl("https://g.example/o/r", "o/r", "HEAD", &url, &why));
  EXPECT_EQ(why, "the push names no full commit id");
  EXPECT_FALSE(GiteaStatusUrl("https://g.example/o/r", "o", kSha, &url, &why));
  EXPECT_FALSE(
      GiteaStatusUrl("https://g.example/x/r", "o/r", kSha, &url, &why));
  EXPECT_EQ(why, "the repository's web URL does not end with its name");
  ASSERT_TRUE(GiteaStatusUrl("https://g.example/o/r/", "o/r", kSha, &url, &why))
      << why;
  EXPECT_EQ(url,
            std::string("https://g.example/api/v1/repos/o/r/statuses/") + kSha);
  // Each part of the name is percent-encoded.
  ASSERT_TRUE(
      GiteaStatusUrl("https://g.example/o x/r", "o x/r", kSha, &url, &why));
  EXPECT_EQ(
      url,
      std::string("https://g.example/api/v1/repos/o%20x/r/statuses/") + kSha);
  // A name cannot climb out of /repos/.
  EXPECT_FALSE(
      GiteaStatusUrl("https://g.example/../r", "../r", kSha, &url, &why));
  EXPECT_FALSE(
      GiteaStatusUrl("https://g.example/o/..", "o/..", kSha, &url, &why));
  ASSERT_TRUE(GitLabStatusUrl("https://gl.example/a/b/c", "a/b/c",
                              "ABCDEF0123456789ABCDEF0123456789ABCDEF01", &url,
                              &why));
  EXPECT_EQ(url,
            "https://gl.example/api/v4/projects/a%2Fb%2Fc/statuses/"
            "abcdef0123456789abcdef0123456789abcdef01");
  EXPECT_TRUE(IsFullCommitId(std::string(64, 'a')));
  EXPECT_FALSE(IsFullCommitId(std::string(39, 'a')));
  EXPECT_FALSE(IsFullCommitId(std::string(40, 'g')));
  EXPECT_EQ(PercentEncode("a/b c~d"), "a%2Fb%20c~d");
}

}  // namespace
}  // namespace mm
