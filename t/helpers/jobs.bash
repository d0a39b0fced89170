# Jobs in the spool and their logs, for the bats files that run mmbuild.
# Load after helpers/git. Expects SPOOL and BUILDS to be set by the test's
# setup (jobs_setup does), a project acme/app whose remote is $MM_GIT_REMOTE
# (helpers/git), and a teardown that kills the pids in the array BG_PIDS
# (kill_background).

# jobs_setup: what a setup that runs mmbuild starts with: a private home
# (mm_private_home), the build root BUILDS with the spool SPOOL in it, the
# test's remote in $BATS_TEST_TMPDIR/git (mm_git_remote), and no BG_PIDS yet.
jobs_setup() {
  mm_private_home
  BUILDS=$BATS_TEST_TMPDIR/builds
  SPOOL=$BUILDS/INBOX
  mkdir -p "$SPOOL"
  mm_git_remote "$BATS_TEST_TMPDIR/git"
  BG_PIDS=()
}

# spool_job NAME [KEY=VALUE...]: a job in the spool; the defaults (id NAME,
# scm git, project acme/app, the test remote, target main, then the
# KEY=VALUE pairs in the array MM_JOB_DEFAULTS) can be overridden.
spool_job() {
  local name=$1 kv key
  shift
  declare -A keys=([id]=$name [scm]=git [project]=acme/app
    [repositoryUrl]=$MM_GIT_REMOTE [target]=main)
  local order=(id scm project repositoryUrl target)
  for kv in ${MM_JOB_DEFAULTS+"${MM_JOB_DEFAULTS[@]}"} "$@"; do
    key=${kv%%=*}
    [ -n "${keys[$key]+set}" ] || order+=("$key")
    keys[$key]=${kv#*=}
  done
  # Written aside and renamed in, as mmbridge does: a running mmbuild that
  # read the file half-written would reject it (seen under load).
  {
    echo "[job]"
    for key in "${order[@]}"; do echo "$key = ${keys[$key]}"; done
  } >"$SPOOL/.$name.tmp"
  mv "$SPOOL/.$name.tmp" "$SPOOL/$name.ini"
}

log_path() { echo "$BUILDS/acme-app/JOBS/$1.log"; }
workspace() { echo "$BUILDS/acme-app/$1"; }
log_of() { cat "$(log_path "$1")"; }
# The [log] lines of a job without their clock.
log_lines() { log_of "$1" | sed -n '/^\[log\]$/,/^\[result\]$/p' | sed -n 's/^..:..:.. //p'; }
status_of() { log_of "$1" | sed -n 's/^status = //p'; }
exit_code_of() { log_of "$1" | sed -n 's/^exitCode = //p'; }
# result_of JOB: "status exitCode", e.g. "failure 3".
result_of() { echo "$(status_of "$1") $(exit_code_of "$1")"; }

# finished PID: the process has exited (gone, or a zombie not yet waited for).
finished() {
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -z "$state" ] || [ "$state" = Z ]
}

# wait_until COMMAND...: polls every 0.1 s, at most 30 s.
wait_until() {
  local i
  for i in $(seq 300); do "$@" && return 0; sleep 0.1; done
  echo "gave up waiting for: $*" >&2
  return 1
}

# mmbuild_succeeds [ARGS...]: runs mmbuild (bats `run`: $output, $status)
# and asserts that it exited 0.
mmbuild_succeeds() {
  run "$MM_BIN/mmbuild" "$@"
  assert_success
}

# mmbuild_in_background [ARGS...]: starts mmbuild, stderr into
# $BATS_TEST_TMPDIR/stderr; sets MMBUILD to its pid (and adds it to BG_PIDS).
mmbuild_in_background() {
  "$MM_BIN/mmbuild" "$@" 2>"$BATS_TEST_TMPDIR/stderr" &
  MMBUILD=$!
  BG_PIDS+=("$MMBUILD")
}

# wait_for_mmbuild: waits (a bounded poll) until that mmbuild has ended;
# sets MMBUILD_RC to its exit status. (Not in a subshell: `wait` needs the
# shell that started it.)
wait_for_mmbuild() {
  wait_until finished "$MMBUILD"
  MMBUILD_RC=0
  wait "$MMBUILD" || MMBUILD_RC=$?
}

# kill_background: KILLs what the test left running (teardown).
kill_background() {
  local pid
  for pid in ${BG_PIDS+"${BG_PIDS[@]}"}; do kill -KILL "$pid" 2>/dev/null || true; done
}

# sleeper_key: a config line `sleeper = ...` for a build that writes its
# process group to $BATS_TEST_TMPDIR/group and sleeps, in the foreground
# and in the background, for 600 s.
sleeper_key() {
  echo "sleeper = echo \$\$ > '$BATS_TEST_TMPDIR/group'; sleep 600 & sleep 600"
}
# build_group: the process group sleeper_key's build wrote, once it runs.
build_group() { cat "$BATS_TEST_TMPDIR/group" 2>/dev/null; }
# group_alive PGID: a process of the group is alive (zombies, which this
# machine's init may take a moment to reap, do not count).
group_alive() { ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'; }

# kill_job_agent RUNNER: SIGKILL to the ssh-agent of the build runner
# RUNNER, as systemd's final KILL of the service takes it, then removes its
# directory, which nothing of Mixmaster is left to remove. Call it before
# the runner is killed: the agent is found as its child.
kill_job_agent() {
  local agent socket
  agent=$(pgrep -P "$1" -x ssh-agent) || return 0
  socket=$(tr '\0' '\n' <"/proc/$agent/cmdline" | tail -1)
  kill -KILL "$agent"
  wait_until finished "$agent"
  case $socket in */mixmaster-agent.*/agent.sock) rm -rf "${socket%/agent.sock}" ;; esac
}
