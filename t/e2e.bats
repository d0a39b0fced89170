#!/usr/bin/env bats
# End to end under a real `systemd --user` manager of a normal account, as
# users run Mixmaster (README Install): `make install PREFIX=$HOME/.local
# UNITDIR=$HOME/.local/share/systemd/user`, `mmsetup --yes`, then signed
# pushes over a real loopback socket through mixmaster-bridge.socket,
# mixmaster.path and mixmaster.service, to a build log. Each test gets its
# own manager, home and installation (t/helpers/user-manager.bash).
load helpers/common
load helpers/user-manager

setup() {
  mm_deployed_setup
  PORT=$(mm_free_port)
  make_repository
}

teardown() {
  [ -z "${TAKER:-}" ] || kill "$TAKER" 2>/dev/null || true
  mm_deployed_teardown
}

# A bare repository with a `production` branch whose build.sh succeeds and
# a `broken` branch whose build.sh fails.
make_repository() {
  REPO=$MM_E2E/test-repo.git
  local work=$MM_E2E/work
  git init -q --bare "$REPO"
  git init -q -b production "$work"
  printf '#!/bin/sh\necho "building $MIXMASTER_TARGET"\n' >"$work/build.sh"
  chmod +x "$work/build.sh"
  git -C "$work" add build.sh
  git -C "$work" -c user.name=T -c user.email=t@example.org commit -q -m 'works'
  GOOD_COMMIT=$(git -C "$work" rev-parse HEAD)
  git -C "$work" checkout -q -b broken
  printf '#!/bin/sh\necho "about to fail" >&2\nexit 3\n' >"$work/build.sh"
  git -C "$work" -c user.name=T -c user.email=t@example.org commit -q -am 'fails'
  BAD_COMMIT=$(git -C "$work" rev-parse HEAD)
  git -C "$work" push -q "$REPO" production broken
}

# Runs mmsetup on the test port and adds the test project to its config.
setup_mixmaster() {
  run "$MM_PREFIX/bin/mmsetup" --yes --port "127.0.0.1:$PORT" "$@"
  assert_success
  SECRET=$(sed -n 's/^secret = //p' "$MM_CONFIG")
  [[ $SECRET =~ ^[0-9a-f]{64}$ ]]
  # What the forge needs: the URL it posts to and the secret.
  # mmsetup(1): what it prints is proved first, through the units.
  assert_output --partial "127.0.0.1:$PORT answers GET /version with $("$MM_PREFIX/bin/mmbridge" --version)."
  assert_output --partial "Mixmaster listens on 127.0.0.1:$PORT"
  assert_output --partial "Target URL    http://127.0.0.1:$PORT/gitea"
  assert_output --partial "Secret        $SECRET"
  cat >>"$MM_CONFIG" <<INI

[test-org/test-repo]
production = ./build.sh
broken = ./build.sh
INI
}

# gitea_payload BRANCH COMMIT > FILE: the Gitea fixture pointed at REPO.
gitea_payload() {
  /usr/bin/python3 - "$MM_FIXTURES/gitea-push.json" "$1" "$2" "file://$REPO" <<'PY'
import json, sys
fixture, branch, commit, url = sys.argv[1:]
with open(fixture) as f:
    payload = json.load(f)
payload["ref"] = "refs/heads/" + branch
payload["after"] = commit
payload["repository"]["clone_url"] = url
payload["repository"]["ssh_url"] = url
json.dump(payload, sys.stdout)
PY
}

# post FILE [SECRET]: POSTs FILE to /gitea, signed when SECRET is given;
# sets STATUS and BODY.
post() {
  local headers=(-H 'Content-Type: application/json' -H 'X-Gitea-Event: push')
  if [ -n "${2:-}" ]; then
    local sig
    sig=$(openssl dgst -sha256 -hmac "$2" -r <"$1" | cut -d' ' -f1)
    headers+=(-H "X-Gitea-Signature: $sig")
  fi
  STATUS=$(curl -sS -o "$MM_E2E/body" -w '%{http_code}' --max-time 20 \
    "${headers[@]}" --data-binary "@$1" "http://127.0.0.1:$PORT/gitea")
  BODY=$(cat "$MM_E2E/body")
}

jobs_dir() { echo "$HOME/Builds/test-org-test-repo/JOBS"; }

# build BRANCH COMMIT: a signed push of COMMIT to BRANCH, accepted (202) and
# built; sets LOG and RESULT (the log's status).
build() {
  gitea_payload "$1" "$2" >"$MM_E2E/push.json"
  post "$MM_E2E/push.json" "$SECRET"
  assert_equal "$STATUS" 202
  [[ $BODY == "queued "* ]]
  wait_for_result "${BODY#queued }"
  RESULT=$(sed -n 's/^status = //p' "$LOG")
}

_log_finished() { grep -q '^status = ' "$1" 2>/dev/null; }

# wait_for_result ID: waits (bounded) for the job's log to hold a result.
wait_for_result() {
  LOG=$(jobs_dir)/$1.log
  mm_bounded_poll 90 _log_finished "$LOG" || {
    echo "no result in $LOG" >&2
    cat "$LOG" >&2 || true
    return 1
  }
}

# A build that finished leaves nothing running.
wait_until_idle() {
  mm_bounded_poll 30 mm_nothing_running
}

@test "the installed units, as the manager reads them" {
  # Installed as a package would be: through a staged DESTDIR.
  rm -rf "$MM_PREFIX" "$MM_UNITDIR"
  mm_install --staged
  assert_equal "$(mm_unit_prop mixmaster-bridge.socket Listen)" "[::]:8585 (Stream)"
  assert_equal "$(mm_unit_prop mixmaster-bridge.socket Accept)" yes
  assert_equal "$(mm_unit_prop mixmaster-bridge@x.service StandardInput)" socket
  assert_equal "$(mm_unit_prop mixmaster-bridge@x.service StandardError)" journal
  # A day, the longest stream of a raw log (mmbridge(1) WEB VIEW), and an
  # hour more.
  assert_equal "$(mm_unit_prop mixmaster-bridge@x.service RuntimeMaxUSec)" "1d 1h"
  [[ $(mm_unit_prop mixmaster-bridge@x.service ExecStart) == *"path=$MM_PREFIX/bin/mmbridge "* ]]
  # %h is the home of the user whose manager reads it.
  assert_equal "$(mm_unit_prop mixmaster.path Paths)" "$HOME/Builds/INBOX (DirectoryNotEmpty)"
  assert_equal "$(mm_unit_prop mixmaster.path MakeDirectory)" yes
  assert_equal "$(mm_unit_prop mixmaster.path Unit)" mixmaster.service
  [[ $(mm_unit_prop mixmaster.service ExecStart) == *"path=$MM_PREFIX/bin/mmbuild "* ]]
  [[ $(mm_unit_prop mixmaster.service ExecStopPost) == *"path=$MM_PREFIX/bin/mmcleanup "* ]]
  for unit in mixmaster-bridge.socket mixmaster-bridge@x.service mixmaster.path \
    mixmaster.service; do
    [[ $(mm_unit_prop "$unit" Documentation) == \"man:* ]]
    assert_equal "$(mm_unit_prop "$unit" LoadState)" loaded
  done
}

@test "a signed Gitea push is built; a failing build fails; nothing stays resident" {
  setup_mixmaster
  build production "$GOOD_COMMIT"
  assert_equal "$RESULT" success
  run grep -E '^(commit = |.* O building production)' "$LOG"
  assert_line "commit = $GOOD_COMMIT"
  assert_line --regexp ' O building production$'

  build broken "$BAD_COMMIT"
  assert_equal "$RESULT" failure

  # Between builds: only the socket and the path unit are active, and no
  # process but the manager is left.
  wait_until_idle
  mm_bounded_poll 30 _mm_no_process_but_the_manager || {
    mm_manager_processes >&2
    return 1
  }
  run systemctl --user list-units --plain --no-legend \
    --state=active,activating,deactivating 'mixmaster*'
  assert_success
  assert_equal "$(echo "$output" | awk '{print $1}' | sort | tr '\n' ' ')" \
    "mixmaster-bridge.socket mixmaster.path "
  assert_equal "$(mm_unit_prop mixmaster.service MainPID)" 0
  assert_equal "$(mm_unit_prop mixmaster.path SubState)" waiting
  assert_equal "$(mm_unit_prop mixmaster-bridge.socket SubState)" listening
}

@test "an unsigned push gets 401 and makes no job; a wrong signature 403" {
  setup_mixmaster
  gitea_payload production "$GOOD_COMMIT" >"$MM_E2E/good.json"
  post "$MM_E2E/good.json"
  assert_equal "$STATUS" 401
  post "$MM_E2E/good.json" "not-the-secret"
  assert_equal "$STATUS" 403
  assert_equal "$(mm_spool_count "$HOME/Builds/INBOX")" 0
  assert_equal "$(mm_spool_count "$(jobs_dir)")" 0
  wait_until_idle
}

@test "the path unit does not loop when mmbuild cannot start; it builds again once fixed" {
  setup_mixmaster
  cp "$MM_CONFIG" "$MM_E2E/good.ini"
  echo 'this line is not INI' >>"$MM_CONFIG"
  # The bridge cannot read the config either, so the job arrives by hand, as
  # mmbridge(1) Writing the job allows: whole, by rename into the spool.
  printf '[job]\nid = 20260101-000000-by-hand\nscm = git\nproject = test-org/test-repo\nrepositoryUrl = file://%s\ntarget = production\n' \
    "$REPO" >"$MM_E2E/by-hand.ini"
  mv "$MM_E2E/by-hand.ini" "$HOME/Builds/INBOX/20260101-000000-by-hand.ini"

  rejected() { [ -f "$HOME/Builds/REJECTED/20260101-000000-by-hand.ini" ]; }
  mm_bounded_poll 60 rejected
  wait_until_idle
  assert_equal "$(mm_spool_count "$HOME/Builds/INBOX")" 0
  assert_equal "$(mm_unit_prop mixmaster.service Result)" exit-code
  assert_equal "$(mm_unit_prop mixmaster.service ExecMainStatus)" 3
  # The path unit is idle again, not failed from a start loop.
  assert_equal "$(mm_unit_prop mixmaster.path ActiveState)" active
  assert_equal "$(mm_unit_prop mixmaster.path SubState)" waiting
  assert_equal "$(mm_unit_prop mixmaster.path Result)" success

  cp "$MM_E2E/good.ini" "$MM_CONFIG"
  build production "$GOOD_COMMIT"
  assert_equal "$RESULT" success
  assert_equal "$(mm_spool_count "$HOME/Builds/REJECTED")" 1
}

@test "a file in the spool that is not a job does not make the path unit loop" {
  setup_mixmaster
  # mmbuild takes regular *.ini files only; left there, this would keep the
  # spool not empty and the path unit would start the service at once,
  # again and again, until the start limit stopped both.
  echo 'a note' >"$HOME/Builds/INBOX/notes.txt"
  moved() { [ -f "$HOME/Builds/REJECTED/notes.txt" ]; }
  mm_bounded_poll 60 moved
  wait_until_idle
  assert_equal "$(mm_spool_count "$HOME/Builds/INBOX")" 0
  assert_equal "$(mm_unit_prop mixmaster.service Result)" success
  assert_equal "$(mm_unit_prop mixmaster.path SubState)" waiting
  assert_equal "$(mm_unit_prop mixmaster.path Result)" success
  build production "$GOOD_COMMIT"
  assert_equal "$RESULT" success
}

@test "mmsetup twice changes nothing; --teardown disables everything and keeps the builds" {
  setup_mixmaster
  local before
  before=$(cd "$HOME" && find . -path ./.local -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
  run "$MM_PREFIX/bin/mmsetup" --yes --port "127.0.0.1:$PORT"
  assert_success
  assert_output --partial "keep the existing configuration $MM_CONFIG"
  refute_output --regexp '  - (create|write|replace|remove|run systemctl --user restart) '
  assert_equal "$(cd "$HOME" && find . -path ./.local -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)" "$before"
  assert_equal "$(systemctl --user is-enabled mixmaster-bridge.socket)" enabled
  assert_equal "$(systemctl --user is-enabled mixmaster.path)" enabled
  assert_equal "$(curl -sS --max-time 20 "http://127.0.0.1:$PORT/version")" \
    "$("$MM_PREFIX/bin/mmbridge" --version)"

  run "$MM_PREFIX/bin/mmsetup" --teardown --yes
  assert_success
  assert_output --partial "Kept the build root $HOME/Builds"
  assert_output --partial "Kept the configuration (projects, secret) in $MM_CONFIG."
  run systemctl --user is-enabled mixmaster-bridge.socket mixmaster.path
  assert_output $'disabled\ndisabled'
  assert_equal "$(mm_unit_prop mixmaster-bridge.socket ActiveState)" inactive
  assert_equal "$(mm_unit_prop mixmaster.path ActiveState)" inactive
  [ ! -e "$MM_CONFIG" ]
  grep -qx '\[test-org/test-repo\]' "$MM_CONFIG".*.bak
  [ -z "$(find "$XDG_CONFIG_HOME/systemd/user" -name '*.conf' 2>/dev/null)" ]
  [ -d "$HOME/Builds/INBOX" ]
  run curl -sS --max-time 5 "http://127.0.0.1:$PORT/version"
  assert_failure
}

@test "--port writes a drop-in and the socket listens there; --spool moves the spool" {
  setup_mixmaster --spool "$MM_E2E/spool"
  local dropin=$XDG_CONFIG_HOME/systemd/user/mixmaster-bridge.socket.d/port.conf
  run cat "$dropin"
  assert_line "ListenStream=127.0.0.1:$PORT"
  assert_equal "$(mm_unit_prop mixmaster-bridge.socket Listen)" "127.0.0.1:$PORT (Stream)"
  assert_equal "$(mm_unit_prop mixmaster.path Paths)" "$MM_E2E/spool (DirectoryNotEmpty)"

  # A push through the moved spool builds, and the sandboxed bridge could
  # write there.
  build production "$GOOD_COMMIT"
  assert_equal "$RESULT" success
  [ ! -e "$HOME/Builds/INBOX" ] || assert_equal "$(mm_spool_count "$HOME/Builds/INBOX")" 0

  # Another port on a re-run: the drop-in is replaced and the running
  # socket moves there.
  local port2
  port2=$(mm_free_port)
  run "$MM_PREFIX/bin/mmsetup" --yes --port "127.0.0.1:$port2"
  assert_success
  assert_output --partial "  - run systemctl --user restart mixmaster-bridge.socket mixmaster.path"
  assert_equal "$(mm_unit_prop mixmaster-bridge.socket Listen)" "127.0.0.1:$port2 (Stream)"
  assert_equal "$(curl -sS --max-time 20 "http://127.0.0.1:$port2/version")" \
    "$("$MM_PREFIX/bin/mmbridge" --version)"
}

@test "a spool under /tmp works: the bridge's unit hides no /tmp" {
  setup_mixmaster --spool "$BATS_TEST_TMPDIR/spool"
  build production "$GOOD_COMMIT"
  assert_equal "$RESULT" success
}

@test "a buildRoot changed in the configuration: 500 naming the fix, then mmsetup again and it builds" {
  setup_mixmaster
  sed -i 's|^buildRoot = .*|buildRoot = ~/Builds2|' "$MM_CONFIG"
  gitea_payload production "$GOOD_COMMIT" >"$MM_E2E/push.json"
  post "$MM_E2E/push.json" "$SECRET"
  assert_equal "$STATUS" 500
  assert_equal "$BODY" "spool not writable: spool $HOME/Builds2/INBOX is not writable: No such file or directory; after changing spool or buildRoot, run mmsetup again"
  # As the answer says.
  run "$MM_PREFIX/bin/mmsetup" --yes --port "127.0.0.1:$PORT"
  assert_success
  assert_output --partial "  - create the spool $HOME/Builds2/INBOX"
  jobs_dir() { echo "$HOME/Builds2/test-org-test-repo/JOBS"; }
  build production "$GOOD_COMMIT"
  assert_equal "$RESULT" success
}

@test "mmsetup proves the bridge answers: with an option the manager refuses, it says so, shows how the instance ended, and fails" {
  # The unit as it was before: CapabilityBoundingSet= (empty), which a
  # manager that is not root cannot apply.
  local dropin=$XDG_CONFIG_HOME/systemd/user/mixmaster-bridge@.service.d
  mkdir -p "$dropin"
  printf '[Service]\nCapabilityBoundingSet=\n' >"$dropin/capabilities.conf"
  run "$MM_PREFIX/bin/mmsetup" --yes --port "127.0.0.1:$PORT"
  assert_failure 4
  assert_output --regexp "mmsetup: the units are enabled, but GET /version on 127.0.0.1:$PORT: the connection was (reset|closed) before any answer, so the bridge instance it started did not run"
  assert_output --partial "status=218/CAPABILITIES"
  refute_output --partial "Mixmaster listens on"
  # Nothing of the look is left: no runtime drop-in, no failed instance.
  [ ! -e "$XDG_RUNTIME_DIR/systemd/user/mixmaster-bridge@.service.d/mmsetup-probe.conf" ]
  run systemctl --user list-units --all --plain --no-legend 'mixmaster-bridge@*'
  assert_output ""
  # A curl then gets what the user saw.
  run curl -sS --max-time 20 "http://127.0.0.1:$PORT/version"
  assert_failure
  assert_output --regexp "Connection reset by peer|Empty reply from server"

  rm -r "$dropin"
  systemctl --user daemon-reload
  run "$MM_PREFIX/bin/mmsetup" --yes --port "127.0.0.1:$PORT"
  assert_success
  assert_output --partial "127.0.0.1:$PORT answers GET /version with"
}

@test "mmsetup names what keeps the socket from listening: a port taken by another program, units not installed" {
  /usr/bin/python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
time.sleep(120)' "$PORT" 3>&- &
  TAKER=$!
  mm_bounded_poll 10 bash -c "exec 5<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
  run "$MM_PREFIX/bin/mmsetup" --yes --port "127.0.0.1:$PORT"
  kill "$TAKER"
  wait "$TAKER" || true
  assert_failure 4
  assert_output --partial "failed (see above): 127.0.0.1:$PORT is already in use by another program (\`ss -ltnp 'sport = :$PORT'\` shows which): stop it, or choose another port with mmsetup --port"
  refute_output --partial "are the units installed"

  rm "$MM_UNITDIR/mixmaster-bridge.socket"
  systemctl --user daemon-reload
  run "$MM_PREFIX/bin/mmsetup" --yes --port "127.0.0.1:$PORT"
  assert_failure 4
  assert_output --partial "the unit mixmaster-bridge.socket is not installed where your user manager looks"
}

# exposure UNIT: systemd-analyze's overall exposure level of UNIT.
exposure() {
  systemd-analyze --user security --no-pager "$1" |
    sed -n "s/.*Overall exposure level for $1: \([0-9.]*\).*/\1/p"
}

# True once an mmbridge instance has its seccomp filter (Seccomp: 2) in
# place; it is set in the moment after exec, before the request is read.
_sandboxed_bridge() {
  local pid
  pid=$(mm_manager_processes | awk '$2 == "mmbridge" {print $1; exit}')
  [ -n "$pid" ] && grep -E '^(NoNewPrivs|Seccomp):' "/proc/$pid/status" >"$MM_E2E/status" &&
    grep -qE '^Seccomp:[[:space:]]+2$' "$MM_E2E/status"
}

@test "the bridge's sandbox: every instance runs under mmbridge's own seccomp filter" {
  setup_mixmaster
  # mmbridge(1) SECURITY: the unit has no SystemCallFilter= (each of the
  # unit's options costs a namespace or a filter per request); the filter
  # comes from mmbridge itself, and its Landlock rules and what they block
  # are shown by t/unit/sandbox_test.
  run grep -q '^SystemCallFilter=' "$MM_UNITDIR/mixmaster-bridge@.service"
  assert_failure
  # An idle connection keeps one instance waiting for its request.
  exec 5<>"/dev/tcp/127.0.0.1/$PORT"
  mm_bounded_poll 20 _sandboxed_bridge
  exec 5>&-
  run cat "$MM_E2E/status"
  assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
  # systemd-analyze sees only the unit's options, not what mmbridge does to
  # itself; its figure is shown for the record (t/bench/deployed.sh).
  echo "# exposure as systemd-analyze sees the unit: $(exposure mixmaster-bridge@x.service)" >&3
}

# True once a `sleep` runs in mixmaster.service's cgroup.
_mm_service_has_sleep() {
  find "${MM_CGROUPS[0]}" -path '*/mixmaster.service/*' -name cgroup.procs \
    -exec cat {} + 2>/dev/null |
    while read -r pid; do cat "/proc/$pid/comm" 2>/dev/null; done | grep -qx sleep
}

# kill_running_build [RUNNER_TOO]: a push whose build sleeps, then SIGKILL to
# mmbuild (and its runner with an argument) once the build runs; nothing of
# the service may be left afterwards. Sets ID and MMBUILD_PID.
kill_running_build() {
  setup_mixmaster
  echo 'sleeping = sleep 600 & sleep 600' >>"$MM_CONFIG"
  git -C "$MM_E2E/work" push -q "$REPO" production:sleeping
  gitea_payload sleeping "$GOOD_COMMIT" >"$MM_E2E/push.json"
  post "$MM_E2E/push.json" "$SECRET"
  assert_equal "$STATUS" 202
  ID=${BODY#queued }
  mm_bounded_poll 60 _mm_service_has_sleep
  MMBUILD_PID=$(mm_unit_prop mixmaster.service MainPID)
  [ "$MMBUILD_PID" -gt 0 ]
  local victims=("$MMBUILD_PID")
  [ -z "${1:-}" ] || victims+=("$(sed -n 's/^pid = //p' "$(jobs_dir)/$ID.log")")
  # Stopped first, so that neither sees the other die before its own KILL
  # (the runner would end its log as killed, mmbuild finish it as error).
  kill -STOP "${victims[@]}"
  kill -KILL "${victims[@]}"
  # The build, its agent, the runner: nothing of the service is left.
  mm_bounded_poll 60 mm_nothing_running
  mm_bounded_poll 60 _mm_no_process_but_the_manager || {
    mm_manager_processes >&2
    return 1
  }
}

@test "mmbuild killed with SIGKILL under systemd: its runner ends the log as killed; no process left in the cgroup" {
  kill_running_build
  run cat "$(jobs_dir)/$ID.log"
  assert_line "status = killed"
  assert_line --regexp "^..:..:.. X Build stopped: mmbuild \\(pid $MMBUILD_PID\\) died$"
}

@test "mmbuild and its runner killed with SIGKILL under systemd: no process left; the next run finishes the log as error" {
  kill_running_build runner-too
  run grep -c '^\[result\]$' "$(jobs_dir)/$ID.log"
  assert_output 0
  # The next push starts mmbuild again, which finishes the orphaned log.
  build production "$GOOD_COMMIT"
  assert_equal "$RESULT" success
  run cat "$(jobs_dir)/$ID.log"
  assert_line "status = error"
  assert_line --regexp "^..:..:.. # Build error: the runner \\(pid [0-9]+\\) died before the build ended; noticed at .*Z by mmbuild \\(pid [0-9]+\\)$"
}

_log_has_line() { grep -q " O line $2\$" "$1" 2>/dev/null; }
_stream_running() { kill -0 "$1" 2>/dev/null; }

@test "from a normal account, as the README says: a push is built, its log streams whole through the unit for over 30 s, the bridge is sandboxed" {
  [ "$(id -u)" != 0 ]
  setup_mixmaster
  # The web view, to follow a build (mmbridge(1) WEB VIEW), and a build of
  # 36 s that writes a line a second.
  sed -i 's/^\[_\]$/[_]\nwebView = yes\nwebPassword = watch-it/' "$MM_CONFIG"
  echo 'slow = i=0; while [ $i -lt 36 ]; do i=$((i+1)); echo "line $i"; sleep 1; done' >>"$MM_CONFIG"
  git -C "$MM_E2E/work" push -q "$REPO" production:slow
  gitea_payload slow "$GOOD_COMMIT" >"$MM_E2E/push.json"
  post "$MM_E2E/push.json" "$SECRET"
  assert_equal "$STATUS" 202
  local id=${BODY#queued } log
  log=$(jobs_dir)/$id.log
  mm_bounded_poll 60 _log_has_line "$log" 1
  # Followed from its first lines to its end, through the installed socket.
  curl -sS -N -u any:watch-it --max-time 120 -o "$MM_E2E/stream" \
    -w '%{http_code} %{time_total}\n' \
    "http://127.0.0.1:$PORT/builds/test-org-test-repo/$id.log" >"$MM_E2E/curl.out" 2>&1 &
  local curl=$!
  run _log_has_line "$log" 6
  assert_failure
  # The instance serving the stream runs under mmbridge's own sandbox.
  mm_bounded_poll 20 _sandboxed_bridge
  run cat "$MM_E2E/status"
  assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
  assert_line --regexp '^Seccomp:[[:space:]]+2$'
  local curl_status=0
  wait "$curl" || curl_status=$?
  run cat "$MM_E2E/curl.out"
  assert_equal "$curl_status" 0
  echo "# streamed: $output (code, seconds)" >&3
  assert_output --regexp '^200 [0-9.]+$'
  # It outlived the unit's old 30 s limit.
  awk '{exit !($2 > 30)}' <<<"$output"
  # Every byte of the log, [result] included, and nothing else.
  run grep -c ' O line [0-9]*$' "$MM_E2E/stream"
  assert_output 36
  run sed -n '/^\[result\]$/,$p' "$MM_E2E/stream"
  assert_line "status = success"
  cmp "$MM_E2E/stream" "$log"
}
