#!/usr/bin/env bats
# mm-run-slurm(1): builds as jobs of a real single-node Slurm (helpers/slurm:
# munged, slurmctld and slurmd on loopback, one CPU, KillWait 2 s), started
# once for the file. First the launcher alone, run as mmbuild runs it
# (`-c COMMAND` in the workspace with the job's MIXMASTER_* environment);
# then whole builds through mmbuild with `launcher = mm-run-slurm`.
load helpers/common
load helpers/git
load helpers/jobs
load helpers/launched
load helpers/slurm
load helpers/bridge
load helpers/forge
load helpers/mail

setup_file() {
  # Where no Slurm can run, each test skips with the reason (setup below):
  # Debian's bats takes a skip in setup_file for a failure.
  [ -z "$(mm_slurm_skip_reason)" ] || return 0
  mm_slurm_start "$BATS_FILE_TMPDIR/slurm"
  # The daemons, for every test of the file.
  export SLURM_CONF MM_SLURM_STATE=$BATS_FILE_TMPDIR/slurm
  declare -p MM_SLURM_PIDS SLURM_NODE SLURM_HIDDEN >"$BATS_FILE_TMPDIR/slurm.vars"
}

teardown_file() {
  # No daemons when setup_file skipped the file (no Slurm can run here).
  if [ -f "$BATS_FILE_TMPDIR/slurm.vars" ]; then
    source "$BATS_FILE_TMPDIR/slurm.vars"
    mm_slurm_stop
  fi
}

setup() {
  [ -f "$BATS_FILE_TMPDIR/slurm.vars" ] || skip "$(mm_slurm_skip_reason)"
  source "$BATS_FILE_TMPDIR/slurm.vars"
  WORKSPACE=$BATS_TEST_TMPDIR/builds/acme-app/main
  mkdir -p "$WORKSPACE"
  export MIXMASTER_JOB=job-$BATS_TEST_NUMBER MIXMASTER_WORKSPACE=$WORKSPACE \
    MIXMASTER_TIMEOUT=60
  LAUNCHER=$MM_BIN/mm-run-slurm
  jobs_setup
  launched_setup "$LAUNCHER"
}

teardown() {
  bridge_stop
  mm_mail_stop
  kill_background
  [ -z "${SLURM_CONF:-}" ] || mm_slurm_cancel_all
}

# For helpers/launched: Slurm's jobs, by name.
launched_remote_builds() { mm_slurm_jobs; }

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

# Through mmbuild.

@test "mmbuild: a build through Slurm has the log of a local one; exit codes 0, 3, 139; the launcher in [build]" {
  launched_test_results
}

@test "mmbuild: output is in the log while the build runs" {
  launched_test_live
}

@test "mmbuild: a stop runs the build's TERM trap and leaves no job in Slurm" {
  launched_test_stop
}

@test "mmbuild: a timeout runs the build's TERM trap and leaves no job in Slurm" {
  launched_test_timeout 2
}

@test "mmbuild: a build that ignores TERM is killed within the grace (KillWait)" {
  launched_test_stubborn
}

@test "mmbuild SIGKILLed: its runner cancels the job within seconds and ends the log" {
  launched_test_mmbuild_killed
}

@test "mmbuild and its runner SIGKILLed: the guard's TERM cancels the job; the next mmbuild ends the log, its --stop harmless" {
  launched_test_runner_killed
}

@test "mmbuild, runner, launcher and srun SIGKILLed together: the job runs on, and the next mmbuild cancels it" {
  launched_test_all_killed
}

@test "mmbuild: a workspace the node does not see is error, naming the host" {
  [ -n "$SLURM_HIDDEN" ] || skip "no mount namespace here to hide a directory from the node"
  BUILDS=$SLURM_HIDDEN/$BATS_TEST_NUMBER/builds
  SPOOL=$BUILDS/INBOX
  mkdir -p "$SPOOL"
  launched_setup "$LAUNCHER"
  spool_job j1
  mmbuild_succeeds
  assert_equal "$(result_of j1)" "error 125"
  run log_lines j1
  assert_line --partial "mm-run-node: no workspace $(workspace main) on $(uname -n)"
  assert_line "$ $LAUNCHER --stop"
  assert_line "# Build error: the launcher could not run the build (exit status 125)"
}

# Asked anew at each poll: the job may not be submitted yet.
waits_for_a_cpu() { test "$(mm_slurm_pending_reason "$1")" = Resources; }

@test "mmbuild with jobs = 2 on a node of one CPU: the second build waits in Slurm's queue" {
  sed -i "s/^supersede = no$/supersede = no\njobs = 2/" "$MM_CONFIG"
  spool_job j1 target=live
  mmbuild_in_background
  wait_until launched_log_has j1 "O first"
  # Once j1 holds the CPU: queued together, j2 could take it first and be
  # done before j1 starts. mmbuild, a slot free, looks at the spool again.
  spool_job j2
  wait_until waits_for_a_cpu mm-j2
  assert launched_log_has j2 "! srun: job $(squeue --noheader --name=mm-j2 --format=%i) queued and waiting for resources"
  refute launched_log_has j2 "O first"
  touch "$BATS_TEST_TMPDIR/go"
  wait_for_mmbuild
  assert_equal "$(result_of j1) $(result_of j2)" "success 0 success 0"
  assert launched_nothing_remote
}

@test "mmbuild: request values reach the build unchanged: quotes, \$(...), a leading -" {
  launched_test_values
}

@test "a push through mmbridge is built through Slurm: the forge's statuses and the mails are those of a local build" {
  launched_test_push
}
