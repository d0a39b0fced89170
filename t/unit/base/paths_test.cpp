#include "base/paths.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

TEST(PathsTest, SafeNameLowercasesAndReplaces) {
  EXPECT_EQ(SafeName("Example-Org/Example_Repo.git"),
            "example-org-example_repo.git");
  EXPECT_EQ(SafeName("staging/my-feature"), "staging-my-feature");
  EXPECT_EQ(SafeName("../../etc"), "------etc");
  EXPECT_EQ(SafeName(".."), "--");
  EXPECT_EQ(SafeName("."), "-");
  EXPECT_EQ(SafeName(".hidden"), "-hidden");
  EXPECT_EQ(SafeName("$(touch X)"), "--touch-x-");
  EXPECT_EQ(SafeName(""), "-");
  EXPECT_EQ(SafeName("caf\xc3\xa9"), "caf--");
}

TEST(PathsTest, SafeNameNeverHasSlashOrDotDot) {
  for (const char* in : {"a/../b", "/", "..", "...", "a\nb", "refs/tags/v1"}) {
    std::string out = SafeName(in);
    EXPECT_THAT(out, Not(HasSubstr("/"))) << in;
    EXPECT_NE(out, ".");
    EXPECT_NE(out, "..");
    EXPECT_NE(out[0], '.');
  }
}

TEST(PathsTest, ExpandHome) {
  EXPECT_EQ(ExpandHome("~", "/home/u"), "/home/u");
  EXPECT_EQ(ExpandHome("~/Builds", "/home/u"), "/home/u/Builds");
  EXPECT_EQ(ExpandHome("/var/spool/x", "/home/u"), "/var/spool/x");
  EXPECT_EQ(ExpandHome("~other/x", "/home/u"), "~other/x");
}

TEST(PathsTest, DefaultConfigPathFollowsEnvironment) {
  setenv("MIXMASTER_CONFIG", "/etc/mm.ini", 1);
  EXPECT_EQ(DefaultConfigPath(), "/etc/mm.ini");
  unsetenv("MIXMASTER_CONFIG");
  setenv("XDG_CONFIG_HOME", "/x/conf", 1);
  EXPECT_EQ(DefaultConfigPath(), "/x/conf/mixmaster.ini");
  unsetenv("XDG_CONFIG_HOME");
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(DefaultConfigPath(), "/home/u/.config/mixmaster.ini");
}

TEST(PathsTest, MakeDirsCreatesAndReportsFailure) {
  testing_support::TempDir tmp;
  std::string err;
  std::string deep = tmp / "a/b/c";
  EXPECT_TRUE(MakeDirs(deep, &err)) << err;
  EXPECT_TRUE(MakeDirs(deep, &err)) << "second time is fine";
  EXPECT_FALSE(MakeDirs("/proc/self/nope/x", &err));
  EXPECT_THAT(err, HasSubstr("cannot create"));
}

TEST(ScopedEnvTest, SetsAndRestores) {
  setenv("MM_SCOPED_TEST", "old", 1);
  {
    ScopedEnv env("MM_SCOPED_TEST", "new");
    EXPECT_STREQ(getenv("MM_SCOPED_TEST"), "new");
  }
  EXPECT_STREQ(getenv("MM_SCOPED_TEST"), "old");
  unsetenv("MM_SCOPED_TEST");
  {
    ScopedEnv env("MM_SCOPED_TEST", "new");
    EXPECT_STREQ(getenv("MM_SCOPED_TEST"), "new");
  }
  EXPECT_EQ(getenv("MM_SCOPED_TEST"), nullptr);
  setenv("MM_SCOPED_TEST", "old", 1);
  {
    ScopedEnv env("MM_SCOPED_TEST", nullptr);
    EXPECT_EQ(getenv("MM_SCOPED_TEST"), nullptr);
  }
  EXPECT_STREQ(getenv("MM_SCOPED_TEST"), "old");
  unsetenv("MM_SCOPED_TEST");
}

}  // namespace
}  // namespace mm
