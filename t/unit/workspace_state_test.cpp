#include "workspace_state.h"

#include <gtest/gtest.h>
#include <time.h>

#include <string>

#include "git_checkout.h"
#include "git_test_support.h"

namespace mm {
namespace {

using testing_support::GitRemote;
using testing_support::Quote;
using testing_support::Sh;
using testing_support::TempDir;
using testing_support::WriteAll;

class WorkspaceStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    remote_.Commit(".gitignore", "*.o\nbuild/\n", "ignores");
    remote_.Commit("dir/sub/file.txt", "nested\n", "nested");
    remote_.Push();
    ASSERT_TRUE(CheckOutWorkspace());
    git_libgit2_init();
  }
  // What mmbuild does: fetch and force the checkout.
  bool CheckOutWorkspace() {
    CheckoutRequest request;
    request.repository_url = remote_.url();
    request.target = "main";
    request.project_dir = tmp_ / "project";
    request.workspace = ws_;
    CheckoutResult result;
    std::string err;
    bool ok = CheckOut(
        request, [](char, const std::string&) {}, &result, &err);
    EXPECT_TRUE(ok) << err;
    commit_ = result.commit;
    return ok;
  }
  void TearDown() override { git_libgit2_shutdown(); }

  // The index written a few seconds after the files, as after any wait:
  // no entry is racily clean any more.
  void AgeTheIndex() {
    Sh("touch -d @" + std::to_string(time(nullptr) + 5) + " " +
       Quote(ws_ + "/.git/index"));
  }
  bool Pristine() {
    git_repository* repo = nullptr;
    EXPECT_EQ(git_repository_open(&repo, ws_.c_str()), 0);
    git_oid oid;
    EXPECT_EQ(git_oid_fromstr(&oid, commit_.c_str()), 0);
    git_commit* commit = nullptr;
    git_tree* tree = nullptr;
    EXPECT_EQ(git_commit_lookup(&commit, repo, &oid), 0);
    EXPECT_EQ(git_commit_tree(&tree, commit), 0);
    bool pristine =
        PrepareWorkspace(repo, oid, tree) == WorkspaceState::kPristine;
    git_tree_free(tree);
    git_commit_free(commit);
    git_repository_free(repo);
    return pristine;
  }

  TempDir tmp_;
  GitRemote remote_{tmp_.path()};
  std::string ws_ = tmp_ / "project/main";
  std::string commit_;
};

TEST_F(WorkspaceStateTest, UntouchedCheckoutIsPristine) {
  AgeTheIndex();
  EXPECT_TRUE(Pristine());
  // Ignored files and empty directories change nothing a checkout would.
  Sh("mkdir -p " + Quote(ws_ + "/build/deep") + " " + Quote(ws_ + "/empty"));
  WriteAll(ws_ + "/x.o", "object");
  WriteAll(ws_ + "/dir/sub/y.o", "object");
  WriteAll(ws_ + "/build/deep/out", "output");
  EXPECT_TRUE(Pristine());
}

TEST_F(WorkspaceStateTest, RacilyCleanFilesAreJudgedByContent) {
  // Just checked out: every file was written in the second the index was,
  // when stat data cannot show a change; their content is compared.
  EXPECT_TRUE(Pristine());
  Sh("printf 'NESTED\\n' > " + Quote(ws_ + "/dir/sub/file.txt"));
  EXPECT_FALSE(Pristine());
}

TEST_F(WorkspaceStateTest, AnyChangeACheckoutWouldUndoIsSeen) {
  AgeTheIndex();
  ASSERT_TRUE(Pristine());
  std::string q = Quote(ws_);
  const std::pair<const char*, std::string> changes[] = {
      {"same-size edit", "printf 'NESTED\\n' > " + q + "/dir/sub/file.txt"},
      {"mode", "chmod +x " + q + "/README"},
      {"deleted", "rm " + q + "/README"},
      {"symlink", "rm " + q + "/README && ln -s other " + q + "/README"},
      {"untracked file", "touch " + q + "/new.txt"},
      {"untracked dir", "mkdir " + q + "/newdir && touch " + q + "/newdir/f"},
      {"untracked in tracked dir", "touch " + q + "/dir/sub/new"},
      {"staged", "git -C " + q + " update-index --chmod=+x README"},
  };
  for (const auto& change : changes) {
    Sh(change.second);
    EXPECT_FALSE(Pristine()) << change.first;
    // The checkout mmbuild then does puts everything back.
    ASSERT_TRUE(CheckOutWorkspace());
    AgeTheIndex();
    ASSERT_TRUE(Pristine()) << "after undoing " << change.first;
  }
}

TEST_F(WorkspaceStateTest, OnlyTheRecordedCommitAndIndexCount) {
  AgeTheIndex();
  ASSERT_TRUE(Pristine());
  Sh("git -C " + Quote(ws_) + " checkout -q --detach HEAD~1");
  EXPECT_FALSE(Pristine());
  Sh("git -C " + Quote(ws_) + " checkout -q --detach " + commit_);
  AgeTheIndex();
  EXPECT_FALSE(Pristine());  // the index was rewritten by someone else
  Sh("rm " + Quote(ws_ + "/.git/mixmaster-checkout"));
  EXPECT_FALSE(Pristine());
}

}  // namespace
}  // namespace mm
