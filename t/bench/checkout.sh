#!/bin/bash
# mmbuild's checkout stage against git doing the same work, in the same run,
# alternating: a job whose build command is `true`, run with `mmbuild FILE`
# (the whole program: fork, ssh-agent, libgit2, the command, the log).
#
#   fresh clone   mmbuild into an empty workspace
#                 vs git clone --single-branch --branch main
#   update        one new commit on the remote, a warm workspace
#                 vs git fetch origin main && git checkout -f --detach FETCH_HEAD
#   overhead      nothing new, a warm workspace: mmbuild's time minus
#                 git fetch + git checkout -f doing the same (no-op) work
#   path: clone   repositoryUrl a path (libgit2's local transport): mmbuild
#                 into an empty workspace vs git init + git fetch PATH main
#                 + git checkout -f --detach FETCH_HEAD
#   path: update  one new commit in the path's repository, a warm workspace
#                 vs git fetch PATH main + git checkout -f --detach FETCH_HEAD
#
# The repository (20,000 files, 500 commits) is made once with
# git fast-import and kept in $MM_BENCH_CACHE (default /var/tmp). Both tools
# fetch it from `git daemon` on a loopback port, a smart transport like the
# ssh or https of real use.
# The path rows use a smaller repository (MM_BENCH_PATH_FILES, default 5,000
# files, 100 commits; 3 runs each), since libgit2 packs a whole first clone
# from a path without reusing deltas (git copies them): set it to 20000 to
# measure the repository above.
# Aims: fresh clone <= 1.2x, update <= 1.0x, overhead <= 20 ms, update
# from a path <= 1.2x.
# Usage: t/bench/checkout.sh [RUNS]   (MMBUILD=path overrides build/mmbuild)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
mmbuild=${MMBUILD:-$root/build/mmbuild}
runs=${1:-5}
[ -x "$mmbuild" ] || { echo "checkout.sh: $mmbuild not built (make build/mmbuild)" >&2; exit 1; }

files=20000
commits=500
path_files=${MM_BENCH_PATH_FILES:-5000}
path_commits=$((path_files == files ? commits : 100))

# generate FILES COMMITS: the fast-import stream, a first commit with every
# file, then commits that each change 20 files.
generate() {
  awk -v files="$1" -v commits="$2" 'BEGIN {
    for (c = 1; c <= commits; c++) {
      msg = "commit " c
      printf "commit refs/heads/main\ncommitter Bench <bench@example.org> %d +0000\n", 1700000000 + c
      printf "data %d\n%s\n", length(msg), msg
      if (c == 1) { from = 0; n = files } else { n = 20 }
      for (k = 0; k < n; k++) {
        f = (c == 1) ? k : (c * 7919 + k * 104729) % files
        body = sprintf("file %05d revision %d\n%s\n", f, c, "lorem ipsum dolor sit amet, consectetur adipiscing elit")
        printf "M 644 inline d%03d/f%05d.txt\ndata %d\n%s\n", int(f / 100), f, length(body), body
      }
    }
  }'
}

# cached FILES COMMITS: the path of the test repository, made once.
cached() {
  local cache=${MM_BENCH_CACHE:-/var/tmp}/mixmaster-bench-$1x$2.git
  if [ "$(git -C "$cache" rev-list --count main 2>/dev/null || echo 0)" != "$2" ]; then
    echo "making the test repository in $cache (once)..." >&2
    rm -rf "$cache" "$cache.tmp"
    git init -q --bare -b main "$cache.tmp"
    generate "$1" "$2" | git -C "$cache.tmp" fast-import --quiet
    git -C "$cache.tmp" gc -q --aggressive
    mv "$cache.tmp" "$cache"
  fi
  echo "$cache"
}
cache=$(cached "$files" "$commits")
path_cache=$(cached "$path_files" "$path_commits")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config TMPDIR=$tmp
mkdir -p "$XDG_CONFIG_HOME" "$tmp/builds/INBOX"
remote=$tmp/remote.git
cp -a "$cache" "$remote"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
git daemon --reuseaddr --export-all --listen=127.0.0.1 --port="$port" \
  --base-path="$tmp" "$tmp" 2>"$tmp/daemon.log" &
daemon=$!
# (`|| true`: under set -e the killed daemon's status would end the trap,
# and the script, with 143 before the temp dir is removed.)
trap 'kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null || true; rm -rf "$tmp"' EXIT
url=git://127.0.0.1:$port/remote.git
for i in $(seq 100); do
  git ls-remote "$url" >/dev/null 2>&1 && break
  [ "$i" = 100 ] && { echo "checkout.sh: git daemon did not start" >&2; exit 1; }
  sleep 0.1
done
cat >"$tmp/mixmaster.ini" <<EOF
[_]
buildRoot = $tmp/builds
timeout = 0

[bench/repo]
main = true
EOF
job_for() {
  printf '[job]\nid = bench\nscm = git\nproject = bench/repo\nrepositoryUrl = %s\ntarget = main\n' "$1"
}
job_for "$url" >"$tmp/job.ini"
ws=$tmp/builds/bench-repo/main
gitws=$tmp/git-ws

now() { date +%s%N; }
# ms COMMAND...: runs it quietly, prints its wall time in milliseconds.
ms() {
  local start end
  start=$(now)
  "$@" >/dev/null 2>&1 || { echo "checkout.sh: failed: $*" >&2; exit 1; }
  end=$(now)
  echo $(((end - start) / 1000))
}
run_mmbuild() {
  "$mmbuild" --config "$tmp/mixmaster.ini" "$tmp/job.ini"
  grep -q '^status = success$' "$(ls -t "$tmp"/builds/bench-repo/JOBS/*.log | head -n 1)"
}
git_clone() { git clone -q --single-branch --branch main "$url" "$gitws"; }
git_update() { git -C "$gitws" fetch -q origin main && git -C "$gitws" checkout -q -f --detach FETCH_HEAD; }
# new_commit N [REPO]: one more commit on main (of REPO, default the
# remote), changing one file.
new_commit() {
  local n=$1 repo=${2:-$remote}
  printf 'commit refs/heads/main\ncommitter Bench <bench@example.org> %d +0000\ndata 6\nnew %02d\nfrom refs/heads/main^0\nM 644 inline d000/f00000.txt\ndata 8\nnew %03d\n\n' \
    $((1800000000 + n)) $((n % 100)) $((n % 1000)) | git -C "$repo" fast-import --quiet
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "checkout: $files files, $commits commits, over git://; $runs runs of each (warm: $((runs * 4))), medians"
: >"$tmp/fresh.mm"; : >"$tmp/fresh.git"
for i in $(seq "$runs"); do
  rm -rf "$ws" "$gitws"
  ms run_mmbuild >>"$tmp/fresh.mm"
  ms git_clone >>"$tmp/fresh.git"
done
: >"$tmp/update.mm"; : >"$tmp/update.git"
for i in $(seq "$runs"); do
  new_commit "$i"
  ms run_mmbuild >>"$tmp/update.mm"
  ms git_update >>"$tmp/update.git"
done
: >"$tmp/warm.mm"; : >"$tmp/warm.git"
for i in $(seq $((runs * 4))); do
  ms run_mmbuild >>"$tmp/warm.mm"
  ms git_update >>"$tmp/warm.git"
done
[ "$(git -C "$ws" rev-parse HEAD)" = "$(git -C "$gitws" rev-parse HEAD)" ] ||
  { echo "checkout.sh: mmbuild and git checked out different commits" >&2; exit 1; }

# The same from a path: a workspace of its own, the job's URL a path.
path_remote=$tmp/path-remote.git
cp -a "$path_cache" "$path_remote"
job_for "$path_remote" >"$tmp/job.ini"
rm -rf "$ws" "$gitws"
git_path_clone() {
  git init -q "$gitws" && git -C "$gitws" fetch -q "$path_remote" main &&
    git -C "$gitws" checkout -q -f --detach FETCH_HEAD
}
git_path_update() {
  git -C "$gitws" fetch -q "$path_remote" main && git -C "$gitws" checkout -q -f --detach FETCH_HEAD
}
path_runs=3
: >"$tmp/pfresh.mm"; : >"$tmp/pfresh.git"
for i in $(seq "$path_runs"); do
  rm -rf "$ws" "$gitws"
  ms run_mmbuild >>"$tmp/pfresh.mm"
  ms git_path_clone >>"$tmp/pfresh.git"
done
: >"$tmp/pupdate.mm"; : >"$tmp/pupdate.git"
for i in $(seq "$runs"); do
  new_commit "$i" "$path_remote"
  ms run_mmbuild >>"$tmp/pupdate.mm"
  ms git_path_update >>"$tmp/pupdate.git"
done
[ "$(git -C "$ws" rev-parse HEAD)" = "$(git -C "$path_remote" rev-parse main)" ] &&
  [ "$(git -C "$gitws" rev-parse HEAD)" = "$(git -C "$path_remote" rev-parse main)" ] ||
  { echo "checkout.sh: mmbuild or git did not check out the path's main" >&2; exit 1; }

fm=$(median <"$tmp/fresh.mm"); fg=$(median <"$tmp/fresh.git")
pfm=$(median <"$tmp/pfresh.mm"); pfg=$(median <"$tmp/pfresh.git")
pum=$(median <"$tmp/pupdate.mm"); pug=$(median <"$tmp/pupdate.git")
um=$(median <"$tmp/update.mm"); ug=$(median <"$tmp/update.git")
wm=$(median <"$tmp/warm.mm"); wg=$(median <"$tmp/warm.git")
awk -v fm="$fm" -v fg="$fg" -v um="$um" -v ug="$ug" -v wm="$wm" -v wg="$wg" \
  -v pfm="$pfm" -v pfg="$pfg" -v pum="$pum" -v pug="$pug" -v pf="$path_files" 'BEGIN {
  printf "%-26s %12s %12s %8s %8s\n", "", "mmbuild ms", "git ms", "ratio", "aim"
  printf "%-26s %12.1f %12.1f %7.2fx %8s\n", "fresh clone", fm / 1000, fg / 1000, fm / fg, "<= 1.2x"
  printf "%-26s %12.1f %12.1f %7.2fx %8s\n", "update, one new commit", um / 1000, ug / 1000, um / ug, "<= 1.0x"
  printf "%-26s %12.1f %12.1f %8s %8s\n", "warm, nothing new", wm / 1000, wg / 1000, "", ""
  over = (wm - wg) / 1000
  printf "%-26s %12.1f ms %31s\n", "overhead of a true build", over, "<= 20 ms"
  printf "%-26s %12.1f %12.1f %7.2fx %8s\n", "path (" pf " files): clone", pfm / 1000, pfg / 1000, pfm / pfg, ""
  printf "%-26s %12.1f %12.1f %7.2fx %8s\n", "path: update, one commit", pum / 1000, pug / 1000, pum / pug, "<= 1.2x"
  met = (fm / fg <= 1.2) && (um / ug <= 1.0) && (over <= 20) && (pum / pug <= 1.2)
  printf "aims: %s\n", met ? "met" : "missed"
}'
