#!/bin/bash
# What a launcher (mmbuild(1) LAUNCHERS) adds to each build: the same run of
# N jobs building `true`, one after the other, through mmbuild with
#   - no launcher (/bin/sh -c here): the baseline;
#   - mm-run-slurm, against a single-node Slurm started here
#     (t/helpers/slurm.bash);
#   - mm-run-ssh to 127.0.0.1, a real sshd and `systemd --user` started here
#     (t/helpers/sshd.bash, t/helpers/user-manager.bash).
# Per row: the median of the builds' own durations (the log's `duration`:
# checkout and command), what the launcher adds to it, and the ratio to the
# baseline. A row that cannot run here is printed as missing, with the
# reason.
# Usage: t/bench/launcher.sh [N]   (MM_BIN=dir overrides build/)
set -uo pipefail

MM_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MM_BIN=${MM_BIN:-$MM_ROOT/build}
N=${1:-20}
for p in mmbuild mm-run-slurm mm-run-ssh mm-run-node; do
  [ -x "$MM_BIN/$p" ] || { echo "launcher.sh: $MM_BIN/$p not built (make)" >&2; exit 1; }
done
# The helpers are written for bats: what they need of it. (Their skips are
# checked for first, below.)
skip() { echo "$*" >"$tmp/skipped"; return 1; }
mm_free_port() {
  /usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
source "$MM_ROOT/t/helpers/slurm.bash"
source "$MM_ROOT/t/helpers/sshd.bash"
source "$MM_ROOT/t/helpers/user-manager.bash"

tmp=$(mktemp -d /tmp/mm-bench-launcher.XXXXXX)
chmod 755 "$tmp"
cleanup() {
  mm_sshd_stop
  mm_slurm_stop
  [ -n "${MM_E2E:-}" ] && mm_user_manager_stop
  rm -rf "$tmp"
}
trap cleanup EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config
mkdir -p "$XDG_CONFIG_HOME" "$HOME/.ssh"
git init -q --bare -b main "$tmp/remote.git"
git init -q -b main "$tmp/work"
echo hello >"$tmp/work/README"
git -C "$tmp/work" add README
git -C "$tmp/work" -c user.name=Bench -c user.email=bench@example.org commit -q -m one
git -C "$tmp/work" push -q "$tmp/remote.git" main

# median_duration LAUNCHER: runs N jobs with that launcher in a fresh build
# root and prints the median of their durations in ms; fails when a build
# did not succeed.
median_duration() {
  local builds=$tmp/builds i
  rm -rf "$builds"
  mkdir -p "$builds/INBOX"
  printf '[_]\nbuildRoot = %s\nsupersede = no\nlauncher = %s\n\n[acme/app]\nmain = true\n' \
    "$builds" "$1" >"$tmp/mixmaster.ini"
  for i in $(seq -w "$N"); do
    printf '[job]\nid = j%s\nscm = git\nproject = acme/app\nrepositoryUrl = %s\ntarget = main\n' \
      "$i" "$tmp/remote.git" >"$builds/INBOX/j$i.ini"
  done
  "$MM_BIN/mmbuild" --config "$tmp/mixmaster.ini" >/dev/null 2>&1
  if grep -L '^status = success' "$builds"/acme-app/JOBS/*.log | grep -q .; then
    echo "a build through '$1' did not succeed:" >&2
    grep -h '^..:..:.. [!#X]' "$builds"/acme-app/JOBS/*.log | head -5 >&2
    return 1
  fi
  sed -n 's/^duration = //p' "$builds"/acme-app/JOBS/*.log | sort -n |
    awk '{ d[NR] = $1 } END { printf "%.1f", 1000 * (NR % 2 ? d[(NR + 1) / 2] : (d[NR / 2] + d[NR / 2 + 1]) / 2) }'
}

printf '%-26s %12s %12s %8s\n' "launcher, N=$N builds" "median ms" "added ms" "ratio"
base=$(median_duration "") || exit 1
printf '%-26s %12s %12s %8s\n' "none (sh -c here)" "$base" "-" "1.00"
row() {
  local name=$1 launcher=$2 ms
  if ms=$(median_duration "$launcher"); then
    awk -v n="$name" -v m="$ms" -v b="$base" \
      'BEGIN { printf "%-26s %12.1f %12.1f %8.2f\n", n, m, m - b, m / b }'
  else
    printf '%-26s missing: a build failed\n' "$name"
  fi
}

reason=$(mm_slurm_skip_reason)
if [ -n "$reason" ]; then
  printf '%-26s missing: %s\n' mm-run-slurm "$reason"
elif mm_slurm_start "$tmp/slurm" 2>"$tmp/slurm.err"; then
  row mm-run-slurm "$MM_BIN/mm-run-slurm"
else
  printf '%-26s missing: %s\n' mm-run-slurm "$(tail -n 1 "$tmp/slurm.err")"
fi
mm_slurm_stop

if ! mm_user_manager_skip_reason; then
  printf '%-26s missing: %s\n' mm-run-ssh "$MM_SKIP_REASON"
elif [ ! -x /usr/sbin/sshd ]; then
  printf '%-26s missing: no /usr/sbin/sshd\n' mm-run-ssh
elif mm_user_manager_start && mm_sshd_start "$tmp/sshd" "SetEnv XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"; then
  # The manager's home is HOME now.
  mkdir -p -m 700 "$HOME/.ssh"
  echo "[127.0.0.1]:$SSHD_PORT $SSHD_HOST_KEY" >"$HOME/.ssh/known_hosts"
  printf 'Host builder\n  HostName 127.0.0.1\n  Port %s\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n' \
    "$SSHD_PORT" "$SSH_CLIENT_KEY" "$HOME/.ssh/known_hosts" >"$HOME/.ssh/config"
  row "mm-run-ssh 127.0.0.1" "$MM_BIN/mm-run-ssh -F$HOME/.ssh/config builder $tmp/builder"
else
  printf '%-26s missing: %s\n' mm-run-ssh "$(cat "$tmp/skipped" 2>/dev/null || echo "sshd or the user manager did not start")"
fi
