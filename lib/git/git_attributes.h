// Deciding whether a checkout can involve a git filter (end-of-line
// conversion, ident), so that git_checkout can skip filters when nothing can
// ask for one. With filters on, libgit2 looks up attributes for every file it
// writes or hashes, at two realpath() calls (a dozen syscalls) a file: a
// second or so for a fresh checkout of 20,000 files.
#ifndef MIXMASTER_GIT_ATTRIBUTES_H_
#define MIXMASTER_GIT_ATTRIBUTES_H_

#include <git2.h>

namespace mm {

// True when checking out `commit` in `repo` may apply a filter: its tree
// holds a .gitattributes (at any depth); the repository
// (.git/info/attributes), the user (core.attributesFile, else
// $XDG_CONFIG_HOME/git/attributes) or the system (/etc/gitattributes) has an
// attributes file; or core.autocrlf is set to anything but false. True too
// when it cannot tell.
//
// Whether the tree has a .gitattributes is remembered for the last tree in
// .git/mixmaster-attributes: the same tree again costs nothing, a new one a
// tree diff against it rather than a walk of every subtree.
bool MayNeedFilters(git_repository* repo, git_commit* commit);

}  // namespace mm

#endif  // MIXMASTER_GIT_ATTRIBUTES_H_
