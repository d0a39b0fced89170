#!/usr/bin/env bats
# A killed runner (mmbuild(1) KILLED RUNNER): real mmbuild processes killed
# with SIGKILL in the middle of a build, real ssh-agents, the failure mail
# through msmtp to an SMTP server on 127.0.0.1.
load helpers/common
load helpers/git
load helpers/jobs
load helpers/mail

setup() {
  jobs_setup
  mm_mail_start
  mm_git push -q origin main:sleeper
  MAIN=$(mm_git rev-parse main)
  MM_JOB_DEFAULTS=("commit=$MAIN")
  {
    echo "[_]"
    echo "buildRoot = $BUILDS"
    mm_mail_settings
    echo
    echo "[acme/app]"
    echo "main = echo built main"
    # The sleeper of helpers/jobs, which also writes where its agent is.
    echo "sleeper = echo \$SSH_AUTH_SOCK > '$BATS_TEST_TMPDIR/agent'; $(sleeper_key | sed 's/^sleeper = //')"
  } | mm_write_config
}

teardown() {
  kill_background
  mm_mail_stop
}

# pid_of_build JOB: the runner's pid, from the log's [build] section.
pid_of_build() { log_of "$1" | sed -n 's/^pid = //p'; }

# agent_pid: the pid of the ssh-agent serving the socket the build wrote.
agent_pid() {
  local sock
  sock=$(cat "$BATS_TEST_TMPDIR/agent")
  pgrep -x -f "ssh-agent -D -a $sock"
}

# Starts the sleeper job in the background and waits until it runs; sets
# RUNNER, AGENT, GROUP and GUARD (the runner's mm-jobguard).
start_sleeper() {
  spool_job "$1" target=sleeper
  mmbuild_in_background
  wait_until test -s "$BATS_TEST_TMPDIR/group"
  GROUP=$(build_group)
  wait_until group_alive "$GROUP"
  RUNNER=$(pid_of_build "$1")
  AGENT=$(agent_pid)
  GUARD=$(pgrep -P "$RUNNER" -x mm-jobguard)
  [ -n "$RUNNER" ] && [ -n "$AGENT" ] && [ -n "$GUARD" ]
}

# Nothing of the build is left: its group, its agent, its runner, the guard.
assert_nothing_left() {
  wait_until finished "$RUNNER"
  wait_until finished "$GUARD"
  wait_until finished "$AGENT"
  run group_alive "$GROUP"
  assert_failure
  assert finished "$AGENT"
  assert finished "$RUNNER"
  assert finished "$GUARD"
  # Exactly none: no process of the group and no agent on its socket.
  run pgrep -g "$GROUP"
  assert_failure
  run agent_pid
  assert_failure
}

# The log finished by the next mmbuild: error, the `#` line, the failure mail.
assert_finished_as_error() {
  local job=$1 runner=$2
  assert_equal "$(mm_spool_count "$SPOOL")" 0
  mmbuild_succeeds
  assert_output --partial "job $job: its runner died; log finished as error"
  assert_equal "$(result_of "$job")" "error -1"
  run log_lines "$job"
  assert_line --regexp "^# Build error: the runner \\(pid $runner\\) died before the build ended; noticed at 20[0-9-]{8}T[0-9:]{8}Z by mmbuild \\(pid [0-9]+\\)$"
  assert_line "# Sent the failure mail to $MM_MAIL_TO"
  # The start mail went out before the kill; the failure mail answers it.
  mm_mail_wait 2
  assert_equal "$(mm_mail_count)" 2
  assert_equal "$(mm_mail 2 Subject)" "[mixmaster] FAILED acme/app sleeper ${MAIN:0:8}"
  assert_equal "$(mm_mail 2 In-Reply-To)" "$(mm_mail 1 Message-ID)"
  run mm_mail 2 body
  assert_line --index 0 "Mixmaster was unable to build ${MAIN:0:8} on sleeper."
  assert_output --partial "died before the build ended"
  # Once only: a third mmbuild leaves the finished log alone.
  before=$(log_of "$job")
  mmbuild_succeeds
  assert_equal "$(log_of "$job")" "$before"
}

@test "mmbuild killed with SIGKILL: its runner stops the build, ends the log as killed and mails; no build or agent left" {
  start_sleeper k1
  local mmbuild=$MMBUILD
  kill -KILL "$MMBUILD"
  assert_nothing_left
  assert_equal "$(status_of k1)" killed
  run log_lines k1
  assert_line "X Build stopped: mmbuild (pid $mmbuild) died"
  assert_line "# Sent the failure mail to $MM_MAIL_TO"
  mm_mail_wait 2
  assert_equal "$(mm_mail 2 In-Reply-To)" "$(mm_mail 1 Message-ID)"
  # Nothing is left for the next mmbuild to finish.
  before=$(log_of k1)
  mmbuild_succeeds
  refute_output --partial "its runner died"
  assert_equal "$(log_of k1)" "$before"
}

@test "the runner alone killed with SIGKILL: its build and agent stop; its mmbuild ends the log as error and mails" {
  start_sleeper k3
  kill -KILL "$RUNNER"
  assert_nothing_left
  wait_for_mmbuild
  assert_equal "$MMBUILD_RC" 0
  assert_equal "$(result_of k3)" "error -1"
  run log_lines k3
  assert_line --regexp "^# Build error: the runner \\(pid $RUNNER\\) died before the build ended \\(killed by signal 9\\); noticed at 20[0-9-]{8}T[0-9:]{8}Z by mmbuild \\(pid $MMBUILD\\)$"
  assert_line "# Sent the failure mail to $MM_MAIL_TO"
  run cat "$BATS_TEST_TMPDIR/stderr"
  assert_line --partial "job k3: the build process ended (killed by signal 9)"
}

@test "mmbuild and its runner killed at once (SIGKILL to both): the same" {
  start_sleeper k2
  # Stopped first, so that neither sees the other die before its own KILL
  # (the runner would end its log as killed, mmbuild finish it as error).
  kill -STOP "$MMBUILD" "$RUNNER"
  kill -KILL "$MMBUILD" "$RUNNER"
  assert_nothing_left
  assert_finished_as_error k2 "$RUNNER"
}

@test "a running build (runner alive, log locked) is not touched by a second mmbuild" {
  start_sleeper r1
  spool_job r2
  mmbuild_succeeds
  refute_output --partial "runner died"
  # The second mmbuild waited for nothing and ran the other job.
  assert_equal "$(status_of r2)" success
  run grep -c '^\[result\]$' "$(log_path r1)"
  assert_output 0
  assert group_alive "$GROUP"
  kill -TERM "$MMBUILD"
  wait_for_mmbuild
  assert_equal "$(status_of r1)" killed
}

# orphan_candidate JOB PID: a claimed log whose [build] names PID, no [result].
orphan_candidate() {
  mkdir -p "$BUILDS/acme-app/JOBS"
  {
    printf '[job]\nid = %s\nscm = git\nproject = acme/app\n' "$1"
    printf 'repositoryUrl = %s\ntarget = main\n\n' "$MM_GIT_REMOTE"
    printf '[build]\npid = %s\nstarted = 2026-01-01T00:00:00Z\n\n[log]\n' "$2"
    printf '00:00:00 # Build started in ~/builds\n'
  } >"$(log_path "$1")"
}

@test "a log is finished only when its pid is gone and its lock is free" {
  # A pid that is surely gone: a child that has exited and was reaped.
  sh -c 'exit 0' &
  dead=$!
  wait "$dead"
  orphan_candidate locked "$dead"
  orphan_candidate alive $$
  orphan_candidate dead "$dead"
  # The lock held by another process, as a runner holds it: a sleep that
  # holds it itself (flock(1) with a command would leave its child sleep
  # running when killed).
  (
    exec 9<"$(log_path locked)"
    flock 9
    exec sleep 600
  ) 3>&- &
  BG_PIDS+=($!)
  wait_until sh -c "! flock -n '$(log_path locked)' true"
  locked_before=$(log_of locked)
  alive_before=$(log_of alive)
  mmbuild_succeeds
  assert_equal "$(log_of locked)" "$locked_before"
  assert_equal "$(log_of alive)" "$alive_before"
  assert_equal "$(result_of dead)" "error -1"
  run log_lines dead
  assert_line --partial "# Build error: the runner (pid $dead) died before the build ended"
}

# claimed_job JOB: a job as a claim leaves it: moved from the spool to its
# log, no [build] yet.
claimed_job() {
  spool_job "$1"
  mkdir -p "$BUILDS/acme-app/JOBS"
  mv "$SPOOL/$1.ini" "$(log_path "$1")"
}

@test "a job claimed by an mmbuild that died before starting it is queued again and built once; a held claim is left alone" {
  claimed_job unstarted
  claimed_job held
  # The claim's lock held by another process, as a live mmbuild holds it
  # from before the claim until its runner has started.
  # (a sleep that holds it itself, as in the test above).
  (
    exec 9<"$(log_path held)"
    flock 9
    exec sleep 600
  ) 3>&- &
  BG_PIDS+=($!)
  wait_until sh -c "! flock -n '$(log_path held)' true"
  held_before=$(log_of held)
  mmbuild_succeeds
  assert_output --partial "job unstarted: claimed, but its build never started; queued again as $SPOOL/unstarted.ini"
  assert_equal "$(result_of unstarted)" "success 0"
  run grep -c '^\[build\]$' "$(log_path unstarted)"
  assert_output 1
  assert_equal "$(log_of held)" "$held_before"
  assert_equal "$(mm_spool_count "$SPOOL")" 0
}

@test "a runner that cannot start its log, and an mmbuild that cannot write it either, leave the job to be built by the next mmbuild" {
  # The first write to the log fails in every process (strace counts per
  # process): the runner's [build], then its mmbuild's own, once.
  spool_job once
  # LeakSanitizer cannot work under ptrace: off for a sanitizer build.
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    run strace -f -qq -o /dev/null -P "$(log_path once)" \
    -e inject=write:error=EIO:when=1 "$MM_BIN/mmbuild"
  assert_equal "$status" 4
  assert_output --partial "cannot write build log $(log_path once): Input/output error"
  # Nothing of a build after the job: no [result] without its [build].
  run grep -c '^\[' "$(log_path once)"
  assert_output 1
  mmbuild_succeeds
  assert_output --partial "job once: claimed, but its build never started; queued again"
  assert_equal "$(result_of once)" "success 0"
}
