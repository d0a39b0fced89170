// Getting a workspace ready for a forced checkout (SPEC 6.3), in one pass
// over it:
//
// - Safety. libgit2 1.5 writes a file it checks out through a symlink that
//   stands where the file goes (a tracked file the build replaced by a
//   symlink, or an untracked symlink at a path the commit adds), so a
//   workspace could make a checkout write outside itself. Such symlinks are
//   removed first, as a forced checkout is meant to.
// - Speed. A workspace still exactly as the last checkout left it needs no
//   checkout at all; libgit2's would stat every file through its absolute
//   path on one thread and rewrite the index. The tracked files are statted
//   relative to their directories on several threads, the way `git status`
//   does, and any doubt means "check out".
#ifndef MIXMASTER_WORKSPACE_STATE_H_
#define MIXMASTER_WORKSPACE_STATE_H_

#include <git2.h>

#include <string>
#include <vector>

namespace mm {

enum class WorkspaceState {
  kPristine,       // exactly the checkout of the commit: nothing to do
  kCleanAtHead,    // exactly the checkout of HEAD: only what changed
                   // between HEAD and the commit needs writing
  kNeedsCheckout,  // anything else: a full forced checkout, which is safe
};

// Removes every symlink in the workspace that is not tracked as a symlink
// and either stands for a tracked file or directory, is untracked and not
// ignored (a forced checkout removes those anyway), or is ignored but where
// `target` (the tree about to be checked out) has an entry. Then tells
// whether the workspace is exactly the checkout of HEAD: nothing was
// removed; HEAD is detached and the index is the one RecordCheckout saw
// with it (same checksum), without conflicts, gitlinks or extended flags;
// every tracked file has the type, size, mode, inode, mtime and ctime the
// index holds, and those that are racily clean (written in the second the
// index was) still hash to their blob; and nothing is untracked but not
// ignored (empty directories aside). If so, the answer is kPristine when
// HEAD is `commit`, else kCleanAtHead.
WorkspaceState PrepareWorkspace(git_repository* repo, const git_oid& commit,
                                git_tree* target);

// True when HEAD and the index are as RecordCheckout last saw them: the
// index then matches HEAD's tree, and a checkout from there leaves it
// matching the new one. Otherwise (something staged, HEAD moved) the index
// has to be reset to the tree after the checkout, which libgit2's forced
// checkout does not do.
bool IndexAsRecorded(git_repository* repo);

// Remembers (in .git/mixmaster-checkout) the commit just checked out and the
// checksum of the index the checkout wrote.
void RecordCheckout(git_repository* repo, const git_oid& commit);

// Makes the index match `tree` after a checkout that started from an index
// RecordCheckout did not see (staged changes are local changes too, and
// libgit2's forced checkout keeps them). Entries that already matched keep
// their stat data; the others get it from the file just checked out when
// it hashes to the tree's blob, so the next build can tell nothing changed.
bool ResetIndexTo(git_repository* repo, git_tree* tree);

// The paths that differ between HEAD's tree and `tree` (a tree diff, which
// skips the subtrees they share). False when it cannot tell.
bool ChangedSinceHead(git_repository* repo, git_tree* tree,
                      std::vector<std::string>* paths);

// Removes the workspace `path` with everything in it, refusing anything not
// strictly inside `project_dir`; symlinks are removed, never followed.
bool RemoveWorkspace(const std::string& project_dir, const std::string& path,
                     std::string* err);

}  // namespace mm

#endif  // MIXMASTER_WORKSPACE_STATE_H_
