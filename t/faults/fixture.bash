#!/bin/bash
# The fixtures of `make faults` (t/faults/run), made with the suite's own
# helpers (t/helpers/): the git remote, the SMTP server and the fake forge,
# the jobs in a spool, the build logs of the web view, and the check of a
# job file's fields.
#
#   fixture.bash remote DIR            a git remote in DIR/git; prints
#                                      MM_GIT_REMOTE=... and SHA=...
#   fixture.bash servers DIR           an SMTP server and a fake forge for one
#                                      worker of the driver; prints their
#                                      KEY=VALUE lines (pids, ports, files)
#   fixture.bash template NAME HOME    the home a scenario starts from (the
#                                      variables printed above in the
#                                      environment)
#   fixture.bash job-matches FILE JSON bridge_job_matches of helpers/bridge
#
# Nothing here is a test of its own: the driver runs the programs and
# checks what they leave behind.
set -euo pipefail

FAULTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# helpers/common takes the place of bats' `load` for the two bats libraries
# it loads; the helpers need only their own functions here.
load() { :; }
BATS_TEST_DIRNAME=$FAULTS_DIR/..
BATS_TEST_TMPDIR=${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}
source "$FAULTS_DIR/../helpers/common.bash"
source "$FAULTS_DIR/../helpers/git.bash"
source "$FAULTS_DIR/../helpers/mail.bash"
source "$FAULTS_DIR/../helpers/jobs.bash"
source "$FAULTS_DIR/../helpers/forge.bash"
source "$FAULTS_DIR/../helpers/web.bash"
source "$FAULTS_DIR/../helpers/bridge.bash"

# The ids of the jobs the mmbuild scenarios start with (they sort in this
# order, as ids of jobs that arrived one after the other do).
FIRST_JOB=20261125-120000-000001-4242-0000000a
SECOND_JOB=20261125-120001-000001-4242-0000000b
OLD_JOB=20261124-120000-000001-4242-0000000
# A pid no process can have (above any pid_max): a runner that is gone.
DEAD_PID=999999999

remote() {
  mm_git_remote "$1/git"
  echo "MM_GIT_REMOTE=$MM_GIT_REMOTE"
  echo "SHA=$(mm_git rev-parse HEAD)"
}

# The servers outlive this script: the driver stops them by their pids.
servers() {
  local dir=$1
  BATS_TEST_TMPDIR=$dir
  BG_PIDS=()
  MM_SMTP_LIFETIME=${FAULTS_SMTP_LIFETIME:-86400} mm_mail_start
  forge_start FORGE
  echo "MM_SMTP_PID=$MM_SMTP_PID"
  echo "MM_MAILDIR=$MM_MAILDIR"
  echo "MM_SENDMAIL=$MM_SENDMAIL"
  echo "FORGE_PID=${BG_PIDS[0]}"
  echo "FORGE_PORT=$FORGE_PORT"
  echo "FORGE_LOG=$FORGE_LOG"
}

# config [_]-LINES... then the projects: the home's configuration.
config() {
  {
    echo "[_]"
    echo "buildRoot = ~/Builds"
    printf '%s\n' "$@"
    echo
    echo "[acme/app]"
    # Each build leaves its job id in ~/built, outside every workspace: a
    # job built twice shows there twice.
    echo "main = echo \"\$MIXMASTER_JOB\" >>\"\$HOME/built\"; echo built"
    echo
    echo "[test-org/test-repo]"
    echo "production = make deploy"
  } >"$MM_CONFIG"
}

# The mail and commit-status settings of the worker's servers.
notifications() {
  mm_mail_settings
  write_tokens "http://127.0.0.1:$FORGE_PORT t0ken"
  echo "statusTokens = ~/${TOKENS#"$HOME"/}"
}

# job ID [KEY=VALUE...]: a job for acme/app main in the spool, pushed to the
# fake forge, so that its build sets commit statuses.
job() {
  local id=$1
  shift
  spool_job "$id" forge=gitea commit="$SHA" \
    statusUrl="http://127.0.0.1:$FORGE_PORT/api/v1/repos/acme/app/statuses/$SHA" \
    "$@"
}

# warm: a build of main before the scenario starts, as on any box that has
# built before: its workspace is there (the scenario's build fetches into
# it) and so is its log, an old one.
warm() {
  spool_job "${OLD_JOB}0"
  "$MM_BIN/mmbuild" >/dev/null 2>&1
  rm -f "$HOME/built"
}

template() {
  local name=$1
  export HOME=$2
  export XDG_CONFIG_HOME=$HOME/.config
  MM_CONFIG=$XDG_CONFIG_HOME/mixmaster.ini
  BUILDS=$HOME/Builds
  SPOOL=$BUILDS/INBOX
  mkdir -p "$XDG_CONFIG_HOME" "$SPOOL" "$HOME/tmp"
  case $name in
    bridge-push)
      config "secret = s3cret" "mailto = ops@example.com" ;;
    bridge-page | bridge-stream)
      config "webView = yes"
      web_log acme-app "$FIRST_JOB" success main 'O hello' >/dev/null
      web_log acme-app "$SECOND_JOB" running main 'O hello' >/dev/null ;;
    mmbuild-build)
      config "$(notifications)"
      job "$FIRST_JOB" ;;
    mmbuild-supersede)
      config "keepBuilds = 2"
      warm
      # Three finished builds of the day before: keepBuilds removes them.
      web_log acme-app "${OLD_JOB}1" success main >/dev/null
      web_log acme-app "${OLD_JOB}2" failure main >/dev/null
      web_log acme-app "${OLD_JOB}3" success main >/dev/null
      spool_job "$FIRST_JOB"
      spool_job "$SECOND_JOB" ;;
    mmbuild-recovery)
      config "$(notifications)"
      warm
      # What a crash leaves: a log whose runner died mid-build, and a job
      # claimed by an mmbuild that died before its runner started.
      job "$FIRST_JOB"
      mkdir -p "$BUILDS/acme-app/JOBS"
      {
        cat "$SPOOL/$FIRST_JOB.ini"
        printf '\n[build]\npid = %s\nstarted = 2026-11-25T12:00:00Z\n' "$DEAD_PID"
        printf '\n[log]\n12:00:00 # Build started in ~/Builds/acme-app/main\n'
      } >"$BUILDS/acme-app/JOBS/$FIRST_JOB.log"
      rm "$SPOOL/$FIRST_JOB.ini"
      job "$SECOND_JOB"
      mv "$SPOOL/$SECOND_JOB.ini" "$BUILDS/acme-app/JOBS/$SECOND_JOB.log" ;;
    mmcleanup)
      config
      job "$FIRST_JOB" ;;
    *)
      echo "fixture.bash: no scenario $name" >&2
      return 2 ;;
  esac
}

case ${1:-} in
  remote) remote "$2" ;;
  servers) servers "$2" ;;
  template) template "$2" "$3" ;;
  job-matches) bridge_job_matches "$2" "$3" ;;
  *)
    echo "usage: fixture.bash remote|servers|template|job-matches ..." >&2
    exit 2 ;;
esac
