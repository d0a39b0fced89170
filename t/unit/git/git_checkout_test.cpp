#include "git/git_checkout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <time.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "support/git_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::Exists;
using testing_support::ReadAll;
using testing_support::Sh;
using testing_support::WriteAll;

using GitCheckoutTest = testing_support::CheckoutTest;

TEST_F(GitCheckoutTest, ClonesTheTargetIntoANewWorkspace) {
  ASSERT_TRUE(Run());
  EXPECT_EQ(result_.commit, remote_.first());
  EXPECT_EQ(Head(), remote_.first());
  EXPECT_EQ(File("README"), "first\n");
  EXPECT_FALSE(Exists(request_.workspace + "/other.txt"));
  // Detached HEAD, like `git checkout --detach`.
  EXPECT_EQ(Sh("git -C " + request_.workspace +
               " symbolic-ref -q HEAD || echo detached"),
            "detached");
  EXPECT_EQ(lines_, (std::vector<std::string>{
                        "$ git init " + request_.workspace,
                        "$ git remote add origin " + remote_.url(),
                        "$ git fetch origin main",
                        "$ git checkout --force --detach " + remote_.first(),
                    }));
}

TEST_F(GitCheckoutTest, FetchesNewCommitsIntoAnExistingWorkspace) {
  ASSERT_TRUE(Run());
  std::string second = remote_.Commit("README", "second\n", "second");
  remote_.Push();
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), second);
  EXPECT_EQ(File("README"), "second\n");
  EXPECT_EQ(lines_, (std::vector<std::string>{
                        "$ git fetch origin main",
                        "$ git checkout --force --detach " + second,
                        "$ git clean -d --force",
                    }));
}

TEST_F(GitCheckoutTest, PinsTheRequestedCommitAfterTheBranchMovedOn) {
  std::string second = remote_.Commit("README", "second\n", "second");
  remote_.Commit("README", "third\n", "third");
  remote_.Push();
  request_.commit = second;
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), second);
  EXPECT_EQ(File("README"), "second\n");
  // An abbreviated id works too.
  request_.commit = remote_.first().substr(0, 7);
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), remote_.first());
}

TEST_F(GitCheckoutTest, FetchesACommitThatIsNotOnTheTargetBranch) {
  // Over a smart transport a fetch of main brings main's history only, so
  // the commit on `other` has to be asked for by its id.
  Sh("git -C " + remote_.url() +
     " config uploadpack.allowReachableSHA1InWant true");
  testing_support::GitDaemon daemon(tmp_.path());
  request_.repository_url = daemon.Url("remote.git");
  request_.commit = remote_.other();
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), remote_.other());
  EXPECT_EQ(lines_, (std::vector<std::string>{
                        "$ git init " + request_.workspace,
                        "$ git remote add origin " + request_.repository_url,
                        "$ git fetch origin main",
                        "$ git fetch origin " + remote_.other(),
                        "$ git checkout --force --detach " + remote_.other(),
                    }));
}

TEST_F(GitCheckoutTest, UnknownCommitIsAClearError) {
  request_.commit = std::string(40, 'a');
  std::string err;
  EXPECT_FALSE(Run(&err));
  std::string expected =
      "commit " + request_.commit + " is not in " + remote_.url() + ": ";
  EXPECT_EQ(err.substr(0, expected.size()), expected);
  // An abbreviated id cannot be fetched by itself.
  request_.commit = "abcdef0";
  EXPECT_FALSE(Run(&err));
  EXPECT_EQ(err, "commit abcdef0 is not in " + remote_.url());
}

// mmbuild(1) How a job runs: `commit` may be a tag or a branch as well as an
// id.
TEST_F(GitCheckoutTest, BuildsTheCommitATagOrBranchNames) {
  remote_.Commit("README", "second\n", "second");
  remote_.Push();
  struct Case {
    std::string commit, head, fetched;
  };
  for (const Case& c : std::vector<Case>{
           {"v1", remote_.first(), "refs/tags/v1"},
           {"v1-light", remote_.first(), "refs/tags/v1-light"},
           {"other", remote_.other(), "refs/heads/other"},
           {"refs/heads/other", remote_.other(), "refs/heads/other"},
       }) {
    request_.commit = c.commit;
    ASSERT_TRUE(Run()) << c.commit;
    EXPECT_EQ(Head(), c.head) << c.commit;
    EXPECT_EQ(result_.commit, c.head) << c.commit;
    auto logged = [this](const std::string& line) {
      return std::find(lines_.begin(), lines_.end(), line) != lines_.end();
    };
    EXPECT_TRUE(logged("$ git fetch origin " + c.fetched)) << c.commit;
  }
  std::string err;
  request_.commit = "v2";
  EXPECT_FALSE(Run(&err));
  EXPECT_EQ(err,
            "commit v2 names no commit, tag or branch in " + remote_.url());
}

TEST_F(GitCheckoutTest, FollowsAForcePushedBranch) {
  std::string second = remote_.Commit("README", "second\n", "second");
  remote_.Push();
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), second);
  remote_.Git("reset -q --hard " + remote_.first());
  std::string rewritten = remote_.Commit("README", "rewritten\n", "rewritten");
  remote_.Git("push -q --force origin main");
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), rewritten);
  EXPECT_EQ(File("README"), "rewritten\n");
}

TEST_F(GitCheckoutTest, DiscardsLocalChangesAndUntrackedFilesKeepsIgnored) {
  remote_.Commit(".gitignore", "build/\n", "ignore build");
  remote_.Push();
  ASSERT_TRUE(Run());
  WriteAll(request_.workspace + "/README", "local change\n");
  WriteAll(request_.workspace + "/untracked.txt", "junk\n");
  Sh("mkdir -p " + request_.workspace + "/newdir " + request_.workspace +
     "/build && touch " + request_.workspace + "/newdir/x " +
     request_.workspace + "/build/out.o");
  WriteAll(request_.workspace + "/staged.txt", "staged\n");
  Sh("git -C " + request_.workspace + " add staged.txt");
  ASSERT_TRUE(Run());
  EXPECT_EQ(File("README"), "first\n");
  EXPECT_FALSE(Exists(request_.workspace + "/untracked.txt"));
  EXPECT_FALSE(Exists(request_.workspace + "/newdir"));
  EXPECT_FALSE(Exists(request_.workspace + "/staged.txt"));
  EXPECT_TRUE(Exists(request_.workspace + "/build/out.o"));
  EXPECT_EQ(Sh("git -C " + request_.workspace + " status --porcelain"), "");
}

TEST_F(GitCheckoutTest, AppliesFiltersWhenTheTreeAsksForThem) {
  // Filters are skipped when nothing can ask for one; here something does.
  remote_.Commit("sub/.gitattributes", "*.txt text eol=crlf\n*.c ident\n",
                 "attributes");
  remote_.Commit("sub/a.txt", "one\ntwo\n", "text");
  remote_.Commit("sub/b.c", "/* $Id$ */\n", "ident");
  remote_.Commit("plain.txt", "plain\n", "no attributes here");
  remote_.Push();
  ASSERT_TRUE(Run());
  EXPECT_EQ(File("sub/a.txt"), "one\r\ntwo\r\n");
  EXPECT_EQ(File("sub/b.c").substr(0, 8), "/* $Id: ");
  EXPECT_EQ(File("plain.txt"), "plain\n");
}

TEST_F(GitCheckoutTest, DiscardsChangesAlsoInAnOldUntouchedLookingWorkspace) {
  ASSERT_TRUE(Run());
  // An index a few seconds older than the files, as after any real wait.
  Sh("touch -d @" + std::to_string(time(nullptr) + 5) + " " +
     request_.workspace + "/.git/index");
  WriteAll(request_.workspace + "/README", "FIRST\n");  // same size
  Sh("git -C " + request_.workspace + " update-index --chmod=+x README");
  WriteAll(request_.workspace + "/stray", "x\n");
  ASSERT_TRUE(Run());
  EXPECT_EQ(File("README"), "first\n");
  EXPECT_FALSE(Exists(request_.workspace + "/stray"));
  EXPECT_EQ(Sh("git -C " + request_.workspace + " status --porcelain"), "");
}

TEST_F(GitCheckoutTest, UpdatesACleanWorkspaceToANewCommit) {
  remote_.Commit("gone.txt", "to be removed\n", "gone");
  remote_.Commit("dir/kept.txt", "kept\n", "kept");
  remote_.Push();
  ASSERT_TRUE(Run());
  Sh("touch -d @" + std::to_string(time(nullptr) + 5) + " " +
     request_.workspace + "/.git/index");
  remote_.Git("rm -q gone.txt");
  remote_.Commit("README", "second\n", "second");
  remote_.Commit("dir/new.txt", "new\n", "new");
  remote_.Git("mv dir/kept.txt dir/moved.txt");
  std::string head = remote_.Commit("x", "x\n", "moved");
  remote_.Push();
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), head);
  EXPECT_EQ(File("README"), "second\n");
  EXPECT_EQ(File("dir/new.txt"), "new\n");
  EXPECT_EQ(File("dir/moved.txt"), "kept\n");
  EXPECT_FALSE(Exists(request_.workspace + "/gone.txt"));
  EXPECT_FALSE(Exists(request_.workspace + "/dir/kept.txt"));
  EXPECT_EQ(Sh("git -C " + request_.workspace + " status --porcelain"), "");
  // The same tree under another commit: nothing to write.
  std::string empty =
      remote_.Git("commit -q --allow-empty -m empty && git -C " +
                  tmp_ / "work" + " rev-parse HEAD");
  remote_.Push();
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), empty);
  EXPECT_EQ(Sh("git -C " + request_.workspace + " status --porcelain"), "");
}

TEST_F(GitCheckoutTest, NeverWritesThroughASymlinkInTheWorkspace) {
  ASSERT_TRUE(Run());
  std::string victim = tmp_ / "victim";
  WriteAll(victim, "precious\n");
  std::string ws = request_.workspace;
  // A tracked file, and a path the next commit adds, made symlinks to a
  // file outside the workspace; the same for a tracked directory.
  Sh("rm " + ws + "/README && ln -s " + victim + " " + ws + "/README");
  Sh("ln -s " + victim + " " + ws + "/added.txt");
  Sh("mkdir -p " + tmp_ / "elsewhere" + " && ln -s " + tmp_ / "elsewhere" +
     " " + ws + "/newdir");
  remote_.Commit("README", "second\n", "second");
  remote_.Commit("added.txt", "added\n", "added");
  std::string head = remote_.Commit("newdir/file", "in newdir\n", "dir");
  remote_.Push();
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), head);
  EXPECT_EQ(ReadAll(victim), "precious\n");
  EXPECT_EQ(File("README"), "second\n");
  EXPECT_EQ(File("added.txt"), "added\n");
  EXPECT_EQ(File("newdir/file"), "in newdir\n");
  EXPECT_FALSE(Exists(tmp_ / "elsewhere/file"));
  EXPECT_EQ(Sh("git -C " + ws + " status --porcelain"), "");
}

// Each kind of damage ends in a fresh clone at the exact commit, with a line
// saying why, and nothing written outside the workspace. Lost objects must
// be noticed before the fetch: with nothing new on the remote it has
// nothing to send. Without objects/pack, libgit2 1.5 would write a fetched
// pack to /pack-* (and fail where / is not writable).
TEST_F(GitCheckoutTest, ReclonesABrokenWorkspaceSayingWhy) {
  const std::string ws = testing_support::Quote(request_.workspace);
  const std::string lose_objects = "rm -rf " + ws + "/.git/objects/pack/* " +
                                   ws + "/.git/objects/[0-9a-f][0-9a-f]";
  // Objects made loose (as a local fetch leaves them), then no pack dir.
  const std::string lose_pack_dir =
      "cd " + ws + "/.git && for p in objects/pack/*.pack; do [ -e \"$p\" ] " +
      "|| continue; mv \"$p\" x.pack; git unpack-objects -q < x.pack; " +
      "rm x.pack; done; rm -r objects/pack";
  struct Damage {
    bool checked_out_first, pinned, new_commit;
    std::string shell, reason;
  };
  const Damage damages[] = {
      {false, false, false,
       "mkdir -p " + ws + "/.git && echo garbage > " + ws + "/.git/HEAD",
       "not a git checkout"},
      {false, false, false, "mkdir -p " + ws + " && touch " + ws + "/leftover",
       "not a git checkout"},
      {true, false, false, lose_objects,
       "its HEAD names an object it does not have"},
      {true, true, false, lose_objects,
       "its HEAD names an object it does not have"},
      {true, false, true, lose_objects,
       "its HEAD names an object it does not have"},
      {true, false, true, lose_pack_dir, "it has no objects/pack directory"},
  };
  const std::string root_before = Sh("ls -a /");
  for (const Damage& d : damages) {
    SCOPED_TRACE(d.shell);
    Sh("rm -rf " + ws);
    request_.commit = d.pinned ? remote_.first() : "";
    if (d.checked_out_first) {
      ASSERT_TRUE(Run());
    }
    Sh(d.shell);
    std::string expected =
        d.new_commit ? remote_.Commit("README", d.shell + "\n", "new") : "";
    if (d.new_commit) remote_.Push();
    if (expected.empty()) expected = remote_.Git("rev-parse main");
    if (d.pinned) expected = remote_.first();
    ASSERT_TRUE(Run());
    EXPECT_EQ(Head(), expected);
    EXPECT_FALSE(Exists(request_.workspace + "/leftover"));
    ASSERT_FALSE(lines_.empty());
    EXPECT_EQ(lines_[0].find("# workspace " + request_.workspace +
                             " is not usable (" + d.reason),
              0u)
        << lines_[0];
    EXPECT_THAT(lines_[0], HasSubstr("); cloning it afresh"));
  }
  EXPECT_EQ(Sh("ls -a /"), root_before);
}

TEST_F(GitCheckoutTest, FollowsAChangedRepositoryUrl) {
  ASSERT_TRUE(Run());
  std::string moved = tmp_ / "moved.git";
  Sh("git clone -q --bare " + remote_.url() + " " + moved);
  Sh("git -C " + remote_.url() + " update-ref refs/heads/main " +
     remote_.other());  // the old URL now serves something else
  std::string second = remote_.Commit("README", "second\n", "second");
  remote_.Git("push -q " + moved + " main");
  request_.repository_url = moved;
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), second);
  EXPECT_EQ(lines_[0], "$ git remote set-url origin " + moved);
  EXPECT_EQ(Sh("git -C " + request_.workspace + " remote get-url origin"),
            moved);
}

TEST_F(GitCheckoutTest, BuildsTags) {
  std::string second = remote_.Commit("README", "second\n", "second");
  remote_.Push();
  request_.target = "refs/tags/v1";
  request_.workspace = tmp_ / "project/refs-tags-v1";
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), remote_.first());  // the annotated tag, peeled
  request_.target = "refs/tags/v1-light";
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), remote_.first());
  // A moved tag is followed.
  remote_.Git("tag -f v1-light " + second);
  remote_.Git("push -q -f origin v1-light");
  ASSERT_TRUE(Run());
  EXPECT_EQ(Head(), second);
}

TEST_F(GitCheckoutTest, MissingBranchIsAnErrorEvenAfterAnEarlierFetch) {
  request_.target = "gone";
  request_.workspace = tmp_ / "project/gone";
  remote_.Git("push -q origin main:gone");
  ASSERT_TRUE(Run());
  remote_.Git("push -q origin :gone");
  std::string err;
  EXPECT_FALSE(Run(&err));
  EXPECT_EQ(err, remote_.url() + " has no branch gone");
}

TEST_F(GitCheckoutTest, UnreachableRepositoryIsAnErrorThatKeepsTheWorkspace) {
  ASSERT_TRUE(Run());
  request_.repository_url = tmp_ / "nowhere.git";
  std::string err;
  EXPECT_FALSE(Run(&err));
  EXPECT_EQ(err.substr(0, 18 + request_.repository_url.size()),
            "cannot fetch from " + request_.repository_url);
  EXPECT_EQ(File("README"), "first\n");
}

TEST_F(GitCheckoutTest, RefusesOptionLikeOrMalformedValues) {
  std::string err;
  request_.repository_url = "--upload-pack=touch X";
  EXPECT_FALSE(Run(&err));
  EXPECT_EQ(err,
            "refusing repository URL `--upload-pack=touch X`: empty, "
            "starting with `-`, or holding control characters");
  request_.repository_url = remote_.url();
  for (std::string commit : {";touch X", "-v1", "--all", "a..b", "x.lock",
                             "v1^{}", "HEAD~1", "v1:README"}) {
    request_.commit = commit;
    EXPECT_FALSE(Run(&err)) << commit;
    EXPECT_EQ(err, "refusing commit `" + commit +
                       "`: not a commit id (4 to 40 hex digits), tag or "
                       "branch name");
  }
  request_.commit = "";
  for (std::string target : {"$(touch X)", "../x", "-x", "a..b", "x.lock"}) {
    request_.target = target;
    EXPECT_FALSE(Run(&err)) << target;
    EXPECT_EQ(err, "refusing target `" + target +
                       "`: not a valid branch or ref name");
  }
  EXPECT_FALSE(Exists(request_.workspace));
  EXPECT_FALSE(Exists("X"));
}

TEST_F(GitCheckoutTest, NeverRemovesOutsideTheProjectDir) {
  // A workspace outside its project dir is never removed, however broken.
  request_.workspace = tmp_ / "elsewhere";
  Sh("mkdir -p " + request_.workspace + " && touch " + request_.workspace +
     "/precious");
  std::string err;
  EXPECT_FALSE(Run(&err));
  EXPECT_EQ(err, "refusing to remove " + request_.workspace + ": not inside " +
                     request_.project_dir);
  EXPECT_TRUE(Exists(request_.workspace + "/precious"));
}

TEST_F(GitCheckoutTest, DryRunLogsStepsAndTouchesNothing) {
  request_.dry_run = true;
  request_.commit = remote_.first();
  ASSERT_TRUE(Run());
  EXPECT_EQ(lines_, (std::vector<std::string>{
                        "$ git init " + request_.workspace,
                        "$ git remote add origin " + remote_.url(),
                        "$ git fetch origin main",
                        "$ git checkout --force --detach " + remote_.first(),
                    }));
  EXPECT_FALSE(Exists(request_.project_dir));
}

TEST_F(GitCheckoutTest, StopRequestAbandonsTheFetch) {
  volatile sig_atomic_t stop = 1;
  request_.stop_requested = &stop;
  std::string err;
  EXPECT_FALSE(Run(&err));
  EXPECT_TRUE(result_.stopped);
  EXPECT_EQ(err, "checkout stopped");
}

}  // namespace
}  // namespace mm
