#include "setup/setup_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "job/config.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

TEST(ListenAddressTest, PortAloneOrWithANumericAddress) {
  ListenAddress a;
  std::string err;
  ASSERT_TRUE(ParseListenAddress("9000", &a, &err)) << err;
  EXPECT_EQ(a.host, "");
  EXPECT_EQ(a.port, 9000);
  EXPECT_EQ(a.ListenStream(), "9000");
  EXPECT_FALSE(a.IsDefault());
  ASSERT_TRUE(ParseListenAddress("8585", &a, &err));
  EXPECT_TRUE(a.IsDefault());
  ASSERT_TRUE(ParseListenAddress("127.0.0.1:8585", &a, &err));
  EXPECT_FALSE(a.IsDefault());
  EXPECT_EQ(a.ListenStream(), "127.0.0.1:8585");
  ASSERT_TRUE(ParseListenAddress("[::1]:9000", &a, &err)) << err;
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.ListenStream(), "[::1]:9000");
}

TEST(ListenAddressTest, RejectsWhatListenStreamWouldMisread) {
  ListenAddress a;
  for (const char* bad :
       {"", "0", "65536", "90x", "-1", ":9000", "example.org:9000", "::1:9000",
        "[::1]9000", "1.2.3.4:", "9000 ", "/run/sock"}) {
    std::string err;
    EXPECT_FALSE(ParseListenAddress(bad, &a, &err)) << bad;
    EXPECT_THAT(err, HasSubstr("--port")) << bad << ": " << err;
  }
}

TEST(SetupSettingsTest, DefaultsAreUnderHome) {
  SetupSettings s;
  std::string err;
  ASSERT_TRUE(ResolveSetupSettings({}, "/home/u", "/tmp", &s, &err)) << err;
  EXPECT_EQ(s.build_root, "/home/u/Builds");
  EXPECT_EQ(s.spool, "/home/u/Builds/INBOX");
  EXPECT_EQ(s.mailto, "");
  EXPECT_EQ(s.ssh_key, "");
  EXPECT_TRUE(s.with_secret);
  EXPECT_TRUE(s.listen.IsDefault());
  EXPECT_TRUE(UsesDefaultSpool(s, "/home/u"));
  EXPECT_TRUE(UsesDefaultSpool(s, "/home/u/"));
}

TEST(SetupSettingsTest, PathsAreMadeAbsolute) {
  SetupOptions o;
  o.build_root = "b/";
  o.key = "~/.ssh/id_build";
  o.email = "me@example.org";
  o.no_secret = true;
  o.port = "127.0.0.1:9000";
  SetupSettings s;
  std::string err;
  ASSERT_TRUE(ResolveSetupSettings(o, "/home/u", "/srv", &s, &err)) << err;
  EXPECT_EQ(s.build_root, "/srv/b");
  EXPECT_EQ(s.spool, "/srv/b/INBOX");
  EXPECT_EQ(s.ssh_key, "/home/u/.ssh/id_build");
  EXPECT_EQ(s.mailto, "me@example.org");
  EXPECT_FALSE(s.with_secret);
  EXPECT_EQ(s.listen.port, 9000);
  EXPECT_FALSE(UsesDefaultSpool(s, "/home/u"));
}

TEST(SetupSettingsTest, RefusesWhatCannotBeWrittenSafely) {
  SetupSettings s;
  std::string err;
  SetupOptions quote;
  quote.spool = "/srv/a\"b";
  EXPECT_FALSE(ResolveSetupSettings(quote, "/home/u", "/", &s, &err));
  EXPECT_THAT(err, HasSubstr("quote")) << err;
  SetupOptions newline;
  newline.build_root = "/srv/a\nb";
  EXPECT_FALSE(ResolveSetupSettings(newline, "/home/u", "/", &s, &err));
  SetupOptions mail;
  mail.email = "a@b\nBcc: x@y";
  EXPECT_FALSE(ResolveSetupSettings(mail, "/home/u", "/", &s, &err));
  SetupOptions same;
  same.build_root = "/srv/b";
  same.spool = "/srv/b/";
  EXPECT_FALSE(ResolveSetupSettings(same, "/home/u", "/", &s, &err));
  SetupOptions port;
  port.port = "http";
  EXPECT_FALSE(ResolveSetupSettings(port, "/home/u", "/", &s, &err));
}

TEST(SetupSettingsTest, AnExistingConfigurationWinsOverTheOptions) {
  SetupOptions o;
  o.spool = "/srv/other";
  o.email = "options@example.org";
  SetupSettings s;
  std::string err;
  ASSERT_TRUE(ResolveSetupSettings(o, "/home/u", "/", &s, &err)) << err;
  Config c;
  ASSERT_TRUE(ParseConfig(
      "[_]\nbuildRoot = ~/b\nspool = ~/in\nmailto = file@example.org\n"
      "sshKey = ~/k\nsecret = kept\n",
      "mixmaster.ini", "/home/u", &c, &err))
      << err;
  std::string secret = "fresh";
  AdoptConfig(c, &s, &secret);
  EXPECT_EQ(s.build_root, "/home/u/b");
  EXPECT_EQ(s.spool, "/home/u/in");
  EXPECT_EQ(s.mailto, "file@example.org");
  EXPECT_EQ(s.ssh_key, "/home/u/k");
  EXPECT_EQ(secret, "kept");
}

TEST(RandomSecretTest, SixtyFourHexDigitsAndNeverTheSame) {
  std::string a, b, err;
  ASSERT_TRUE(RandomSecret(&a, &err)) << err;
  ASSERT_TRUE(RandomSecret(&b, &err)) << err;
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

TEST(ConfigTextTest, ReadsBackAsTheSettingsItWasWrittenFrom) {
  SetupOptions o;
  o.build_root = "/home/u/work";
  o.spool = "/var/spool/mixmaster/u";
  o.email = "me@example.org";
  o.key = "/home/u/.ssh/id_build";
  SetupSettings s;
  std::string err;
  ASSERT_TRUE(ResolveSetupSettings(o, "/home/u", "/", &s, &err)) << err;
  std::string text = ConfigText(s, "/home/u", "abc123");
  // Paths inside the home are written with `~`, so the file moves with it.
  EXPECT_THAT(text, HasSubstr("\nbuildRoot = ~/work\n")) << text;
  Config c;
  ASSERT_TRUE(ParseConfig(text, "mixmaster.ini", "/home/u", &c, &err)) << err;
  EXPECT_EQ(c.build_root, "/home/u/work");
  EXPECT_EQ(c.spool, "/var/spool/mixmaster/u");
  EXPECT_EQ(c.mailto, "me@example.org");
  EXPECT_EQ(c.ssh_key, "/home/u/.ssh/id_build");
  EXPECT_EQ(c.secret, "abc123");
  EXPECT_TRUE(c.warnings.empty());
  // The example project is there, commented out.
  EXPECT_TRUE(c.projects.empty());
  EXPECT_THAT(
      text,
      HasSubstr(";[example-org/example-repo]\n;production = make deploy"));
}

TEST(ConfigTextTest, DefaultsAreCommentedOutAndNoSecretIsExplained) {
  SetupSettings s;
  std::string err;
  ASSERT_TRUE(ResolveSetupSettings({}, "/home/u", "/", &s, &err));
  std::string text = ConfigText(s, "/home/u", "");
  EXPECT_THAT(text, HasSubstr("\n;spool = ~/Builds/INBOX\n"));
  EXPECT_THAT(text, HasSubstr("\n;mailto = "));
  EXPECT_THAT(text, HasSubstr("anyone who can reach the port"));
  Config c;
  ASSERT_TRUE(ParseConfig(text, "mixmaster.ini", "/home/u", &c, &err)) << err;
  EXPECT_EQ(c.secret, "");
  EXPECT_EQ(c.mailto, "");
  EXPECT_EQ(c.spool, "/home/u/Builds/INBOX");
}

// mmsetup(1): every setting of mixmaster.ini(5) is in the file, with its
// meaning, commented out at its default unless chosen.
TEST(ConfigTextTest, WritesEverySettingOfTheTable) {
  SetupSettings s;
  std::string err;
  ASSERT_TRUE(ResolveSetupSettings({}, "/home/u", "/", &s, &err));
  std::string text = ConfigText(s, "/home/u", "abc");
  for (const SettingText& setting : SettingsOf(Config()))
    EXPECT_THAT(text, ::testing::ContainsRegex("\n;?" + setting.key + " ="))
        << setting.key;
  EXPECT_THAT(text, HasSubstr("\n;webView = no\n"));
  EXPECT_THAT(text, HasSubstr("\n;keepBuilds = 0\n"));
  EXPECT_THAT(text, HasSubstr("\n;jobs = 1\n"));
  EXPECT_THAT(text, HasSubstr("\n;supersede = yes\n"));
  EXPECT_THAT(text, HasSubstr("\n;timeout = 3600\n"));
  EXPECT_THAT(text, HasSubstr("\n;sendmail = /usr/sbin/sendmail -t\n"));
}

TEST(ForgeInstructionsTest, NamesEachForgesUrlAndTheSecret) {
  ListenAddress every;
  std::string t = ForgeInstructions(every, "build.example.org", "s3cret",
                                    "/home/u/it's.ini");
  EXPECT_THAT(t, HasSubstr("http://build.example.org:8585/gitea"));
  EXPECT_THAT(t, HasSubstr("http://build.example.org:8585/github"));
  EXPECT_THAT(t, HasSubstr("http://build.example.org:8585/gitlab"));
  EXPECT_THAT(t, HasSubstr("Secret token  s3cret")) << t;
  EXPECT_THAT(t, Not(HasSubstr("WARNING")));
  // By hand: the secret comes from the file, quoted for the shell.
  EXPECT_THAT(t, HasSubstr("    secret=$(sed -n 's/^secret *= *//p' "
                           "'/home/u/it'\\''s.ini')\n"))
      << t;
  EXPECT_THAT(t, HasSubstr("--data-binary \"$body\" http://localhost:8585/\n"));
  ListenAddress v6;
  std::string err;
  ASSERT_TRUE(ParseListenAddress("[::1]:9000", &v6, &err));
  t = ForgeInstructions(v6, "ignored", "", "/c.ini");
  EXPECT_THAT(t, HasSubstr("http://[::1]:9000/gitea")) << t;
  EXPECT_THAT(t, HasSubstr("WARNING: no secret"));
  EXPECT_THAT(t, Not(HasSubstr("sig=")));
  EXPECT_THAT(t, HasSubstr("http://[::1]:9000/\n"));
}

}  // namespace
}  // namespace mm
