#include "git/git_attributes.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <string>

#include "base/ini.h"
#include "base/paths.h"
#include "git/workspace_state.h"

namespace mm {
namespace {

constexpr char kCacheName[] = "mixmaster-attributes";

bool IsAttributesPath(const char* path) {
  if (!path) return false;
  const char* slash = strrchr(path, '/');
  return strcmp(slash ? slash + 1 : path, ".gitattributes") == 0;
}

int StopAtAttributes(const char*, const git_tree_entry* entry, void* found) {
  if (!IsAttributesPath(git_tree_entry_name(entry))) return 0;
  *static_cast<bool*>(found) = true;
  return -1;  // found: the walk can stop
}

bool WalkForAttributes(git_tree* tree) {
  bool found = false;
  git_tree_walk(tree, GIT_TREEWALK_PRE, StopAtAttributes, &found);
  return found;
}

// How the .gitattributes files differ between two trees.
enum class Change { kNone, kAddedOrChanged, kRemoved, kUnknown };

Change AttributesChange(git_repository* repo, git_tree* from, git_tree* to) {
  git_diff* raw = nullptr;
  if (git_diff_tree_to_tree(&raw, repo, from, to, nullptr) != 0)
    return Change::kUnknown;
  DiffPtr diff(raw);
  Change change = Change::kNone;
  for (size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (IsAttributesPath(delta->new_file.path) &&
        delta->status != GIT_DELTA_DELETED)
      return Change::kAddedOrChanged;
    if (IsAttributesPath(delta->old_file.path)) change = Change::kRemoved;
  }
  return change;
}

// Whether `tree` holds a .gitattributes, with the cache described in the
// header. The cache is a hint: anything odd in it means a walk.
bool TreeHasAttributes(git_repository* repo, git_tree* tree) {
  std::string cache = JoinPath(git_repository_path(repo), kCacheName);
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, git_tree_id(tree));
  std::string text, err;
  int answer = -1;  // unknown
  if (ReadFile(cache, &text, &err) && text.size() == GIT_OID_HEXSZ + 3 &&
      (text[GIT_OID_HEXSZ + 1] == '0' || text[GIT_OID_HEXSZ + 1] == '1')) {
    bool had = text[GIT_OID_HEXSZ + 1] == '1';
    git_oid cached_id;
    git_tree* cached = nullptr;
    if (text.compare(0, GIT_OID_HEXSZ, hex) == 0) return had;
    if (git_oid_fromstrn(&cached_id, text.data(), GIT_OID_HEXSZ) == 0 &&
        git_tree_lookup(&cached, repo, &cached_id) == 0) {
      TreePtr owner(cached);
      switch (AttributesChange(repo, cached, tree)) {
        case Change::kNone:
          answer = had;
          break;
        case Change::kAddedOrChanged:
          answer = 1;
          break;
        case Change::kRemoved:
        case Change::kUnknown:
          break;
      }
    }
  }
  if (answer < 0) answer = WalkForAttributes(tree);
  std::string line = std::string(hex) + " " + (answer ? "1" : "0") + "\n";
  FILE* out = fopen(cache.c_str(), "we");
  if (out) {
    fputs(line.c_str(), out);
    fclose(out);
  }
  return answer;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return !path.empty() && stat(path.c_str(), &st) == 0;
}

}  // namespace

bool MayNeedFilters(git_repository* repo, git_commit* commit) {
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit) != 0) return true;
  TreePtr tree(raw_tree);
  if (TreeHasAttributes(repo, tree.get())) return true;
  git_config* raw_config = nullptr;
  if (git_repository_config_snapshot(&raw_config, repo) != 0) return true;
  ConfigPtr config(raw_config);
  git_buf value = GIT_BUF_INIT;
  if (git_config_get_string_buf(&value, config.get(), "core.autocrlf") == 0) {
    bool off = strcmp(value.ptr, "false") == 0;
    git_buf_dispose(&value);
    if (!off) return true;
  }
  std::string user_attributes;
  if (git_config_get_string_buf(&value, config.get(), "core.attributesFile") ==
      0) {
    user_attributes = ExpandHome(value.ptr, HomeDir());
    git_buf_dispose(&value);
  } else {
    const char* xdg = getenv("XDG_CONFIG_HOME");
    user_attributes = xdg && *xdg
                          ? JoinPath(xdg, "git/attributes")
                          : JoinPath(HomeDir(), ".config/git/attributes");
  }
  return FileExists(user_attributes) || FileExists("/etc/gitattributes") ||
         FileExists(JoinPath(git_repository_path(repo), "info/attributes"));
}

}  // namespace mm
