#!/bin/bash
# The deployed path: requests/s of the same burst (N signed POSTs of a light
# payload, C at a time, from ab(1)) against
#   - mixmaster-bridge.socket as `make install` and `mmsetup` put it in place,
#     under a real `systemd --user` manager (t/helpers/user-manager.bash);
#   - the same socket with an unsandboxed service (only ExecStart= and the
#     socket as stdin/stdout): the floor of one unit per connection;
#   - the shipped unit plus systemd's seccomp options, and plus the
#     namespace options the unit had before mmbridge sandboxed itself (the
#     option-set matrix of mmbridge(1) SECURITY), with their
#     `systemd-analyze --user security` exposure;
#   - `systemd-socket-activate --inetd` running the same mmbridge;
#   - Debian's `webhook` with one hook writing the payload into a directory.
# For each: answers, payloads on disk when the client finishes and 10 s
# later (mmbridge fsyncs each job before it answers; the hook does not).
# A peer that cannot run here is printed as missing, with the reason.
# Aim: the shipped unit >= 0.7x the floor measured in the same run.
# Usage: t/bench/deployed.sh [N [C]]
set -uo pipefail

MM_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-1000}
C=${2:-50}
# shellcheck source=../helpers/user-manager.bash
source "$MM_ROOT/t/helpers/user-manager.bash"
# (Not t/helpers/common.bash's mm_free_port: that file needs bats to load.)
free_port() {
  /usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

tmp=$(mktemp -d)
peer_pids=()
cleanup() {
  local pid
  for pid in "${peer_pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  [ -n "${MM_E2E:-}" ] && mm_user_manager_stop
  rm -rf "$tmp"
}
trap cleanup EXIT

payload=$tmp/light.json
printf '{"scm":"git","repositoryUrl":"git@example.com:o/r.git","project":"o/r","target":"main"}' >"$payload"
secret=0123456789abcdef0123456789abcdef
signature=$(openssl dgst -sha256 -hmac "$secret" -r <"$payload" | cut -d' ' -f1)

if ! command -v ab >/dev/null; then
  echo "deployed path: every row missing: ab not installed (make bench-deps installs apache2-utils)"
  exit 0
fi
printf '%-34s %9s %7s %9s %9s %9s %8s\n' "deployed path, N=$N C=$C" "req/s" "answers" \
  "disk@end" "disk@+10s" "exposure" "acc.ms/r"
rates=()

# count DIR: complete payloads in DIR.
count() { find "$1" -maxdepth 1 -name '*.ini' -o -maxdepth 1 -name '*.json' | wc -l; }

# cpu_ticks PID: the CPU time PID itself has used (not its children).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# row NAME URL DIR ACCEPTOR-PID [EXPOSURE]: the burst against URL (ab, one
# process, so that the client costs little), payloads counted in DIR
# (emptied first), and the CPU time the accepting process (the user
# manager, systemd-socket-activate, webhook) spent per request.
row() {
  local name=$1 url=$2 dir=$3 acceptor=$4 exposure=${5:--} answers at_end later
  local rate ticks
  find "$dir" -mindepth 1 -delete
  ticks=$(cpu_ticks "$acceptor")
  ab -q -r -s 60 -n "$N" -c "$C" -p "$payload" -T application/json \
    -H "X-Hub-Signature-256: sha256=$signature" "$url" >"$tmp/ab" 2>&1
  at_end=$(count "$dir")
  ticks=$(($(cpu_ticks "$acceptor") - ticks))
  rate=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$tmp/ab")
  # Answered with a 2xx: complete, minus those that failed to connect or
  # read (ab's "Length" failures are answers whose length differs from the
  # first one's: a job id holds a pid), minus non-2xx.
  answers=$(awk '/^Complete requests:/ {c = $3} /^Non-2xx responses:/ {n = $3}
    /^ +\(Connect:/ {gsub(/[(),]/, ""); f = $2 + $4 + $8}
    END {print c - f - n}' "$tmp/ab")
  sleep 10
  later=$(count "$dir")
  rates+=("$name=$rate")
  printf '%-34s %9s %7s %9s %9s %9s %8.2f\n' "$name" "${rate:-?}" "$answers" "$at_end" \
    "$later" "$exposure" "$(/usr/bin/python3 -c "print($ticks * 1000 / $(getconf CLK_TCK) / $N)")"
}

missing() { printf '%-34s missing: %s\n' "$1" "$2"; }

rate_of() {
  local r
  for r in "${rates[@]}"; do [ "${r%%=*}" = "$1" ] && echo "${r#*=}"; done
}

# ---- under the real user manager
# variant NAME PORT [OPTIONS-FILE]: a copy of the shipped socket on PORT
# starting NAME@.service: the shipped service plus OPTIONS-FILE as a drop-in,
# or with "floor", a service with no sandbox option at all.
variant() {
  local name=$1 port=$2 extra=${3:-}
  sed -e "s/^ListenStream=.*/ListenStream=127.0.0.1:$port/" \
    "$MM_UNITDIR/mixmaster-bridge.socket" >"$MM_UNITDIR/$name.socket"
  if [ "$extra" = floor ]; then
    printf '[Service]\nExecStart=%s\nStandardInput=socket\nStandardOutput=socket\nStandardError=journal\n' \
      "$MM_PREFIX/bin/mmbridge" >"$MM_UNITDIR/$name@.service"
  else
    cp "$MM_UNITDIR/mixmaster-bridge@.service" "$MM_UNITDIR/$name@.service"
    if [ -n "$extra" ]; then
      mkdir -p "$MM_UNITDIR/$name@.service.d"
      cp "$extra" "$MM_UNITDIR/$name@.service.d/options.conf"
    fi
  fi
}

exposure() {
  systemd-analyze --user security --no-pager "$1" 2>/dev/null |
    sed -n "s/.*Overall exposure level for $1: \([0-9.]*\).*/\1/p"
}

# systemd's options that need no namespace: seccomp and the like.
cat >"$tmp/seccomp.conf" <<'EOF'
[Service]
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
SystemCallErrorNumber=EPERM
RestrictAddressFamilies=none
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
EOF
# The namespace options of the unit before mmbridge sandboxed itself.
cp "$tmp/seccomp.conf" "$tmp/namespaces.conf"
cat >>"$tmp/namespaces.conf" <<'EOF'
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths=-%h/Builds/INBOX
PrivateTmp=yes
PrivateDevices=yes
ProtectProc=invisible
ProcSubset=pid
PrivateNetwork=yes
PrivateUsers=yes
PrivateIPC=yes
PrivateMounts=yes
ProtectClock=yes
ProtectHostname=yes
ProtectKernelLogs=yes
ProtectKernelModules=yes
ProtectKernelTunables=yes
ProtectControlGroups=yes
EOF

manager_rows() {
  # The test home out of /tmp and /var/tmp, which the namespace row's
  # PrivateTmp= hides from the bridge (its configuration and spool are
  # there); /home, which ProtectHome=read-only leaves readable.
  [ ! -w /home ] || export MM_E2E_BASE=/home
  mm_user_manager_start >/dev/null && mm_install || return 1
  local port
  port=$(free_port)
  "$MM_PREFIX/bin/mmsetup" --yes --port "127.0.0.1:$port" >/dev/null 2>&1 || return 1
  sed -i "s/^secret = .*/secret = $secret/" "$MM_CONFIG"
  printf '\n[o/r]\nmain = true\n' >>"$MM_CONFIG"
  # mmbuild would take the jobs as they come; they are counted instead.
  systemctl --user stop mixmaster.path
  local spool=$HOME/Builds/INBOX name p
  local -A ports=([floor]=$(free_port) [seccomp]=$(free_port) [namespaces]=$(free_port))
  variant mm-floor "${ports[floor]}" floor
  variant mm-seccomp "${ports[seccomp]}" "$tmp/seccomp.conf"
  variant mm-namespaces "${ports[namespaces]}" "$tmp/namespaces.conf"
  systemctl --user daemon-reload
  for name in floor seccomp namespaces; do
    systemctl --user start "mm-$name.socket" || return 1
  done
  # The floor first and last: the machine's load drifts during a run.
  row "unit, no sandbox option (floor)" "http://127.0.0.1:${ports[floor]}/" "$spool" "$MM_MANAGER_PID" \
    "$(exposure mm-floor@x.service)"
  row "unit as shipped" "http://127.0.0.1:$port/" "$spool" "$MM_MANAGER_PID" \
    "$(exposure mixmaster-bridge@x.service)"
  row "shipped + systemd seccomp" "http://127.0.0.1:${ports[seccomp]}/" "$spool" "$MM_MANAGER_PID" \
    "$(exposure mm-seccomp@x.service)"
  row "shipped + seccomp + namespaces" "http://127.0.0.1:${ports[namespaces]}/" "$spool" "$MM_MANAGER_PID" \
    "$(exposure mm-namespaces@x.service)"
  row "unit, no sandbox option (again)" "http://127.0.0.1:${ports[floor]}/" "$spool" "$MM_MANAGER_PID"
  for p in mixmaster-bridge.socket mm-floor.socket mm-seccomp.socket mm-namespaces.socket; do
    [ "$(mm_unit_prop "$p" ActiveState)" = active ] ||
      { echo "$p is not active after its burst:" >&2; systemctl --user status --no-pager "$p" >&2; }
  done
}

if mm_user_manager_skip_reason; then
  manager_rows || missing "user manager rows" "the user manager could not be set up"
else
  for r in "unit, no sandbox option (floor)" "unit as shipped" "shipped + systemd seccomp" \
    "shipped + seccomp + namespaces"; do
    missing "$r" "$MM_SKIP_REASON"
  done
fi

# ---- peers, outside the manager
mkdir -p "$tmp/home/.config" "$tmp/spool" "$tmp/hooked"
cat >"$tmp/home/.config/mixmaster.ini" <<EOF
[_]
secret = $secret
buildRoot = $tmp/home/Builds
spool = $tmp/spool
[o/r]
main = true
EOF
if command -v systemd-socket-activate >/dev/null; then
  port=$(free_port)
  env -i HOME="$tmp/home" MIXMASTER_CONFIG="$tmp/home/.config/mixmaster.ini" \
    systemd-socket-activate --inetd -a -l "127.0.0.1:$port" "$MM_ROOT/build/mmbridge" \
    >/dev/null 2>"$tmp/activate.log" &
  peer_pids+=($!)
  sleep 0.5
  row "systemd-socket-activate + mmbridge" "http://127.0.0.1:$port/" "$tmp/spool" $!
else
  missing "systemd-socket-activate + mmbridge" "systemd-socket-activate not found"
fi
if command -v webhook >/dev/null; then
  port=$(free_port)
  printf '#!/bin/sh\nf=$(mktemp "%s/.XXXXXX") && printf "%%s" "$1" >"$f" && mv "$f" "$f.json"\n' \
    "$tmp/hooked" >"$tmp/hook.sh"
  chmod +x "$tmp/hook.sh"
  printf '[{"id":"push","execute-command":"%s","pass-arguments-to-command":[{"source":"entire-payload"}]}]\n' \
    "$tmp/hook.sh" >"$tmp/hooks.json"
  webhook -hooks "$tmp/hooks.json" -ip 127.0.0.1 -port "$port" >"$tmp/webhook.log" 2>&1 &
  peer_pids+=($!)
  sleep 1
  row "webhook (Debian), one hook" "http://127.0.0.1:$port/hooks/push" "$tmp/hooked" $!
else
  missing "webhook (Debian), one hook" "webhook not installed (make bench-deps)"
fi

floor=$(rate_of "unit, no sandbox option (floor)")
again=$(rate_of "unit, no sandbox option (again)")
shipped=$(rate_of "unit as shipped")
if [ -n "$floor" ] && [ -n "$shipped" ]; then
  /usr/bin/python3 - "$floor" "$again" "$shipped" <<'PY'
import sys
# Against the higher of the two floor rows: the stricter reading.
floor = max(float(x) for x in sys.argv[1:3] if x)
shipped = float(sys.argv[3])
print("unit as shipped / floor (the higher floor row): %.2fx; aim >= 0.7x: %s"
      % (shipped / floor, "met" if shipped >= 0.7 * floor else "missed"))
PY
fi
