# Build logs for the web view and `mmbuild --list` tests, in the format
# mmbuild writes (mmbuild(1) BUILD LOG). Load after helpers/common; expects
# BUILDS to be set.

# web_log DIR ID STATUS [TARGET [LOG-LINE...]]: writes
# $BUILDS/DIR/JOBS/ID.log for project acme/app, pushed by ada; STATUS
# `running` leaves out [result], `failure` closes with the failed line,
# `superseded` names WEB_SUPERSEDED_BY. Received WEB_RECEIVED (default
# 2026-11-25T12:00:00Z), started WEB_STARTED (default a second later).
# Prints the log's path.
web_log() {
  local dir=$1 id=$2 status=$3 target=${4:-main} line
  shift 4 2>/dev/null || shift $#
  local path=$BUILDS/$dir/JOBS/$id.log
  mkdir -p "$BUILDS/$dir/JOBS"
  {
    printf '[job]\nid = %s\nreceived = %s\nendpoint = /\n' "$id" \
      "${WEB_RECEIVED:-2026-11-25T12:00:00Z}"
    printf 'scm = git\nproject = acme/app\nrepositoryUrl = /srv/acme.git\n'
    printf 'target = %s\ntask =\ncommit = 909889ace72640767a3a8308121468ee729287e6\n' "$target"
    printf 'buildCommand = make\nviewUrl = https://forge.example/acme/app/commit/9098\n'
    printf 'message = a change\\n\\nits body\npusher = ada\nnotifications = all\n'
    printf 'mailto =\nmode = normal\n\n[build]\npid = 4242\nstarted = %s\n\n[log]\n' \
      "${WEB_STARTED:-2026-11-25T12:00:01Z}"
    printf '12:00:01 # Build started\n12:00:01 $ make\n'
    for line in "$@"; do printf '12:00:02 %s\n' "$line"; done
    if [ "$status" = failure ]; then
      printf '12:00:05 # Build failed: the command exited with status 2\n'
    elif [ "$status" != running ]; then
      printf '12:00:05 # Build finished\n'
    fi
    if [ "$status" != running ]; then
      printf '\n[result]\nstatus = %s\n' "$status"
      printf 'exitCode = %s\nfinished = 2026-11-25T12:00:05Z\nduration = 4.084\n' \
        "$([ "$status" = success ] && echo 0 || echo 2)"
      [ "$status" != superseded ] || printf 'supersededBy = %s\n' "$WEB_SUPERSEDED_BY"
    fi
  } >"$path"
  echo "$path"
}

# web_id N: the id of the Nth synthetic build (they sort in N's order).
web_id() { printf '20261125-12%04d-000001-4242-%08x' "$1" "$1"; }
