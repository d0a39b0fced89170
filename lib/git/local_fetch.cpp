#include "git/local_fetch.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <vector>

#include "git/workspace_state.h"

namespace mm {
namespace {

using RevwalkPtr = GitPtr<git_revwalk, git_revwalk_free>;
using PackbuilderPtr = GitPtr<git_packbuilder, git_packbuilder_free>;

bool StopRequested(const LocalFetchRequest& request) {
  return request.stop_requested && *request.stop_requested;
}

// Cancels libgit2's pack building or indexing once a stop is requested.
int PackProgress(int, uint32_t, uint32_t, void* payload) {
  return StopRequested(*static_cast<const LocalFetchRequest*>(payload)) ? -1
                                                                        : 0;
}
int IndexProgress(const git_indexer_progress*, void* payload) {
  return PackProgress(0, 0, 0, payload);
}

// Adds to `pb` the objects of `tip` the workspace lacks: the tag objects on
// the way to what it names, then the history of the commit (hiding every
// commit the workspace's refs and HEAD name), or a tree or blob whole.
bool InsertWanted(git_repository* source, git_repository* workspace,
                  git_packbuilder* pb, const git_oid& tip) {
  git_object* raw = nullptr;
  if (git_object_lookup(&raw, source, &tip, GIT_OBJECT_ANY) != 0) return false;
  ObjectPtr object(raw);
  while (git_object_type(object.get()) == GIT_OBJECT_TAG) {
    if (git_packbuilder_insert(pb, git_object_id(object.get()), nullptr) != 0 ||
        git_tag_target(&raw, reinterpret_cast<git_tag*>(object.get())) != 0)
      return false;
    object.reset(raw);
  }
  const git_oid* id = git_object_id(object.get());
  if (git_object_type(object.get()) != GIT_OBJECT_COMMIT)
    return git_packbuilder_insert_recur(pb, id, nullptr) == 0;
  git_revwalk* walk_raw = nullptr;
  if (git_revwalk_new(&walk_raw, source) != 0) return false;
  RevwalkPtr walk(walk_raw);
  if (git_revwalk_push(walk.get(), id) != 0) return false;
  std::vector<git_oid> have;
  git_oid head;
  if (git_reference_name_to_id(&head, workspace, "HEAD") == 0)
    have.push_back(head);
  git_reference_iterator* it = nullptr;
  if (git_reference_iterator_new(&it, workspace) == 0) {
    git_reference* ref = nullptr;
    while (git_reference_next(&ref, it) == 0) {
      ReferencePtr owner(ref);
      git_object* peeled = nullptr;
      if (git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) != 0) continue;
      have.push_back(*git_object_id(peeled));
      git_object_free(peeled);
    }
    git_reference_iterator_free(it);
  }
  // The source may not have them (another history): nothing to hide then.
  for (const git_oid& commit : have) git_revwalk_hide(walk.get(), &commit);
  git_error_clear();
  return git_packbuilder_insert_walk(pb, walk.get()) == 0;
}

struct PackWriter {
  git_odb_writepack* pack = nullptr;
  git_indexer_progress stats = {};
  bool failed = false;  // the workspace's side failed
  std::string error;
};

int AppendToPack(void* data, size_t size, void* payload) {
  auto* writer = static_cast<PackWriter*>(payload);
  if (writer->pack->append(writer->pack, data, size, &writer->stats) == 0)
    return 0;
  writer->failed = true;
  writer->error = GitErrorMessage();
  return -1;
}

// Streams the pack `pb` builds from the source into the workspace's object
// database (objects/pack, indexed as a fetch's pack is).
LocalFetchOutcome WritePack(git_repository* workspace, git_packbuilder* pb,
                            const LocalFetchRequest& request,
                            std::string* err) {
  if (git_packbuilder_object_count(pb) == 0) return LocalFetchOutcome::kDone;
  git_odb* odb_raw = nullptr;
  if (git_repository_odb(&odb_raw, workspace) != 0) {
    *err = "cannot open the workspace's objects: " + GitErrorMessage();
    return LocalFetchOutcome::kWorkspaceBroken;
  }
  OdbPtr odb(odb_raw);
  PackWriter writer;
  if (git_odb_write_pack(&writer.pack, odb.get(), IndexProgress,
                         const_cast<LocalFetchRequest*>(&request)) != 0) {
    *err = "cannot write into the workspace's objects: " + GitErrorMessage();
    return LocalFetchOutcome::kWorkspaceBroken;
  }
  int rc = git_packbuilder_foreach(pb, AppendToPack, &writer);
  if (rc == 0 && writer.pack->commit(writer.pack, &writer.stats) != 0) {
    writer.failed = true;
    writer.error = GitErrorMessage();
    rc = -1;
  }
  std::string source_error = rc != 0 ? GitErrorMessage() : "";
  writer.pack->free(writer.pack);
  if (rc == 0) return LocalFetchOutcome::kDone;
  if (writer.failed) {
    *err = "cannot write into the workspace's objects: " + writer.error;
    return LocalFetchOutcome::kWorkspaceBroken;
  }
  *err = "the repository is damaged: " + source_error;
  return LocalFetchOutcome::kSourceFailed;
}

// A new pack builder on the source, cancelled by a stop request.
PackbuilderPtr NewPackbuilder(git_repository* source,
                              const LocalFetchRequest& request) {
  git_packbuilder* raw = nullptr;
  if (git_packbuilder_new(&raw, source) != 0) return nullptr;
  PackbuilderPtr pb(raw);
  git_packbuilder_set_threads(pb.get(), 0);  // one a core
  git_packbuilder_set_callbacks(pb.get(), PackProgress,
                                const_cast<LocalFetchRequest*>(&request));
  return pb;
}

struct TagToFollow {
  std::string name;
  git_oid target;
};

// The tags of the source the workspace lacks whose commit it now has (git
// fetch's automatic tag following), their tag objects put into `pb`.
bool CollectTags(git_repository* source, git_repository* workspace,
                 git_packbuilder* pb, std::vector<TagToFollow>* tags) {
  git_odb* raw = nullptr;
  if (git_repository_odb(&raw, workspace) != 0) return false;
  OdbPtr have(raw);
  git_reference_iterator* it = nullptr;
  if (git_reference_iterator_glob_new(&it, source, "refs/tags/*") != 0)
    return false;
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it) == 0) {
    ReferencePtr owner(ref);
    git_reference* local = nullptr;
    if (git_reference_lookup(&local, workspace, git_reference_name(ref)) == 0) {
      git_reference_free(local);
      continue;
    }
    const git_oid* target = git_reference_target(ref);
    git_object* commit = nullptr;
    if (!target || git_reference_peel(&commit, ref, GIT_OBJECT_COMMIT) != 0)
      continue;
    bool wanted = git_odb_exists(have.get(), git_object_id(commit));
    git_object_free(commit);
    if (!wanted) continue;
    // The tag objects on the way (a lightweight tag has none).
    git_object* object = nullptr;
    git_oid id = *target;
    while (git_object_lookup(&object, source, &id, GIT_OBJECT_TAG) == 0) {
      git_packbuilder_insert(pb, &id, nullptr);
      id = *git_tag_target_id(reinterpret_cast<git_tag*>(object));
      git_object_free(object);
    }
    tags->push_back({git_reference_name(ref), *target});
  }
  git_reference_iterator_free(it);
  git_error_clear();
  return true;
}

// Finds what the request names in the source: its id in `tip`.
LocalFetchOutcome Resolve(git_repository* source, const std::string& name,
                          git_oid* tip, bool* found, std::string* err) {
  *found = false;
  if (name.compare(0, 5, "refs/") != 0) {
    git_odb* raw = nullptr;
    if (git_oid_fromstr(tip, name.c_str()) != 0 ||
        git_repository_odb(&raw, source) != 0) {
      *err = "cannot read " + name + ": " + GitErrorMessage();
      return LocalFetchOutcome::kSourceFailed;
    }
    OdbPtr odb(raw);
    *found = git_odb_exists(odb.get(), tip);
    return LocalFetchOutcome::kDone;
  }
  git_reference* raw = nullptr;
  int rc = git_reference_lookup(&raw, source, name.c_str());
  if (rc == GIT_ENOTFOUND) return LocalFetchOutcome::kDone;
  ReferencePtr ref(raw);
  git_reference* resolved = nullptr;
  if (rc != 0 || git_reference_resolve(&resolved, ref.get()) != 0) {
    *err = "cannot read " + name + ": " + GitErrorMessage();
    return LocalFetchOutcome::kSourceFailed;
  }
  *tip = *git_reference_target(resolved);
  git_reference_free(resolved);
  *found = true;
  return LocalFetchOutcome::kDone;
}

}  // namespace

bool LocalRepositoryPath(const std::string& url, std::string* path) {
  if (url.compare(0, 7, "file://") == 0 && url.size() > 7 && url[7] == '/') {
    *path = url.substr(7);
    return true;
  }
  if (!url.empty() && url[0] == '/') {
    *path = url;
    return true;
  }
  return false;
}

std::string FirstLocalRef(const std::string& source_path,
                          const std::vector<std::string>& refs) {
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, source_path.c_str(),
                              GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
    git_error_clear();
    return "";
  }
  RepositoryPtr source(raw);
  for (const std::string& name : refs) {
    git_reference* ref = nullptr;
    if (git_reference_lookup(&ref, source.get(), name.c_str()) == 0) {
      git_reference_free(ref);
      return name;
    }
  }
  git_error_clear();
  return "";
}

LocalFetchOutcome LocalFetch(git_repository* repo,
                             const LocalFetchRequest& request,
                             LocalFetchResult* result, std::string* err) {
  *result = LocalFetchResult();
  using O = LocalFetchOutcome;
  if (StopRequested(request)) {
    result->stopped = true;
    *err = "stopped";
    return O::kDone;
  }
  struct stat st;
  if (stat(request.source_path.c_str(), &st) != 0) {
    *err = request.source_path + ": " + strerror(errno);
    return O::kSourceFailed;
  }
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, request.source_path.c_str(),
                              GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
    *err = "not a git repository: " + GitErrorMessage();
    return O::kSourceFailed;
  }
  RepositoryPtr source(raw);
  git_oid tip;
  O outcome = Resolve(source.get(), request.source, &tip, &result->found, err);
  if (outcome != O::kDone || !result->found) return outcome;
  PackbuilderPtr pb = NewPackbuilder(source.get(), request);
  if (!pb || !InsertWanted(source.get(), repo, pb.get(), tip)) {
    *err = "the repository is damaged: " + GitErrorMessage();
    return O::kSourceFailed;
  }
  outcome = WritePack(repo, pb.get(), request, err);
  result->stopped = StopRequested(request);
  if (result->stopped || outcome != O::kDone) return outcome;
  git_reference* ref = nullptr;
  if (git_reference_create(&ref, repo, request.destination.c_str(), &tip, 1,
                           "fetch (mmbuild)") != 0) {
    *err = "cannot update " + request.destination + ": " + GitErrorMessage();
    return O::kWorkspaceBroken;
  }
  git_reference_free(ref);
  if (!request.follow_tags) return O::kDone;
  std::vector<TagToFollow> tags;
  pb = NewPackbuilder(source.get(), request);
  if (!pb || !CollectTags(source.get(), repo, pb.get(), &tags)) {
    *err = "cannot read the repository's tags: " + GitErrorMessage();
    return O::kSourceFailed;
  }
  outcome = WritePack(repo, pb.get(), request, err);
  result->stopped = StopRequested(request);
  if (result->stopped || outcome != O::kDone) return outcome;
  for (const TagToFollow& tag : tags) {
    // Not forced: like git, an existing tag is never moved by following.
    if (git_reference_create(&ref, repo, tag.name.c_str(), &tag.target, 0,
                             "fetch (mmbuild): tag") == 0)
      git_reference_free(ref);
  }
  git_error_clear();
  return O::kDone;
}

}  // namespace mm
