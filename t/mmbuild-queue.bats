#!/usr/bin/env bats
# The queue of mmbuild(1) QUEUE from the outside: superseded jobs,
# keepBuilds, and jobs = N builds side by side, with real repositories, real
# processes and real signals.
load helpers/common
load helpers/git
load helpers/jobs

setup() {
  jobs_setup
  MARKS=$BATS_TEST_TMPDIR/marks
  mkdir -p "$MARKS"
  # Records each mail's Message-ID, and each hook run's event and job.
  recorder sendmail "grep -i '^Message-ID:' >>'$BATS_TEST_TMPDIR/mails'"
  recorder hook "echo \"\$MIXMASTER_EVENT \$MIXMASTER_JOB \$MIXMASTER_SUPERSEDED_BY\" >>'$BATS_TEST_TMPDIR/hooks'; echo \"hook \$MIXMASTER_EVENT for \$MIXMASTER_JOB\""
  write_config ""
}

# A test that failed half-way may leave mmbuild with builds running: stop it
# as the service would (bounded), then KILL what is left, builds included.
teardown() {
  local pid g
  for pid in ${BG_PIDS+"${BG_PIDS[@]}"}; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in ${BG_PIDS+"${BG_PIDS[@]}"}; do wait_until finished "$pid" || true; done
  kill_background
  for g in $(cat "$MARKS/groups" 2>/dev/null); do kill -KILL -- "-$g" 2>/dev/null || true; done
}

# recorder NAME SCRIPT: an executable $BATS_TEST_TMPDIR/NAME running SCRIPT.
recorder() {
  printf '#!/bin/sh\n%s\n' "$2" >"$BATS_TEST_TMPDIR/$1"
  chmod +x "$BATS_TEST_TMPDIR/$1"
}

# write_config EXTRA_SETTINGS: projects acme/app and acme/lib (same remote).
# `barrier` waits (at most 30 s) until two builds have started, then says
# so; `marked` says whether another marked build was running when it
# started, then runs until a build of acme/lib has started beside it (at
# most 30 s): by then mmbuild has passed over the other marked job, so a
# second marked build started wrongly would overlap this one.
write_config() {
  local barrier marked
  barrier="touch '$MARKS'/\$MIXMASTER_JOB.start; i=0; while [ \$(ls '$MARKS' | grep -c start) -lt 2 ] && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i+1)); done; echo \"started together: \$(ls '$MARKS' | grep -c start)\""
  marked="if ls '$MARKS' | grep -q running; then echo 'another was running'; fi; touch '$MARKS'/\$MIXMASTER_JOB.running; i=0; while ! grep -qs '^\\[build\\]' '$BUILDS'/acme-lib/JOBS/*.log && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i+1)); done; rm '$MARKS'/\$MIXMASTER_JOB.running"
  mm_write_config <<EOF2
[_]
buildRoot = $BUILDS
mailto = dev@example.org
sendmail = $BATS_TEST_TMPDIR/sendmail
hook = $BATS_TEST_TMPDIR/hook
$1

[acme/app]
main = echo built main
main/docs = echo docs task
other = echo built other
failing = exit 3
barrier = $barrier
marked = $marked
groups = echo \$\$ >>'$MARKS/groups'; sleep 600 & sleep 600

[acme/lib]
main = echo built lib
barrier = $barrier
groups = echo \$\$ >>'$MARKS/groups'; sleep 600 & sleep 600
EOF2
}

lib_log() { cat "$BUILDS/acme-lib/JOBS/$1.log"; }
lib_status() { lib_log "$1" | sed -n 's/^status = //p'; }
lib_lines() { lib_log "$1" | sed -n '/^\[log\]$/,/^\[result\]$/p' | sed -n 's/^..:..:.. //p'; }
logs_of() { (cd "$BUILDS/$1/JOBS" && ls) | tr '\n' ' '; }
# has_status JOB: the job's log has its [result].
has_status() { [ -n "$(status_of "$1" 2>/dev/null)" ]; }
lib_has_status() { [ -n "$(lib_status "$1" 2>/dev/null)" ]; }
# two_groups_alive: two builds wrote their groups, and build group in $MARKS/groups has a live process.
two_groups_alive() {
  [ -e "$MARKS/groups" ] && [ "$(wc -l <"$MARKS/groups")" = 2 ] || return 1
  local g
  for g in $(cat "$MARKS/groups"); do group_alive "$g" || return 1; done
}

@test "three jobs for one target: the newest builds, the two older are superseded by it" {
  spool_job 1-a
  spool_job 2-b
  spool_job 3-c
  mmbuild_succeeds
  assert_equal "$(status_of 1-a) $(status_of 2-b) $(status_of 3-c)" \
    "superseded superseded success"
  for job in 1-a 2-b; do
    run log_lines "$job"
    assert_line "# Superseded by job 3-c, newer for the same target and task; not built"
    assert_line "H hook job-superseded for $job"
    refute_line --partial "Build started"
    assert_equal "$(exit_code_of "$job")" -1
    # The job that won, for the web view's link (mmbuild(1) BUILD LOG).
    grep -qx 'supersededBy = 3-c' "$(log_path "$job")"
  done
  assert_equal "$(mm_spool_count "$SPOOL")" 0
  # No mail for a superseded job; the hook is told, with the job that won.
  run cat "$BATS_TEST_TMPDIR/mails"
  assert_line --partial "<mixmaster.3-c.start@"
  assert_line --partial "<mixmaster.3-c.end@"
  refute_output --partial "1-a"
  refute_output --partial "2-b"
  run cat "$BATS_TEST_TMPDIR/hooks"
  assert_output "$(printf '%s\n' 'job-superseded 1-a 3-c' 'job-superseded 2-b 3-c' \
    'job-start 3-c ' 'job-end 3-c ')"
}

@test "jobs for two targets, or a task and a build, do not supersede each other" {
  spool_job 1-main
  spool_job 2-other target=other
  spool_job 3-docs task=docs
  spool_job 4-main
  spool_job 5-docs task=docs
  spool_job 6-other target=other
  mmbuild_succeeds
  assert_equal "$(status_of 1-main) $(status_of 4-main)" "superseded success"
  assert_equal "$(status_of 2-other) $(status_of 6-other)" "superseded success"
  assert_equal "$(status_of 3-docs) $(status_of 5-docs)" "superseded success"
  run log_lines 1-main
  assert_line --partial "Superseded by job 4-main"
  run log_lines 2-other
  assert_line --partial "Superseded by job 6-other"
  run log_lines 3-docs
  assert_line --partial "Superseded by job 5-docs"
  run log_lines 5-docs
  assert_line "O docs task"
}

@test "supersede = no builds every job" {
  write_config "supersede = no"
  spool_job 1-a
  spool_job 2-b
  spool_job 3-c
  mmbuild_succeeds
  assert_equal "$(status_of 1-a) $(status_of 2-b) $(status_of 3-c)" \
    "success success success"
  assert_equal "$(grep -c '^job-end' "$BATS_TEST_TMPDIR/hooks")" 3
}

@test "a running build is never superseded: a newer job for its target waits" {
  # A third slot is free, so mmbuild keeps looking at the spool.
  write_config "jobs = 3"
  mm_git push -q origin main:groups
  spool_job 1-lib project=acme/lib target=groups
  spool_job 2-app target=groups
  mmbuild_in_background
  wait_until two_groups_alive
  spool_job 3-app target=groups
  # A job for a free workspace after it: once that one has run, mmbuild has
  # looked at the spool with 3-app in it, and left 3-app there.
  spool_job 4-app target=other
  wait_until has_status 4-app
  assert_equal "$(ls "$SPOOL")" "3-app.ini"
  refute has_status 2-app
  kill -TERM "$MMBUILD"
  wait_for_mmbuild
  assert_equal "$(status_of 2-app)" killed
  assert_equal "$(ls "$SPOOL")" "3-app.ini"
}

@test "keepBuilds = 2: after five builds the two newest logs remain, and the running one" {
  write_config "keepBuilds = 2
jobs = 2
supersede = no"
  mm_git push -q origin main:groups
  mkdir -p "$BUILDS/acme-app/JOBS"
  echo "not a log" >"$BUILDS/acme-app/JOBS/notes.txt"
  echo "not a job" >"$BUILDS/acme-app/JOBS/junk.log"
  spool_job 0-running target=groups
  for i in 1 2 3 4 5; do spool_job "$i-main"; done
  mmbuild_in_background
  wait_until has_status 5-main
  # Pruning follows each build's end; the fifth's comes right after it.
  wait_until test ! -e "$(log_path 3-main)"
  assert_equal "$(logs_of acme-app)" \
    "0-running.log 4-main.log 5-main.log junk.log notes.txt "
  assert_equal "$(status_of 5-main)" success
  # Once stopped, the killed build is the oldest of three finished logs.
  kill -TERM "$MMBUILD"
  wait_for_mmbuild
  assert_equal "$(logs_of acme-app)" \
    "4-main.log 5-main.log junk.log notes.txt "
}

@test "keepBuilds never removes the last success of a target" {
  write_config "keepBuilds = 1
supersede = no"
  mm_git push -q origin main:failing
  spool_job 1-other target=other
  spool_job 2-main
  spool_job 3-failing target=failing
  spool_job 4-failing target=failing
  mmbuild_succeeds
  assert_equal "$(logs_of acme-app)" \
    "1-other.log 2-main.log 4-failing.log "
  assert_equal "$(status_of 4-failing)" failure
}

@test "jobs = 2: builds of two projects run side by side, their logs and hooks apart" {
  write_config "jobs = 2"
  mm_git push -q origin main:barrier
  spool_job 1-app target=barrier
  spool_job 2-lib project=acme/lib target=barrier
  mmbuild_succeeds
  assert_equal "$(status_of 1-app) $(lib_status 2-lib)" "success success"
  # Each got past its barrier only once the other had started.
  run log_lines 1-app
  assert_line "O started together: 2"
  assert_line "H hook job-start for 1-app"
  refute_line --partial "2-lib"
  run lib_lines 2-lib
  assert_line "O started together: 2"
  assert_line "H hook job-end for 2-lib"
  refute_line --partial "1-app"
}

@test "jobs = 2: two jobs of one target run in order, a job of another project beside them" {
  write_config "jobs = 2
supersede = no"
  mm_git push -q origin main:marked
  spool_job 1-app target=marked
  spool_job 2-app target=marked
  spool_job 3-lib project=acme/lib
  mmbuild_succeeds
  assert_equal "$(status_of 1-app) $(status_of 2-app) $(lib_status 3-lib)" \
    "success success success"
  run log_lines 2-app
  refute_line "O another was running"
  # The second started after the first had finished (ISO times sort).
  finished=$(log_of 1-app | sed -n 's/^finished = //p')
  started=$(log_of 2-app | sed -n 's/^started = //p')
  assert [ "$finished" \< "$started" -o "$finished" = "$started" ]
  # The other project's job did not wait behind the second.
  lib_started=$(lib_log 3-lib | sed -n 's/^started = //p')
  assert [ "$lib_started" \< "$started" -o "$lib_started" = "$started" ]
}

@test "SIGTERM with two builds running and two queued: both killed, both queued kept" {
  write_config "jobs = 2"
  mm_git push -q origin main:groups
  spool_job 1-app target=groups
  spool_job 2-lib project=acme/lib target=groups
  spool_job 3-app
  spool_job 4-lib project=acme/lib
  mmbuild_in_background
  wait_until two_groups_alive
  kill -TERM "$MMBUILD"
  wait_for_mmbuild
  assert_equal "$MMBUILD_RC" 0
  assert_equal "$(status_of 1-app) $(lib_status 2-lib)" "killed killed"
  run log_lines 1-app
  assert_line "X Build stopped: mmbuild was asked to stop"
  for g in $(cat "$MARKS/groups"); do
    run group_alive "$g"
    assert_failure
  done
  assert_equal "$(ls "$SPOOL" | tr '\n' ' ')" "3-app.ini 4-lib.ini "
  run cat "$BATS_TEST_TMPDIR/stderr"
  assert_line --partial "stopped; 2 job(s) left in the spool"
}

@test "mmbuild killed outright (SIGKILL): its builds stop and their logs say killed" {
  write_config "jobs = 2"
  mm_git push -q origin main:groups
  spool_job 1-app target=groups
  spool_job 2-lib project=acme/lib target=groups
  mmbuild_in_background
  wait_until two_groups_alive
  kill -KILL "$MMBUILD"
  wait_until has_status 1-app
  wait_until lib_has_status 2-lib
  assert_equal "$(status_of 1-app) $(lib_status 2-lib)" "killed killed"
  for g in $(cat "$MARKS/groups"); do wait_until eval "! group_alive $g"; done
}
