#include "git/ssh_agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::Exists;
using testing_support::Sh;
using testing_support::TempDir;

// `ssh-add -l` against the agent: its exit code and lines.
int ListKeys(const SshAgent& agent, std::vector<std::string>* lines) {
  ProcessSpec spec;
  spec.argv = {"ssh-add", "-l"};
  spec.env = {"SSH_AUTH_SOCK=" + agent.socket()};
  ProcessResult result;
  lines->clear();
  EXPECT_TRUE(RunProcess(
      spec, [&](char, const std::string& l) { lines->push_back(l); }, &result));
  return result.exit_code;
}

TEST(SshAgentTest, StartsEmptyAddsAKeyAndStopsWithoutTrace) {
  TempDir tmp;
  Sh("ssh-keygen -q -t ed25519 -N '' -C mixmaster-test -f " + tmp / "key");
  SshAgent agent;
  std::string err;
  ASSERT_TRUE(agent.Start(&err)) << err;
  std::string socket = agent.socket();
  ASSERT_FALSE(socket.empty());
  std::vector<std::string> lines;
  EXPECT_EQ(ListKeys(agent, &lines), 1);  // "The agent has no identities."
  std::vector<std::string> added;
  ASSERT_TRUE(agent.AddKey(
      tmp / "key", [&](char, const std::string& l) { added.push_back(l); },
      &err))
      << err;
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].substr(0, 16), "Identity added: ");
  EXPECT_EQ(ListKeys(agent, &lines), 0);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("mixmaster-test"));
  agent.Stop();
  EXPECT_TRUE(agent.socket().empty());
  EXPECT_FALSE(Exists(socket));
  EXPECT_FALSE(Exists(socket.substr(0, socket.rfind('/'))));
}

TEST(SshAgentTest, EachAgentIsItsOwn) {
  SshAgent a, b;
  std::string err;
  ASSERT_TRUE(a.Start(&err)) << err;
  ASSERT_TRUE(b.Start(&err)) << err;
  EXPECT_NE(a.socket(), b.socket());
}

TEST(SshAgentTest, MovingHandsOverTheAgentWhichStopsOnce) {
  SshAgent a;
  std::string err;
  ASSERT_TRUE(a.Start(&err)) << err;
  std::string socket = a.socket();
  SshAgent b = std::move(a);
  EXPECT_TRUE(a.socket().empty());
  EXPECT_EQ(b.socket(), socket);
  a.Stop();  // the moved-from agent owns nothing: the agent keeps running
  EXPECT_TRUE(Exists(socket));
  std::vector<std::string> lines;
  EXPECT_EQ(ListKeys(b, &lines), 1);  // "The agent has no identities."
  SshAgent c;
  c = std::move(b);
  c.Stop();
  EXPECT_FALSE(Exists(socket));
}

TEST(SshAgentTest, AKeyThatCannotBeAddedIsAnError) {
  TempDir tmp;
  testing_support::WriteAll(tmp / "not-a-key", "garbage\n");
  SshAgent agent;
  std::string err;
  ASSERT_TRUE(agent.Start(&err)) << err;
  std::vector<std::string> lines;
  EXPECT_FALSE(agent.AddKey(
      tmp / "not-a-key",
      [&](char, const std::string& l) { lines.push_back(l); }, &err));
  EXPECT_EQ(err, "ssh-add " + tmp / "not-a-key" +
                     " failed (is it a passwordless private key?)");
  EXPECT_FALSE(lines.empty());
}

TEST(SshAgentTest, AKeyWithAPassphraseSaysSo) {
  TempDir tmp;
  std::string key = tmp / "locked";
  std::string keygen = "ssh-keygen -q -t ed25519 -N secret -f '" + key + "'";
  ASSERT_EQ(system(keygen.c_str()), 0);
  SshAgent agent;
  std::string err;
  ASSERT_TRUE(agent.Start(&err)) << err;
  std::string said;
  EXPECT_FALSE(agent.AddKey(
      key, [&](char, const std::string& l) { said += l + "\n"; }, &err));
  EXPECT_EQ(err, "ssh-add " + key +
                     " failed: the key has a passphrase, which mmbuild cannot "
                     "type (remove it: ssh-keygen -p -N '' -f " +
                     key + ")")
      << said;
  std::vector<std::string> lines;
  EXPECT_EQ(ListKeys(agent, &lines), 1);  // no identities: nothing added
}

}  // namespace
}  // namespace mm
