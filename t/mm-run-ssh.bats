#!/usr/bin/env bats
# mm-run-ssh(1): builds on a builder reached over ssh, as transient units of
# its systemd user manager: a real sshd on 127.0.0.1 (helpers/sshd) and a
# real `systemd --user` (helpers/user-manager), this machine standing for
# the builder. The launcher is run here as mmbuild runs it: `-c COMMAND` in
# the workspace with the job's MIXMASTER_* environment.
load helpers/common
load helpers/git
load helpers/user-manager
load helpers/sshd

setup() {
  mm_user_manager_skip_reason || skip "$MM_SKIP_REASON"
  mm_user_manager_start
  # sshd without PAM gives no XDG_RUNTIME_DIR; pam_systemd would.
  mm_sshd_start "$BATS_TEST_TMPDIR/sshd" "SetEnv XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"
  mkdir -p -m 700 "$HOME/.ssh"
  echo "[127.0.0.1]:$SSHD_PORT $SSHD_HOST_KEY" >"$HOME/.ssh/known_hosts"
  cat >"$HOME/.ssh/config" <<CONF
Host builder
  HostName 127.0.0.1
  Port $SSHD_PORT
  User $(id -un)
  IdentityFile $SSH_CLIENT_KEY
  IdentitiesOnly yes
  UserKnownHostsFile $HOME/.ssh/known_hosts
CONF
  mm_git_remote "$BATS_TEST_TMPDIR/git"
  WORKSPACE=$BATS_TEST_TMPDIR/builds/acme-app/main
  git clone -q "$MM_GIT_REMOTE" "$WORKSPACE"
  git -C "$WORKSPACE" checkout -q --detach
  REMOTE_ROOT=$BATS_TEST_TMPDIR/builder
  REMOTE_WORKSPACE=$REMOTE_ROOT/acme-app/main
  export MIXMASTER_JOB=job-$BATS_TEST_NUMBER MIXMASTER_WORKSPACE=$WORKSPACE \
    MIXMASTER_TIMEOUT=60
  # ssh reads ~/.ssh of the account, not of $HOME.
  LAUNCHER="$MM_BIN/mm-run-ssh -F$HOME/.ssh/config builder $REMOTE_ROOT"
}

teardown() {
  mm_sshd_stop
  mm_user_manager_stop
}

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
