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
