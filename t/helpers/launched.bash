# Builds through a shipped launcher (mmbuild(1) LAUNCHERS), for
# t/mm-run-slurm.bats and t/mm-run-ssh.bats. Load after helpers/jobs.
#
#   launched_setup LAUNCHER [SETTING...]
#                       the test's remote with a branch per build below, and
#                       a config whose builds go through LAUNCHER, with the
#                       extra [_] SETTINGs
#   launched_log_has JOB TEXT
#                       JOB's log has a [log] line TEXT (without its clock)
#   launched_runner JOB the runner's pid, from the log's [build]
#   launched_ended JOB  JOB's log has its [result] status (asked anew at
#                       each call, for wait_until)
#   launched_kill_all JOB
#                       SIGKILL, at once, to mmbuild ($MMBUILD), JOB's
#                       runner, its guard and the launcher's process group,
#                       as systemd's final KILL of the service would
#   launched_test_*     the body of a test both launchers' files run (below)
#
# The builds (each a branch of the remote and a key of the config); the
# ones that wait write their process id to $BATS_TEST_TMPDIR/build.pid and
# say `started` first:
#   main      stdout, stderr, the checked-out README
#   failing   exit 3
#   segv      kill -SEGV itself
#   live      a line, then waits for $BATS_TEST_TMPDIR/go
#   trapper   traps TERM: `trapped TERM`, exit 7
#   stubborn  ignores TERM
#   values    (the key of values/* branches, which the tests push)
#             prints MIXMASTER_TARGET and MIXMASTER_VIEW_URL, each then |

launched_setup() {
  local launcher=$1 setting
  shift
  mm_git push -q origin main:failing main:segv main:live main:trapper \
    main:stubborn
  MM_JOB_DEFAULTS=("commit=$(mm_git rev-parse main)")
  local started="echo \$\$ > '$BATS_TEST_TMPDIR/build.pid'; echo started"
  {
    echo "[_]"
    echo "buildRoot = $BUILDS"
    echo "supersede = no"
    echo "launcher = $launcher"
    for setting in "$@"; do echo "$setting"; done
    echo
    echo "[acme/app]"
    echo "main = echo \"out \$MIXMASTER_TARGET\"; echo 'err line' >&2; cat README"
    echo "failing = exit 3"
    echo "segv = kill -SEGV \$\$"
    echo "live = echo first; while [ ! -e '$BATS_TEST_TMPDIR/go' ]; do sleep 0.1; done; echo second"
    echo "trapper = trap 'echo trapped TERM; exit 7' TERM; $started; sleep 600 & wait"
    echo "stubborn = trap 'echo ignored TERM' TERM; $started; while :; do sleep 0.1; done"
    echo "values = printf '%s|\\n' \"\$MIXMASTER_TARGET\" \"\$MIXMASTER_VIEW_URL\""
  } | mm_write_config
}

launched_log_has() { log_lines "$1" | grep -qxF -- "$2"; }

launched_ended() { [ -n "$(status_of "$1")" ]; }

launched_runner() { log_of "$1" | sed -n 's/^pid = //p'; }

launched_kill_all() {
  local runner guard group
  runner=$(launched_runner "$1")
  guard=$(pgrep -P "$runner" -x mm-jobguard)
  group=$(ps -o pgid= -p "$(pgrep -P "$runner" -f "$MM_BIN/mm-run-")" | tr -d ' ')
  [ -n "$runner" ] && [ -n "$guard" ] && [ -n "$group" ] || {
    echo "no runner, guard or launcher for $1" >&2
    return 1
  }
  kill_job_agent "$runner"
  kill -KILL "$MMBUILD" "$runner" "$guard"
  kill -KILL -- "-$group"
  wait_until finished "$runner"
  wait_until finished "$guard"
}

# The tests of whole builds through mmbuild that both launchers' files run,
# one function a test. Each file defines launched_remote_builds: the names
# (mm-<job id>) of the builds its launcher still has elsewhere, pending or
# running (Slurm's queue, the builder's units).

launched_nothing_remote() { [ -z "$(launched_remote_builds)" ]; }

# Exit codes 0, 3 and 139; the log of a local build; the launcher named.
launched_test_results() {
  spool_job j1
  spool_job j2 target=failing
  spool_job j3 target=segv
  mmbuild_succeeds
  assert_equal "$(result_of j1) $(result_of j2) $(result_of j3)" "success 0 failure 3 failure 139"
  run log_lines j1
  assert_line "# Build started in $(workspace main), launched by $LAUNCHER"
  assert_line "$ echo \"out \$MIXMASTER_TARGET\"; echo 'err line' >&2; cat README"
  assert_line "O out main"
  assert_line "! err line"
  assert_line "O first"
  assert_line "# Build finished"
  refute_line --partial -- "--stop"
  run log_of j1
  assert_line "launcher = $LAUNCHER"
  run log_lines j2
  assert_line "# Build failed: exit code 3"
  refute_line --partial -- "--stop"
  assert launched_nothing_remote
}

# A line of output is in the log while the build still runs.
launched_test_live() {
  spool_job j1 target=live
  mmbuild_in_background
  wait_until launched_log_has j1 "O first"
  assert_equal "$(launched_remote_builds)" mm-j1
  refute launched_log_has j1 "O second"
  touch "$BATS_TEST_TMPDIR/go"
  wait_for_mmbuild
  assert_equal "$(result_of j1)" "success 0"
  assert launched_log_has j1 "O second"
}

# TERM to mmbuild: the build's TERM trap runs, --stop follows, nothing is
# left elsewhere.
launched_test_stop() {
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
  assert launched_nothing_remote
  assert finished "$(cat "$BATS_TEST_TMPDIR/build.pid")"
}

# launched_test_timeout SECONDS: a timeout of SECONDS does the same as a
# stop. It must outlast what the launcher does before the build starts, so
# that the TERM reaches the build.
launched_test_timeout() {
  sed -i "s/^supersede = no$/supersede = no\ntimeout = $1/" "$MM_CONFIG"
  spool_job j1 target=trapper
  mmbuild_succeeds
  assert_equal "$(result_of j1)" "killed 7"
  run log_lines j1
  assert_line "O trapped TERM"
  assert_line "X Build stopped: timeout: the build ran longer than $1 s"
  assert launched_nothing_remote
}

# A build that ignores TERM is gone within mmbuild's grace (10 s), by the
# launcher's own (Slurm's KillWait, the unit's TimeoutStopSec), before
# mmbuild's KILL.
launched_test_stubborn() {
  spool_job j1 target=stubborn
  mmbuild_in_background
  wait_until launched_log_has j1 "O started"
  local start=$SECONDS
  kill -TERM "$MMBUILD"
  wait_until finished "$(cat "$BATS_TEST_TMPDIR/build.pid")"
  assert [ $((SECONDS - start)) -lt 10 ]
  wait_for_mmbuild
  assert_equal "$(status_of j1)" killed
  assert launched_log_has j1 "O ignored TERM"
  assert launched_nothing_remote
}

# mmbuild SIGKILLed: its runner stops the remote build and ends the log.
launched_test_mmbuild_killed() {
  spool_job j1 target=trapper
  mmbuild_in_background
  wait_until launched_log_has j1 "O started"
  kill -KILL "$MMBUILD"
  wait_until launched_nothing_remote
  wait_until launched_ended j1
  assert_equal "$(status_of j1)" killed
  assert launched_log_has j1 "O trapped TERM"
  assert launched_log_has j1 "X Build stopped: mmbuild (pid $MMBUILD) died"
}

# mmbuild and its runner SIGKILLed: the job guard's TERM stops the remote
# build; the next mmbuild ends the log and its --stop is harmless.
launched_test_runner_killed() {
  spool_job j1 target=trapper
  mmbuild_in_background
  wait_until launched_log_has j1 "O started"
  kill -KILL "$MMBUILD" "$(launched_runner j1)"
  wait_until launched_nothing_remote
  assert_equal "$(status_of j1)" ""
  mmbuild_succeeds
  assert_output --partial "job j1: its runner died; log finished as error"
  assert_equal "$(result_of j1)" "error -1"
  run log_lines j1
  assert_line "$ $LAUNCHER --stop"
  refute_line --regexp "^! .*--stop"
  assert launched_nothing_remote
}

# Everything of Mixmaster SIGKILLed, the launcher's group too: the remote
# build runs on, and the next mmbuild's --stop ends it.
launched_test_all_killed() {
  spool_job j1 target=trapper
  mmbuild_in_background
  wait_until launched_log_has j1 "O started"
  launched_kill_all j1
  sleep 1
  assert_equal "$(launched_remote_builds)" mm-j1
  mmbuild_succeeds
  assert_output --partial "job j1: its runner died; log finished as error"
  assert_equal "$(result_of j1)" "error -1"
  assert launched_log_has j1 "$ $LAUNCHER --stop"
  assert launched_nothing_remote
  assert finished "$(cat "$BATS_TEST_TMPDIR/build.pid")"
}

# Request values reach the build unchanged. No newline: a value holding
# one is refused before it is spooled (mmbridge(1)); the launchers' own
# tests pass one through.
launched_test_values() {
  local target="values/it's-\"\$(touch-pwned)\"-\`id\`-%n-\${HOME}"
  mm_git push -q origin "main:$target"
  spool_job j1 target="$target" 'viewUrl=-e $(touch pwned) '"'"'q'"'"' "d" $$ %n second line'
  mmbuild_succeeds
  assert_equal "$(result_of j1)" "success 0"
  run log_lines j1
  assert_line "O $target|"
  assert_line "O -e \$(touch pwned) 'q' \"d\" \$\$ %n second line|"
  run find "$BATS_TEST_TMPDIR" -name pwned
  assert_output ""
}

# A push of main and one of failing through mmbridge (a Gitea payload, real
# HTTP), built through the launcher: the logs, the commit statuses (a fake
# Gitea) and the mails (a real SMTP server) are those of a local build.
# Needs helpers/bridge, helpers/forge and helpers/mail loaded, and a
# teardown that runs bridge_stop and mm_mail_stop.
launched_test_push() {
  SHA=$(mm_git rev-parse main)
  forge_start GITEA
  write_tokens "http://127.0.0.1:$GITEA_PORT gitea-t0ken"
  mm_mail_start
  launched_setup "$LAUNCHER" "statusTokens = $TOKENS" "$(mm_mail_settings)"
  export MIXMASTER_CONFIG=$MM_CONFIG
  bridge_start
  local branch n subjects=()
  for branch in main failing; do
    gitea_payload "http://127.0.0.1:$GITEA_PORT" "$branch" >"$BATS_TEST_TMPDIR/$branch.json"
    bridge_post /gitea "$BATS_TEST_TMPDIR/$branch.json" -H 'X-Gitea-Event: push'
    assert_equal "$HTTP_STATUS" 202
  done
  bridge_stop
  mmbuild_succeeds
  run grep -h -e '^launcher = ' -e '^status = ' -e '^exitCode = ' \
    "$BUILDS"/acme-app/JOBS/*.log
  assert_output "launcher = $LAUNCHER
status = success
exitCode = 0
launcher = $LAUNCHER
status = failure
exitCode = 3"
  assert launched_nothing_remote
  run forge_requests "$GITEA_LOG"
  assert_equal "${#lines[@]}" 4
  assert_line --index 0 --partial '"context": "mixmaster/main", "description": "build started", "state": "pending"'
  assert_line --index 1 --partial '"context": "mixmaster/main", "description": "build passed after N s", "state": "success"'
  assert_line --index 2 --partial '"context": "mixmaster/failing", "description": "build started", "state": "pending"'
  assert_line --index 3 --partial '"context": "mixmaster/failing", "description": "build failed (exit 3) after N s", "state": "failure"'
  mm_mail_wait 4
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
