#include "setup/setup_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "base/paths.h"
#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::Exists;
using testing_support::ReadAll;

class SetupPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    home_ = tmp_.path();
    config_ = JoinPath(home_, ".config/mixmaster.ini");
    unit_dir_ = JoinPath(home_, ".config/systemd/user");
    managed_ = ManagedDropIns(unit_dir_);
  }
  SetupSettings Settings(SetupOptions o) {
    SetupSettings s;
    std::string err;
    EXPECT_TRUE(ResolveSetupSettings(o, home_, "/", &s, &err)) << err;
    return s;
  }
  std::vector<SetupStep> Plan(const SetupSettings& s) {
    return PlanSetup(s, config_, "[_]\nsecret = x\n",
                     DesiredDropIns(s, home_, unit_dir_, "/bin/mmcleanup"),
                     managed_);
  }
  static void ApplyAll(const std::vector<SetupStep>& steps) {
    for (const SetupStep& s : steps) {
      std::string err;
      ASSERT_TRUE(ApplyStep(s, &err)) << s.Describe() << ": " << err;
    }
  }
  static int Changes(const std::vector<SetupStep>& steps) {
    int n = 0;
    for (const SetupStep& s : steps) n += s.Changes();
    return n;
  }

  testing_support::TempDir tmp_;
  std::string home_, config_, unit_dir_;
  std::vector<std::string> managed_;
};

TEST_F(SetupPlanTest, FirstRunCreatesEverythingSecondRunKeepsIt) {
  SetupOptions o;
  o.port = "9000";
  SetupSettings s = Settings(o);
  std::vector<SetupStep> steps = Plan(s);
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].Describe(),
            "create the build root " + JoinPath(home_, "Builds"));
  EXPECT_EQ(steps[1].kind, StepKind::kCreateDirectory);
  EXPECT_EQ(steps[2].Describe(),
            "write the configuration " + config_ + " (with a random secret)");
  EXPECT_EQ(steps[3].kind, StepKind::kWriteDropIn);
  EXPECT_EQ(Changes(steps), 4);
  ApplyAll(steps);

  struct stat st;
  ASSERT_EQ(stat(config_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // it holds the secret
  EXPECT_EQ(ReadAll(config_), "[_]\nsecret = x\n");
  ASSERT_EQ(stat(JoinPath(home_, "Builds/INBOX").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_THAT(ReadAll(PortDropIn(unit_dir_)), HasSubstr("ListenStream=9000"));

  steps = Plan(s);
  EXPECT_EQ(Changes(steps), 0);
  EXPECT_EQ(steps[2].Describe(), "keep the existing configuration " + config_ +
                                     " (mmsetup never overwrites it)");
}

TEST_F(SetupPlanTest, TheConfigurationIsNeverOverwritten) {
  SetupSettings s = Settings({});
  std::vector<SetupStep> steps = Plan(s);
  ASSERT_EQ(steps[2].kind, StepKind::kWriteConfig);
  // It appears between planning and applying.
  std::string err;
  ASSERT_TRUE(MakeDirs(JoinPath(home_, ".config"), &err));
  std::ofstream(config_) << "mine";
  EXPECT_FALSE(ApplyStep(steps[2], &err));
  EXPECT_THAT(err, HasSubstr("not overwritten")) << err;
  EXPECT_EQ(ReadAll(config_), "mine");
}

TEST_F(SetupPlanTest, DropInsFollowTheSettings) {
  SetupOptions o;
  o.port = "9000";
  o.spool = JoinPath(home_, "spool");
  ApplyAll(Plan(Settings(o)));
  // All but the bridge's, which mmsetup no longer writes (units.h).
  for (const std::string& path : managed_)
    EXPECT_EQ(Exists(path), path.find("mixmaster-bridge@") == std::string::npos)
        << path;

  // Another port replaces the port drop-in; the default spool drops the
  // spool drop-ins (and their directories).
  SetupOptions other;
  other.port = "9001";
  std::vector<SetupStep> steps = Plan(Settings(other));
  EXPECT_TRUE(ChangesDropIns(steps));
  int replaced = 0, removed = 0;
  for (const SetupStep& s : steps) {
    replaced += s.kind == StepKind::kReplaceDropIn;
    removed += s.kind == StepKind::kRemoveDropIn;
  }
  EXPECT_EQ(replaced, 1);
  EXPECT_EQ(removed, 2);
  ApplyAll(steps);
  EXPECT_THAT(ReadAll(PortDropIn(unit_dir_)), HasSubstr("ListenStream=9001"));
  EXPECT_FALSE(Exists(JoinPath(unit_dir_, "mixmaster.path.d")));
  // Now they match: nothing to restart.
  EXPECT_FALSE(ChangesDropIns(Plan(Settings(other))));
}

TEST_F(SetupPlanTest, TeardownKeepsTheConfigAsABackupAndRemovesDropIns) {
  SetupOptions o;
  o.port = "9000";
  ApplyAll(Plan(Settings(o)));
  std::ofstream(JoinPath(home_, "Builds/INBOX/job.ini")) << "[job]\n";
  std::string text = ReadAll(config_);
  std::string backup = ConfigBackupPath(config_, 0);
  EXPECT_EQ(backup.substr(0, config_.size() + 1), config_ + ".");
  EXPECT_EQ(backup.substr(backup.size() - 4), ".bak");
  std::vector<SetupStep> steps = PlanTeardown(config_, backup, managed_);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].Describe(), "move the configuration " + config_ +
                                     " (with its projects and secret) to " +
                                     backup);
  EXPECT_EQ(steps[1].Describe(), "remove " + PortDropIn(unit_dir_));
  ApplyAll(steps);
  EXPECT_FALSE(Exists(config_));
  EXPECT_EQ(ReadAll(backup), text);
  EXPECT_FALSE(Exists(JoinPath(unit_dir_, "mixmaster-bridge.socket.d")));
  EXPECT_TRUE(Exists(JoinPath(home_, "Builds/INBOX/job.ini")));
  EXPECT_TRUE(PlanTeardown(config_, backup, managed_).empty());
}

TEST_F(SetupPlanTest, ABackupNeverReplacesAFileAndTheConfigStays) {
  ApplyAll(Plan(Settings(SetupOptions())));
  std::string backup = config_ + ".bak";
  std::ofstream(backup) << "older\n";
  std::vector<SetupStep> steps = PlanTeardown(config_, backup, managed_);
  ASSERT_EQ(steps.size(), 1u);
  std::string err;
  EXPECT_FALSE(ApplyStep(steps[0], &err));
  EXPECT_THAT(err, HasSubstr("cannot keep a copy of " + config_)) << err;
  EXPECT_TRUE(Exists(config_));
  EXPECT_EQ(ReadAll(backup), "older\n");
}

}  // namespace
}  // namespace mm
