#include "bridge/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
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

// A sanitized build (the ASan runtime reads /proc/self/maps, and its leak
// check stops the threads with ptrace from a clone()d helper at exit).
#if defined(__SANITIZE_ADDRESS__)
#define MM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MM_SANITIZED 1
#endif
#endif

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
bool ApplyLandlock(const SandboxPaths& paths, SandboxReport* report,
                   std::string* err) {
  long abi = syscall(kCreateRuleset, nullptr, 0, kCreateRulesetVersion);
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

// The seccomp filter: a deny list, so that the C++ runtime, the sanitizers
// and future code keep working, of the calls that would let a compromised
// bridge reach past its connection and its files.
#if defined(__x86_64__)
#define MM_FILTER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define MM_FILTER_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef MM_FILTER_ARCH
constexpr uint32_t kAuditArch = MM_FILTER_ARCH;

constexpr int kDeniedCalls[] = {
    // New programs, processes and network endpoints.
    SYS_execve,
    SYS_execveat,
#ifdef SYS_fork
    SYS_fork,
    SYS_vfork,
#endif
    SYS_clone3,
    SYS_socket,
    SYS_socketpair,
    SYS_connect,
    SYS_bind,
    SYS_listen,
    SYS_accept,
    SYS_accept4,
    // Other processes.
    SYS_process_vm_readv,
    SYS_process_vm_writev,
    SYS_pidfd_open,
    SYS_pidfd_getfd,
    SYS_pidfd_send_signal,
    SYS_tkill,
#ifndef MM_SANITIZED
    SYS_ptrace,
#endif
    // Mounts, namespaces, the kernel.
    SYS_mount,
    SYS_umount2,
    SYS_pivot_root,
    SYS_chroot,
    SYS_unshare,
    SYS_setns,
    SYS_open_tree,
    SYS_move_mount,
    SYS_fsopen,
    SYS_fsconfig,
    SYS_fsmount,
    SYS_fspick,
    SYS_mount_setattr,
    SYS_bpf,
    SYS_perf_event_open,
    SYS_userfaultfd,
    SYS_io_uring_setup,
    SYS_io_uring_enter,
    SYS_io_uring_register,
    SYS_keyctl,
    SYS_add_key,
    SYS_request_key,
    SYS_init_module,
    SYS_finit_module,
    SYS_delete_module,
    SYS_kexec_load,
    SYS_kexec_file_load,
    SYS_reboot,
    SYS_swapon,
    SYS_swapoff,
    SYS_acct,
    SYS_quotactl,
    SYS_personality,
    SYS_open_by_handle_at,
    SYS_name_to_handle_at,
    SYS_memfd_create,
#ifdef SYS_iopl
    SYS_iopl,
    SYS_ioperm,
#endif
};
// Signals: only to the process itself (raise, abort).
constexpr int kSignalCalls[] = {SYS_kill, SYS_tgkill, SYS_rt_sigqueueinfo,
                                SYS_rt_tgsigqueueinfo};

constexpr uint32_t kDeny = SECCOMP_RET_ERRNO | EPERM;
constexpr uint32_t kArg0 = offsetof(struct seccomp_data, args[0]);

sock_filter Stmt(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
sock_filter Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return BPF_JUMP(code, k, jt, jf);
}

std::vector<sock_filter> SeccompProgram() {
  std::vector<sock_filter> p;
  p.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  p.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0));
  p.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  p.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
#if defined(__x86_64__)
  // The x32 ABI numbers (bit 30) would bypass the list.
  p.push_back(Jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1));
  p.push_back(Stmt(BPF_RET | BPF_K, kDeny));
#endif
  for (int nr : kDeniedCalls) {
    p.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1));
    p.push_back(Stmt(BPF_RET | BPF_K, kDeny));
  }
  // The pid is the first argument of each; 0 and -1 (groups) are refused.
  uint32_t self = static_cast<uint32_t>(getpid());
  for (int nr : kSignalCalls) {
    p.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 4));
    p.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, kArg0));
    p.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, self, 0, 1));
    p.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    p.push_back(Stmt(BPF_RET | BPF_K, kDeny));
  }
  // clone: a normal build never makes a thread or a process; a sanitized
  // one gets threads (CLONE_VM) for its leak check, never a new program.
#ifdef MM_SANITIZED
  p.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 4));
  p.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, kArg0));
  p.push_back(Jump(BPF_JMP | BPF_JSET | BPF_K, CLONE_VM, 0, 1));
  p.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
#else
  p.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 1));
#endif
  p.push_back(Stmt(BPF_RET | BPF_K, kDeny));
  p.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  return p;
}

#endif  // MM_FILTER_ARCH

// Installs the filter; on an architecture it was not written for, says so
// in `report->note` and installs nothing (Landlock still applies).
bool InstallSeccompFilter(SandboxReport* report, std::string* err) {
#ifdef MM_FILTER_ARCH
  std::vector<sock_filter> program = SeccompProgram();
  sock_fprog prog = {static_cast<unsigned short>(program.size()),
                     program.data()};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) {
    *err = std::string("seccomp filter: ") + strerror(errno);
    return false;
  }
  report->seccomp = true;
#else
  (void)err;
  report->note += std::string(report->note.empty() ? "" : "; ") +
                  "no seccomp filter for this architecture";
#endif
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
  if (!ApplyLandlock(with_runtime, report, err)) return false;
  return InstallSeccompFilter(report, err);
}

}  // namespace mm
