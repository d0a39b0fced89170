#include "bridge/syscall_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#if defined(__x86_64__)
#define MM_FILTER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define MM_FILTER_ARCH AUDIT_ARCH_AARCH64
#endif

namespace mm {

#ifdef MM_FILTER_ARCH
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "an argument's low 32 bits are read at its own offset");

// Calls newer than Debian 12's headers, by their number, which is the same
// on every architecture (the unified table from 5.x on).
constexpr int kFchmodat2 = 452, kSetxattrat = 463, kRemovexattrat = 466;

constexpr int kDeniedCalls[] = {
    // New programs, processes and network endpoints.
    SYS_execve,
    SYS_execveat,
    SYS_clone3,
    SYS_socket,
    SYS_socketpair,
    SYS_connect,
    SYS_bind,
    SYS_listen,
    SYS_accept,
    SYS_accept4,
    // Other processes: their memory, pidfds, threads, scheduling and
    // priorities (the bridge sets none of its own either).
    SYS_process_vm_readv,
    SYS_process_vm_writev,
    SYS_process_madvise,
    SYS_process_mrelease,
    SYS_pidfd_open,
    SYS_pidfd_getfd,
    SYS_pidfd_send_signal,
    SYS_tkill,
    SYS_kcmp,
    SYS_migrate_pages,
    SYS_move_pages,
    SYS_setpriority,
    SYS_ioprio_set,
    SYS_sched_setaffinity,
    SYS_sched_setparam,
    SYS_sched_setscheduler,
    SYS_sched_setattr,
#ifndef MM_SANITIZED
    SYS_ptrace,
#endif
    // A file's mode, owner, times and extended attributes, and truncation
    // by path (openat2 hides its flags from a filter).
    SYS_fchmod,
    SYS_fchmodat,
    kFchmodat2,
    SYS_fchown,
    SYS_fchownat,
    SYS_utimensat,
    SYS_setxattr,
    SYS_lsetxattr,
    SYS_fsetxattr,
    kSetxattrat,
    SYS_removexattr,
    SYS_lremovexattr,
    SYS_fremovexattr,
    kRemovexattrat,
    SYS_truncate,
    SYS_openat2,
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
#ifdef SYS_open  // the older calls that arm64 never had
    SYS_fork,
    SYS_vfork,
    SYS_chmod,
    SYS_chown,
    SYS_lchown,
    SYS_utime,
    SYS_utimes,
    SYS_futimesat,
    SYS_creat,
    SYS_iopl,
    SYS_ioperm,
#endif
};

// Signals: only to the process itself (raise and abort use tgkill with its
// own pid); the pid is the first argument of each.
constexpr int kSignalCalls[] = {SYS_kill, SYS_tgkill, SYS_rt_sigqueueinfo,
                                SYS_rt_tgsigqueueinfo};

// A descriptor's owner is sent SIGIO or SIGURG, whoever it is; TIOCSTI and
// TIOCLINUX type into a terminal on stdin when the bridge is run by hand.
constexpr uint32_t kDeniedFcntl[] = {F_SETOWN, F_SETOWN_EX};
constexpr uint32_t kDeniedIoctl[] = {FIOSETOWN, SIOCSPGRP, TIOCSTI, TIOCLINUX};

constexpr uint32_t kDeny = SECCOMP_RET_ERRNO | EPERM;
constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;

// What is done with a call: refused, or a look at one argument first.
enum class Check : uint8_t {
  kDeny,
  kSignal,       // allowed only with the process's own pid as argument 0
  kOwnLimits,    // allowed only with pid 0 (itself) as argument 0
  kOpenTrunc,    // open: refused with O_TRUNC in argument 1
  kOpenatTrunc,  // openat: the same in argument 2
  kFcntl,        // refused for kDeniedFcntl
  kIoctl,        // refused for kDeniedIoctl
  kClone,        // allowed only for a thread (CLONE_VM)
};

struct Rule {
  uint32_t nr;
  Check check;
};

// Every rule sorted by call number, in a fixed array: the filter is made
// once per request, and a heap of small vectors cost more than the kernel
// takes to load the result.
constexpr size_t kRuleCount = std::size(kDeniedCalls) +
                              std::size(kSignalCalls) + 5 +
#ifdef SYS_open
                              1 +
#endif
                              0;

std::array<Rule, kRuleCount> SortedRules() {
  std::array<Rule, kRuleCount> rules;
  size_t n = 0;
  for (int nr : kDeniedCalls) rules[n++] = {uint32_t(nr), Check::kDeny};
  for (int nr : kSignalCalls) rules[n++] = {uint32_t(nr), Check::kSignal};
  rules[n++] = {SYS_prlimit64, Check::kOwnLimits};
  rules[n++] = {SYS_openat, Check::kOpenatTrunc};
#ifdef SYS_open
  rules[n++] = {SYS_open, Check::kOpenTrunc};
#endif
  rules[n++] = {SYS_fcntl, Check::kFcntl};
  rules[n++] = {SYS_ioctl, Check::kIoctl};
  // clone: a normal build never makes a thread or a process; a sanitized
  // one gets threads (CLONE_VM) for its leak check, never a new program.
#ifdef MM_SANITIZED
  rules[n++] = {SYS_clone, Check::kClone};
#else
  rules[n++] = {SYS_clone, Check::kDeny};
#endif
  std::sort(rules.begin(), rules.end(),
            [](const Rule& a, const Rule& b) { return a.nr < b.nr; });
  return rules;
}

constexpr uint32_t ArgLow(int n) {
  return offsetof(struct seccomp_data, args) + 8 * n;
}
sock_filter Stmt(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
sock_filter Jump(uint16_t code, uint32_t k, size_t jt, size_t jf) {
  return BPF_JUMP(code, k, static_cast<uint8_t>(jt), static_cast<uint8_t>(jf));
}
sock_filter Ret(uint32_t action) { return Stmt(BPF_RET | BPF_K, action); }
sock_filter LoadArg(int n) { return Stmt(BPF_LD | BPF_W | BPF_ABS, ArgLow(n)); }

// Calls in one leaf of the search: a few equality tests in a row.
constexpr size_t kLeafRules = 4;

// Writes the search over sorted rules into a program. A leaf is a row of
// `==` tests: a refused call jumps to the leaf's closing `deny`, a call with
// a check runs its block (which ends in a return), anything else reaches
// the leaf's `allow`. Above the leaves, `>=` splits, their sizes known in
// advance so that each jump is written once.
class SearchWriter {
 public:
  SearchWriter(const Rule* rules, pid_t self, std::vector<sock_filter>* out)
      : rules_(rules), self_(static_cast<uint32_t>(self)), out_(out) {}

  void Write(size_t lo, size_t hi) {
    if (hi - lo <= kLeafRules) return WriteLeaf(lo, hi);
    size_t mid = lo + (hi - lo) / 2;
    size_t below = Size(lo, mid);
    if (below <= 255) {
      Add(Jump(BPF_JMP | BPF_JGE | BPF_K, rules_[mid].nr, below, 0));
    } else {  // past a conditional jump's reach
      Add(Jump(BPF_JMP | BPF_JGE | BPF_K, rules_[mid].nr, 0, 1));
      Add(Stmt(BPF_JMP | BPF_JA, static_cast<uint32_t>(below)));
    }
    Write(lo, mid);
    Write(mid, hi);
  }

  size_t Size(size_t lo, size_t hi) const {
    if (hi - lo <= kLeafRules) {
      size_t n = 2;
      for (size_t i = lo; i < hi; i++) n += 1 + BlockSize(rules_[i].check);
      return n;
    }
    size_t mid = lo + (hi - lo) / 2;
    size_t below = Size(lo, mid);
    return (below <= 255 ? 1 : 2) + below + Size(mid, hi);
  }

 private:
  void Add(const sock_filter& f) { out_->push_back(f); }

  void WriteLeaf(size_t lo, size_t hi) {
    size_t deny = out_->size() + Size(lo, hi) - 1;
    for (size_t i = lo; i < hi; i++) {
      size_t block = BlockSize(rules_[i].check);
      size_t here = out_->size();
      Add(Jump(BPF_JMP | BPF_JEQ | BPF_K, rules_[i].nr,
               block ? 0 : deny - here - 1, block));
      WriteBlock(rules_[i].check);
    }
    Add(Ret(kAllow));
    Add(Ret(kDeny));
  }

  static size_t BlockSize(Check check) {
    switch (check) {
      case Check::kDeny:
        return 0;
      case Check::kFcntl:
        return 3 + std::size(kDeniedFcntl);
      case Check::kIoctl:
        return 3 + std::size(kDeniedIoctl);
      default:
        return 4;
    }
  }

  // The block of a call with a check, ending in a return.
  void WriteBlock(Check check) {
    switch (check) {
      case Check::kDeny:
        return;
      case Check::kSignal:
        return AllowOnlyWhen(0, self_);
      case Check::kOwnLimits:
        return AllowOnlyWhen(0, 0);
      case Check::kOpenTrunc:
        return DenyWhenSet(1, O_TRUNC);
      case Check::kOpenatTrunc:
        return DenyWhenSet(2, O_TRUNC);
      case Check::kFcntl:
        return DenyWhenOneOf(1, kDeniedFcntl, std::size(kDeniedFcntl));
      case Check::kIoctl:
        return DenyWhenOneOf(1, kDeniedIoctl, std::size(kDeniedIoctl));
      case Check::kClone:
        return AllowOnlyWithBit(0, CLONE_VM);
    }
  }
  void AllowOnlyWhen(int arg, uint32_t value) {
    Add(LoadArg(arg));
    Add(Jump(BPF_JMP | BPF_JEQ | BPF_K, value, 0, 1));
    Add(Ret(kAllow));
    Add(Ret(kDeny));
  }
  void AllowOnlyWithBit(int arg, uint32_t mask) {
    Add(LoadArg(arg));
    Add(Jump(BPF_JMP | BPF_JSET | BPF_K, mask, 0, 1));
    Add(Ret(kAllow));
    Add(Ret(kDeny));
  }
  void DenyWhenSet(int arg, uint32_t mask) {
    Add(LoadArg(arg));
    Add(Jump(BPF_JMP | BPF_JSET | BPF_K, mask, 0, 1));
    Add(Ret(kDeny));
    Add(Ret(kAllow));
  }
  void DenyWhenOneOf(int arg, const uint32_t* values, size_t n) {
    Add(LoadArg(arg));
    for (size_t i = 0; i < n; i++)
      Add(Jump(BPF_JMP | BPF_JEQ | BPF_K, values[i], n - i, 0));
    Add(Ret(kAllow));
    Add(Ret(kDeny));
  }

  const Rule* rules_;
  uint32_t self_;
  std::vector<sock_filter>* out_;
};

}  // namespace

std::vector<sock_filter> SyscallFilter(pid_t self) {
  std::vector<sock_filter> p;
  p.reserve(320);
  p.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  p.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, MM_FILTER_ARCH, 1, 0));
  p.push_back(Ret(SECCOMP_RET_KILL_PROCESS));
  p.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
#if defined(__x86_64__)
  // The x32 ABI's numbers (bit 30) would bypass the search.
  p.push_back(Jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1));
  p.push_back(Ret(kDeny));
#endif
  const std::array<Rule, kRuleCount> rules = SortedRules();
  SearchWriter(rules.data(), self, &p).Write(0, rules.size());
  return p;
}

#else

std::vector<sock_filter> SyscallFilter(pid_t) { return {}; }

#endif  // MM_FILTER_ARCH

bool InstallSyscallFilter(bool* installed, std::string* err) {
  std::vector<sock_filter> program = SyscallFilter(getpid());
  *installed = false;
  if (program.empty()) return true;
  sock_fprog prog = {static_cast<unsigned short>(program.size()),
                     program.data()};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) {
    *err = std::string("seccomp filter: ") + strerror(errno);
    return false;
  }
  *installed = true;
  return true;
}

}  // namespace mm
