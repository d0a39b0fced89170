#include "git/known_hosts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

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
  ASSERT_THAT(hashed, Not(HasSubstr("example.org"))) << hashed;
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

TEST_F(KnownHostsTest, StarsAndQuestionMarksMatchAsInSsh) {
  std::string text = "g?t.*.ex*le.org,*.*.*.test,[h*st]:2222 " + a_line_ + "\n";
  EXPECT_EQ(MatchKnownHost(text, "GIT.eu.example.org", 22, a_),
            HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(text, "gat.x.exle.org", 22, a_),
            HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(text, "gt.x.example.org", 22, a_),
            HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchKnownHost(text, "a.b.c.test", 22, a_), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(text, "a.b.test", 22, a_), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchKnownHost(text, "host", 2222, a_), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchKnownHost(text, "host", 22, a_), HostKeyMatch::kUnknown);
}

// Found by t/fuzz/known_hosts_fuzz.cpp (a timeout) in the recursive matcher
// known_hosts.cpp had before fnmatch(3): a pattern of many `*` took
// exponential time against a host it does not match, so that checking a
// host key could hang mmbuild. The fuzzer's known_hosts text, then the same
// shape made worse, and stars apart, which no implementation may turn
// exponential either.
TEST_F(KnownHostsTest, ManyStarsMatchQuickly) {
  const std::string fuzzed =
      std::string("@rev\n;@revoked AAAA\n@:reved *\0\0,,", 33) +
      std::string(57, '*') +
      "oked **.example. ssh-rsa AAAAB3Nza\n**.example. ssh-rsa AAAAB3Nza\n"
      "# comment\n";
  // Its `*` before the NULs names every host, with another key.
  EXPECT_EQ(MatchKnownHost(fuzzed, "exxample\xd2\x90\x8d\x93]", 2220, a_),
            HostKeyMatch::kMismatch);
  std::string stars = std::string(200, '*') + "x " + a_line_ + "\n";
  EXPECT_EQ(MatchKnownHost(stars, std::string(200, 'a'), 22, a_),
            HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchKnownHost(stars, std::string(200, 'a') + "x", 22, a_),
            HostKeyMatch::kMatch);
  std::string apart;
  for (int i = 0; i < 30; ++i) apart += "*a";
  apart += "*b " + a_line_ + "\n";
  EXPECT_EQ(MatchKnownHost(apart, std::string(200, 'a'), 22, a_),
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
  EXPECT_THAT(err, HasSubstr("(unknown host)"));
}

}  // namespace
}  // namespace mm
