#!/usr/bin/env bats
# The launcher contract of mmbuild(1) LAUNCHERS with launchers written here,
# as a user would write one: `<words> -c <command>` in the workspace,
# MIXMASTER_TIMEOUT, exit status 125, TERM to the launcher alone, its
# --stop after an abnormal end and for a dead runner's log, the launcher
# recorded in [build], and the setting per project and per branch.
load helpers/common
load helpers/git
load helpers/jobs

setup() {
  jobs_setup
  BIN=$BATS_TEST_TMPDIR/bin
  mkdir -p "$BIN"
  MM_JOB_DEFAULTS=("commit=$(mm_git rev-parse main)")
}

teardown() { kill_background; }

# launcher NAME BODY: an executable sh script $BIN/NAME.
launcher() {
  printf '#!/bin/sh\n%s\n' "$2" >"$BIN/$1"
  chmod +x "$BIN/$1"
}

# write_config LAUNCHER-SETTING [PROJECT-LINES...]
write_config() {
  local line
  {
    echo "[_]"
    echo "buildRoot = $BUILDS"
    echo "supersede = no"
    echo "timeout = 30"
    echo "launcher = $1"
    echo
    echo "[acme/app]"
    echo "main = echo built main; cat README"
    shift
    for line in "$@"; do echo "$line"; done
  } | mm_write_config
}

# A launcher that runs the command here, saying how it was called; --stop
# says so. Like a launcher that runs it elsewhere, it is not replaced by the
# build's shell: a build killed by signal N is its exit status 128+N.
local_launcher() {
  launcher "$1" 'if [ "$1" = --stop ]; then echo "stop $MIXMASTER_JOB in $PWD"; exit 0; fi
echo "args: $*"
echo "env: $MIXMASTER_JOB $MIXMASTER_TIMEOUT $PWD"
while [ "$1" != -c ]; do shift; done
/bin/sh -c "$2"'
}

@test "a launcher gets its words, -c and the command, in the workspace, with MIXMASTER_TIMEOUT; [build] names it" {
  local_launcher run-here
  write_config "$BIN/run-here  --flag   x"
  spool_job j1
  mmbuild_succeeds
  assert_equal "$(result_of j1)" "success 0"
  run log_lines j1
  assert_line "# Build started in $(workspace main), launched by $BIN/run-here  --flag   x"
  assert_line "$ echo built main; cat README"
  assert_line "O args: --flag x -c echo built main; cat README"
  assert_line "O env: j1 30 $(workspace main)"
  assert_line "O built main"
  assert_line "O first"
  refute_line --partial -- "--stop"
  run log_of j1
  assert_line "launcher = $BIN/run-here  --flag   x"
}

@test "exit status 125 is error, not failure; the launcher's --stop runs after, its output in the log" {
  launcher cannot 'if [ "$1" = --stop ]; then echo "nothing left of $MIXMASTER_JOB"; echo "(stderr)" >&2; exit 0; fi
echo "no node for this build" >&2
exit 125'
  write_config "$BIN/cannot"
  spool_job j1
  mmbuild_succeeds
  assert_equal "$(result_of j1)" "error 125"
  run log_lines j1
  assert_equal "${lines[*]: -5}" "! no node for this build $ $BIN/cannot --stop O nothing left of j1 ! (stderr) # Build error: the launcher could not run the build (exit status 125)"
}

@test "a build's own exit status passes through a launcher; one killed by a signal is failure, the launcher killed is error" {
  local_launcher run-here
  write_config "$BIN/run-here" "failing = exit 3" "segv = kill -SEGV \$\$"
  mm_git push -q origin main:failing main:segv
  spool_job j1 target=failing
  spool_job j2 target=segv
  mmbuild_succeeds
  assert_equal "$(result_of j1) $(result_of j2)" "failure 3 failure 139"
  run log_lines j1
  refute_line --partial -- "--stop"
  launcher dies 'if [ "$1" = --stop ]; then echo stopped; exit 0; fi
kill -KILL $$'
  write_config "$BIN/dies"
  spool_job j3
  mmbuild_succeeds
  assert_equal "$(result_of j3)" "error 137"
  run log_lines j3
  assert_line "$ $BIN/dies --stop"
  assert_line "O stopped"
  assert_line "# Build error: the launcher was killed by signal 9"
}

@test "a stop sends TERM to the launcher alone, not its group; then --stop" {
  # The launcher's helper, like srun, shares its group; it must not be hit.
  launcher guarded 'if [ "$1" = --stop ]; then echo "stop after the end"; exit 0; fi
sh -c "trap \"echo helper got TERM\" TERM; echo \$\$ > $BATS_TEST_TMPDIR/helper; sleep 600 & wait" &
trap "echo launcher got TERM; pkill -KILL -P $!; kill -KILL $!; exit 143" TERM
echo running
sleep 600 & wait'
  write_config "$BIN/guarded"
  spool_job j1
  mmbuild_in_background
  wait_until test -s "$BATS_TEST_TMPDIR/helper"
  wait_until grep -q "O running" "$(log_path j1)"
  kill -TERM "$MMBUILD"
  wait_for_mmbuild
  assert_equal "$(result_of j1)" "killed 143"
  run log_lines j1
  assert_line "O launcher got TERM"
  refute_line "O helper got TERM"
  assert_equal "${lines[*]: -3}" "$ $BIN/guarded --stop O stop after the end X Build stopped: mmbuild was asked to stop"
  assert finished "$(cat "$BATS_TEST_TMPDIR/helper")"
}

@test "a launcher that ignores TERM at the timeout gets KILL with its group after the grace; then --stop" {
  launcher stubborn 'if [ "$1" = --stop ]; then echo "stopping what is left"; exit 0; fi
trap "echo ignored TERM" TERM
echo $$ > '"$BATS_TEST_TMPDIR"'/launcher
while :; do sleep 0.1; done'
  write_config "$BIN/stubborn"
  sed -i 's/^timeout = 30$/timeout = 1/' "$MM_CONFIG"
  spool_job j1
  local start=$SECONDS
  mmbuild_succeeds
  assert_equal "$(result_of j1)" "killed 137"
  # TERM at 1 s, KILL 10 s later.
  assert [ $((SECONDS - start)) -ge 10 ]
  run log_lines j1
  assert_line "O ignored TERM"
  assert_line "$ $BIN/stubborn --stop"
  assert_line "O stopping what is left"
  assert_line "X Build stopped: timeout: the build ran longer than 1 s"
  assert finished "$(cat "$BATS_TEST_TMPDIR/launcher")"
}

@test "the most specific launcher setting wins: :launcher:<key>, :launcher (empty: here), [_]" {
  local_launcher default
  local_launcher for-arm
  write_config "$BIN/default" ":launcher:arm = $BIN/for-arm" "arm = echo arm build"
  {
    echo "[acme/here]"
    echo ":launcher ="
    echo "main = echo built here"
  } >>"$MM_CONFIG"
  mm_git push -q origin main:arm/fix
  spool_job j1
  spool_job j2 target=arm/fix
  spool_job j3 project=acme/here
  mmbuild_succeeds
  assert_equal "$(result_of j1) $(result_of j2)" "success 0 success 0"
  assert_equal "$(log_of j1 | sed -n 's/^launcher = //p')" "$BIN/default"
  assert_equal "$(log_of j2 | sed -n 's/^launcher = //p')" "$BIN/for-arm"
  run cat "$BUILDS/acme-here/JOBS/j3.log"
  refute_line --partial "launcher ="
  assert_line "status = success"
  assert_line --regexp "^..:..:.. O built here$"
  refute_line --partial "O args:"
}

@test "a dead runner's build is stopped with the launcher its log names, whatever the configuration says by then" {
  # The "remote" build: a process outside the launcher's group, as a Slurm
  # job or a unit on another machine is; --stop ends it.
  launcher remote 'remote=$MIXMASTER_WORKSPACE/../remote.pid
if [ "$1" = --stop ]; then
  kill -TERM "$(cat "$remote")" && echo "stopped the remote build"
  exit 0
fi
setsid sh -c "echo \$\$ > $remote; exec sleep 600" &
echo started
sleep 600 & wait'
  write_config "$BIN/remote"
  spool_job j1
  mmbuild_in_background
  wait_until grep -q "O started" "$(log_path j1)"
  local runner guard remote group
  runner=$(log_of j1 | sed -n 's/^pid = //p')
  guard=$(pgrep -P "$runner" -x mm-jobguard)
  group=$(ps -o pgid= -p "$(pgrep -P "$runner" -f "$BIN/remote")" | tr -d ' ')
  wait_until test -s "$BUILDS/acme-app/remote.pid"
  remote=$(cat "$BUILDS/acme-app/remote.pid")
  # Everything of this mmbuild at once, as systemd's final KILL does.
  kill_job_agent "$runner"
  kill -KILL "$MMBUILD" "$runner" "$guard"
  kill -KILL -- "-$group"
  wait_until finished "$runner"
  wait_until finished "$guard"
  run finished "$remote"
  assert_failure
  local_launcher other
  write_config "$BIN/other"
  mmbuild_succeeds
  assert_output --partial "job j1: its runner died; log finished as error"
  assert_equal "$(result_of j1)" "error -1"
  run log_lines j1
  assert_line "$ $BIN/remote --stop"
  assert_line "O stopped the remote build"
  refute_line --partial "$BIN/other"
  wait_until finished "$remote"
}
