#include "job/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

using ::testing::HasSubstr;
using ::testing::Not;

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
  EXPECT_THAT(c.warnings[1], HasSubstr("; did you mean `secret`?"));
  EXPECT_THAT(c.warnings[2], HasSubstr("; did you mean `mailto`?"));
  EXPECT_THAT(c.warnings[3], HasSubstr("; did you mean `timeout`?"));
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
      {"[a/b]\n:launcher = x\n:launcher = y\n",
       "c.ini:3: `:launcher` appears twice in [a/b]"},
      {"[a/b]\n:repository:main = https://h/r.git\n",
       "c.ini:2: `:repository:main` in [a/b]: `:repository` is one value for "
       "the whole project"},
      {"[a/b]\n:launcher: = x\n",
       "c.ini:2: `:launcher:` in [a/b]: a branch key must follow `:launcher:`"},
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

// A key starting with `:` is a project setting, never a branch key
// (mixmaster.ini(5) Project settings).
TEST(ConfigTest, ColonKeysAreProjectSettingsNotBranches) {
  Config c;
  std::string err;
  ASSERT_TRUE(
      ParseConfig("[_]\n"
                  "launcher = mm-run-ssh builder\n"
                  "notify = failures\n"
                  "[a/b]\n"
                  "main = make\n"
                  ":repository = https://git.example.org/a/b.git\n"
                  ":launcher:release = mm-run-slurm\n"
                  ":badge = main\n",
                  "c.ini", "/h", &c, &err))
      << err;
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
  EXPECT_EQ(c.launcher, "mm-run-ssh builder");
  EXPECT_EQ(c.notify, "failures");
  const Project* p = c.FindProject("a/b");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->targets.size(), 1u);
  EXPECT_EQ(p->targets[0].first, "main");
  ASSERT_EQ(p->settings.size(), 3u);
  EXPECT_EQ(p->settings[0].name, "repository");
  EXPECT_EQ(p->settings[0].branch_key, "");
  EXPECT_EQ(p->settings[0].value, "https://git.example.org/a/b.git");
  EXPECT_EQ(p->settings[1].name, "launcher");
  EXPECT_EQ(p->settings[1].branch_key, "release");
  EXPECT_EQ(p->settings[1].value, "mm-run-slurm");
}

TEST(ConfigTest, AnUnknownProjectSettingIsAWarningNamingTheNearestOne) {
  Config c;
  std::string err;
  ASSERT_TRUE(ParseConfig("[a/b]\nmain = make\n:lanucher = x\n:zz = y\n",
                          "c.ini", "/h", &c, &err))
      << err;
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_EQ(c.warnings[0],
            "c.ini:3: unknown project setting `:lanucher` in [a/b] ignored; "
            "did you mean `:launcher`?");
  EXPECT_EQ(c.warnings[1],
            "c.ini:4: unknown project setting `:zz` in [a/b] ignored");
  EXPECT_TRUE(c.FindProject("a/b")->settings.empty());
  EXPECT_EQ(c.FindProject("a/b")->targets.size(), 1u);
}

TEST(ConfigTest, GlobalSettingTextReadsTextSettingsByName) {
  Config c;
  c.launcher = "mm-run-slurm";
  c.mailto = "me@example.org";
  EXPECT_EQ(GlobalSettingText(c, "launcher"), "mm-run-slurm");
  EXPECT_EQ(GlobalSettingText(c, "mailto"), "me@example.org");
  EXPECT_EQ(GlobalSettingText(c, "notify"), "all");
  EXPECT_EQ(GlobalSettingText(c, "timeout"), "") << "not a text setting";
  EXPECT_EQ(GlobalSettingText(c, "nonesuch"), "");
}

TEST(ConfigTest, LoadMissingFileSaysSo) {
  Config c;
  std::string err;
  EXPECT_FALSE(LoadConfig("/nonexistent/mixmaster.ini", &c, &err));
  EXPECT_EQ(err,
            "cannot read configuration /nonexistent/mixmaster.ini: No such "
            "file or directory");
}

// mixmaster.ini(5): the file holds the secret and the web password, so a
// mode that lets others read it is said in the journal by every program.
TEST(ConfigTest, AReadableFileHoldingASecretIsAWarning) {
  char dir[] = "/tmp/mm-config-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/mixmaster.ini";
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("[_]\nbuildRoot = /b\nsecret = s3cret\n", f);
  fclose(f);
  chmod(path.c_str(), 0640);
  Config c;
  std::string err;
  ASSERT_TRUE(LoadConfig(path, &c, &err)) << err;
  EXPECT_THAT(c.warnings,
              ::testing::ElementsAre(
                  path +
                  ": readable by group or others (mode 0640) while it "
                  "holds the webhook secret; chmod 600 " +
                  path));
  chmod(path.c_str(), 0600);
  ASSERT_TRUE(LoadConfig(path, &c, &err)) << err;
  EXPECT_TRUE(c.warnings.empty());
  // Nothing to give away: no warning.
  c = Config();
  chmod(path.c_str(), 0644);
  EXPECT_EQ(ConfigPermissionWarning(path, c), "");
  unlink(path.c_str());
  rmdir(dir);
}

TEST(ConfigTest, EverySettingHasAMeaningAndADefaultOrAnExample) {
  std::vector<SettingText> settings = SettingsOf(Config());
  ASSERT_EQ(settings.size(), 20u);
  for (const SettingText& s : settings) {
    EXPECT_FALSE(s.meaning.empty()) << s.key;
    // No default and nothing to suggest: the secret (mmsetup makes one) and
    // the launcher (empty: this machine).
    if (s.key != "secret" && s.key != "launcher") {
      EXPECT_FALSE(s.default_value.empty() && s.example.empty()) << s.key;
    }
  }
  EXPECT_EQ(settings[0].key, "buildRoot");
  EXPECT_EQ(settings[0].default_value, "~/Builds");
}

}  // namespace
}  // namespace mm
