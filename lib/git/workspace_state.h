// Getting a workspace ready for a forced checkout (mmbuild(1) How a job runs),
// in one pass over it:
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
// - Repair. Damage a fetch does not mend (objects lost under their refs) is
//   found before fetching, so that the workspace is cloned afresh.
//
// It also holds what every libgit2 caller of mmbuild shares: the handle
// owners and the last error's message.
#ifndef MIXMASTER_WORKSPACE_STATE_H_
#define MIXMASTER_WORKSPACE_STATE_H_

#include <git2.h>

#include <memory>
#include <string>
#include <vector>

namespace mm {

// libgit2 handles, each owned by a std::unique_ptr that frees it with its
// own free function.
template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* handle) const { Free(handle); }
};
template <typename T, void (*Free)(T*)>
using GitPtr = std::unique_ptr<T, GitDeleter<T, Free>>;
using RepositoryPtr = GitPtr<git_repository, git_repository_free>;
using RemotePtr = GitPtr<git_remote, git_remote_free>;
using ReferencePtr = GitPtr<git_reference, git_reference_free>;
using ObjectPtr = GitPtr<git_object, git_object_free>;
using CommitPtr = GitPtr<git_commit, git_commit_free>;
using TreePtr = GitPtr<git_tree, git_tree_free>;
using TreeEntryPtr = GitPtr<git_tree_entry, git_tree_entry_free>;
using IndexPtr = GitPtr<git_index, git_index_free>;
using DiffPtr = GitPtr<git_diff, git_diff_free>;
using ConfigPtr = GitPtr<git_config, git_config_free>;
using OdbPtr = GitPtr<git_odb, git_odb_free>;

// The message of libgit2's last error; never null (git_error_last() may be).
std::string GitErrorMessage();

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

// False, with *why filled ("its HEAD names an object it does not have"),
// when the repository's object store is damaged in a way a fetch does not
// repair: HEAD or a reference names an object it lacks, as after a clone cut
// short or objects lost (libgit2's fetch then thinks it has what the server
// offers); or objects/pack is missing (libgit2 1.5 then writes a fetched
// pack to `/pack-*`, outside the workspace).
bool ObjectsIntact(git_repository* repo, std::string* why);

}  // namespace mm

#endif  // MIXMASTER_WORKSPACE_STATE_H_
