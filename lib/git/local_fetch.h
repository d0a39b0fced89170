// Fetching from a repository on this machine: a repositoryUrl that is an
// absolute path or a file:// URL (mmbuild(1) CHECKOUT). libgit2's own local
// transport cannot tell a damaged source from a damaged workspace, and calls
// a missing path an "unsupported URL protocol"; this does the same work (a
// revwalk in the source from the wanted commit, hiding what the workspace
// has, into a pack written into the workspace's own object database) and
// says whose fault a failure is. The source is only ever read: the
// workspace never borrows its objects (no alternates), so it survives the
// source being repacked or removed.
#ifndef MIXMASTER_LOCAL_FETCH_H_
#define MIXMASTER_LOCAL_FETCH_H_

#include <git2.h>
#include <signal.h>

#include <string>
#include <vector>

namespace mm {

// The directory a URL names when it is a path (/srv/git/repo.git) or a
// file:// URL (file:///srv/git/repo.git); false for any other URL.
bool LocalRepositoryPath(const std::string& url, std::string* path);

// The first of `refs` (full names) the repository at `source_path` has;
// empty when it has none of them, or cannot be read (the fetch says why).
std::string FirstLocalRef(const std::string& source_path,
                          const std::vector<std::string>& refs);

enum class LocalFetchOutcome {
  kDone,             // fetched, or the source has no such ref (see found)
  kSourceFailed,     // the source is missing, damaged or unreadable
  kWorkspaceBroken,  // the workspace could not take the objects
};

struct LocalFetchRequest {
  std::string source_path;
  // A full ref (refs/heads/main, refs/tags/v1) or a 40-digit commit id.
  std::string source;
  std::string destination;  // the local ref to point at it, forced
  // Also copy the tags of the source that point into the fetched history
  // and that the workspace lacks, as git's fetch of a branch does.
  bool follow_tags = false;
  const volatile sig_atomic_t* stop_requested = nullptr;
};

struct LocalFetchResult {
  bool found = false;    // the source has the ref (or commit)
  bool stopped = false;  // abandoned because *stop_requested was set
};

// Copies into `repo` the objects reachable from the request's source that
// `repo` lacks, then points the destination at it. `err` says what failed.
LocalFetchOutcome LocalFetch(git_repository* repo,
                             const LocalFetchRequest& request,
                             LocalFetchResult* result, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_LOCAL_FETCH_H_
