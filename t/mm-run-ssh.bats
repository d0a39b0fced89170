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

# For helpers/launched: the builder's units, by job name.
launched_remote_builds() { build_units | sed 's/\.service$//'; }

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
  launched_test_results
  # Built there, from the commit pushed: the README of the builder's checkout.
  assert_equal "$(cat "$REMOTE_ROOT/acme-app/main/README")" first
}

@test "mmbuild: output is in the log while the build runs on the builder" {
  launched_test_live
}

@test "mmbuild: a stop runs the build's TERM trap and leaves no unit on the builder" {
  launched_test_stop
}

@test "mmbuild: a timeout runs the build's TERM trap and leaves no unit on the builder" {
  # Long enough for the push and the unit's start on a loaded machine.
  launched_test_timeout 10
}

@test "mmbuild: a build that ignores TERM is killed within the grace" {
  launched_test_stubborn
}

@test "mmbuild SIGKILLed: its runner stops the unit within seconds and ends the log" {
  launched_test_mmbuild_killed
}

@test "mmbuild and its runner SIGKILLed: the guard's TERM stops the unit; the next mmbuild ends the log, its --stop harmless" {
  launched_test_runner_killed
}

@test "mmbuild, runner, launcher and ssh SIGKILLed together: the unit runs on, and the next mmbuild stops it" {
  launched_test_all_killed
}

@test "mmbuild: request values reach the build on the builder unchanged: quotes, \$(...), a leading -" {
  launched_test_values
}

@test "a push through mmbridge is built on the builder: the forge's statuses and the mails are those of a local build" {
  launched_test_push
}
