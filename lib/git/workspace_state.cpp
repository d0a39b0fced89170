#include "git/workspace_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/ini.h"
#include "base/paths.h"
#include "process/spawn.h"

namespace mm {
namespace {

constexpr char kRecordName[] = "mixmaster-checkout";

std::string Hex(const git_oid* oid) {
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, oid);
  return hex;
}

std::string Record(const git_oid& commit, git_index* index) {
  return Hex(&commit) + " " + Hex(git_index_checksum(index)) + "\n";
}

// A tracked file as the index last saw it.
bool Unchanged(const struct stat& st, const git_index_entry& e) {
  bool type_ok;
  switch (e.mode) {
    case GIT_FILEMODE_BLOB:
      type_ok = S_ISREG(st.st_mode) && !(st.st_mode & S_IXUSR);
      break;
    case GIT_FILEMODE_BLOB_EXECUTABLE:
      type_ok = S_ISREG(st.st_mode) && (st.st_mode & S_IXUSR);
      break;
    case GIT_FILEMODE_LINK:
      type_ok = S_ISLNK(st.st_mode);
      break;
    default:
      type_ok = false;  // gitlinks and the like: not handled here
  }
  auto same_time = [](const struct timespec& t, const git_index_time& i) {
    return static_cast<int32_t>(t.tv_sec) == i.seconds &&
           (i.nanoseconds == 0 ||
            static_cast<uint32_t>(t.tv_nsec) == i.nanoseconds);
  };
  return type_ok && static_cast<uint32_t>(st.st_size) == e.file_size &&
         static_cast<uint32_t>(st.st_ino) == e.ino &&
         same_time(st.st_mtim, e.mtime) && same_time(st.st_ctim, e.ctime);
}

// Stats entries [begin, end) relative to their directories; clears `ok` at
// the first difference.
void StatRange(int root, const std::vector<const git_index_entry*>& entries,
               size_t begin, size_t end, std::atomic<bool>* ok) {
  UniqueFd dir_fd;
  std::string dir_name = "\n";  // no directory yet
  for (size_t i = begin; i < end && *ok; ++i) {
    const char* path = entries[i]->path;
    const char* slash = strrchr(path, '/');
    std::string dir = slash ? std::string(path, slash) : "";
    if (dir != dir_name) {
      dir_fd =
          UniqueFd(dir.empty() ? dup(root)
                               : openat(root, dir.c_str(),
                                        O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      dir_name = dir;
    }
    struct stat st;
    if (!dir_fd.ok() ||
        fstatat(dir_fd.get(), slash ? slash + 1 : path, &st,
                AT_SYMLINK_NOFOLLOW) != 0 ||
        !Unchanged(st, *entries[i]))
      *ok = false;
  }
}

// More racily clean files than this and the checkout hashes them instead.
constexpr size_t kMaxRacy = 64;

// Whether a racily clean file still holds what the index says.
bool SameContent(git_repository* repo, const git_index_entry& e) {
  git_oid id;
  return e.mode != GIT_FILEMODE_LINK &&
         git_repository_hashfile(&id, repo, e.path, GIT_OBJECT_BLOB, nullptr) ==
             0 &&
         git_oid_equal(&id, &e.id);
}

struct Tracked {
  std::unordered_set<std::string> files;  // not symlinks
  std::unordered_set<std::string> links;
  std::unordered_set<std::string> dirs;  // every directory holding an entry
};

// Walks the workspace, removing the symlinks a checkout could write through
// and noting anything a forced checkout would change.
class Walker {
 public:
  Walker(git_repository* repo, int root, const Tracked& tracked,
         git_tree* target)
      : repo_(repo), root_(root), tracked_(tracked), target_(target) {}

  void Walk(const std::string& dir) {
    int fd = dir.empty()
                 ? dup(root_)
                 : openat(root_, dir.c_str(),
                          O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR* d = fd >= 0 ? fdopendir(fd) : nullptr;
    if (!d) {
      if (fd >= 0) close(fd);
      clean_ = false;
      return;
    }
    while (struct dirent* entry = readdir(d)) {
      std::string name = entry->d_name;
      if (name == "." || name == ".." || (dir.empty() && name == ".git"))
        continue;
      std::string rel = dir.empty() ? name : dir + "/" + name;
      unsigned char type = entry->d_type;
      struct stat st;
      if (type == DT_UNKNOWN &&
          fstatat(dirfd(d), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        type = S_ISLNK(st.st_mode)   ? DT_LNK
               : S_ISDIR(st.st_mode) ? DT_DIR
                                     : DT_REG;
      if (type == DT_LNK) {
        if (tracked_.links.count(rel)) continue;
        if (tracked_.files.count(rel) || tracked_.dirs.count(rel) ||
            !Ignored(rel) || InTarget(rel)) {
          unlinkat(dirfd(d), entry->d_name, 0);  // the link, not its target
          clean_ = false;
        }
      } else if (type == DT_DIR) {
        if (tracked_.dirs.count(rel) || !Ignored(rel + "/")) Walk(rel);
      } else if (!tracked_.files.count(rel) && !tracked_.links.count(rel) &&
                 !Ignored(rel)) {
        clean_ = false;  // untracked: the checkout removes it
      }
    }
    closedir(d);
  }

  bool clean() const { return clean_; }

 private:
  bool Ignored(const std::string& path) {
    int ignored = 0;
    return git_ignore_path_is_ignored(&ignored, repo_, path.c_str()) == 0 &&
           ignored;
  }
  bool InTarget(const std::string& path) {
    git_tree_entry* entry = nullptr;
    if (!target_ || git_tree_entry_bypath(&entry, target_, path.c_str()) != 0)
      return false;
    TreeEntryPtr owner(entry);
    return true;
  }

  git_repository* repo_;
  int root_;
  const Tracked& tracked_;
  git_tree* target_;
  bool clean_ = true;
};

// The index's entries and the paths they track. `racy` gets those written
// in the second the index was (racily clean: a change in that second would
// not show in their stat data, so their content is hashed); entries a stat
// cannot vouch for (submodules, extended flags) clear `candidate`.
void ReadEntries(git_index* index, time_t index_mtime, bool* candidate,
                 std::vector<const git_index_entry*>* entries,
                 std::vector<const git_index_entry*>* racy, Tracked* tracked) {
  size_t count = git_index_entrycount(index);
  entries->reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const git_index_entry* e = git_index_get_byindex(index, i);
    if (*candidate &&
        (e->flags_extended != 0 || e->mode == GIT_FILEMODE_COMMIT))
      *candidate = false;
    if (*candidate && e->mtime.seconds >= static_cast<int32_t>(index_mtime))
      racy->push_back(e);
    entries->push_back(e);
    std::string path = e->path;
    (e->mode == GIT_FILEMODE_LINK ? tracked->links : tracked->files)
        .insert(path);
    for (size_t slash = path.rfind('/'); slash != std::string::npos && slash;
         slash = path.rfind('/', slash - 1)) {
      if (!tracked->dirs.insert(path.substr(0, slash)).second) break;
    }
  }
}

}  // namespace

std::string GitErrorMessage() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

WorkspaceState PrepareWorkspace(git_repository* repo, const git_oid& commit,
                                git_tree* target) {
  const WorkspaceState checkout = WorkspaceState::kNeedsCheckout;
  const char* workdir = git_repository_workdir(repo);
  git_index* raw = nullptr;
  if (!workdir || git_repository_index(&raw, repo) != 0) return checkout;
  IndexPtr index(raw);
  if (git_index_read(index.get(), false) != 0) return checkout;

  // Only a workspace at HEAD with the index of the last checkout can be
  // clean; otherwise the tracked files need no stat here.
  std::string record, err;
  git_oid head;
  struct stat index_stat = {};
  bool candidate = ReadFile(JoinPath(git_repository_path(repo), kRecordName),
                            &record, &err) &&
                   git_repository_head_detached(repo) == 1 &&
                   git_reference_name_to_id(&head, repo, "HEAD") == 0 &&
                   record == Record(head, index.get()) &&
                   !git_index_has_conflicts(index.get()) &&
                   stat(JoinPath(git_repository_path(repo), "index").c_str(),
                        &index_stat) == 0;

  Tracked tracked;
  std::vector<const git_index_entry*> entries, racy;
  ReadEntries(index.get(), index_stat.st_mtim.tv_sec, &candidate, &entries,
              &racy, &tracked);
  if (racy.size() > kMaxRacy) candidate = false;

  UniqueFd root_fd(open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.ok()) return checkout;
  const int root = root_fd.get();
  std::atomic<bool> unchanged(candidate);
  std::vector<std::thread> threads;
  if (candidate) {
    size_t workers =
        std::max(2u, std::min(4u, std::thread::hardware_concurrency()));
    for (size_t w = 0; w < workers; ++w)
      threads.emplace_back(StatRange, root, std::cref(entries),
                           entries.size() * w / workers,
                           entries.size() * (w + 1) / workers, &unchanged);
  }
  Walker walker(repo, root, tracked, target);
  walker.Walk("");
  for (std::thread& t : threads) t.join();
  root_fd.Reset();
  if (!unchanged || !walker.clean()) return checkout;
  for (const git_index_entry* e : racy)
    if (!SameContent(repo, *e)) return checkout;
  return git_oid_equal(&head, &commit) ? WorkspaceState::kPristine
                                       : WorkspaceState::kCleanAtHead;
}

bool IndexAsRecorded(git_repository* repo) {
  std::string record, err;
  git_oid head;
  git_index* raw = nullptr;
  if (!ReadFile(JoinPath(git_repository_path(repo), kRecordName), &record,
                &err) ||
      git_reference_name_to_id(&head, repo, "HEAD") != 0 ||
      git_repository_index(&raw, repo) != 0)
    return false;
  IndexPtr index(raw);
  return git_index_read(index.get(), false) == 0 &&
         record == Record(head, index.get());
}

void RecordCheckout(git_repository* repo, const git_oid& commit) {
  std::string path = JoinPath(git_repository_path(repo), kRecordName);
  git_index* raw = nullptr;
  if (git_repository_index(&raw, repo) != 0) {
    unlink(path.c_str());
    return;
  }
  IndexPtr index(raw);
  FILE* out = git_index_read(index.get(), false) == 0
                  ? fopen(path.c_str(), "we")
                  : nullptr;
  if (!out) {
    unlink(path.c_str());
    return;
  }
  fputs(Record(commit, index.get()).c_str(), out);
  fclose(out);
}

bool ResetIndexTo(git_repository* repo, git_tree* tree) {
  git_index* raw = nullptr;
  if (git_repository_index(&raw, repo) != 0) return false;
  IndexPtr index(raw);
  if (git_index_read_tree(raw, tree) != 0) return false;
  for (size_t i = 0; i < git_index_entrycount(raw); ++i) {
    const git_index_entry* e = git_index_get_byindex(raw, i);
    if (e->mtime.seconds != 0 || e->file_size != 0 ||
        e->mode == GIT_FILEMODE_COMMIT)
      continue;
    git_index_entry reset = *e;
    std::string path = e->path;
    reset.path = path.c_str();
    const git_index_entry* fresh = nullptr;
    if (git_index_add_bypath(raw, path.c_str()) != 0 ||
        !(fresh = git_index_get_bypath(raw, path.c_str(), 0)) ||
        !git_oid_equal(&fresh->id, &reset.id) || fresh->mode != reset.mode) {
      if (git_index_add(raw, &reset) != 0) return false;
    }
  }
  return git_index_write(raw) == 0;
}

bool ChangedSinceHead(git_repository* repo, git_tree* tree,
                      std::vector<std::string>* paths) {
  git_oid head;
  git_commit* raw_commit = nullptr;
  git_tree* raw_tree = nullptr;
  if (git_reference_name_to_id(&head, repo, "HEAD") != 0 ||
      git_commit_lookup(&raw_commit, repo, &head) != 0)
    return false;
  CommitPtr commit(raw_commit);
  if (git_commit_tree(&raw_tree, raw_commit) != 0) return false;
  TreePtr head_tree(raw_tree);
  git_diff* raw_diff = nullptr;
  if (git_diff_tree_to_tree(&raw_diff, repo, head_tree.get(), tree, nullptr) !=
      0)
    return false;
  DiffPtr diff(raw_diff);
  for (size_t i = 0; i < git_diff_num_deltas(raw_diff); ++i) {
    const git_diff_delta* delta = git_diff_get_delta(raw_diff, i);
    paths->push_back(delta->old_file.path);
    if (strcmp(delta->old_file.path, delta->new_file.path) != 0)
      paths->push_back(delta->new_file.path);
  }
  return true;
}

bool ObjectsIntact(git_repository* repo, std::string* why) {
  struct stat st;
  std::string pack_dir = JoinPath(git_repository_path(repo), "objects/pack");
  if (stat(pack_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *why = "it has no objects/pack directory";
    return false;
  }
  git_odb* raw = nullptr;
  if (git_repository_odb(&raw, repo) != 0) {
    *why = "cannot open its object database: " + GitErrorMessage();
    return false;
  }
  OdbPtr odb(raw);
  struct Walk {
    git_repository* repo;
    git_odb* odb;
    std::string missing;
  } walk{repo, odb.get(), ""};
  // A name that does not resolve (an unborn branch, a dangling symbolic
  // ref) names no object, so it lacks none.
  auto check = [](const char* name, void* payload) {
    auto* w = static_cast<Walk*>(payload);
    git_oid id;
    if (git_reference_name_to_id(&id, w->repo, name) != 0 ||
        git_odb_exists(w->odb, &id))
      return 0;
    w->missing = name;
    return 1;  // stops the walk
  };
  if (check("HEAD", &walk) == 0 &&
      git_reference_foreach_name(repo, check, &walk) == 0)
    return true;
  *why = "its " + walk.missing + " names an object it does not have";
  return false;
}

}  // namespace mm
