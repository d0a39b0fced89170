#include "job/repository_url.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(RepositoryUrlTest, Identity) {
  EXPECT_EQ(RepositoryIdentity("https://GitHub.com/Codertocat/Hello-World.git"),
            "https://github.com/Codertocat/Hello-World");
  EXPECT_EQ(RepositoryIdentity("git@github.com:Codertocat/Hello-World.git"),
            "ssh://github.com/Codertocat/Hello-World");
  EXPECT_EQ(RepositoryIdentity("/srv/git/app.git/"), "file:///srv/git/app");
  EXPECT_EQ(RepositoryIdentity("HTTPS://user:t0ken@git.example.org:443/o/r/"),
            "https://git.example.org/o/r");
  EXPECT_EQ(RepositoryIdentity("ssh://git@[::1]:22/o/r"), "ssh://[::1]/o/r");
  EXPECT_EQ(RepositoryIdentity("ssh://git@[::1]/o/r"), "ssh://[::1]/o/r");
}

// A payload's clone, SSH and web URLs each name the repository a pinned
// `:repository` may be written as.
TEST(RepositoryUrlTest, TheFormsOfOneRepositoryAreTheSame) {
  const char* https = "https://github.com/Codertocat/Hello-World.git";
  EXPECT_TRUE(
      SameRepository(https, "https://github.com/Codertocat/Hello-World"));
  EXPECT_TRUE(
      SameRepository(https, "https://GITHUB.COM/Codertocat/Hello-World/"));
  EXPECT_TRUE(SameRepository(
      https, "https://github.com:443/Codertocat/Hello-World.git"));
  EXPECT_TRUE(SameRepository("git@github.com:Codertocat/Hello-World.git",
                             "ssh://git@github.com/Codertocat/Hello-World"));
  EXPECT_TRUE(SameRepository("git@github.com:Codertocat/Hello-World.git",
                             "ssh://github.com:22/Codertocat/Hello-World.git"));
  EXPECT_TRUE(SameRepository("git.example.org:~ada/app",
                             "ssh://git.example.org/~ada/app.git"));
  EXPECT_TRUE(SameRepository("/srv/git/app.git", "file:///srv/git/app"));
}

TEST(RepositoryUrlTest, OthersAreNot) {
  const char* https = "https://github.com/Codertocat/Hello-World.git";
  EXPECT_FALSE(
      SameRepository(https, "https://github.com/Codertocat/Other.git"));
  EXPECT_FALSE(
      SameRepository(https, "https://github.com/codertocat/hello-world"))
      << "the path is compared exactly";
  EXPECT_FALSE(
      SameRepository(https, "http://github.com/Codertocat/Hello-World"));
  EXPECT_FALSE(
      SameRepository(https, "git@github.com:Codertocat/Hello-World.git"))
      << "another transport: the payload's other URL matches that one";
  EXPECT_FALSE(
      SameRepository(https, "https://github.com:8443/Codertocat/Hello-World"));
  EXPECT_FALSE(SameRepository(
      https, "https://evil.example/github.com/Codertocat/Hello-World"));
  EXPECT_FALSE(SameRepository("/srv/git/app", "/srv/git/app2"));
  EXPECT_FALSE(SameRepository("", ""));
  EXPECT_FALSE(SameRepository(https, ""));
}

}  // namespace
}  // namespace mm
