#include "bridge/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "base/fsutil.h"
#include "base/paths.h"
#include "bridge/syscall_filter.h"

namespace mm {
namespace {

// Landlock's ABI (linux/landlock.h, landlock(7)), spelled out here because
// Debian 12's kernel headers stop at ABI 2 while the kernels it runs on may
// offer more; each right is only asked for when the kernel knows it.
constexpr long kCreateRuleset = 444;  // the same number on every arch
constexpr long kAddRule = 445;
constexpr long kRestrictSelf = 446;
constexpr uint32_t kCreateRulesetVersion = 1;
constexpr int kRulePathBeneath = 1;

constexpr uint64_t kExecute = 1ULL << 0, kWriteFile = 1ULL << 1,
                   kReadFile = 1ULL << 2, kReadDir = 1ULL << 3,
                   kRemoveFile = 1ULL << 5, kMakeReg = 1ULL << 8,
                   kRefer = 1ULL << 13, kTruncate = 1ULL << 14,
                   kIoctlDev = 1ULL << 15;
// Every file right of ABI 1 (execute .. make_sym), then one more in 2, 3, 5.
constexpr uint64_t kFsRightsAbi1 = (1ULL << 13) - 1;
constexpr uint64_t kFileOnlyRights =
    kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev;

struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;  // ABI 4: TCP bind and connect
  uint64_t scoped;              // ABI 6: abstract unix sockets, signals
};

struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

uint64_t HandledFsRights(int abi) {
  uint64_t rights = kFsRightsAbi1;
  if (abi >= 2) rights |= kRefer;
  if (abi >= 3) rights |= kTruncate;
  if (abi >= 5) rights |= kIoctlDev;
  return rights;
}

// Allows `rights` beneath `path` (on a file, only the file rights). A path
// that cannot exist or be reached is skipped: nothing can be opened there
// anyway, and opening it later says why. Another failure (an I/O error, no
// descriptor left) is the sandbox's: skipped, the path would be denied.
bool AddPathRule(int ruleset, const std::string& path, uint64_t rights,
                 uint64_t handled, std::string* err) {
  UniqueFd fd(open(path.c_str(), O_PATH | O_CLOEXEC));
  struct stat st;
  if (fd.get() < 0 || fstat(fd.get(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR || errno == EACCES ||
        errno == ELOOP || errno == ENAMETOOLONG)
      return true;
    *err = "cannot open " + path + " for its landlock rule: " + strerror(errno);
    return false;
  }
  if (!S_ISDIR(st.st_mode)) rights &= kFileOnlyRights;
  PathBeneathAttr attr = {rights & handled, fd.get()};
  if (syscall(kAddRule, ruleset, kRulePathBeneath, &attr, 0) != 0) {
    *err = "landlock rule for " + path + ": " + strerror(errno);
    return false;
  }
  return true;
}

// Applies Landlock; an absent or disabled Landlock is a note, not a failure.
bool ApplyLandlock(const SandboxPaths& paths, int abi_limit,
                   SandboxReport* report, std::string* err) {
  long abi = syscall(kCreateRuleset, nullptr, 0, kCreateRulesetVersion);
  if (abi_limit > 0 && abi > abi_limit) abi = abi_limit;
  if (abi < 1) {
    report->note = std::string("no Landlock in this kernel (") +
                   strerror(errno) +
                   "): files are not restricted beyond the unit's options";
    return true;
  }
  report->landlock_abi = static_cast<int>(abi);
  RulesetAttr attr = {};
  attr.handled_access_fs = HandledFsRights(report->landlock_abi);
  size_t size = 8;
  if (abi >= 4) {
    attr.handled_access_net = 3;  // no TCP bind or connect at all
    size = 16;
  }
  if (abi >= 6) {
    attr.scoped = 3;  // no abstract unix socket, no signal outside
    size = 24;
  }
  UniqueFd ruleset(syscall(kCreateRuleset, &attr, size, 0));
  if (ruleset.get() < 0) {
    *err = std::string("landlock ruleset: ") + strerror(errno);
    return false;
  }
  const uint64_t handled = attr.handled_access_fs;
  const uint64_t read = kReadFile | kReadDir;
  const uint64_t write =
      read | kWriteFile | kMakeReg | kRemoveFile | kRefer | kTruncate;
  for (const std::string& p : paths.read_only)
    if (!AddPathRule(ruleset.get(), p, read, handled, err)) return false;
  for (const std::string& p : paths.read_write)
    if (!AddPathRule(ruleset.get(), p, write, handled, err)) return false;
  if (syscall(kRestrictSelf, ruleset.get(), 0) != 0) {
    *err = std::string("landlock restrict_self: ") + strerror(errno);
    return false;
  }
  return true;
}

// Whether O_TMPFILE works in `dir`: known from the filesystem's type for the
// usual ones (statfs is cheap), else tried (an inode made and dropped, about
// 0.2 ms on ext4, which is why it is not the first choice).
bool HasTmpfile(const std::string& dir) {
  struct statfs fs;
  if (statfs(dir.c_str(), &fs) == 0) {
    switch (static_cast<unsigned long>(fs.f_type)) {
      case 0xEF53:      // ext2, ext3, ext4
      case 0x58465342:  // xfs
      case 0x9123683E:  // btrfs
      case 0x01021994:  // tmpfs
      case 0xF2F52010:  // f2fs
        return true;
    }
  }
  int probe = open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (probe >= 0) {
    close(probe);
    return true;
  }
  return !(errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL);
}

}  // namespace

SandboxPaths BridgeSandboxPaths(const Config* config) {
  SandboxPaths paths;
  if (!config) return paths;
  paths.read_write.push_back(config->spool);
  // The spool writer's fallback writes beside the spool (spool_writer.h).
  if (!HasTmpfile(config->spool)) {
    size_t slash = config->spool.find_last_of('/');
    if (slash != std::string::npos && slash > 0)
      paths.read_write.push_back(config->spool.substr(0, slash));
  }
  if (config->web_view) paths.read_only.push_back(config->build_root);
  return paths;
}

bool EnterSandbox(const SandboxPaths& paths, SandboxReport* report,
                  std::string* err) {
  return EnterSandboxAtLandlockAbi(paths, 0, report, err);
}

bool EnterSandboxAtLandlockAbi(const SandboxPaths& paths,
                               int landlock_abi_limit, SandboxReport* report,
                               std::string* err) {
  // Both Landlock and an unprivileged seccomp filter need it; it also means
  // nothing exec'd (were exec allowed) could gain privileges.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    *err = std::string("no_new_privs: ") + strerror(errno);
    return false;
  }
  SandboxPaths with_runtime = paths;
#ifdef MM_SANITIZED
  with_runtime.read_only.push_back("/proc/self");
#endif
  if (!ApplyLandlock(with_runtime, landlock_abi_limit, report, err))
    return false;
  if (!InstallSyscallFilter(&report->seccomp, err)) return false;
  if (!report->seccomp)
    report->note += std::string(report->note.empty() ? "" : "; ") +
                    "no seccomp filter for this architecture";
  return true;
}

}  // namespace mm
