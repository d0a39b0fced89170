#!/bin/bash
# The web view's per-request cost (mmbridge(1) WEB VIEW) for a project with
# 1,000 builds: page 1 of the project, the history page, one build page and
# a badge, each one mmbridge run with the request on stdin, against `cat`
# reading the same request, in the same run, alternating; plus `GET /version`
# (start-up alone). Prints wall and CPU time per run, and ratios to cat.
# Aim as for t/bench/bridge.sh: wall and CPU <= 1.5x cat.
# Usage: t/bench/web.sh [RUNS]   (MMBRIDGE=path overrides build/mmbridge)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bridge=${MMBRIDGE:-$root/build/mmbridge}
runs=${1:-100}
[ -x "$bridge" ] || { echo "web.sh: $bridge not built (make build/mmbridge)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/mixmaster.ini" <<INI
[_]
buildRoot = $tmp/builds
spool = $tmp/builds/INBOX
webView = yes
[acme/app]
main = make
INI
/usr/bin/python3 - "$tmp/builds/acme-app/JOBS" <<'PY'
import os, sys
jobs = sys.argv[1]
os.makedirs(jobs)
for i in range(1000):
    jid = "20261125-%06d-000001-4242-%08x" % (i, i)
    target = ("main", "release", "docs")[i % 3]
    lines = "".join("12:00:%02d O compiling unit %d of 200\n" % (n % 60, n)
                    for n in range(200))
    with open(os.path.join(jobs, jid + ".log"), "w") as f:
        f.write("[job]\nid = %s\nreceived = 2026-11-25T12:00:00Z\nendpoint = /\n"
                "scm = git\nproject = acme/app\nrepositoryUrl = /srv/app.git\n"
                "target = %s\ntask =\ncommit = %040x\nbuildCommand = make\n"
                "viewUrl =\nmessage = change %d\nnotifications = all\nmailto =\n"
                "mode = normal\n\n[build]\npid = 1\nstarted = 2026-11-25T12:00:01Z\n"
                "\n[log]\n%s\n[result]\nstatus = %s\nexitCode = 0\n"
                "finished = 2026-11-25T12:00:05Z\nduration = 4.000\n"
                % (jid, target, i, i, lines, "success" if i % 7 else "failure"))
PY
last=$(ls "$tmp/builds/acme-app/JOBS" | tail -1)
for name in version:/version project:/builds/acme-app history:/builds \
  build:/builds/acme-app/${last%.log} badge:/badge/acme-app/main.svg; do
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' "${name#*:}" >"$tmp/${name%%:*}"
done

/usr/bin/python3 - "$runs" "$tmp" "$bridge" <<'PY'
import os, sys, time
runs, tmp, bridge = int(sys.argv[1]), sys.argv[2], sys.argv[3]
bridge_argv = [bridge, "--config", tmp + "/mixmaster.ini"]
rows = ["version", "project", "history", "build", "badge"]
programs = {"cat": (["/bin/cat"], "project")}
programs.update({name: (bridge_argv, name) for name in rows})
stats = {name: [0.0, 0.0] for name in programs}
devnull = os.open("/dev/null", os.O_WRONLY)

def run(argv, input_name):
    request = os.open(tmp + "/" + input_name, os.O_RDONLY)
    out = os.open(tmp + "/out", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, {"PATH": "/usr/bin:/bin"},
                         file_actions=[(os.POSIX_SPAWN_DUP2, request, 0),
                                       (os.POSIX_SPAWN_DUP2, out, 1),
                                       (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    os.close(request)
    os.close(out)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit("web.sh: %s exited %d" % (argv[0], code))
    if argv[0] != "/bin/cat":
        head = open(tmp + "/out", "rb").read(12)
        if head != b"HTTP/1.1 200":
            sys.exit("web.sh: %s answered %r" % (input_name, head))
    return wall, usage.ru_utime + usage.ru_stime

for argv, input_name in programs.values():  # warm the page cache
    run(argv, input_name)
for _ in range(runs):
    for name, (argv, input_name) in programs.items():
        wall, cpu = run(argv, input_name)
        stats[name][0] += wall
        stats[name][1] += cpu
print("web view, one project with 1,000 builds: %d runs each" % runs)
print("%-9s %12s %12s %10s %10s" % ("", "wall ms/run", "cpu ms/run",
                                    "wall/cat", "cpu/cat"))
c = stats["cat"]
met = True
for name, (wall, cpu) in stats.items():
    wr, cr = wall / c[0], cpu / max(c[1], 1e-9)
    print("%-9s %12.3f %12.3f %9.2fx %9.2fx" % (name, 1000 * wall / runs,
                                              1000 * cpu / runs, wr, cr))
    if name != "cat":
        met = met and wr <= 1.5 and cr <= 1.5
print("aim (wall and cpu <= 1.5x cat): %s" % ("met" if met else "missed"))
PY
