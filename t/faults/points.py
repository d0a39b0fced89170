"""The failure points of a scenario, read from strace's output.

A recording (`strace -f -ff -y -o PREFIX`) gives one file per process: the
calls it made, in order. A point is one call occurrence, named so that strace
can hit it again in a rerun: the system call, a path it touches (strace -P
PATH), and its number among that process's calls of that system call on that
path (`-e inject=SYSCALL:...:when=N`: strace counts per process). Naming the
path keeps a point on the process that made it: a runner's first write to its
log is the first write to that log, whatever mmbuild wrote before it forked.
A call whose paths differ from run to run (a pipe, a temporary name) is named
by its number among all of its process's calls of that system call.

Which errors a point gets follows what the call can really return: ENOSPC
only where something is allocated, EINTR only on pipes and sockets, where a
signal can interrupt a call.
"""

import os
import re

# System call -> the errors injected into it (besides the SIGKILL every
# point gets). What is listed here is what "changes or reads state".
FILE_DATA = {"read": "EIO", "pread64": "EIO", "readv": "EIO",
             "write": "EIO ENOSPC", "pwrite64": "EIO ENOSPC",
             "writev": "EIO ENOSPC"}
STREAM_DATA = {"read": "EINTR EIO", "pread64": "EIO", "readv": "EINTR EIO",
               "write": "EINTR EPIPE", "pwrite64": "EIO",
               "writev": "EINTR EPIPE", "sendto": "EINTR EPIPE",
               "sendmsg": "EINTR EPIPE", "recvfrom": "EINTR EIO",
               "recvmsg": "EINTR EIO"}
OTHER = {
    "openat": "EIO EMFILE", "open": "EIO EMFILE", "creat": "EIO ENOSPC",
    "fsync": "EIO ENOSPC", "fdatasync": "EIO ENOSPC",
    "fallocate": "EIO ENOSPC", "ftruncate": "EIO ENOSPC",
    "rename": "EIO ENOSPC", "renameat": "EIO ENOSPC",
    "renameat2": "EIO ENOSPC", "link": "EIO ENOSPC", "linkat": "EIO ENOSPC",
    "symlink": "EIO ENOSPC", "symlinkat": "EIO ENOSPC",
    "mkdir": "EIO ENOSPC", "mkdirat": "EIO ENOSPC",
    "unlink": "EIO", "unlinkat": "EIO", "rmdir": "EIO",
    # A close(2) that fails has released the descriptor all the same, but
    # strace's injection skips the call: the descriptor would stay open, a
    # state no kernel makes. A close gets the SIGKILL only.
    "close": "", "flock": "EINTR ENOLCK", "getdents64": "EIO",
    "clone": "EAGAIN", "clone3": "EAGAIN", "fork": "EAGAIN",
    "vfork": "EAGAIN", "execve": "EIO",
    "pipe2": "EMFILE", "socketpair": "EMFILE", "socket": "EMFILE",
    "dup": "EMFILE", "dup2": "EMFILE", "dup3": "EMFILE",
    "pidfd_open": "EMFILE", "accept4": "EMFILE",
    "wait4": "EINTR", "waitid": "EINTR", "poll": "EINTR", "ppoll": "EINTR",
    "connect": "ECONNREFUSED",
}
SYSCALLS = sorted(set(FILE_DATA) | set(STREAM_DATA) | set(OTHER) |
                  {"prctl"})
# Traced, never failed: how the job guard's watcher names itself.
NOT_INJECTED = ("prctl",)
FORKS = ("clone", "clone3", "fork", "vfork")

# How strace -P matches a call (its pathtrace.c): the arguments it looks at.
FD_PATH = ("openat", "mkdirat", "unlinkat", "newfstatat", "readlinkat",
           "faccessat", "faccessat2", "fchmodat", "fchownat", "statx")
TWO_PATHS = ("link",)
FOUR = ("linkat", "renameat", "renameat2")
NEVER = ("pipe2", "socketpair", "socket", "pidfd_open") + FORKS + (
    "wait4", "waitid")
FILE_FIRST = ("open", "creat", "rename", "mkdir", "unlink", "rmdir",
              "execve", "symlink")

# Libraries the dynamic loader maps before main(): not Mixmaster's code.
LOADER = re.compile(r"(\.so(\.[0-9]+)*|/etc/ld\.so\.cache)$")
LINE = re.compile(r"^(?:(\d+) +)?([a-z_0-9]+)\((.*)\) += (.*)$")


class Call:
    def __init__(self, name, args, ret, text):
        self.name, self.args, self.ret, self.text = name, args, ret, text

    def fd_path(self, i):
        """The path strace -y shows for argument i when it is a descriptor."""
        if i >= len(self.args):
            return None
        m = re.match(r"^(\d+)<(.*)>$", self.args[i])
        return unescape(m.group(2)) if m else None

    def str_arg(self, i):
        if i >= len(self.args):
            return None
        m = re.match(r'^"(.*)"$', self.args[i])
        return unescape(m.group(1)) if m else None

    def matches(self):
        """Every string strace -P would compare for this call."""
        n = self.name
        if n in NEVER:
            return []
        if n in ("dup2", "dup3"):
            found = [self.fd_path(0), self.fd_path(1)]
        elif n in FD_PATH:
            found = [self.fd_path(0), self.str_arg(1)]
        elif n in TWO_PATHS:
            found = [self.str_arg(0), self.str_arg(1)]
        elif n == "symlinkat":
            found = [self.fd_path(1), self.str_arg(2)]
        elif n in FOUR:
            found = [self.fd_path(0), self.fd_path(2), self.str_arg(1),
                     self.str_arg(3)]
        elif n in FILE_FIRST:
            found = [self.str_arg(0)]
        else:
            found = [self.fd_path(0)]
        return [f for f in found if f]

    def stream(self):
        """Whether its descriptor is a pipe or a socket."""
        path = self.fd_path(0) or ""
        return path.startswith(("pipe:", "socket:", "TCP", "UDP", "UNIX"))

    def errnos(self):
        table = STREAM_DATA if self.stream() else FILE_DATA
        found = (table.get(self.name) or OTHER.get(self.name, "")).split()
        if self.name == "openat" and re.search(r"O_CREAT|O_TMPFILE", self.text):
            found.append("ENOSPC")
        return found


def unescape(s):
    return re.sub(r"\\(x[0-9a-f]{2}|[0-7]{1,3}|.)", _escape, s)


def _escape(m):
    e = m.group(1)
    simple = {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "f": "\f",
              "\\": "\\", '"': '"'}
    if e in simple:
        return simple[e]
    if e[0] == "x":
        return chr(int(e[1:], 16))
    if e[0].isdigit():
        return chr(int(e, 8))
    return e


def split_args(s):
    """Top-level arguments of a call: commas outside quotes and brackets
    (and outside the <path> strace -y adds to a descriptor)."""
    args, depth, quote, cur, i = [], 0, False, [], 0
    while i < len(s):
        c = s[i]
        if quote:
            cur.append(c)
            if c == "\\" and i + 1 < len(s):
                cur.append(s[i + 1])
                i += 1
            elif c == '"':
                quote = False
        elif c == '"':
            quote = True
            cur.append(c)
        elif c in "([{" or (c == "<" and cur and (cur[-1].isdigit() or
                                                  cur[-1] == "D")):
            depth += 1
            cur.append(c)
        elif c in ")]}>" and depth > 0:
            depth -= 1
            cur.append(c)
        elif c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if cur:
        args.append("".join(cur).strip())
    return args


def parse_lines(lines):
    """(pid or None, Call) for each finished call; an interrupted call and
    its resumption are joined."""
    pending = {}
    for raw in lines:
        line = raw.rstrip("\n")
        m = re.match(r"^(?:(\d+) +)?(.*)$", line)
        pid, rest = m.group(1), m.group(2)
        if rest.endswith("<unfinished ...>"):
            pending[pid] = rest[: -len("<unfinished ...>")].rstrip()
            continue
        r = re.match(r"^<\.\.\. [a-z_0-9]+ resumed>(.*)$", rest)
        if r:
            rest = pending.pop(pid, "") + r.group(1)
        if rest.endswith("<detached ...>"):
            rest = rest[: -len("<detached ...>")].rstrip() + ") = ?"
        c = LINE.match(rest)
        if not c:
            continue
        name, args = c.group(2), c.group(3)
        args = re.sub(r" /\* [0-9]+ vars \*/", "", args)
        yield pid, Call(name, split_args(args), c.group(4), rest)


def read_recording(prefix):
    """{role: [Call]} from the files of `strace -ff -o PREFIX`. The role of
    the first process is "0"; the k-th process it forked is "0.k"."""
    by_pid = {}
    directory, base = os.path.split(prefix)
    for name in os.listdir(directory):
        if name.startswith(base + "."):
            with open(os.path.join(directory, name), errors="replace") as f:
                by_pid[name[len(base) + 1:]] = [c for _, c in parse_lines(f)]
    children = {}
    for pid, calls in by_pid.items():
        kids = [c.ret.split()[0] for c in calls
                if c.name in FORKS and c.ret.split()[0].isdigit()]
        children[pid] = kids
    forked = {k for kids in children.values() for k in kids}
    roots = [p for p in by_pid if p not in forked]
    roles = {}

    def walk(pid, role):
        roles[role] = by_pid.get(pid, [])
        for k, kid in enumerate(children.get(pid, []), 1):
            walk(kid, "%s.%d" % (role, k))

    for i, root in enumerate(sorted(roots, key=int)):
        walk(root, str(i))
    return roles


class Point:
    """One call occurrence to fail: `syscall`, the path strace -P selects it
    by (None: any), and its number `when`."""

    def __init__(self, syscall, path, when, call, role):
        self.syscall, self.path, self.when = syscall, path, when
        self.call, self.roles = call, [role]

    def key(self):
        return (self.syscall, self.path or "", self.when)

    def describe(self):
        where = " on %s" % self.path if self.path else ""
        return "%s #%d%s (process %s)" % (self.syscall, self.when, where,
                                         ",".join(self.roles))


def points(first, second):
    """The points of recording `first` ({role: [Call]}); a path is used to
    name a point only when recording `second` (another run, another
    directory) touched it too, so that it names the same thing in a rerun.
    Both have their run's directory written as {RUN}."""
    stable = set()
    for calls in second.values():
        for call in calls:
            stable.update(call.matches())
    found = {}
    for role, calls in sorted(first.items()):
        seen = {}
        for call in calls:
            if call.name not in SYSCALLS or call.name in NOT_INJECTED:
                continue
            paths = call.matches()
            for p in set(paths):
                seen[(call.name, p)] = seen.get((call.name, p), 0) + 1
            seen[(call.name, None)] = seen.get((call.name, None), 0) + 1
            named = [p for p in paths if p in stable]
            if any(LOADER.search(p) for p in paths):
                continue
            if role == "0" and call.name == "execve" and \
                    seen[(call.name, None)] == 1:
                continue  # strace starting the program
            path = named[0] if named else None
            point = Point(call.name, path, seen[(call.name, path)], call, role)
            if point.key() in found:
                found[point.key()].roles.append(role)
            else:
                found[point.key()] = point
    return sorted(found.values(), key=lambda p: p.key())


def injected(lines):
    """What a rerun's trace (`strace -f -o FILE`, the point's system call
    and prctl traced) says was done: the calls that failed as injected, the
    calls a SIGKILL stopped (the last call of each process killed), and
    whether a SIGKILL stopped a job guard's watcher (mm-jobguard)."""
    last, failed, killed, watchers = {}, [], [], set()
    watcher_killed = False
    for raw in lines:
        m = re.match(r"^(\d+) +(.*)$", raw.rstrip("\n"))
        if not m:
            continue
        pid, rest = m.groups()
        if rest.startswith("+++ killed by SIGKILL"):
            killed.append(last.get(pid, "?"))
            watcher_killed = watcher_killed or pid in watchers
        elif not rest.startswith(("---", "+++")):
            if rest.startswith('prctl(PR_SET_NAME, "mm-jobguard")'):
                watchers.add(pid)
                continue
            last[pid] = rest
            if rest.endswith("(INJECTED)"):
                failed.append(rest)
    return failed, killed, watcher_killed
