#!/bin/bash
# The queue of mmbuild(1) QUEUE, each figure a ratio against a baseline run
# in the same command (wall clock of a whole `mmbuild` over the spool):
#
#   side by side  four projects, one 1 s build each: jobs = 4 vs jobs = 1
#                 (ideal 0.25; the rest is claiming, checkout and fork)
#   superseding   ten jobs for one target, each a 0.2 s build:
#                 supersede = yes vs no (ideal 0.1: one build, nine logs)
#
# Builds check out a local bare repository with one commit.
# Usage: t/bench/queue.sh [RUNS]   (MMBUILD=path overrides build/mmbuild)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
mmbuild=${MMBUILD:-$root/build/mmbuild}
runs=${1:-3}
[ -x "$mmbuild" ] || { echo "queue.sh: $mmbuild not built (make build/mmbuild)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-bench-queue.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config
mkdir -p "$XDG_CONFIG_HOME"
git init -q --bare -b main "$tmp/remote.git"
git init -q -b main "$tmp/work"
echo hello >"$tmp/work/README"
git -C "$tmp/work" add README
git -C "$tmp/work" -c user.name=Bench -c user.email=bench@example.org commit -q -m one
git -C "$tmp/work" push -q "$tmp/remote.git" main main:short

# config JOBS SUPERSEDE: four projects p1..p4, main sleeps 1 s, short 0.2 s.
config() {
  {
    printf '[_]\nbuildRoot = %s\njobs = %s\nsupersede = %s\n' "$tmp/builds" "$1" "$2"
    for p in 1 2 3 4; do printf '\n[acme/p%s]\nmain = sleep 1\nshort = sleep 0.2\n' "$p"; done
  } >"$tmp/mixmaster.ini"
}
# job NAME PROJECT TARGET: one job in the spool.
job() {
  mkdir -p "$tmp/builds/INBOX"
  printf '[job]\nid = %s\nscm = git\nproject = %s\nrepositoryUrl = %s\ntarget = %s\n' \
    "$1" "$2" "$tmp/remote.git" "$3" >"$tmp/builds/INBOX/$1.ini"
}
# seconds: wall time of one mmbuild over the spool.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$mmbuild" --config "$tmp/mixmaster.ini" 2>/dev/null
  # A build that did not succeed would make the figures meaningless.
  ! grep -l '^status = \(failure\|error\|killed\)' "$tmp"/builds/*/JOBS/*.log >&2 ||
    { echo "queue.sh: a build did not succeed" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

side=() super=()
for run in $(seq "$runs"); do
  for jobs in 1 4; do
    rm -rf "$tmp/builds"
    config "$jobs" no
    for p in 1 2 3 4; do job "2026010100000$p" "acme/p$p" main; done
    t[$jobs]=$(seconds)
  done
  side+=("$(ratio "${t[4]}" "${t[1]}")")
  for s in no yes; do
    rm -rf "$tmp/builds"
    config 1 "$s"
    for i in $(seq 10 19); do job "202601010000$i" acme/p1 short; done
    u[${#s}]=$(seconds)
  done
  super+=("$(ratio "${u[3]}" "${u[2]}")")
  printf 'run %s: jobs=1 %.2fs jobs=4 %.2fs | supersede=no %.2fs yes %.2fs\n' \
    "$run" "${t[1]}" "${t[4]}" "${u[2]}" "${u[3]}"
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
echo "side by side (jobs=4 / jobs=1, ideal 0.25): median $(median "${side[@]}")"
echo "superseding (yes / no, ideal 0.10):          median $(median "${super[@]}")"
