// Checking out a job's commit with libgit2 (mmbuild(1) How a job runs), never
// through a shell: the workspace is one persistent checkout per target. Without
// a usable checkout it is made afresh (init, fetch the target, check out);
// otherwise `origin` is pointed at the job's repository URL and the target
// (and the commit, when it is missing) fetched. Then the commit, or the
// fetched head of the target, is checked out by force as a detached HEAD:
// local changes are discarded and untracked files removed (ignored ones are
// kept, so incremental builds stay incremental). A broken or half-cloned
// workspace is removed (only ever inside the project dir) and cloned again.
// SSH authenticates through the ssh-agent of SSH_AUTH_SOCK and checks host
// keys against ~/.ssh/known_hosts. A path or file:// URL is fetched by
// local_fetch.h, which tells a damaged repository from a damaged workspace.
#ifndef MIXMASTER_GIT_CHECKOUT_H_
#define MIXMASTER_GIT_CHECKOUT_H_

#include <signal.h>

#include <functional>
#include <string>

namespace mm {

struct CheckoutRequest {
  std::string repository_url;
  // A branch name, or a full ref starting with `refs/` (refs/tags/v1.2).
  std::string target;
  // A full or short commit id, a tag or a branch; empty: the head of the
  // target.
  std::string commit;
  std::string workspace;    // <project dir>/<SafeName(target)>
  std::string project_dir;  // nothing outside it is ever removed
  std::string known_hosts;  // e.g. ~/.ssh/known_hosts
  // Log the steps, do nothing.
  bool dry_run = false;
  // When set non-zero, the transfer is abandoned (result: stopped).
  const volatile sig_atomic_t* stop_requested = nullptr;
};

struct CheckoutResult {
  std::string commit;    // the full id checked out (empty in a dry run)
  bool stopped = false;  // abandoned because *stop_requested was set
};

// Receives what the checkout does, for the build log: '$' a step, as the
// equivalent git command ("git fetch origin production"); '#' a remark.
using CheckoutLogSink = std::function<void(char marker, const std::string&)>;

// Refuses request values that could be taken for options or are not what
// they claim to be: a repository URL that is empty, starts with `-` or holds
// control characters; a commit that is neither 4-40 hex digits nor a valid
// tag or branch name (mmbuild(1) How a job runs); a target that is not a valid
// ref name.
bool ValidateCheckoutRequest(const CheckoutRequest& request, std::string* err);

// Keeps libgit2 initialised while it lives (CheckOut needs none, but its
// set-up, which reads the system's CA certificates, takes ~10 ms: holding one
// lets that overlap other work, such as an ssh-agent starting up).
class GitLibrary {
 public:
  GitLibrary();
  ~GitLibrary();
  GitLibrary(const GitLibrary&) = delete;
  GitLibrary& operator=(const GitLibrary&) = delete;
};

// Fetches and checks out. False with a message in `err` when it could not.
bool CheckOut(const CheckoutRequest& request, const CheckoutLogSink& log,
              CheckoutResult* result, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_GIT_CHECKOUT_H_
