#include "git/local_fetch.h"

#include <git2.h>
#include <gtest/gtest.h>

#include <string>

#include "git/workspace_state.h"
#include "support/git_test_support.h"

namespace mm {
namespace {

using testing_support::GitRemote;
using testing_support::Quote;
using testing_support::Sh;
using testing_support::TempDir;

TEST(LocalRepositoryPathTest, PathsAndFileUrlsOnly) {
  std::string path;
  EXPECT_TRUE(LocalRepositoryPath("/srv/git/app.git", &path));
  EXPECT_EQ(path, "/srv/git/app.git");
  EXPECT_TRUE(LocalRepositoryPath("file:///srv/git/app.git", &path));
  EXPECT_EQ(path, "/srv/git/app.git");
  for (const char* url :
       {"file://host/srv/app.git", "git@example.org:app.git", "app.git",
        "ssh://example.org/srv/app.git", "https://example.org/app.git", ""})
    EXPECT_FALSE(LocalRepositoryPath(url, &path)) << url;
}

TEST(FirstLocalRefTest, TheFirstRefTheRepositoryHas) {
  TempDir tmp;
  GitRemote remote(tmp.path());
  git_libgit2_init();
  EXPECT_EQ(
      FirstLocalRef(remote.url(), {"refs/tags/other", "refs/heads/other"}),
      "refs/heads/other");
  EXPECT_EQ(FirstLocalRef(remote.url(), {"refs/tags/v1", "refs/heads/v1"}),
            "refs/tags/v1");
  EXPECT_EQ(FirstLocalRef(remote.url(), {"refs/tags/v2", "refs/heads/v2"}), "");
  EXPECT_EQ(FirstLocalRef(tmp / "missing.git", {"refs/heads/main"}), "");
  git_libgit2_shutdown();
}

class LocalFetchTest : public ::testing::Test {
 protected:
  LocalFetchTest() : remote_(tmp_.path()), ws_(tmp_ / "ws") {
    git_libgit2_init();
    git_repository* raw = nullptr;
    EXPECT_EQ(git_repository_init(&raw, ws_.c_str(), 0), 0);
    repo_.reset(raw);
    request_.source_path = remote_.url();
    request_.source = "refs/heads/main";
    request_.destination = "refs/remotes/origin/main";
  }
  ~LocalFetchTest() override {
    repo_.reset();
    git_libgit2_shutdown();
  }

  LocalFetchOutcome Fetch() {
    err_.clear();
    return LocalFetch(repo_.get(), request_, &result_, &err_);
  }
  // What a ref of the workspace names ("" when it has no such ref).
  std::string Ref(const std::string& name) {
    return Sh("git -C " + Quote(ws_) + " rev-parse -q --verify " + name +
              " || true");
  }
  // The number of objects in the workspace's newest pack.
  int NewestPackObjects() {
    std::string idx =
        Sh("ls -t " + Quote(ws_) + "/.git/objects/pack/*.idx" + " | head -n 1");
    return std::stoi(Sh("git show-index <" + Quote(idx) + " | wc -l"));
  }

  TempDir tmp_;
  GitRemote remote_;
  std::string ws_;
  RepositoryPtr repo_;
  LocalFetchRequest request_;
  LocalFetchResult result_;
  std::string err_;
};

TEST_F(LocalFetchTest, ABranchWithItsTagsThenOnlyWhatIsNew) {
  request_.follow_tags = true;
  ASSERT_EQ(Fetch(), LocalFetchOutcome::kDone) << err_;
  EXPECT_TRUE(result_.found);
  EXPECT_EQ(Ref("refs/remotes/origin/main"), remote_.first());
  EXPECT_EQ(Ref("refs/tags/v1-light"), remote_.first());
  EXPECT_EQ(Ref("refs/tags/v1^{commit}"), remote_.first());
  EXPECT_EQ(Ref("refs/tags/v1"),
            Sh("git -C " + Quote(remote_.url()) + " rev-parse refs/tags/v1"));
  EXPECT_EQ(Ref("refs/remotes/origin/other"), "");  // not asked for
  std::string second = remote_.Commit("dir/new.txt", "new\n", "second");
  remote_.Push();
  ASSERT_EQ(Fetch(), LocalFetchOutcome::kDone) << err_;
  EXPECT_EQ(Ref("refs/remotes/origin/main"), second);
  // The commit, its tree, the new subtree and the blob: nothing it had.
  EXPECT_EQ(NewestPackObjects(), 4);
  EXPECT_EQ(Sh("git -C " + Quote(ws_) + " fsck --no-dangling " + second), "");
  EXPECT_FALSE(testing_support::Exists(ws_ + "/.git/objects/info/alternates"));
}

TEST_F(LocalFetchTest, ATagRefAndACommitId) {
  request_.source = "refs/tags/v1";
  request_.destination = "refs/tags/v1";
  ASSERT_EQ(Fetch(), LocalFetchOutcome::kDone) << err_;
  EXPECT_EQ(Ref("refs/tags/v1^{commit}"), remote_.first());
  request_.source = remote_.other();
  request_.destination = "refs/mixmaster/commit";
  ASSERT_EQ(Fetch(), LocalFetchOutcome::kDone) << err_;
  EXPECT_TRUE(result_.found);
  EXPECT_EQ(Ref("refs/mixmaster/commit"), remote_.other());
}

TEST_F(LocalFetchTest, WhatTheSourceLacksIsNotFound) {
  request_.source = "refs/heads/gone";
  ASSERT_EQ(Fetch(), LocalFetchOutcome::kDone) << err_;
  EXPECT_FALSE(result_.found);
  request_.source = std::string(40, 'a');
  ASSERT_EQ(Fetch(), LocalFetchOutcome::kDone) << err_;
  EXPECT_FALSE(result_.found);
  EXPECT_EQ(Ref("refs/remotes/origin/main"), "");
}

TEST_F(LocalFetchTest, AMissingOrDamagedSourceIsTheSourcesFault) {
  request_.source_path = tmp_ / "missing.git";
  EXPECT_EQ(Fetch(), LocalFetchOutcome::kSourceFailed);
  EXPECT_EQ(err_, tmp_ / "missing.git: No such file or directory");
  request_.source_path = tmp_.path();
  EXPECT_EQ(Fetch(), LocalFetchOutcome::kSourceFailed);
  EXPECT_EQ(err_.compare(0, 22, "not a git repository: "), 0) << err_;
  request_.source_path = remote_.url();
  Sh("git -C " + Quote(remote_.url()) + " gc -q && rm " + Quote(remote_.url()) +
     "/objects/pack/*.pack");
  EXPECT_EQ(Fetch(), LocalFetchOutcome::kSourceFailed);
  EXPECT_EQ(err_.compare(0, 27, "the repository is damaged: "), 0) << err_;
  EXPECT_EQ(Ref("refs/remotes/origin/main"), "");
}

TEST_F(LocalFetchTest, AStopRequestFetchesNothing) {
  volatile sig_atomic_t stop = 1;
  request_.stop_requested = &stop;
  Fetch();
  EXPECT_TRUE(result_.stopped);
  EXPECT_EQ(Ref("refs/remotes/origin/main"), "");
}

}  // namespace
}  // namespace mm
