// mmbridge's own sandbox (mmbridge(1) SECURITY), in the spirit of OpenBSD's
// unveil and pledge: once it has read its configuration, the process gives
// up, for good, every file it does not need (Landlock) and every system call
// that would let it reach further than its one connection and the spool
// (seccomp). The protection goes wherever mmbridge runs: under the systemd
// socket, systemd-socket-activate, inetd or a shell, and it costs no
// namespace.
#ifndef MIXMASTER_SANDBOX_H_
#define MIXMASTER_SANDBOX_H_

#include <string>
#include <vector>

#include "job/config.h"

namespace mm {

struct SandboxPaths {
  // Files or directories (with everything beneath) that may be read.
  std::vector<std::string> read_only;
  // Directories where files may also be created, written, renamed and
  // removed (not directories, links, sockets or devices).
  std::vector<std::string> read_write;
};

// What the bridge still needs after its configuration is read (once, before
// the sandbox; not the file again, which holds the secret): the spool
// read-write, the spool's parent read-write only where the spool's
// filesystem has no O_TMPFILE (spool_writer.h), and with `webView = yes` the
// build root read-only for the logs. `config` is null when it could not be
// loaded: then nothing, and the request gets its 500.
SandboxPaths BridgeSandboxPaths(const Config* config);

struct SandboxReport {
  int landlock_abi = 0;  // 0: the kernel has no Landlock (or it is off)
  bool seccomp = false;
  // One line for the journal when a part could not be applied.
  std::string note;
};

// Sets no_new_privs, restricts files to `paths` with Landlock where the
// kernel has it (its absence is reported in `report->note`, not an error),
// then installs the seccomp filter: no socket, execve, fork, clone, ptrace,
// mount, namespace, kernel-module, BPF or io_uring call, and signals only to
// itself; each fails with EPERM. Paths that do not exist are skipped. False
// (with `err`) when the filter or a Landlock rule the kernel supports could
// not be installed; the process may then be partly restricted and should
// not serve the request.
bool EnterSandbox(const SandboxPaths& paths, SandboxReport* report,
                  std::string* err);

}  // namespace mm

#endif  // MIXMASTER_SANDBOX_H_
