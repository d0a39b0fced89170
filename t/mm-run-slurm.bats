#!/usr/bin/env bats
# mm-run-slurm(1): builds as jobs of a real single-node Slurm (helpers/slurm:
# munged, slurmctld and slurmd on loopback, one CPU), started once for the
# file. The launcher is run here as mmbuild runs it: `-c COMMAND` in the
# workspace with the job's MIXMASTER_* environment.
load helpers/common
load helpers/slurm

setup_file() {
  mm_slurm_start "$BATS_FILE_TMPDIR/slurm"
  # The daemons, for every test of the file.
  export SLURM_CONF MM_SLURM_STATE=$BATS_FILE_TMPDIR/slurm
  declare -p MM_SLURM_PIDS SLURM_NODE >"$BATS_FILE_TMPDIR/slurm.vars"
}

teardown_file() {
  [ -f "$BATS_FILE_TMPDIR/slurm.vars" ] || return 0
  source "$BATS_FILE_TMPDIR/slurm.vars"
  mm_slurm_stop
}

setup() {
  [ -f "$BATS_FILE_TMPDIR/slurm.vars" ] || skip "$(mm_slurm_skip_reason)"
  source "$BATS_FILE_TMPDIR/slurm.vars"
  WORKSPACE=$BATS_TEST_TMPDIR/builds/acme-app/main
  mkdir -p "$WORKSPACE"
  export MIXMASTER_JOB=job-$BATS_TEST_NUMBER MIXMASTER_WORKSPACE=$WORKSPACE \
    MIXMASTER_TIMEOUT=60
  LAUNCHER=$MM_BIN/mm-run-slurm
}

teardown() {
  [ -z "${SLURM_CONF:-}" ] || mm_slurm_cancel_all
}

# launch COMMAND: runs the launcher's words as mmbuild does, in the
# test's directory, stdout and stderr apart in $BATS_TEST_TMPDIR/out and
# err; sets `status`.
launch() {
  status=0
  (cd "$BATS_TEST_TMPDIR" && exec $LAUNCHER -c "$1") \
    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
}
out() { cat "$BATS_TEST_TMPDIR/out"; }
err() { cat "$BATS_TEST_TMPDIR/err"; }

@test "exit codes pass through; stdout and stderr stay apart; it runs in the workspace on the node" {
  launch 'echo "out $PWD"; echo "err $MIXMASTER_WORKSPACE" >&2; exit 3'
  assert_equal "$status" 3
  assert_equal "$(out)" "out $WORKSPACE"
  run err
  assert_line "err $WORKSPACE"
  refute_line --partial "out "
  launch 'exit 0'
  assert_equal "$status" 0
  launch 'kill -SEGV $$'
  assert_equal "$status" 139
}

@test "a workspace missing on the node is 125, naming the host" {
  MIXMASTER_WORKSPACE=$BATS_TEST_TMPDIR/builds/acme-app/gone
  launch 'echo never'
  assert_equal "$status" 125
  run err
  assert_line --partial "mm-run-node: no workspace $MIXMASTER_WORKSPACE on $(uname -n)"
  refute_line --partial never
}

@test "a job Slurm never ran is 125; an srun option from the configuration reaches srun" {
  LAUNCHER="$LAUNCHER --partition=nosuchpartition"
  launch 'echo never'
  assert_equal "$status" 125
  run err
  assert_line --partial "invalid partition"
  assert_line "mm-run-slurm: Slurm did not run job mm-$MIXMASTER_JOB"
  # A build of its own that exits 1 is no such case.
  LAUNCHER=$MM_BIN/mm-run-slurm
  launch 'exit 1'
  assert_equal "$status" 1
}

@test "TERM to the launcher cancels the job: the build's TERM trap runs, and --stop is harmless after" {
  (cd "$BATS_TEST_TMPDIR" && exec "$LAUNCHER" -c 'trap "echo trapped TERM; exit 5" TERM; echo started; sleep 600 & wait') \
    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
  local launcher=$!
  for _ in $(seq 300); do grep -q started "$BATS_TEST_TMPDIR/out" && break; sleep 0.1; done
  assert_equal "$(mm_slurm_jobs)" "mm-$MIXMASTER_JOB"
  kill -TERM "$launcher"
  status=0
  wait "$launcher" || status=$?
  assert_equal "$status" 5
  assert_equal "$(out)" "started
trapped TERM"
  run "$LAUNCHER" --stop
  assert_success
  assert_equal "$(mm_slurm_jobs)" ""
}

@test "request values and the command reach the build unchanged: quotes, \$(...), newlines, a leading -" {
  export MIXMASTER_TARGET="-n it's \"x\" \$(touch $BATS_TEST_TMPDIR/pwned) \${HOME} \`id\`
second line"
  export MIXMASTER_VIEW_URL='-e $$ \'
  launch 'printf "%s|\n" "$MIXMASTER_TARGET" "$MIXMASTER_VIEW_URL"'
  assert_equal "$status" 0
  assert_equal "$(out)" "$MIXMASTER_TARGET|
$MIXMASTER_VIEW_URL|"
  assert [ ! -e "$BATS_TEST_TMPDIR/pwned" ]
}
