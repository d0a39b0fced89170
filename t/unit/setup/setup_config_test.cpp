#include "setup/setup_config.h"

#include <gtest/gtest.h>

#include "job/config.h"

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
    EXPECT_NE(err.find("--port"), std::string::npos) << bad << ": " << err;
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
  EXPECT_NE(err.find("quote"), std::string::npos) << err;
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
  EXPECT_NE(text.find("\nbuildRoot = ~/work\n"), std::string::npos) << text;
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
  EXPECT_NE(text.find(";[example-org/example-repo]\n;production = make deploy"),
            std::string::npos);
}

TEST(ConfigTextTest, DefaultsAreCommentedOutAndNoSecretIsExplained) {
  SetupSettings s;
  std::string err;
  ASSERT_TRUE(ResolveSetupSettings({}, "/home/u", "/", &s, &err));
  std::string text = ConfigText(s, "/home/u", "");
  EXPECT_NE(text.find("\n;spool = ~/Builds/INBOX\n"), std::string::npos);
  EXPECT_NE(text.find("\n;mailto = "), std::string::npos);
  EXPECT_NE(text.find("anyone who can reach the port"), std::string::npos);
  Config c;
  ASSERT_TRUE(ParseConfig(text, "mixmaster.ini", "/home/u", &c, &err)) << err;
  EXPECT_EQ(c.secret, "");
  EXPECT_EQ(c.mailto, "");
  EXPECT_EQ(c.spool, "/home/u/Builds/INBOX");
}

TEST(ForgeInstructionsTest, NamesEachForgesUrlAndTheSecret) {
  ListenAddress every;
  std::string t = ForgeInstructions(every, "build.example.org", "s3cret",
                                    "/home/u/it's.ini");
  EXPECT_NE(t.find("http://build.example.org:8585/gitea"), std::string::npos);
  EXPECT_NE(t.find("http://build.example.org:8585/github"), std::string::npos);
  EXPECT_NE(t.find("http://build.example.org:8585/gitlab"), std::string::npos);
  EXPECT_NE(t.find("Secret token  s3cret"), std::string::npos) << t;
  EXPECT_EQ(t.find("WARNING"), std::string::npos);
  // By hand: the secret comes from the file, quoted for the shell.
  EXPECT_NE(t.find("    secret=$(sed -n 's/^secret *= *//p' "
                   "'/home/u/it'\\''s.ini')\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("--data-binary \"$body\" http://localhost:8585/\n"),
            std::string::npos);
  ListenAddress v6;
  std::string err;
  ASSERT_TRUE(ParseListenAddress("[::1]:9000", &v6, &err));
  t = ForgeInstructions(v6, "ignored", "", "/c.ini");
  EXPECT_NE(t.find("http://[::1]:9000/gitea"), std::string::npos) << t;
  EXPECT_NE(t.find("WARNING: no secret"), std::string::npos);
  EXPECT_EQ(t.find("sig="), std::string::npos);
  EXPECT_NE(t.find("http://[::1]:9000/\n"), std::string::npos);
}

}  // namespace
}  // namespace mm
