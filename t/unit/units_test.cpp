#include "units.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>

#include "ini.h"
#include "paths.h"

namespace mm {
namespace {

const char kUnitDir[] = "/home/u/.config/systemd/user";

SetupSettings Settings(const SetupOptions& o) {
  SetupSettings s;
  std::string err;
  EXPECT_TRUE(ResolveSetupSettings(o, "/home/u", "/", &s, &err)) << err;
  return s;
}

TEST(UnitsTest, UserUnitDirFollowsXdgConfigHome) {
  EXPECT_EQ(UserUnitDir("", "/home/u"), "/home/u/.config/systemd/user");
  EXPECT_EQ(UserUnitDir("/cfg", "/home/u"), "/cfg/systemd/user");
}

TEST(UnitsTest, DefaultsNeedNoDropIn) {
  EXPECT_TRUE(
      DesiredDropIns(Settings({}), "/home/u", kUnitDir, "/bin/mmcleanup")
          .empty());
}

TEST(UnitsTest, PortDropInResetsThenListens) {
  SetupOptions o;
  o.port = "9000";
  std::vector<DropIn> d =
      DesiredDropIns(Settings(o), "/home/u", kUnitDir, "/bin/mmcleanup");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].path, PortDropIn(kUnitDir));
  EXPECT_EQ(d[0].path,
            "/home/u/.config/systemd/user/mixmaster-bridge.socket.d/port.conf");
  EXPECT_NE(d[0].content.find("[Socket]\nListenStream=\nListenStream=9000\n"),
            std::string::npos)
      << d[0].content;
}

TEST(UnitsTest, SpoolDropInsForPathBridgeAndCleanup) {
  SetupOptions o;
  o.spool = "/var/spool/mm";
  std::vector<DropIn> d =
      DesiredDropIns(Settings(o), "/home/u", kUnitDir, "/usr/bin/mmcleanup");
  ASSERT_EQ(d.size(), 3u);
  std::vector<std::string> managed = ManagedDropIns(kUnitDir);
  for (const DropIn& one : d) {
    EXPECT_NE(std::find(managed.begin(), managed.end(), one.path),
              managed.end())
        << one.path;
    IniDocument doc;
    std::string err;
    EXPECT_TRUE(ParseIni(one.content, one.path, &doc, &err)) << err;
  }
  EXPECT_NE(
      d[0].content.find(
          "[Path]\nDirectoryNotEmpty=\nDirectoryNotEmpty=/var/spool/mm\n"),
      std::string::npos)
      << d[0].content;
  EXPECT_NE(d[1].content.find(
                "[Service]\nReadWritePaths=\nReadWritePaths=-/var/spool/mm\n"),
            std::string::npos)
      << d[1].content;
  EXPECT_NE(d[2].content.find("ExecStopPost=\nExecStopPost=/usr/bin/mmcleanup "
                              "--spool=/var/spool/mm "
                              "--build-root=/home/u/Builds\n"),
            std::string::npos)
      << d[2].content;
}

TEST(UnitsTest, UnitWordsEscapeSpecifiersAndQuoteBlanks) {
  EXPECT_EQ(UnitWord("/srv/a", false), "/srv/a");
  EXPECT_EQ(UnitWord("/srv/100%", false), "/srv/100%%");
  EXPECT_EQ(UnitWord("/srv/my builds", false), "\"/srv/my builds\"");
  EXPECT_EQ(UnitWord("/srv/$HOME", true), "/srv/$$HOME");
  EXPECT_EQ(UnitWord("/srv/$HOME", false), "/srv/$HOME");
}

TEST(UnitsTest, PortDropInReadsBack) {
  char tmpl[] = "/tmp/mm-units-test.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  SetupOptions o;
  o.port = "[::1]:9001";
  std::vector<DropIn> d =
      DesiredDropIns(Settings(o), "/home/u", dir, "/bin/mmcleanup");
  ASSERT_EQ(d.size(), 1u);
  std::string err;
  ASSERT_TRUE(MakeDirs(JoinPath(dir, "mixmaster-bridge.socket.d"), &err));
  std::ofstream(d[0].path) << d[0].content;
  ListenAddress a;
  ASSERT_TRUE(ReadPortDropIn(PortDropIn(dir), &a));
  EXPECT_EQ(a.ListenStream(), "[::1]:9001");
  EXPECT_FALSE(ReadPortDropIn(JoinPath(dir, "none.conf"), &a));
  std::string cmd = "rm -rf '" + dir + "'";
  ASSERT_EQ(system(cmd.c_str()), 0);
}

TEST(UnitsTest, SystemctlWithoutAManagerFailsAndSaysWhy) {
  char tmpl[] = "/tmp/mm-units-test.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string old_runtime =
      getenv("XDG_RUNTIME_DIR") ? getenv("XDG_RUNTIME_DIR") : "";
  std::string old_bus = getenv("DBUS_SESSION_BUS_ADDRESS")
                            ? getenv("DBUS_SESSION_BUS_ADDRESS")
                            : "";
  setenv("XDG_RUNTIME_DIR", tmpl, 1);
  unsetenv("DBUS_SESSION_BUS_ADDRESS");
  SystemctlResult r;
  RunSystemctl({"daemon-reload"}, &r);
  if (old_runtime.empty()) {
    unsetenv("XDG_RUNTIME_DIR");
  } else {
    setenv("XDG_RUNTIME_DIR", old_runtime.c_str(), 1);
  }
  if (!old_bus.empty()) setenv("DBUS_SESSION_BUS_ADDRESS", old_bus.c_str(), 1);
  rmdir(tmpl);
  EXPECT_TRUE(r.started);
  EXPECT_NE(r.exit_code, 0);
  ASSERT_FALSE(r.output.empty());
}

}  // namespace
}  // namespace mm
