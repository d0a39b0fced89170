#include "report/status_tokens.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

const char kTokens[] =
    "# forge tokens\n"
    "\n"
    "https://git.example.org gitea-token\n"
    "  https://api.github.com\tghp_github  \n"
    "http://127.0.0.1:3000 local-token\n"
    "https://gitlab.example.com:8443/gitlab glpat-token\n";

TEST(StatusTokensTest, BindsEachTokenToSchemeHostAndPort) {
  StatusTokens tokens;
  std::string why;
  ASSERT_TRUE(tokens.Parse(kTokens, "tokens", &why)) << why;
  auto token = [&tokens](const std::string& url) {
    const std::string* t = tokens.For(url);
    return t ? *t : std::string("(none)");
  };
  EXPECT_EQ(token("https://git.example.org/api/v1/repos/o/r/statuses/1"),
            "gitea-token");
  EXPECT_EQ(token("https://GIT.example.org:443/x"), "gitea-token");
  EXPECT_EQ(token("https://api.github.com/repos/o/r/statuses/1"), "ghp_github");
  EXPECT_EQ(token("http://127.0.0.1:3000/api"), "local-token");
  // The base URL's path does not matter; its port does.
  EXPECT_EQ(token("https://gitlab.example.com:8443/api/v4/x"), "glpat-token");
  // Another scheme, host or port: none.
  EXPECT_EQ(token("http://git.example.org/x"), "(none)");
  EXPECT_EQ(token("https://git.example.org:8443/x"), "(none)");
  EXPECT_EQ(token("https://git.example.org.evil.example/x"), "(none)");
  EXPECT_EQ(token("https://evil.example/git.example.org/x"), "(none)");
  EXPECT_EQ(token("https://127.0.0.1:3000/api"), "(none)");
  EXPECT_EQ(token("https://gitlab.example.com/api/v4/x"), "(none)");
  EXPECT_EQ(token("https://user@git.example.org/x"), "(none)");
}

TEST(StatusTokensTest, BadLinesNameTheLineNotTheToken) {
  for (const char* text :
       {"https://git.example.org\n", "https://a.example t1 t2\n",
        "ftp://git.example.org secret-token\n",
        "https://u:p@git.example.org secret-token\n",
        "https://git.example.org secret\x01token\n"}) {
    StatusTokens tokens;
    std::string why;
    EXPECT_FALSE(tokens.Parse(std::string("\n") + text, "tokens", &why))
        << text;
    EXPECT_EQ(why.rfind("tokens:2: ", 0), 0u) << why;
    EXPECT_THAT(why, Not(HasSubstr("secret"))) << why;
    EXPECT_TRUE(tokens.empty());
  }
}

class StatusTokensFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/status_tokens_test.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/tokens";
  }
  void TearDown() override {
    unlink(path_.c_str());
    unlink((dir_ + "/link").c_str());
    rmdir(dir_.c_str());
  }
  void Write(mode_t mode) {
    unlink(path_.c_str());
    FILE* f = fopen(path_.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs("https://git.example.org t0ken\n", f);
    fclose(f);
    ASSERT_EQ(chmod(path_.c_str(), mode), 0);
  }
  std::string dir_, path_;
};

TEST_F(StatusTokensFileTest, LoadsAPrivateFile) {
  Write(0600);
  StatusTokens tokens;
  std::string why;
  ASSERT_TRUE(tokens.Load(path_, &why)) << why;
  ASSERT_NE(tokens.For("https://git.example.org/x"), nullptr);
  Write(0400);
  EXPECT_TRUE(tokens.Load(path_, &why)) << why;
}

TEST_F(StatusTokensFileTest, RefusesAFileOpenToGroupOrOthers) {
  for (mode_t mode : {0640, 0604, 0620, 0602, 0660}) {
    Write(mode);
    StatusTokens tokens;
    std::string why;
    EXPECT_FALSE(tokens.Load(path_, &why)) << mode;
    EXPECT_THAT(why, HasSubstr("open to group or others")) << why;
    EXPECT_THAT(why, Not(HasSubstr("t0ken")));
    EXPECT_EQ(tokens.For("https://git.example.org/x"), nullptr);
  }
}

TEST_F(StatusTokensFileTest, RefusesASymlinkAMissingFileAndADirectory) {
  Write(0600);
  ASSERT_EQ(symlink(path_.c_str(), (dir_ + "/link").c_str()), 0);
  StatusTokens tokens;
  std::string why;
  EXPECT_FALSE(tokens.Load(dir_ + "/link", &why));
  EXPECT_FALSE(tokens.Load(dir_ + "/missing", &why));
  EXPECT_THAT(why, HasSubstr("No such file")) << why;
  EXPECT_FALSE(tokens.Load(dir_, &why));
}

}  // namespace
}  // namespace mm
