#include "git/git_remote_auth.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "git/known_hosts.h"
#include "support/git_test_support.h"

namespace mm {
namespace {

using testing_support::Sh;
using testing_support::TempDir;
using testing_support::WriteAll;

TEST(RedactUrlTest, HidesPasswordsOnly) {
  EXPECT_EQ(RedactUrl("https://user:secret@example.org/r.git"),
            "https://user:***@example.org/r.git");
  EXPECT_EQ(RedactUrl("https://example.org/r.git"),
            "https://example.org/r.git");
  EXPECT_EQ(RedactUrl("git@example.org:r.git"), "git@example.org:r.git");
  EXPECT_EQ(RedactUrl("ssh://git@example.org:2222/r.git"),
            "ssh://git@example.org:2222/r.git");
}

TEST(SshPortTest, FromTheUrl) {
  EXPECT_EQ(SshPort("ssh://git@example.org:2222/r.git"), 2222);
  EXPECT_EQ(SshPort("ssh://git@example.org/r.git"), 22);
  EXPECT_EQ(SshPort("git+ssh://example.org:7999/r.git"), 7999);
  EXPECT_EQ(SshPort("git@example.org:r.git"), 22);
  EXPECT_EQ(SshPort("https://example.org:8443/r.git"), 22);
}

// The certificate check libgit2 calls during an SSH handshake, given a real
// host key the way libssh2 hands it over.
class HostKeyCallbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Sh("ssh-keygen -q -t ed25519 -N '' -f " + tmp_ / "host");
    Sh("ssh-keygen -q -t ed25519 -N '' -f " + tmp_ / "other");
    std::string pub = Sh("cut -d' ' -f2 " + tmp_ / "host.pub");
    ASSERT_TRUE(DecodeBase64(pub, &key_));
    WriteAll(tmp_ / "known_hosts",
             "[git.example.org]:2222 " +
                 Sh("cut -d' ' -f1,2 " + tmp_ / "host.pub") +
                 "\nchanged.example.org " +
                 Sh("cut -d' ' -f1,2 " + tmp_ / "other.pub") + "\n");
    auth_.url = "ssh://git@git.example.org:2222/r.git";
    auth_.known_hosts = tmp_ / "known_hosts";
    git_remote_callbacks init = GIT_REMOTE_CALLBACKS_INIT;
    callbacks_ = init;
    SetRemoteCallbacks(&auth_, &callbacks_);
    git_libgit2_init();
  }
  void TearDown() override { git_libgit2_shutdown(); }

  // Runs the callback for `host`; returns its result and the error set.
  int Check(const std::string& host, std::string* message) {
    git_cert_hostkey cert = {};
    cert.parent.cert_type = GIT_CERT_HOSTKEY_LIBSSH2;
    cert.type = GIT_CERT_SSH_RAW;
    cert.raw_type = GIT_CERT_SSH_RAW_TYPE_KEY_ED25519;
    cert.hostkey = key_.data();
    cert.hostkey_len = key_.size();
    git_error_clear();
    int rc = callbacks_.certificate_check(reinterpret_cast<git_cert*>(&cert), 0,
                                          host.c_str(), callbacks_.payload);
    const git_error* e = git_error_last();
    *message = e && e->message ? e->message : "";
    return rc;
  }

  TempDir tmp_;
  std::string key_;
  RemoteAuth auth_;
  git_remote_callbacks callbacks_;
};

TEST_F(HostKeyCallbackTest, AcceptsTheKnownKeyOnItsPort) {
  std::string message;
  EXPECT_EQ(Check("git.example.org", &message), 0) << message;
}

TEST_F(HostKeyCallbackTest, RefusesUnknownAndChangedKeysSayingWhich) {
  std::string message;
  auth_.url = "ssh://git@git.example.org/r.git";  // port 22: not listed
  EXPECT_EQ(Check("git.example.org", &message), GIT_ECERTIFICATE);
  EXPECT_EQ(message, "host key of git.example.org:22 is not in " +
                         auth_.known_hosts +
                         " (unknown host): check its fingerprint and add it, "
                         "e.g. with ssh-keyscan");
  auth_.url = "git@changed.example.org:r.git";
  EXPECT_EQ(Check("changed.example.org", &message), GIT_ECERTIFICATE);
  EXPECT_EQ(message, "host key of changed.example.org:22 does not match " +
                         auth_.known_hosts +
                         " (the host key changed): refusing to connect");
}

TEST_F(HostKeyCallbackTest, LeavesTlsCertificatesToLibgit2) {
  git_cert cert = {GIT_CERT_X509};
  EXPECT_EQ(
      callbacks_.certificate_check(&cert, 0, "example.org", callbacks_.payload),
      GIT_PASSTHROUGH);
}

TEST_F(HostKeyCallbackTest, StopRequestAbandonsTheTransfer) {
  volatile sig_atomic_t stop = 0;
  auth_.stop_requested = &stop;
  git_indexer_progress progress = {};
  EXPECT_EQ(callbacks_.transfer_progress(&progress, callbacks_.payload), 0);
  stop = 1;
  EXPECT_LT(callbacks_.transfer_progress(&progress, callbacks_.payload), 0);
}

TEST_F(HostKeyCallbackTest, AuthenticatesOnlyThroughTheAgentAndOnce) {
  const char* old = getenv("SSH_AUTH_SOCK");
  std::string saved = old ? old : "";
  git_credential* cred = nullptr;
  unsetenv("SSH_AUTH_SOCK");
  EXPECT_EQ(callbacks_.credentials(&cred, auth_.url.c_str(), "git",
                                   GIT_CREDENTIAL_SSH_KEY, callbacks_.payload),
            GIT_EUSER);
  EXPECT_STREQ(git_error_last()->message,
               "no ssh-agent to authenticate with (SSH_AUTH_SOCK is not set)");
  // With an agent: its keys once; asked again, the server refused them.
  setenv("SSH_AUTH_SOCK", (tmp_ / "agent.sock").c_str(), 1);
  auth_.agent_attempts = 0;
  ASSERT_EQ(callbacks_.credentials(&cred, auth_.url.c_str(), "git",
                                   GIT_CREDENTIAL_SSH_KEY, callbacks_.payload),
            0);
  EXPECT_EQ(git_credential_has_username(cred), 1);
  git_credential_free(cred);
  EXPECT_EQ(callbacks_.credentials(&cred, auth_.url.c_str(), "git",
                                   GIT_CREDENTIAL_SSH_KEY, callbacks_.payload),
            GIT_EUSER);
  EXPECT_STREQ(git_error_last()->message,
               "the server refused every key of the job's ssh-agent (sshKey "
               "in the configuration adds one)");
  // Password prompts are refused outright.
  EXPECT_EQ(callbacks_.credentials(&cred, "https://example.org/r.git", nullptr,
                                   GIT_CREDENTIAL_USERPASS_PLAINTEXT,
                                   callbacks_.payload),
            GIT_EUSER);
  EXPECT_STREQ(git_error_last()->message,
               "https://example.org/r.git asks for credentials; Mixmaster "
               "authenticates only with the keys of its ssh-agent");
  if (old) {
    setenv("SSH_AUTH_SOCK", saved.c_str(), 1);
  } else {
    unsetenv("SSH_AUTH_SOCK");
  }
}

}  // namespace
}  // namespace mm
