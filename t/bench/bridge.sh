#!/bin/bash
# Start-up cost of mmbridge, which runs once per HTTP request: the Gitea
# fixture as one full request on stdin, stdout to /dev/null, a spool in a temp
# dir, against `cat` reading the same request, in the same run, alternating.
# Prints wall and CPU time per run and peak RSS, and the ratios to cat.
# Aim: wall and CPU <= 1.5x cat, peak RSS <= 4 MiB.
# A third row, `GET /version`, is the same start-up without a job: the gap
# between the two rows is the two fsyncs (job, spool directory) that mmbridge(1) Writing the job
# asks for, which depend on the disk more than on mmbridge.
# Usage: t/bench/bridge.sh [RUNS]   (MMBRIDGE=path overrides build/mmbridge;
# MMBRIDGE_BEFORE=path adds the same two rows for another build, say main's,
# in the same loop, so that a change is judged against one run's noise)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bridge=${MMBRIDGE:-$root/build/mmbridge}
runs=${1:-200}
[ -x "$bridge" ] || { echo "bridge.sh: $bridge not built (make build/mmbridge)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/spool"
cat >"$tmp/mixmaster.ini" <<INI
[_]
buildRoot = $tmp
spool = $tmp/spool
[test-org/test-repo]
production = make deploy
INI
fixture=$root/t/fixtures/gitea-push.json
{
  printf 'POST /gitea HTTP/1.1\r\nHost: 127.0.0.1:8585\r\n'
  printf 'Content-Type: application/json\r\nX-Gitea-Event: push\r\n'
  printf 'Content-Length: %d\r\n\r\n' "$(wc -c <"$fixture")"
  cat "$fixture"
} >"$tmp/request"
printf 'GET /version HTTP/1.1\r\nHost: 127.0.0.1:8585\r\n\r\n' >"$tmp/version"

# Peak RSS from /usr/bin/time, whose own pages are few; without it, from
# getrusage(RUSAGE_CHILDREN) in a fresh Python, which counts the pages of the
# forked Python before exec too (an upper bound, and said so).
peak_rss() {
  local i max=0 kib
  for i in 1 2 3 4 5; do
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -o "$tmp/rss" -f %M "$@" <"$tmp/request" >/dev/null 2>&1
      kib=$(tail -1 "$tmp/rss")
    else
      kib=$(/usr/bin/python3 -c 'import os, resource, sys
pid = os.fork()
if pid == 0:
    fd = os.open(sys.argv[1], os.O_RDONLY); os.dup2(fd, 0)
    null = os.open("/dev/null", os.O_WRONLY); os.dup2(null, 1); os.dup2(null, 2)
    os.execv(sys.argv[2], sys.argv[2:])
os.waitpid(pid, 0)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$tmp/request" "$@")
    fi
    [ "$kib" -gt "$max" ] && max=$kib
  done
  echo "$max"
}
cat_rss=$(peak_rss /bin/cat)
bridge_rss=$(peak_rss "$bridge" --config "$tmp/mixmaster.ini")
rss_how=$([ -x /usr/bin/time ] && echo "/usr/bin/time -f %M" || echo "getrusage, upper bound")
rm -f "$tmp"/spool/*

# os.wait4 gives each child's own CPU time, so the two programs alternate in
# one loop and share whatever else the machine is doing.
/usr/bin/python3 - "$runs" "$tmp" "$bridge" "$cat_rss" "$bridge_rss" "$rss_how" \
  "${MMBRIDGE_BEFORE:-}" <<'PY'
import os, subprocess, sys, time
runs, tmp, bridge = int(sys.argv[1]), sys.argv[2], sys.argv[3]
before = sys.argv[7]
rss = {"cat": int(sys.argv[4]), "mmbridge": int(sys.argv[5])}
bridge_argv = [bridge, "--config", tmp + "/mixmaster.ini"]
programs = {  # name: (argv, request file)
    "cat": (["/bin/cat"], "request"),
    "mmbridge": (bridge_argv, "request"),
    "/version": (bridge_argv, "version"),
}
if before:
    before_argv = [before, "--config", tmp + "/mixmaster.ini"]
    programs["before"] = (before_argv, "request")
    programs["before /v"] = (before_argv, "version")
stats = {name: [0.0, 0.0] for name in programs}  # wall, cpu seconds
devnull = os.open("/dev/null", os.O_WRONLY)

def run(argv, input_name):
    request = os.open(tmp + "/" + input_name, os.O_RDONLY)
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, {"PATH": "/usr/bin:/bin"},
                         file_actions=[(os.POSIX_SPAWN_DUP2, request, 0),
                                       (os.POSIX_SPAWN_DUP2, devnull, 1),
                                       (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    os.close(request)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit("bridge.sh: %s exited %d" % (argv[0], code))
    return wall, usage.ru_utime + usage.ru_stime

for argv, input_name in programs.values():  # warm the page cache
    run(argv, input_name)
for _ in range(runs):
    for name, (argv, input_name) in programs.items():
        wall, cpu = run(argv, input_name)
        stats[name][0] += wall
        stats[name][1] += cpu
jobs = len([f for f in os.listdir(tmp + "/spool") if f.endswith(".ini")])
expected = (runs + 1) * (2 if before else 1)
if jobs != expected:
    sys.exit("bridge.sh: expected %d jobs in the spool, found %d" % (expected, jobs))

fs = subprocess.run(["stat", "-f", "-c", "%T", tmp + "/spool"],
                    capture_output=True, text=True).stdout.strip()
print("mmbridge start-up: %d runs each, Gitea fixture on stdin, spool on %s"
      % (runs, fs))
print("%-10s %12s %12s %14s" % ("", "wall ms/run", "cpu ms/run", "peak RSS KiB"))
for name, (wall, cpu) in stats.items():
    print("%-10s %12.3f %12.3f %14s" % (name, 1000 * wall / runs,
                                         1000 * cpu / runs, rss.get(name, "-")))
c, b, v = stats["cat"], stats["mmbridge"], stats["/version"]
wall_ratio, cpu_ratio = b[0] / c[0], b[1] / max(c[1], 1e-9)
print("%-10s %11.2fx %11.2fx %14s" % ("ratio", wall_ratio, cpu_ratio,
                                       "%.2f MiB" % (rss["mmbridge"] / 1024)))
print("%-10s %11.2fx %11.2fx   (no job, no fsync)" % (
    "/version", v[0] / c[0], v[1] / max(c[1], 1e-9)))
if before:
    o, ov = stats["before"], stats["before /v"]
    print("%-10s %11.2fx %11.2fx   (%s)" % ("before", o[0] / c[0],
                                           o[1] / max(c[1], 1e-9), before))
    print("%-10s %11.2fx %11.2fx   (no job, no fsync)" % (
        "before /v", ov[0] / c[0], ov[1] / max(c[1], 1e-9)))
print("peak RSS by %s" % sys.argv[6])
met = wall_ratio <= 1.5 and cpu_ratio <= 1.5 and rss["mmbridge"] <= 4096
print("aim (wall and cpu <= 1.5x cat, peak RSS <= 4 MiB): %s"
      % ("met" if met else "missed"))
PY
