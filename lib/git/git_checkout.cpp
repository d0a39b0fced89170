#include "git/git_checkout.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <git2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <vector>

#include "base/paths.h"
#include "git/git_attributes.h"
#include "git/git_remote_auth.h"
#include "git/local_fetch.h"
#include "git/workspace_state.h"
#include "job/build_log.h"

namespace mm {
namespace {

int GitErrorClass() {
  const git_error* e = git_error_last();
  return e ? e->klass : GIT_ERROR_NONE;
}

// How a step went: done; failed for a reason a fresh clone cannot fix (the
// network, the remote, the request); or failed because the workspace is
// broken, which a fresh clone does fix.
enum class Outcome { kDone, kFailed, kBroken };

bool IsHex(const std::string& s) {
  for (char c : s)
    if (!isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool HasControlChars(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// The remote ref the target names, and where the fetch puts it locally.
std::string RemoteRef(const std::string& target) {
  return target.compare(0, 5, "refs/") == 0 ? target : "refs/heads/" + target;
}
std::string LocalRef(const std::string& target) {
  return target.compare(0, 5, "refs/") == 0 ? target
                                            : "refs/remotes/origin/" + target;
}

// Whether `name` may be given to git as a tag or branch: not an option, no
// control characters, and a valid ref name (git-check-ref-format(1)).
bool IsRefName(const std::string& name) {
  int valid = 0;
  return !name.empty() && name[0] != '-' && !HasControlChars(name) &&
         git_reference_name_is_valid(&valid, RemoteRef(name).c_str()) == 0 &&
         valid;
}

// Whether the remote listed `ref` in the fetch that just ran.
bool Advertised(git_remote* remote, const std::string& ref) {
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  if (git_remote_ls(&heads, &count, remote) != 0) return true;  // trust it
  for (size_t i = 0; i < count; ++i)
    if (ref == heads[i]->name) return true;
  return false;
}

class Checkout {
 public:
  Checkout(const CheckoutRequest& request, const CheckoutLogSink& log,
           CheckoutResult* result, std::string* err)
      : request_(request),
        log_(log),
        result_(result),
        err_(err),
        auth_{request.repository_url, request.known_hosts,
              request.stop_requested},
        local_(LocalRepositoryPath(request.repository_url, &local_path_)) {}

  // Fetches into `repo` and checks out; `fresh` for a new repository.
  Outcome Run(git_repository* repo, bool fresh) {
    if (!fresh && !ObjectsIntact(repo, err_)) return Outcome::kBroken;
    RemotePtr remote;
    if (Outcome o = PointOrigin(repo, &remote); o != Outcome::kDone) return o;
    std::string local = LocalRef(request_.target);
    Step("git fetch origin " + request_.target);
    Outcome fetched =
        Fetch(remote.get(), RemoteRef(request_.target), local, fresh);
    if (fetched != Outcome::kDone) return fetched;
    ObjectPtr commit;
    if (Outcome o = FindCommit(repo, remote.get(), local, &commit);
        o != Outcome::kDone)
      return o;
    const git_oid* oid = git_object_id(commit.get());
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, oid);
    Step(std::string("git checkout --force --detach ") + hex);
    result_->commit = hex;
    if (Outcome o = WriteCommit(repo, commit.get(), fresh); o != Outcome::kDone)
      return o;
    if (!fresh) Step("git clean -d --force");
    return Outcome::kDone;
  }

  void Step(const std::string& command) { log_(marker::kStep, command); }
  void Note(const std::string& text) { log_(marker::kMixmaster, text); }

 private:
  Outcome Broken(const std::string& what) {
    *err_ = what + ": " + GitErrorMessage();
    return Outcome::kBroken;
  }
  Outcome Failed(const std::string& what) {
    *err_ = what;
    return Outcome::kFailed;
  }

  // Makes the workspace the checkout of `commit`: nothing when it is one
  // already, only the paths that differ when it is a clean checkout of HEAD,
  // else a full forced checkout (removing untracked files).
  Outcome WriteCommit(git_repository* repo, git_object* commit, bool fresh) {
    const git_oid* oid = git_object_id(commit);
    std::string hex = git_oid_tostr_s(oid);
    auto* as_commit = reinterpret_cast<git_commit*>(commit);
    git_tree* raw = nullptr;
    if (git_commit_tree(&raw, as_commit) != 0)
      return Broken("cannot read the tree of " + hex);
    TreePtr tree(raw);
    WorkspaceState state = fresh ? WorkspaceState::kNeedsCheckout
                                 : PrepareWorkspace(repo, *oid, tree.get());
    if (state == WorkspaceState::kPristine) return Outcome::kDone;
    bool index_follows = fresh || IndexAsRecorded(repo);
    git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
    options.disable_filters = !MayNeedFilters(repo, as_commit);
    options.checkout_strategy =
        GIT_CHECKOUT_FORCE | GIT_CHECKOUT_REMOVE_UNTRACKED;
    std::vector<std::string> changed;
    std::vector<char*> paths;
    bool write = true;
    if (state == WorkspaceState::kCleanAtHead &&
        ChangedSinceHead(repo, tree.get(), &changed)) {
      // (No paths at all would mean every path; none changed means none.)
      write = !changed.empty();
      for (std::string& path : changed) paths.push_back(&path[0]);
      options.paths = {paths.data(), paths.size()};
      options.checkout_strategy =
          GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH;
    }
    git_repository_state_cleanup(repo);
    if (write && git_checkout_tree(repo, commit, &options) != 0)
      return Broken("checkout of " + hex + " failed");
    if (!index_follows && !ResetIndexTo(repo, tree.get()))
      return Broken("cannot reset the index to " + hex);
    if (git_repository_set_head_detached(repo, oid) != 0)
      return Broken("cannot detach HEAD at " + hex);
    RecordCheckout(repo, *oid);
    return Outcome::kDone;
  }

  Outcome PointOrigin(git_repository* repo, RemotePtr* remote) {
    const std::string& url = request_.repository_url;
    git_remote* raw = nullptr;
    int rc = git_remote_lookup(&raw, repo, "origin");
    remote->reset(raw);
    if (rc == GIT_ENOTFOUND) {
      Step("git remote add origin " + RedactUrl(url));
      if (git_remote_create(&raw, repo, "origin", url.c_str()) != 0)
        return Broken("cannot add remote origin");
      remote->reset(raw);
      return Outcome::kDone;
    }
    if (rc != 0) return Broken("cannot read remote origin");
    const char* current = git_remote_url(raw);
    if (current && url == current) return Outcome::kDone;
    Step("git remote set-url origin " + RedactUrl(url));
    if (git_remote_set_url(repo, "origin", url.c_str()) != 0 ||
        git_remote_lookup(&raw, repo, "origin") != 0)
      return Broken("cannot set the URL of remote origin");
    remote->reset(raw);
    return Outcome::kDone;
  }

  Outcome Fetch(git_remote* remote, const std::string& from,
                const std::string& to, bool fresh) {
    if (auth_.Stopped()) return Stop();
    if (local_) return FetchLocal(git_remote_owner(remote), from, to, fresh);
    git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
    SetRemoteCallbacks(&auth_, &options.callbacks);
    // A full ref (a tag) is fetched exactly: with tags auto-followed,
    // libgit2 1.5 leaves an existing tag alone even for a forced refspec.
    if (request_.target.compare(0, 5, "refs/") == 0)
      options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    std::string spec = "+" + from + ":" + to;
    char* specs[] = {&spec[0]};
    git_strarray refspecs = {specs, 1};
    auth_.agent_attempts = 0;
    if (git_remote_fetch(remote, &refspecs, &options, nullptr) == 0)
      return Outcome::kDone;
    if (auth_.Stopped()) return Stop();
    fetch_error_ = GitErrorMessage();
    *err_ = "cannot fetch from " + RedactUrl(request_.repository_url) + ": " +
            fetch_error_;
    // Local damage a fresh clone repairs; the rest is the remote's.
    switch (GitErrorClass()) {
      case GIT_ERROR_ODB:
      case GIT_ERROR_OBJECT:
      case GIT_ERROR_REFERENCE:
      case GIT_ERROR_INDEX:
      case GIT_ERROR_ZLIB:
        return fresh ? Outcome::kFailed : Outcome::kBroken;
      default:
        return Outcome::kFailed;
    }
  }

  // A repository on this machine (see local_fetch.h).
  Outcome FetchLocal(git_repository* repo, const std::string& from,
                     const std::string& to, bool fresh) {
    LocalFetchRequest fetch;
    fetch.source_path = local_path_;
    fetch.source = from;
    fetch.destination = to;
    fetch.follow_tags = request_.target.compare(0, 5, "refs/") != 0;
    fetch.stop_requested = request_.stop_requested;
    LocalFetchResult result;
    LocalFetchOutcome outcome = LocalFetch(repo, fetch, &result, &fetch_error_);
    if (result.stopped) return Stop();
    local_found_ = result.found;
    if (outcome == LocalFetchOutcome::kDone) return Outcome::kDone;
    *err_ =
        "cannot fetch from " + request_.repository_url + ": " + fetch_error_;
    return outcome == LocalFetchOutcome::kWorkspaceBroken && !fresh
               ? Outcome::kBroken
               : Outcome::kFailed;
  }

  Outcome FindCommit(git_repository* repo, git_remote* remote,
                     const std::string& local, ObjectPtr* commit) {
    git_object* raw = nullptr;
    const std::string& wanted = request_.commit;
    if (wanted.empty()) {
      // The local ref is kept between fetches (its history is what lets
      // the server send only what is new), so it may be stale: the remote
      // must have advertised the target just now.
      git_reference* ref = nullptr;
      if (!(local_ ? local_found_
                   : Advertised(remote, RemoteRef(request_.target))) ||
          git_reference_lookup(&ref, repo, local.c_str()) != 0)
        return Failed(RedactUrl(request_.repository_url) + " has no " +
                      (request_.target.compare(0, 10, "refs/tags/") == 0
                           ? "tag "
                           : "branch ") +
                      request_.target);
      ReferencePtr owner(ref);
      if (git_reference_peel(&raw, ref, GIT_OBJECT_COMMIT) != 0)
        return Failed(request_.target +
                      " does not name a commit: " + GitErrorMessage());
      commit->reset(raw);
      return Outcome::kDone;
    }
    if (wanted.size() < GIT_OID_HEXSZ || !IsHex(wanted)) {
      // A tag or branch (refs win over a short id, as in git rev-parse).
      if (local_) {
        std::string ref = FirstLocalRef(local_path_, NameCandidates(wanted));
        if (!ref.empty()) return FetchNamed(repo, remote, ref, nullptr, commit);
      } else if (const git_remote_head* head = AdvertisedName(remote, wanted)) {
        return FetchNamed(repo, remote, head->name, &head->oid, commit);
      }
      if (!IsHex(wanted))
        return Failed("commit " + wanted + " names no commit, tag or branch " +
                      "in " + RedactUrl(request_.repository_url));
    }
    return FindCommitId(repo, remote, commit);
  }

  // The refs `name` may mean, in git's order: the name itself when it
  // starts with refs/, else a tag, else a branch.
  static std::vector<std::string> NameCandidates(const std::string& name) {
    if (name.compare(0, 5, "refs/") == 0) return {name};
    return {"refs/tags/" + name, "refs/heads/" + name};
  }

  // The first of the remote's refs that `name` means.
  static const git_remote_head* AdvertisedName(git_remote* remote,
                                               const std::string& name) {
    const git_remote_head** heads = nullptr;
    size_t count = 0;
    if (git_remote_ls(&heads, &count, remote) != 0) return nullptr;
    for (const std::string& ref : NameCandidates(name))
      for (size_t i = 0; i < count; ++i)
        if (ref == heads[i]->name) return heads[i];
    return nullptr;
  }

  // Fetches the remote ref `ref` and finds the commit it names (a tag is
  // peeled to its commit): `advertised` is what the remote said it names;
  // null for a local repository, where the fetched ref tells.
  Outcome FetchNamed(git_repository* repo, git_remote* remote,
                     const std::string& ref, const git_oid* advertised,
                     ObjectPtr* commit) {
    Step("git fetch origin " + ref);
    Outcome o = Fetch(remote, ref, "refs/mixmaster/commit", false);
    if (o != Outcome::kDone) return o;
    git_oid oid;
    if (advertised)
      oid = *advertised;
    else if (git_reference_name_to_id(&oid, repo, "refs/mixmaster/commit"))
      return Broken("cannot read " + ref);
    git_object* raw = nullptr;
    if (git_object_lookup(&raw, repo, &oid, GIT_OBJECT_ANY) != 0)
      return Broken("cannot read " + ref);
    ObjectPtr named(raw);
    if (git_object_peel(&raw, named.get(), GIT_OBJECT_COMMIT) != 0)
      return Failed("commit " + request_.commit +
                    " does not name a commit: " + GitErrorMessage());
    commit->reset(raw);
    return Outcome::kDone;
  }

  // The commit given by its full or short id.
  Outcome FindCommitId(git_repository* repo, git_remote* remote,
                       ObjectPtr* commit) {
    const std::string& wanted = request_.commit;
    git_object* raw = nullptr;
    git_oid oid;
    if (git_oid_fromstrn(&oid, wanted.c_str(), wanted.size()) != 0)
      return Failed("commit " + wanted + " is not a commit id");
    int rc = git_object_lookup_prefix(&raw, repo, &oid, wanted.size(),
                                      GIT_OBJECT_COMMIT);
    if (rc == GIT_ENOTFOUND && wanted.size() == GIT_OID_HEXSZ) {
      // Not on the target's branch (any more): ask for the commit itself.
      // (The server must allow it: uploadpack.allowReachableSHA1InWant.)
      Step("git fetch origin " + wanted);
      Outcome o = Fetch(remote, wanted, "refs/mixmaster/commit", false);
      if (result_->stopped) return o;
      if (o == Outcome::kDone && local_ && !local_found_)
        return Failed("commit " + wanted + " is not in " +
                      request_.repository_url + ": it has no such object");
      if (o != Outcome::kDone)
        return Failed("commit " + wanted + " is not in " +
                      RedactUrl(request_.repository_url) + ": " + fetch_error_);
      rc = git_object_lookup_prefix(&raw, repo, &oid, wanted.size(),
                                    GIT_OBJECT_COMMIT);
    }
    if (rc == GIT_ENOTFOUND)
      return Failed("commit " + wanted + " is not in " +
                    RedactUrl(request_.repository_url));
    if (rc == GIT_EAMBIGUOUS)
      return Failed("commit " + wanted + " is ambiguous: give more digits");
    if (rc != 0) return Broken("cannot read commit " + wanted);
    commit->reset(raw);
    return Outcome::kDone;
  }

  Outcome Stop() {
    result_->stopped = true;
    *err_ = "checkout stopped";
    return Outcome::kFailed;
  }

  const CheckoutRequest& request_;
  const CheckoutLogSink& log_;
  CheckoutResult* result_;
  std::string* err_;
  RemoteAuth auth_;
  std::string local_path_;
  bool local_;               // a path or file:// URL: FetchLocal
  bool local_found_ = true;  // the last FetchLocal found what it fetched
  std::string fetch_error_;  // why the last Fetch failed
};

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  return remove(path) == 0 ? 0 : errno;
}

// Removes the workspace `path` with everything in it, refusing anything not
// strictly inside `dir` (the project dir); symlinks are removed, never
// followed.
bool RemoveWorkspace(const std::string& dir, const std::string& path,
                     std::string* err) {
  std::string prefix = dir + "/";
  std::string rest = path.compare(0, prefix.size(), prefix) == 0
                         ? path.substr(prefix.size())
                         : "";
  if (dir.empty() || rest.empty() || rest == ".." ||
      rest.compare(0, 3, "../") == 0 ||
      rest.find("/../") != std::string::npos ||
      (rest.size() >= 3 && rest.compare(rest.size() - 3, 3, "/..") == 0)) {
    *err = "refusing to remove " + path + ": not inside " + dir;
    return false;
  }
  int rc =
      nftw(path.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  if (rc != 0) {
    *err = "cannot remove " + path + ": " + strerror(rc > 0 ? rc : errno);
    return false;
  }
  return true;
}

bool DryRun(const CheckoutRequest& request, const CheckoutLogSink& log) {
  struct stat st;
  std::string git_dir = JoinPath(request.workspace, ".git");
  bool fresh = stat(git_dir.c_str(), &st) != 0;
  std::string url = RedactUrl(request.repository_url);
  if (fresh) {
    log(marker::kStep, "git init " + request.workspace);
    log(marker::kStep, "git remote add origin " + url);
  } else {
    log(marker::kStep, "git remote set-url origin " + url);
  }
  log(marker::kStep, "git fetch origin " + request.target);
  std::string what = request.commit;
  if (what.empty())
    what = request.target.compare(0, 5, "refs/") == 0
               ? request.target
               : "origin/" + request.target;
  log(marker::kStep, "git checkout --force --detach " + what);
  if (!fresh) log(marker::kStep, "git clean -d --force");
  return true;
}

}  // namespace

GitLibrary::GitLibrary() { git_libgit2_init(); }
GitLibrary::~GitLibrary() { git_libgit2_shutdown(); }

bool ValidateCheckoutRequest(const CheckoutRequest& request, std::string* err) {
  const std::string& url = request.repository_url;
  if (url.empty() || url[0] == '-' || HasControlChars(url)) {
    *err = "refusing repository URL `" + url +
           "`: empty, starting with `-`, or holding control characters";
    return false;
  }
  GitLibrary git;
  const std::string& commit = request.commit;
  bool is_id =
      commit.size() >= 4 && commit.size() <= GIT_OID_HEXSZ && IsHex(commit);
  if (!commit.empty() && !is_id && !IsRefName(commit)) {
    *err = "refusing commit `" + commit +
           "`: not a commit id (4 to 40 hex digits), tag or branch name";
    return false;
  }
  int valid = 0;
  const std::string& target = request.target;
  if (target.empty() || target[0] == '-' || HasControlChars(target) ||
      git_reference_name_is_valid(&valid, RemoteRef(target).c_str()) != 0 ||
      !valid) {
    *err = "refusing target `" + target + "`: not a valid branch or ref name";
    return false;
  }
  return true;
}

bool CheckOut(const CheckoutRequest& request, const CheckoutLogSink& log,
              CheckoutResult* result, std::string* err) {
  *result = CheckoutResult();
  GitLibrary git;  // first: the one in ValidateCheckoutRequest is then free
  if (!ValidateCheckoutRequest(request, err)) return false;
  if (request.dry_run) return DryRun(request, log);
  Checkout checkout(request, log, result, err);
  struct stat st;
  if (lstat(request.workspace.c_str(), &st) == 0) {
    git_repository* raw = nullptr;
    Outcome outcome = Outcome::kBroken;
    if (git_repository_open_ext(&raw, request.workspace.c_str(),
                                GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) == 0) {
      RepositoryPtr repo(raw);
      outcome = checkout.Run(repo.get(), false);
    } else {
      *err = "not a git checkout: " + GitErrorMessage();
    }
    if (outcome == Outcome::kDone) return true;
    if (outcome == Outcome::kFailed) return false;
    checkout.Note("workspace " + request.workspace + " is not usable (" + *err +
                  "); cloning it afresh");
    if (!RemoveWorkspace(request.project_dir, request.workspace, err))
      return false;
  }
  if (!MakeDirs(request.workspace, err)) return false;
  checkout.Step("git init " + request.workspace);
  git_repository* raw = nullptr;
  if (git_repository_init(&raw, request.workspace.c_str(), 0) != 0) {
    *err = "cannot create a repository in " + request.workspace + ": " +
           GitErrorMessage();
    return false;
  }
  RepositoryPtr repo(raw);
  return checkout.Run(repo.get(), true) == Outcome::kDone;
}

}  // namespace mm
