#include "job/config.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(ConfigTest, DefaultsWhenEmpty) {
  Config c;
  std::string err;
  ASSERT_TRUE(ParseConfig("", "c.ini", "/home/u", &c, &err)) << err;
  EXPECT_EQ(c.build_root, "/home/u/Builds");
  EXPECT_EQ(c.spool, "/home/u/Builds/INBOX");
  EXPECT_EQ(c.sendmail, "/usr/sbin/sendmail -t");
  EXPECT_EQ(c.mode, "normal");
  EXPECT_EQ(c.timeout, 3600);
  EXPECT_EQ(c.max_request_bytes, 1048576);
  EXPECT_EQ(c.mailto, "");
  EXPECT_EQ(c.secret, "");
  EXPECT_TRUE(c.projects.empty());
  EXPECT_FALSE(c.web_view);
  EXPECT_EQ(c.web_password, "");
  EXPECT_EQ(c.public_url, "");
  EXPECT_EQ(c.status_tokens, "");
  EXPECT_TRUE(c.supersede);
  EXPECT_EQ(c.keep_builds, 0);
  EXPECT_EQ(c.jobs, 1);
}

TEST(ConfigTest, WebStatusAndQueueSettings) {
  Config c;
  std::string err;
  ASSERT_TRUE(
      ParseConfig("[_]\n"
                  "webView = yes\n"
                  "webPassword = pw\n"
                  "publicUrl = https://ci.example.org/\n"
                  "statusTokens = ~/.config/mixmaster-tokens\n"
                  "supersede = no\n"
                  "keepBuilds = 20\n"
                  "jobs = 2\n",
                  "c.ini", "/home/u", &c, &err))
      << err;
  EXPECT_TRUE(c.web_view);
  EXPECT_EQ(c.web_password, "pw");
  EXPECT_EQ(c.public_url, "https://ci.example.org/");
  EXPECT_EQ(c.status_tokens, "/home/u/.config/mixmaster-tokens");
  EXPECT_FALSE(c.supersede);
  EXPECT_EQ(c.keep_builds, 20);
  EXPECT_EQ(c.jobs, 2);
}

TEST(ConfigTest, SettingsAndProjects) {
  Config c;
  std::string err;
  ASSERT_TRUE(
      ParseConfig("[_]\n"
                  "buildRoot = ~/b\n"
                  "mailto = me@example.com\n"
                  "sshKey = ~/.ssh/id_build\n"
                  "mode = dryrun\n"
                  "timeout = 0\n"
                  "maxRequestBytes = 10\n"
                  "secret = s3cret\n"
                  "[example-org/example-repo]\n"
                  "production = make deploy\n"
                  "staging = make deploy-to-staging\n",
                  "c.ini", "/home/u", &c, &err))
      << err;
  EXPECT_EQ(c.build_root, "/home/u/b");
  EXPECT_EQ(c.spool, "/home/u/b/INBOX") << "spool follows buildRoot";
  EXPECT_EQ(c.ssh_key, "/home/u/.ssh/id_build");
  EXPECT_EQ(c.mode, "dryrun");
  EXPECT_EQ(c.timeout, 0);
  EXPECT_EQ(c.max_request_bytes, 10);
  EXPECT_EQ(c.secret, "s3cret");
  const Project* p = c.FindProject("example-org/example-repo");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->targets.size(), 2u);
  EXPECT_EQ(p->targets[1].first, "staging");
  EXPECT_EQ(p->targets[1].second, "make deploy-to-staging");
  EXPECT_EQ(c.FindProject("other/repo"), nullptr);
}

TEST(ConfigTest, ExplicitSpoolElsewhere) {
  Config c;
  std::string err;
  ASSERT_TRUE(ParseConfig("[_]\nspool = /var/spool/mixmaster/u\n", "c.ini",
                          "/home/u", &c, &err));
  EXPECT_EQ(c.spool, "/var/spool/mixmaster/u");
}

TEST(ConfigTest, UnknownSettingIsAWarning) {
  Config c;
  std::string err;
  ASSERT_TRUE(ParseConfig("[_]\ncolour = blue\n", "c.ini", "/h", &c, &err));
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0], "c.ini:2: unknown setting `colour` in [_] ignored");
}

TEST(ConfigTest, AMisspeltSettingNamesTheOneItResembles) {
  Config c;
  std::string err;
  ASSERT_TRUE(
      ParseConfig("[_]\nbuildroot = /b\nsecrt = x\nMAILTO = a@b\ntimeouts = 5\n"
                  "sshkeyfile = k\n",
                  "c.ini", "/h", &c, &err));
  ASSERT_EQ(c.warnings.size(), 5u);
  EXPECT_EQ(c.warnings[0],
            "c.ini:2: unknown setting `buildroot` in [_] ignored; did you "
            "mean `buildRoot`?");
  EXPECT_NE(c.warnings[1].find("; did you mean `secret`?"), std::string::npos);
  EXPECT_NE(c.warnings[2].find("; did you mean `mailto`?"), std::string::npos);
  EXPECT_NE(c.warnings[3].find("; did you mean `timeout`?"), std::string::npos);
  // Too far from every setting: no guess.
  EXPECT_EQ(c.warnings[4],
            "c.ini:6: unknown setting `sshkeyfile` in [_] ignored");
  // The misspelt value is not taken.
  EXPECT_EQ(c.build_root, "/h/Builds");
}

TEST(ConfigTest, ErrorsNameFileAndLine) {
  struct Case {
    const char* text;
    const char* err;
  } cases[] = {
      {"[_]\nmode = fast\n",
       "c.ini:2: mode must be `normal` or `dryrun`, not `fast`"},
      {"[_]\nwebView = maybe\n",
       "c.ini:2: webView must be `yes` or `no`, not `maybe`"},
      {"[_]\njobs = 0\n",
       "c.ini:2: jobs must be a whole number of at least 1, not `0`"},
      {"[_]\ntimeout = soon\n",
       "c.ini:2: timeout must be a whole number of at least 0, not `soon`"},
      {"[_]\ntimeout = -1\n",
       "c.ini:2: timeout must be a whole number of at least 0, not `-1`"},
      {"[_]\nmaxRequestBytes = 0\n",
       "c.ini:2: maxRequestBytes must be a whole number of at least 1, not "
       "`0`"},
      {"[a/b]\nx = 1\n[a/b]\n", "c.ini:3: project [a/b] appears twice"},
      {"[a/b]\nx = 1\nx = 2\n", "c.ini:3: `x` appears twice in [a/b]"},
      {"[_]\n[_]\n", "c.ini:2: second [_] section"},
      {"[a/b]\nmake deploy\n",
       "c.ini:2: expected `key = value`, `[section]` or a comment: make "
       "deploy"},
  };
  for (const Case& k : cases) {
    Config c;
    std::string err;
    EXPECT_FALSE(ParseConfig(k.text, "c.ini", "/h", &c, &err)) << k.text;
    EXPECT_EQ(err, k.err);
  }
}

TEST(ConfigTest, LoadMissingFileSaysSo) {
  Config c;
  std::string err;
  EXPECT_FALSE(LoadConfig("/nonexistent/mixmaster.ini", &c, &err));
  EXPECT_EQ(err,
            "cannot read configuration /nonexistent/mixmaster.ini: No such "
            "file or directory");
}

}  // namespace
}  // namespace mm
