#include "setup/units.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "base/ini.h"
#include "base/paths.h"
#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

const char kUnitDir[] = "/home/u/.config/systemd/user";

SetupSettings Settings(const SetupOptions& o) {
  SetupSettings s;
  std::string err;
  EXPECT_TRUE(ResolveSetupSettings(o, "/home/u", "/", &s, &err)) << err;
  return s;
}

// The drop-ins for `o`, with the mmcleanup of /usr/bin.
std::vector<DropIn> DropIns(const SetupOptions& o,
                            const std::string& unit_dir = kUnitDir) {
  return DesiredDropIns(Settings(o), "/home/u", unit_dir, "/usr/bin/mmcleanup");
}

TEST(UnitsTest, UserUnitDirFollowsXdgConfigHome) {
  EXPECT_EQ(UserUnitDir("", "/home/u"), "/home/u/.config/systemd/user");
  EXPECT_EQ(UserUnitDir("/cfg", "/home/u"), "/cfg/systemd/user");
}

TEST(UnitsTest, DefaultsNeedNoDropIn) { EXPECT_TRUE(DropIns({}).empty()); }

TEST(UnitsTest, PortDropInResetsThenListens) {
  SetupOptions o;
  o.port = "9000";
  std::vector<DropIn> d = DropIns(o);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].path, PortDropIn(kUnitDir));
  EXPECT_EQ(d[0].path,
            "/home/u/.config/systemd/user/mixmaster-bridge.socket.d/port.conf");
  EXPECT_THAT(d[0].content,
              HasSubstr("[Socket]\nListenStream=\nListenStream=9000\n"))
      << d[0].content;
}

TEST(UnitsTest, SpoolDropInsForPathBridgeAndCleanup) {
  SetupOptions o;
  o.spool = "/var/spool/mm";
  std::vector<DropIn> d = DropIns(o);
  ASSERT_EQ(d.size(), 2u);
  std::vector<std::string> managed = ManagedDropIns(kUnitDir);
  for (const DropIn& one : d) {
    EXPECT_NE(std::find(managed.begin(), managed.end(), one.path),
              managed.end())
        << one.path;
    IniDocument doc;
    std::string err;
    EXPECT_TRUE(ParseIni(one.content, one.path, &doc, &err)) << err;
  }
  EXPECT_THAT(
      d[0].content,
      HasSubstr(
          "[Path]\nDirectoryNotEmpty=\nDirectoryNotEmpty=/var/spool/mm\n"))
      << d[0].content;
  EXPECT_THAT(d[1].content,
              HasSubstr("ExecStopPost=\nExecStopPost=/usr/bin/mmcleanup "
                        "--spool=/var/spool/mm "
                        "--build-root=/home/u/Builds\n"))
      << d[1].content;
}

TEST(UnitsTest, UnitWordsEscapeSpecifiersAndQuoteBlanks) {
  EXPECT_EQ(UnitWord("/srv/a", false), "/srv/a");
  EXPECT_EQ(UnitWord("/srv/100%", false), "/srv/100%%");
  EXPECT_EQ(UnitWord("/srv/my builds", false), "\"/srv/my builds\"");
  EXPECT_EQ(UnitWord("/srv/$HOME", true), "/srv/$$HOME");
  EXPECT_EQ(UnitWord("/srv/$HOME", false), "/srv/$HOME");
}

TEST(UnitsTest, PortDropInReadsBack) {
  testing_support::TempDir tmp;
  std::string dir = tmp.path();
  SetupOptions o;
  o.port = "[::1]:9001";
  std::vector<DropIn> d = DropIns(o, dir);
  ASSERT_EQ(d.size(), 1u);
  std::string err;
  ASSERT_TRUE(MakeDirs(JoinPath(dir, "mixmaster-bridge.socket.d"), &err));
  std::ofstream(d[0].path) << d[0].content;
  ListenAddress a;
  ASSERT_TRUE(ReadPortDropIn(PortDropIn(dir), &a));
  EXPECT_EQ(a.ListenStream(), "[::1]:9001");
  EXPECT_FALSE(ReadPortDropIn(JoinPath(dir, "none.conf"), &a));
}

// Sets an environment variable for one test and puts the old value back.
TEST(UnitsTest, TheBridgeCannotWriteUnderTheKernelsDirectories) {
  std::string err;
  EXPECT_FALSE(CheckBridgeCanWrite("spool", "/proc/x", &err));
  EXPECT_EQ(err,
            "the spool /proc/x is under /proc, the kernel's, where no "
            "directory can be made for jobs; choose a directory elsewhere, "
            "e.g. under your home");
  EXPECT_FALSE(CheckBridgeCanWrite("build root", "/sys/b/c", &err));
  EXPECT_FALSE(CheckBridgeCanWrite("spool", "/sys", &err));
  // Its unit hides no /tmp (mmbridge sandboxes itself to the spool).
  EXPECT_TRUE(CheckBridgeCanWrite("spool", "/tmp/x", &err));
  EXPECT_TRUE(CheckBridgeCanWrite("spool", "/var/tmp/x", &err));
  EXPECT_TRUE(CheckBridgeCanWrite("spool", "/home/u/Builds/INBOX", &err));
  EXPECT_TRUE(CheckBridgeCanWrite("spool", "/procs/INBOX", &err));
}

TEST(UnitsTest, ALinkIntoTheKernelsDirectoriesIsFollowed) {
  testing_support::TempDir dir;
  std::string link = JoinPath(dir.path(), "builds");
  ASSERT_EQ(symlink("/sys", link.c_str()), 0);
  std::string err;
  EXPECT_FALSE(CheckBridgeCanWrite("spool", JoinPath(link, "a/INBOX"), &err));
  EXPECT_THAT(err, HasSubstr("(/sys/a/INBOX) is under /sys")) << err;
}

// What systemctl answers without a manager depends on the machine: where
// systemd booted (a server, a VM: /run/systemd/system exists, sd_booted(3))
// it tries the bus and fails; elsewhere (a chroot, a build container) it
// says `offline`. Either answer is unreachable, and the user is told it.
TEST(UnitsTest, NoManagerIsUnreachableAndSaysWhy) {
  testing_support::TempDir runtime_dir;
  ScopedEnv runtime("XDG_RUNTIME_DIR", runtime_dir.path().c_str());
  ScopedEnv bus("DBUS_SESSION_BUS_ADDRESS", nullptr);
  ScopedEnv offline("SYSTEMD_OFFLINE", nullptr);
  SystemctlResult r;
  EXPECT_FALSE(UserManagerReachable(&r));
  // Right after the answer: t/helpers/user-manager.bash makes the directory
  // for a while on a machine that did not boot with systemd.
  bool booted = access("/run/systemd/system", F_OK) == 0;
  EXPECT_TRUE(r.started);
  ASSERT_FALSE(r.output.empty());
  if (booted) {
    EXPECT_EQ(r.output[0],
              "Failed to connect to bus: No such file or directory");
  } else {
    EXPECT_EQ(r.output[0], "offline");
  }
  std::string help = UnreachableHelp(r, "alice", 1001, "`mmsetup --yes`");
  EXPECT_THAT(
      help, HasSubstr("(`systemctl --user is-system-running`: " + r.output[0] +
                      "), so no unit was enabled or disabled"))
      << help;
  EXPECT_THAT(help, HasSubstr("export XDG_RUNTIME_DIR=/run/user/1001"));
  EXPECT_THAT(help, HasSubstr("sudo loginctl enable-linger alice"));
  EXPECT_THAT(help, HasSubstr("Then run: `mmsetup --yes`"));
  RunSystemctl({"daemon-reload"}, &r);
  EXPECT_TRUE(r.started);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(r.output.empty());
}

// In a chroot systemctl skips most commands and exits 0 as if they had
// worked; SYSTEMD_OFFLINE=1 makes it behave the same anywhere.
TEST(UnitsTest, InAChrootTheManagerIsUnreachableThoughCommandsExitZero) {
  testing_support::TempDir runtime_dir;
  ScopedEnv runtime("XDG_RUNTIME_DIR", runtime_dir.path().c_str());
  ScopedEnv offline("SYSTEMD_OFFLINE", "1");
  SystemctlResult r;
  RunSystemctl({"daemon-reload"}, &r);
  EXPECT_EQ(r.exit_code, 0);  // what made a reload a poor probe
  EXPECT_FALSE(UserManagerReachable(&r));
}

TEST(UnitsTest, CommandsEnableBothUnitsAndRestartOnlyForNewDropIns) {
  std::vector<std::vector<std::string>> c = SetupCommands(false);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(SystemctlLine(c[0]), "systemctl --user daemon-reload");
  EXPECT_EQ(SystemctlLine(c[1]),
            "systemctl --user enable --now mixmaster-bridge.socket "
            "mixmaster.path");
  c = SetupCommands(true);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(SystemctlLine(c[2]),
            "systemctl --user restart mixmaster-bridge.socket mixmaster.path");
  c = TeardownCommands();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(SystemctlLine(c[0]),
            "systemctl --user disable --now mixmaster-bridge.socket "
            "mixmaster.path");
  EXPECT_EQ(SystemctlLine(c[1]), "systemctl --user daemon-reload");
}

TEST(UnitsTest, SiblingProgramIsBesideTheRunningOne) {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  ASSERT_GT(n, 0);
  std::string dir(self, static_cast<size_t>(n));
  dir = dir.substr(0, dir.rfind('/'));
  EXPECT_EQ(SiblingProgram("mmcleanup"), dir + "/mmcleanup");
}

}  // namespace
}  // namespace mm
