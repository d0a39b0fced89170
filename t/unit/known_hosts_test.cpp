#include "known_hosts.h"

#include <gtest/gtest.h>

#include <string>

#include "git_test_support.h"

namespace mm {
namespace {

using testing_support::ReadAll;
using testing_support::Sh;
using testing_support::TempDir;
using testing_support::WriteAll;

// Real host keys made by ssh-keygen, as they appear in known_hosts.
class KnownHostsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Sh("ssh-keygen -q -t ed25519 -N '' -f " + tmp_ / "a");
    Sh("ssh-keygen -q -t ed25519 -N '' -f " + tmp_ / "b");
    a_line_ = Sh("cut -d' ' -f1,2 " + tmp_ / "a.pub");
    b_line_ = Sh("cut -d' ' -f1,2 " + tmp_ / "b.pub");
    ASSERT_TRUE(DecodeBase64(a_line_.substr(a_line_.find(' ') + 1), &a_));
    ASSERT_TRUE(DecodeBase64(b_line_.substr(b_line_.find(' ') + 1), &b_));
  }

  TempDir tmp_;
  std::string a_line_, b_line_;  // "ssh-ed25519 AAAA..."
  std::string a_, b_;            // the raw key blobs
};

TEST_F(KnownHostsTest, MatchesPlainNamesAndPorts) {
  std::string text = "# comment\n\ngit.example.org,10.0.0.1 " + a_line_ +
                     "\n[git.example.org]:2222 " + b_line_ + "\n";
  EXPECT_EQ(MatchKnownHost(text, "git.example.org", 22, a_),
            HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(text, "10.0.0.1", 22, a_), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(text, "GIT.example.org", 22, a_),
            HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(text, "git.example.org", 2222, b_),
            HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(text, "git.example.org", 2222, a_),
            HostKeyMatch::kMismatch);
  EXPECT_EQ(MatchKnownHost(text, "git.example.org", 22, b_),
            HostKeyMatch::kMismatch);
  EXPECT_EQ(MatchKnownHost(text, "other.example.org", 22, a_),
            HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchKnownHost(text, "git.example.org", 2200, a_),
            HostKeyMatch::kUnknown);
}

TEST_F(KnownHostsTest, MatchesHashedNamesWrittenBySshKeygen) {
  std::string file = tmp_ / "known_hosts";
  WriteAll(file, "git.example.org " + a_line_ + "\n[git.example.org]:2222 " +
                     b_line_ + "\n");
  Sh("ssh-keygen -q -H -f " + file);
  std::string hashed = ReadAll(file);
  ASSERT_EQ(hashed.find("example.org"), std::string::npos) << hashed;
  EXPECT_EQ(MatchKnownHost(hashed, "git.example.org", 22, a_),
            HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(hashed, "git.example.org", 2222, b_),
            HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(hashed, "git.example.org", 22, b_),
            HostKeyMatch::kMismatch);
  EXPECT_EQ(MatchKnownHost(hashed, "git.example.com", 22, a_),
            HostKeyMatch::kUnknown);
}

TEST_F(KnownHostsTest, WildcardsNegationAndRevocation) {
  std::string text = "*.example.org,!evil.example.org " + a_line_ + "\n" +
                     "@revoked * " + b_line_ + "\n" +
                     "@cert-authority *.example.org " + b_line_ + "\n";
  EXPECT_EQ(MatchKnownHost(text, "git.example.org", 22, a_),
            HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(text, "evil.example.org", 22, a_),
            HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchKnownHost(text, "git.example.org", 22, b_),
            HostKeyMatch::kRevoked);
  EXPECT_EQ(MatchKnownHost(text, "git.example.net", 22, a_),
            HostKeyMatch::kUnknown);
  // `?` is one character, names compare case-insensitively, and brackets
  // (a `[host]:port` name) stand for themselves, not for a set.
  std::string more = "git?.EXAMPLE.org " + a_line_ + "\n" +
                     "[g]:2222,[git.example.com]:2?22 " + a_line_ + "\n";
  EXPECT_EQ(MatchKnownHost(more, "git1.example.org", 22, a_),
            HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(more, "git12.example.org", 22, a_),
            HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchKnownHost(more, "git.example.com", 2222, a_),
            HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(more, "g", 2222, a_), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(more, "git.example.com", 22, a_),
            HostKeyMatch::kUnknown);
}

TEST_F(KnownHostsTest, CheckHostKeySaysWhatIsWrong) {
  std::string file = tmp_ / "known_hosts";
  WriteAll(file, "git.example.org " + a_line_ + "\n");
  std::string err;
  EXPECT_TRUE(CheckHostKey(file, "git.example.org", 22, a_, &err));
  EXPECT_FALSE(CheckHostKey(file, "git.example.org", 22, b_, &err));
  EXPECT_EQ(err, "host key of git.example.org:22 does not match " + file +
                     " (the host key changed): refusing to connect");
  EXPECT_FALSE(CheckHostKey(file, "new.example.org", 22, a_, &err));
  EXPECT_EQ(err, "host key of new.example.org:22 is not in " + file +
                     " (unknown host): check its fingerprint and add it, "
                     "e.g. with ssh-keyscan");
  // No known_hosts at all: every host is unknown.
  EXPECT_FALSE(CheckHostKey(tmp_ / "missing", "git.example.org", 22, a_, &err));
  EXPECT_NE(err.find("(unknown host)"), std::string::npos);
}

TEST(Base64Test, DecodesAndRejects) {
  std::string out;
  EXPECT_TRUE(DecodeBase64("aGVsbG8=", &out));
  EXPECT_EQ(out, "hello");
  EXPECT_TRUE(DecodeBase64("aGVsbG8", &out));
  EXPECT_EQ(out, "hello");
  EXPECT_TRUE(DecodeBase64("", &out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(DecodeBase64("aGV*bG8=", &out));
  EXPECT_FALSE(DecodeBase64("aGVsbG8=x", &out));
}

}  // namespace
}  // namespace mm
