// The seccomp half of mmbridge's sandbox (mmbridge(1) SECURITY): the system
// calls a bridge that was taken over could use to reach past its one
// connection and its files, refused with EPERM. A deny list, so that the C
// library and the sanitizers keep working, laid out as a binary search over
// the call numbers: a call meets about ten instructions instead of the whole
// list, and the kernel, which runs the filter once for every call number
// when it takes it in, does the same. (libseccomp builds the same tree, but
// building it at run time tripled the filter's share of a request's CPU;
// t/bench/bridge.sh.)
#ifndef MIXMASTER_SYSCALL_FILTER_H_
#define MIXMASTER_SYSCALL_FILTER_H_

#include <linux/filter.h>
#include <stdint.h>
#include <sys/types.h>

#include <string>
#include <vector>

// A sanitized build: the ASan runtime reads /proc/self/maps, and its leak
// check stops the threads with ptrace from a clone()d helper at exit; the
// sandbox leaves it those.
#if defined(__SANITIZE_ADDRESS__)
#define MM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MM_SANITIZED 1
#endif
#endif

namespace mm {

// The filter for process `self`. Refused: new programs, processes and
// sockets; other processes (ptrace, signals, pidfds, their memory,
// scheduling, priorities and limits; file owners, which send SIGIO);
// mounts, namespaces and the kernel; every change to a file's mode, owner,
// times or extended attributes, and truncation by path or by O_TRUNC
// (Landlock does not cover the first at any ABI, nor truncation before ABI
// 3); and typing into a terminal (TIOCSTI) when run by hand. A call of
// another architecture ends the process. Empty on an architecture the
// filter was not written for.
std::vector<sock_filter> SyscallFilter(pid_t self);

// Installs SyscallFilter(getpid()) (no_new_privs must be set). False with
// `err` when the kernel refused it; `*installed` is false (and true
// returned) on an architecture without a filter.
bool InstallSyscallFilter(bool* installed, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_SYSCALL_FILTER_H_
