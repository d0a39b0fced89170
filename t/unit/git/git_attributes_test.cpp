#include "git/git_attributes.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "support/git_test_support.h"

namespace mm {
namespace {

using testing_support::Quote;
using testing_support::Sh;
using testing_support::TempDir;
using testing_support::WriteAll;

class GitAttributesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    git_libgit2_init();
    // No attributes file of the user's may leak in.
    old_xdg_ = getenv("XDG_CONFIG_HOME") ? getenv("XDG_CONFIG_HOME") : "";
    setenv("XDG_CONFIG_HOME", (tmp_ / "xdg").c_str(), 1);
    repo_dir_ = tmp_ / "repo";
    Sh("git init -q " + Quote(repo_dir_));
    ASSERT_EQ(git_repository_open(&repo_, repo_dir_.c_str()), 0);
  }
  void TearDown() override {
    git_repository_free(repo_);
    if (old_xdg_.empty()) {
      unsetenv("XDG_CONFIG_HOME");
    } else {
      setenv("XDG_CONFIG_HOME", old_xdg_.c_str(), 1);
    }
    git_libgit2_shutdown();
  }

  // Commits the work tree as it is (files added or removed) and answers
  // MayNeedFilters for that commit.
  bool CommitAndAsk() {
    Sh("git -C " + Quote(repo_dir_) + " add -A . && git -C " +
       Quote(repo_dir_) +
       " -c user.name=T -c user.email=t@example.org commit -q --allow-empty "
       "-m files");
    std::string hex = Sh("git -C " + Quote(repo_dir_) + " rev-parse HEAD");
    git_oid oid;
    EXPECT_EQ(git_oid_fromstr(&oid, hex.c_str()), 0);
    git_commit* commit = nullptr;
    EXPECT_EQ(git_commit_lookup(&commit, repo_, &oid), 0);
    bool answer = MayNeedFilters(repo_, commit);
    git_commit_free(commit);
    return answer;
  }
  void Write(const std::string& path, const std::string& text) {
    std::string full = repo_dir_ + "/" + path;
    Sh("mkdir -p " + Quote(full.substr(0, full.rfind('/'))));
    WriteAll(full, text);
  }

  TempDir tmp_;
  std::string old_xdg_;
  std::string repo_dir_;
  git_repository* repo_ = nullptr;
};

TEST_F(GitAttributesTest, FollowsGitattributesAtAnyDepthAcrossCommits) {
  Write("a/b/file.txt", "x\n");
  EXPECT_FALSE(CommitAndAsk());
  EXPECT_FALSE(CommitAndAsk());  // the same tree again
  Write("a/b/.gitattributes", "*.txt text eol=crlf\n");
  EXPECT_TRUE(CommitAndAsk());
  Write("a/b/other.txt", "y\n");
  EXPECT_TRUE(CommitAndAsk());
  Sh("rm " + Quote(repo_dir_ + "/a/b/.gitattributes"));
  EXPECT_FALSE(CommitAndAsk());
  Write(".gitattributes", "* ident\n");
  EXPECT_TRUE(CommitAndAsk());
}

TEST_F(GitAttributesTest, ABadCacheIsNeverBelieved) {
  Write("a/.gitattributes", "* text\n");
  Write("a/file", "x\n");
  std::string cache = repo_dir_ + "/.git/mixmaster-attributes";
  for (std::string junk :
       {std::string(""), std::string("garbage\n"),
        std::string(40, 'f') + " 0\n", std::string(40, 'z') + " 0\n"}) {
    WriteAll(cache, junk);
    EXPECT_TRUE(CommitAndAsk()) << junk;
  }
}

TEST_F(GitAttributesTest, ConfigAndAttributesFilesCountToo) {
  Write("file", "x\n");
  EXPECT_FALSE(CommitAndAsk());
  Sh("git -C " + Quote(repo_dir_) + " config core.autocrlf input");
  EXPECT_TRUE(CommitAndAsk());
  Sh("git -C " + Quote(repo_dir_) + " config core.autocrlf false");
  EXPECT_FALSE(CommitAndAsk());
  Sh("mkdir -p " + Quote(repo_dir_ + "/.git/info"));
  WriteAll(repo_dir_ + "/.git/info/attributes", "* text\n");
  EXPECT_TRUE(CommitAndAsk());
  Sh("rm " + Quote(repo_dir_ + "/.git/info/attributes"));
  Sh("mkdir -p " + Quote(tmp_ / "xdg/git"));
  WriteAll(tmp_ / "xdg/git/attributes", "* text\n");
  EXPECT_TRUE(CommitAndAsk());
}

}  // namespace
}  // namespace mm
