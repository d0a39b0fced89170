#!/usr/bin/env bats
# mm-run-ssh(1): builds on a builder reached over ssh, as transient units of
# its systemd user manager: a real sshd on 127.0.0.1 (helpers/sshd) and a
# real `systemd --user` (helpers/user-manager), this machine standing for
# the builder. First the launcher alone, run as mmbuild runs it (`-c
# COMMAND` in the workspace with the job's MIXMASTER_* environment); then
# whole builds through mmbuild with `launcher = mm-run-ssh ...`.
load helpers/common
load helpers/git
load helpers/jobs
load helpers/launched
load helpers/user-manager
load helpers/sshd
load helpers/bridge
load helpers/forge
load helpers/mail

setup() {
  mm_user_manager_skip_reason || skip "$MM_SKIP_REASON"
  mm_user_manager_start
  # sshd without PAM gives no XDG_RUNTIME_DIR; pam_systemd would.
  mm_sshd_start "$BATS_TEST_TMPDIR/sshd" "SetEnv XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"
  SSH_CONFIG=$BATS_TEST_TMPDIR/ssh_config
  echo "[127.0.0.1]:$SSHD_PORT $SSHD_HOST_KEY" >"$BATS_TEST_TMPDIR/known_hosts"
  cat >"$SSH_CONFIG" <<CONF
Host builder
  HostName 127.0.0.1
  Port $SSHD_PORT
  User $(id -un)
  IdentityFile $SSH_CLIENT_KEY
  IdentitiesOnly yes
  UserKnownHostsFile $BATS_TEST_TMPDIR/known_hosts
CONF
  jobs_setup
  WORKSPACE=$BATS_TEST_TMPDIR/launched/acme-app/main
  git clone -q "$MM_GIT_REMOTE" "$WORKSPACE"
  git -C "$WORKSPACE" checkout -q --detach
  REMOTE_ROOT=$BATS_TEST_TMPDIR/builder
  REMOTE_WORKSPACE=$REMOTE_ROOT/acme-app/main
  export MIXMASTER_JOB=job-$BATS_TEST_NUMBER MIXMASTER_WORKSPACE=$WORKSPACE \
    MIXMASTER_TIMEOUT=60
  # ssh reads ~/.ssh of the account, not of $HOME.
  LAUNCHER="$MM_BIN/mm-run-ssh -F$SSH_CONFIG builder $REMOTE_ROOT"
  launched_setup "$LAUNCHER"
}

teardown() {
  bridge_stop
  mm_mail_stop
  kill_background
  mm_sshd_stop
  mm_user_manager_stop
}

no_build_unit() { [ -z "$(build_units)" ]; }

# launch COMMAND: runs the launcher's words as mmbuild does, in the
# workspace, stdout and stderr apart in $BATS_TEST_TMPDIR/out and err; sets
# `status`.
launch() {
  status=0
  (cd "$WORKSPACE" && exec $LAUNCHER -c "$1") \
    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
}
out() { cat "$BATS_TEST_TMPDIR/out"; }
err() { cat "$BATS_TEST_TMPDIR/err"; }
# The builder's units of builds (mm-*), loaded or running.
build_units() { systemctl --user list-units --all --plain --no-legend 'mm-*' | awk '{ print $1 }'; }

@test "the commit is pushed to the builder and built there; exit codes pass through; streams stay apart" {
  launch 'echo "out $PWD $(git rev-parse HEAD)"; cat README; echo "err $MIXMASTER_WORKSPACE" >&2; exit 3'
  assert_equal "$status" 3
  assert_equal "$(out)" "out $REMOTE_WORKSPACE $(git -C "$WORKSPACE" rev-parse HEAD)
first"
  assert_equal "$(err)" "err $REMOTE_WORKSPACE"
  launch 'exit 0'
  assert_equal "$status" 0
  launch 'kill -SEGV $$'
  assert_equal "$status" 139
  assert_equal "$(build_units)" ""
}

@test "request values and the command reach the build unchanged: quotes, \$(...), \${...}, %, newlines, a leading -" {
  export MIXMASTER_TARGET="-n it's \"x\" \$(touch $BATS_TEST_TMPDIR/pwned) \${HOME} %n \`id\`
second line"
  export MIXMASTER_VIEW_URL='-e $$ \'
  launch 'printf "%s|\n" "$MIXMASTER_TARGET" "$MIXMASTER_VIEW_URL"; echo "$$ %n ${MIXMASTER_JOB}" | sed "s/^[0-9]*/pid/"'
  assert_equal "$status" 0
  assert_equal "$(out)" "$MIXMASTER_TARGET|
$MIXMASTER_VIEW_URL|
pid %n $MIXMASTER_JOB"
  assert [ ! -e "$BATS_TEST_TMPDIR/pwned" ]
}

@test "TERM to the launcher stops the unit: the build's TERM trap runs; --stop is harmless after" {
  (cd "$WORKSPACE" && exec $LAUNCHER -c 'trap "echo trapped TERM; exit 5" TERM; echo started; sleep 600 & wait') \
    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
  local launcher=$!
  for _ in $(seq 300); do grep -q started "$BATS_TEST_TMPDIR/out" && break; sleep 0.1; done
  assert_equal "$(build_units)" "mm-$MIXMASTER_JOB.service"
  kill -TERM "$launcher"
  status=0
  wait "$launcher" || status=$?
  assert_equal "$status" 5
  assert_equal "$(out)" "started
trapped TERM"
  assert_equal "$(build_units)" ""
  run $LAUNCHER --stop
  assert_success
  assert_output ""
}

@test "a builder that cannot be reached is 125; a build's own 255 is its own" {
  launch 'exit 255'
  assert_equal "$status" 255
  mm_sshd_stop
  launch 'echo never'
  assert_equal "$status" 125
  run err
  assert_line --partial "mm-run-ssh: cannot push"
  run $LAUNCHER --stop
  assert_failure 1
  assert_line "mm-run-ssh: cannot stop unit mm-$MIXMASTER_JOB on builder"
}

# Through mmbuild.

@test "mmbuild: a build in a unit of the builder has the log of a local one; exit codes 0, 3, 139; no unit left" {
  spool_job j1
  spool_job j2 target=failing
  spool_job j3 target=segv
  mmbuild_succeeds
  assert_equal "$(result_of j1) $(result_of j2) $(result_of j3)" "success 0 failure 3 failure 139"
  run log_lines j1
  assert_line "# Build started in $(workspace main), launched by $LAUNCHER"
  assert_line "O out main"
  assert_line "! err line"
  assert_line "O first"
  assert_line "# Build finished"
  refute_line --partial -- "--stop"
  run log_of j1
  assert_line "launcher = $LAUNCHER"
  assert no_build_unit
  # Built there, from the commit pushed: the README of the builder's checkout.
  assert_equal "$(cat "$REMOTE_ROOT/acme-app/main/README")" first
}

@test "mmbuild: output is in the log while the build runs on the builder" {
  spool_job j1 target=live
  mmbuild_in_background
  wait_until launched_log_has j1 "O first"
  assert_equal "$(build_units)" "mm-j1.service"
  refute launched_log_has j1 "O second"
  touch "$BATS_TEST_TMPDIR/go"
  wait_for_mmbuild
  assert_equal "$(result_of j1)" "success 0"
  assert launched_log_has j1 "O second"
}

@test "mmbuild: a stop runs the build's TERM trap and leaves no unit on the builder" {
  spool_job j1 target=trapper
  mmbuild_in_background
  wait_until launched_log_has j1 "O started"
  kill -TERM "$MMBUILD"
  wait_for_mmbuild
  assert_equal "$(result_of j1)" "killed 7"
  run log_lines j1
  assert_line "O trapped TERM"
  assert_line "$ $LAUNCHER --stop"
  assert_line "X Build stopped: mmbuild was asked to stop"
  assert no_build_unit
  assert finished "$(cat "$BATS_TEST_TMPDIR/build.pid")"
}

@test "mmbuild: a timeout runs the build's TERM trap and leaves no unit on the builder" {
  # Long enough for the push and the unit's start on a loaded machine: the
  # TERM must reach the build, not the push.
  sed -i "s/^supersede = no$/supersede = no\ntimeout = 10/" "$MM_CONFIG"
  spool_job j1 target=trapper
  mmbuild_succeeds
  assert_equal "$(result_of j1)" "killed 7"
  run log_lines j1
  assert_line "O trapped TERM"
  assert_line "X Build stopped: timeout: the build ran longer than 10 s"
  assert no_build_unit
}

@test "mmbuild: a build that ignores TERM is killed within the grace" {
  spool_job j1 target=stubborn
  mmbuild_in_background
  wait_until launched_log_has j1 "O started"
  local start=$SECONDS
  kill -TERM "$MMBUILD"
  # The build is gone within mmbuild's grace (10 s), before mmbuild's own
  # KILL; mmbuild's --stop and mails come after.
  # The unit's TimeoutStopSec is 5 s, within mmbuild's 10.
  wait_until finished "$(cat "$BATS_TEST_TMPDIR/build.pid")"
  assert [ $((SECONDS - start)) -lt 10 ]
  wait_for_mmbuild
  assert_equal "$(status_of j1)" killed
  assert launched_log_has j1 "O ignored TERM"
  assert finished "$(cat "$BATS_TEST_TMPDIR/build.pid")"
  assert no_build_unit
}

@test "mmbuild SIGKILLed: its runner stops the unit within seconds and ends the log" {
  spool_job j1 target=trapper
  mmbuild_in_background
  wait_until launched_log_has j1 "O started"
  kill -KILL "$MMBUILD"
  wait_until no_build_unit
  wait_until launched_ended j1
  assert_equal "$(status_of j1)" killed
  assert launched_log_has j1 "O trapped TERM"
  assert launched_log_has j1 "X Build stopped: mmbuild (pid $MMBUILD) died"
}

@test "mmbuild and its runner SIGKILLed: the guard's TERM stops the unit; the next mmbuild ends the log, its --stop harmless" {
  spool_job j1 target=trapper
  mmbuild_in_background
  wait_until launched_log_has j1 "O started"
  kill -KILL "$MMBUILD" "$(launched_runner j1)"
  wait_until no_build_unit
  assert_equal "$(status_of j1)" ""
  mmbuild_succeeds
  assert_output --partial "job j1: its runner died; log finished as error"
  assert_equal "$(result_of j1)" "error -1"
  run log_lines j1
  assert_line "$ $LAUNCHER --stop"
  refute_line --regexp "^! .*--stop"
  assert no_build_unit
}

@test "mmbuild, runner, launcher and ssh SIGKILLed together: the unit runs on, and the next mmbuild stops it" {
  spool_job j1 target=trapper
  mmbuild_in_background
  wait_until launched_log_has j1 "O started"
  launched_kill_all j1
  sleep 1
  assert_equal "$(build_units)" "mm-j1.service"
  mmbuild_succeeds
  assert_output --partial "job j1: its runner died; log finished as error"
  assert_equal "$(result_of j1)" "error -1"
  assert launched_log_has j1 "$ $LAUNCHER --stop"
  assert no_build_unit
  assert finished "$(cat "$BATS_TEST_TMPDIR/build.pid")"
}

@test "mmbuild: request values reach the build on the builder unchanged: quotes, \$(...), a leading -" {
  local target="values/it's-\"\$(touch-pwned)\"-\`id\`-%n-\${HOME}"
  mm_git push -q origin "main:$target"
  # No newline: a value holding one is refused before it is spooled
  # (mmbridge(1)); the launcher's own test passes one through.
  spool_job j1 target="$target" 'viewUrl=-e $(touch pwned) '"'"'q'"'"' "d" $$ %n second line'
  mmbuild_succeeds
  assert_equal "$(result_of j1)" "success 0"
  run log_lines j1
  assert_line "O $target|"
  assert_line "O -e \$(touch pwned) 'q' \"d\" \$\$ %n second line|"
  run find "$BATS_TEST_TMPDIR" -name pwned
  assert_output ""
}

@test "a push through mmbridge is built on the builder: the forge's statuses and the mails are those of a local build" {
  SHA=$(mm_git rev-parse main)
  forge_start GITEA
  write_tokens "http://127.0.0.1:$GITEA_PORT gitea-t0ken"
  mm_mail_start
  launched_setup "$LAUNCHER" "statusTokens = $TOKENS" "$(mm_mail_settings)"
  export MIXMASTER_CONFIG=$MM_CONFIG
  bridge_start
  local branch
  for branch in main failing; do
    gitea_payload "http://127.0.0.1:$GITEA_PORT" "$branch" >"$BATS_TEST_TMPDIR/$branch.json"
    bridge_post /gitea "$BATS_TEST_TMPDIR/$branch.json" -H 'X-Gitea-Event: push'
    assert_equal "$HTTP_STATUS" 202
  done
  bridge_stop
  mmbuild_succeeds
  # Each log: launched by mm-run-ssh, its result, built on the builder.
  run grep -h -e '^launcher = ' -e '^status = ' -e '^exitCode = ' \
    "$BUILDS"/acme-app/JOBS/*.log
  assert_output "launcher = $LAUNCHER
status = success
exitCode = 0
launcher = $LAUNCHER
status = failure
exitCode = 3"
  assert_equal "$(cat "$REMOTE_ROOT/acme-app/main/README")" first
  assert no_build_unit
  # The forge: pending then the result, for each build.
  run forge_requests "$GITEA_LOG"
  assert_equal "${#lines[@]}" 4
  assert_line --index 0 --partial '"context": "mixmaster/main", "description": "build started", "state": "pending"'
  assert_line --index 1 --partial '"context": "mixmaster/main", "description": "build passed after N s", "state": "success"'
  assert_line --index 2 --partial '"context": "mixmaster/failing", "description": "build started", "state": "pending"'
  assert_line --index 3 --partial '"context": "mixmaster/failing", "description": "build failed (exit 3) after N s", "state": "failure"'
  # The mails: a start and an end for each, the end saying the result.
  mm_mail_wait 4
  local n subjects=()
  for n in 1 2 3 4; do subjects+=("$(mm_mail $n Subject)"); done
  assert_equal "$(printf '%s\n' "${subjects[@]}")" "[mixmaster] Building acme/app main ${SHA:0:8}
[mixmaster] OK acme/app main ${SHA:0:8}
[mixmaster] Building acme/app failing ${SHA:0:8}
[mixmaster] FAILED acme/app failing ${SHA:0:8}"
  run mm_mail 4 body
  assert_line --index 0 "Mixmaster was unable to build ${SHA:0:8} on failing."
  assert_line --regexp "^..:..:.. # Build started in .*, launched by $LAUNCHER\$"
  assert_line --regexp '^..:..:.. # Build failed: exit code 3$'
}
