#include "report/sendmail.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

class SendmailTest : public testing_support::ScratchDirTest {
 protected:
  // A sendmail stand-in: a shell script run as `/bin/sh FILE`.
  std::string Script(const std::string& name, const std::string& body) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << body;
    return path;
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

const char kMessage[] =
    "To: dev@example.org\nSubject: [mixmaster] Building x\n\nline one\n"
    "line two\n";

TEST_F(SendmailTest, PipesTheWholeMessageAndReturnsTheOutput) {
  SendmailOptions options;
  options.command = "/usr/bin/tee " + dir_ + "/got";
  std::vector<std::string> output;
  std::string err;
  ASSERT_TRUE(SendMail(options, kMessage, &output, &err)) << err;
  EXPECT_EQ(Read("got"), kMessage);
  EXPECT_EQ(output, (std::vector<std::string>{"To: dev@example.org",
                                              "Subject: [mixmaster] Building x",
                                              "", "line one", "line two"}));
}

TEST_F(SendmailTest, SplitsOnBlanksWithoutAShell) {
  std::vector<std::string> argv;
  std::string err;
  ASSERT_TRUE(SplitSendmailCommand("  msmtp\t-C  /x/y.conf -t ", &argv, &err));
  EXPECT_EQ(argv, (std::vector<std::string>{"msmtp", "-C", "/x/y.conf", "-t"}));
  EXPECT_FALSE(SplitSendmailCommand(" \t ", &argv, &err));
  EXPECT_EQ(err, "the sendmail command is empty");

  // Shell syntax reaches the program as plain words.
  SendmailOptions options;
  options.command = "/bin/echo $HOME;touch " + dir_ + "/pwned";
  std::vector<std::string> output;
  ASSERT_TRUE(SendMail(options, kMessage, &output, &err)) << err;
  EXPECT_EQ(output,
            (std::vector<std::string>{"$HOME;touch " + dir_ + "/pwned"}));
  EXPECT_NE(access((dir_ + "/pwned").c_str(), F_OK), 0);
}

TEST_F(SendmailTest, ReportsANonZeroExitWithWhatTheCommandSaid) {
  SendmailOptions options;
  options.command =
      "/bin/sh " + Script("fail.sh",
                          "cat >/dev/null\necho 'no recipients found' >&2\n"
                          "exit 7\n");
  std::vector<std::string> output;
  std::string err;
  EXPECT_FALSE(SendMail(options, kMessage, &output, &err));
  EXPECT_THAT(err, HasSubstr("exited with status 7")) << err;
  EXPECT_EQ(output, (std::vector<std::string>{"no recipients found"}));
}

TEST_F(SendmailTest, ReportsAMissingCommand) {
  SendmailOptions options;
  options.command = dir_ + "/no-such-sendmail -t";
  std::vector<std::string> output;
  std::string err;
  EXPECT_FALSE(SendMail(options, kMessage, &output, &err));
  EXPECT_THAT(err, HasSubstr(dir_ + "/no-such-sendmail")) << err;
  EXPECT_THAT(err, HasSubstr("No such file")) << err;
}

TEST_F(SendmailTest, StopsACommandThatHangs) {
  SendmailOptions options;
  options.command = "/bin/sh " + Script("hang.sh", "echo waiting\nsleep 60\n");
  options.timeout_seconds = 0.5;
  options.kill_grace_seconds = 1;
  std::vector<std::string> output;
  std::string err;
  EXPECT_FALSE(SendMail(options, kMessage, &output, &err));
  EXPECT_THAT(err, HasSubstr("did not finish within 0.5 s")) << err;
  EXPECT_EQ(output, (std::vector<std::string>{"waiting"}));
}

TEST_F(SendmailTest, ReportsACommandKilledBySignal) {
  SendmailOptions options;
  options.command = "/bin/sh " + Script("crash.sh", "kill -SEGV $$\n");
  std::vector<std::string> output;
  std::string err;
  EXPECT_FALSE(SendMail(options, kMessage, &output, &err));
  EXPECT_THAT(err, HasSubstr("killed by signal 11")) << err;
}

TEST_F(SendmailTest, ACommandThatIgnoresAHugeMessageIsNoProblem) {
  // The reader goes away before the message is written: no SIGPIPE death.
  SendmailOptions options;
  options.command = "/bin/true";
  std::vector<std::string> output;
  std::string err;
  EXPECT_TRUE(SendMail(options, std::string(4 << 20, 'x'), &output, &err))
      << err;
}

}  // namespace
}  // namespace mm
