#include "git/workspace_state.h"

#include <gtest/gtest.h>
#include <time.h>

#include <string>

#include "git/git_checkout.h"
#include "support/git_test_support.h"

namespace mm {
namespace {

using testing_support::Quote;
using testing_support::Sh;
using testing_support::WriteAll;

class WorkspaceStateTest : public testing_support::CheckoutTest {
 protected:
  void SetUp() override {
    remote_.Commit(".gitignore", "*.o\nbuild/\n", "ignores");
    remote_.Commit("dir/sub/file.txt", "nested\n", "nested");
    remote_.Push();
    ASSERT_TRUE(Run());
    git_libgit2_init();
  }
  void TearDown() override { git_libgit2_shutdown(); }

  // The index written a few seconds after the files, as after any wait:
  // no entry is racily clean any more.
  void AgeTheIndex() {
    Sh("touch -d @" + std::to_string(time(nullptr) + 5) + " " +
       Quote(ws_ + "/.git/index"));
  }
  RepositoryPtr Open() {
    git_repository* repo = nullptr;
    EXPECT_EQ(git_repository_open(&repo, ws_.c_str()), 0);
    return RepositoryPtr(repo);
  }
  bool Pristine() {
    RepositoryPtr repo = Open();
    git_oid oid;
    EXPECT_EQ(git_oid_fromstr(&oid, result_.commit.c_str()), 0);
    git_commit* commit = nullptr;
    EXPECT_EQ(git_commit_lookup(&commit, repo.get(), &oid), 0);
    CommitPtr commit_owner(commit);
    git_tree* tree = nullptr;
    EXPECT_EQ(git_commit_tree(&tree, commit), 0);
    TreePtr tree_owner(tree);
    return PrepareWorkspace(repo.get(), oid, tree) == WorkspaceState::kPristine;
  }

  const std::string ws_ = request_.workspace;
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
    ASSERT_TRUE(Run());
    AgeTheIndex();
    ASSERT_TRUE(Pristine()) << "after undoing " << change.first;
  }
}

TEST_F(WorkspaceStateTest, OnlyTheRecordedCommitAndIndexCount) {
  AgeTheIndex();
  ASSERT_TRUE(Pristine());
  Sh("git -C " + Quote(ws_) + " checkout -q --detach HEAD~1");
  EXPECT_FALSE(Pristine());
  Sh("git -C " + Quote(ws_) + " checkout -q --detach " + result_.commit);
  AgeTheIndex();
  EXPECT_FALSE(Pristine());  // the index was rewritten by someone else
  Sh("rm " + Quote(ws_ + "/.git/mixmaster-checkout"));
  EXPECT_FALSE(Pristine());
}

TEST_F(WorkspaceStateTest, DamageAFetchWouldNotRepairIsFound) {
  std::string why;
  EXPECT_TRUE(ObjectsIntact(Open().get(), &why)) << why;
  // A ref to an object that was never fetched, as a clone cut short leaves.
  // (git itself refuses to write such a ref.)
  std::string lost = ws_ + "/.git/refs/remotes/origin/lost";
  WriteAll(lost, remote_.Commit("lost.txt", "lost\n", "never pushed") + "\n");
  EXPECT_FALSE(ObjectsIntact(Open().get(), &why));
  EXPECT_EQ(why,
            "its refs/remotes/origin/lost names an object it does not have");
  Sh("rm " + Quote(lost));
  ASSERT_TRUE(ObjectsIntact(Open().get(), &why)) << why;
  // Objects gone under HEAD itself.
  Sh("rm -rf " + Quote(ws_ + "/.git/objects") + "/pack/* " + Quote(ws_) +
     "/.git/objects/[0-9a-f][0-9a-f]");
  EXPECT_FALSE(ObjectsIntact(Open().get(), &why));
  EXPECT_EQ(why, "its HEAD names an object it does not have");
  // No pack directory at all.
  Sh("rm -r " + Quote(ws_ + "/.git/objects/pack"));
  EXPECT_FALSE(ObjectsIntact(Open().get(), &why));
  EXPECT_EQ(why, "it has no objects/pack directory");
}

}  // namespace
}  // namespace mm
