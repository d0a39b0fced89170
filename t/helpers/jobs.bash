# Jobs in the spool and their logs, for the bats files that run mmbuild.
# Expects SPOOL and BUILDS to be set by the test's setup, and a project
# acme/app whose remote is $MM_GIT_REMOTE (helpers/git).

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
  {
    echo "[job]"
    for key in "${order[@]}"; do echo "$key = ${keys[$key]}"; done
  } >"$SPOOL/$name.ini"
}

log_path() { echo "$BUILDS/acme-app/JOBS/$1.log"; }
log_of() { cat "$(log_path "$1")"; }
# The [log] lines of a job without their clock.
log_lines() { log_of "$1" | sed -n '/^\[log\]$/,/^\[result\]$/p' | sed -n 's/^..:..:.. //p'; }
status_of() { log_of "$1" | sed -n 's/^status = //p'; }
exit_code_of() { log_of "$1" | sed -n 's/^exitCode = //p'; }

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
