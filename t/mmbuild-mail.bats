#!/usr/bin/env bats
# mmbuild's notifications end to end (mmbuild(1) NOTIFICATIONS): real repositories in temp dirs,
# the real build/mmbuild, msmtp as the `sendmail` command talking SMTP to a
# server on 127.0.0.1 that delivers into a Maildir, and the messages read back
# with Python's email package.
#
# Sendmail and hook have a 60 s deadline in mmbuild, which these tests keep:
# a test's hanging sendmail or hook is ended by the test itself (TERM to its
# pid), standing in for the deadline, so the test shows mmbuild waits for it,
# logs how it ended and goes on. The deadline itself is proven with short
# timeouts in t/unit (SendmailTest, HookTest, BuildNotifierTest).
load helpers/common
load helpers/git
load helpers/jobs
load helpers/mail

setup() {
  jobs_setup
  mm_mail_start
  mm_git push -q origin main:failing
  MAIN=$(mm_git rev-parse main)
  MM_JOB_DEFAULTS=("commit=$MAIN")
  FROM='Mixmaster Builds <builds@ci.example.org>'
}

teardown() {
  kill_background
  mm_mail_stop
}

# write_config SETTINGS: the config with these `[_]` lines (one per argument).
write_config() {
  {
    echo "[_]"
    echo "buildRoot = $BUILDS"
    # Every job queued here builds (superseding: mmbuild-queue.bats).
    echo "supersede = no"
    printf '%s\n' "$@"
    echo
    echo "[acme/app]"
    echo "main = echo built main"
    echo "failing = echo compiling; echo 'cc: error: boom' >&2; exit 3"
  } | mm_write_config
}

# The settings that send mail through the test server; From differs from
# msmtp's own default, so the header seen is the one mmbuild wrote.
mail_settings() {
  write_config "mailto = $MM_MAIL_TO" "mailfrom = $FROM" "sendmail = $MM_SENDMAIL" "$@"
}

# script NAME BODY: an executable /bin/sh script in the test dir; prints its path.
script() {
  printf '#!/bin/sh\n%s\n' "$2" >"$BATS_TEST_TMPDIR/$1"
  chmod +x "$BATS_TEST_TMPDIR/$1"
  echo "$BATS_TEST_TMPDIR/$1"
}

# The failing job and a job queued behind it, run by mmbuild; asserts that the
# sendmail trouble changed neither result and that mmbuild went on.
run_failing_then_next() {
  spool_job 1-fail target=failing
  spool_job 2-next
  mmbuild_succeeds
  assert_equal "$(result_of 1-fail)" "failure 3"
  assert_equal "$(status_of 2-next)" success
  assert_equal "$(mm_spool_count "$SPOOL")" 0
}

@test "a successful build mails its start and its end, threaded" {
  mail_settings
  spool_job ok1 viewUrl=https://forge.example.org/acme/app/compare/1...2 \
    'message=Fix the frobnicator'
  mmbuild_succeeds
  assert_equal "$(status_of ok1)" success
  mm_mail_wait 2
  assert_equal "$(mm_mail_count)" 2

  # The subject says what happened to which build; the thread is kept by
  # the headers.
  assert_equal "$(mm_mail 1 Subject)" "[mixmaster] Building acme/app main ${MAIN:0:8}"
  assert_equal "$(mm_mail 2 Subject)" "[mixmaster] OK acme/app main ${MAIN:0:8}"
  start_id=$(mm_mail 1 Message-ID)
  assert_equal "$start_id" "<mixmaster.ok1.start@$(hostname)>"
  assert_equal "$(mm_mail 2 In-Reply-To)" "$start_id"
  assert_equal "$(mm_mail 2 References)" "$start_id"
  assert_equal "$(mm_mail 1 In-Reply-To)" ''
  for n in 1 2; do
    assert_equal "$(mm_mail $n To)" "$MM_MAIL_TO"
    assert_equal "$(mm_mail $n X-Envelope-To)" "$MM_MAIL_TO"
    assert_equal "$(mm_mail $n From)" "$FROM"
    assert_equal "$(mm_mail $n Content-Type)" 'text/plain; charset="utf-8"'
  done
  run mm_mail 1 body
  assert_line --index 0 "Mixmaster has started building ${MAIN:0:8} on main."
  assert_line 'https://forge.example.org/acme/app/compare/1...2'
  assert_line 'Fix the frobnicator'
  run mm_mail 2 body
  assert_line --index 0 "Mixmaster has finished building ${MAIN:0:8} on main."
  assert_line "$(log_path ok1)"
  run log_lines ok1
  assert_line "# Sent the start mail to $MM_MAIL_TO"
  assert_line "# Sent the end mail to $MM_MAIL_TO"
}

@test "a failing build mails its start and its failure with the log" {
  mail_settings
  spool_job bad1 target=failing
  mmbuild_succeeds
  assert_equal "$(result_of bad1)" "failure 3"
  mm_mail_wait 2
  assert_equal "$(mm_mail_count)" 2
  assert_equal "$(mm_mail 1 Subject)" "[mixmaster] Building acme/app failing ${MAIN:0:8}"
  assert_equal "$(mm_mail 2 Subject)" "[mixmaster] FAILED acme/app failing ${MAIN:0:8}"
  assert_equal "$(mm_mail 2 In-Reply-To)" "$(mm_mail 1 Message-ID)"
  assert_equal "$(mm_mail 2 To)" "$MM_MAIL_TO"
  assert_equal "$(mm_mail 2 From)" "$FROM"
  run mm_mail 2 body
  assert_line --index 0 "Mixmaster was unable to build ${MAIN:0:8} on failing."
  # The mail quotes the log as it was at the failure: every line up to the
  # closing one, clock included.
  mail_log=$(mm_mail 2 body | sed -n '/^\[log\]$/,/^$/p' | sed '1d;$d')
  file_log=$(log_of bad1 | sed -n '/^\[log\]$/,/# Build failed: /p' | sed '1d')
  assert_equal "$mail_log" "$file_log"
  run echo "$mail_log"
  assert_line --regexp '^..:..:.. O compiling$'
  assert_line --regexp '^..:..:.. ! cc: error: boom$'
  assert_line --regexp '^..:..:.. # Build failed: exit code 3$'
  run log_lines bad1
  assert_line "# Sent the failure mail to $MM_MAIL_TO"
}

@test "notifications = none: no mail for a success or a failure" {
  mail_settings
  spool_job 1-ok notifications=none
  spool_job 2-fail target=failing notifications=none
  spool_job 3-all
  mmbuild_succeeds
  assert_equal "$(status_of 1-ok) $(status_of 2-fail)" "success failure"
  # Each sendmail has ended before mmbuild does: what arrived is all there
  # is, and only the job that did not opt out was mailed.
  assert_equal "$(mm_mail_count)" 2
  assert_equal "$(mm_mail 1 Message-ID)" "<mixmaster.3-all.start@$(hostname)>"
  assert_equal "$(mm_mail 2 Message-ID)" "<mixmaster.3-all.end@$(hostname)>"
  run grep -c ' # Sent the ' "$(log_path 1-ok)" "$(log_path 2-fail)"
  assert_output "$(printf '%s:0\n%s:0' "$(log_path 1-ok)" "$(log_path 2-fail)")"
}

@test "notifications = failures: only the failure mail, a thread of its own" {
  mail_settings
  spool_job 1-ok notifications=failures
  spool_job 2-fail target=failing notifications=failures
  mmbuild_succeeds
  mm_mail_wait 1
  assert_equal "$(mm_mail_count)" 1
  assert_equal "$(mm_mail 1 Subject)" "[mixmaster] FAILED acme/app failing ${MAIN:0:8}"
  assert_equal "$(mm_mail 1 Message-ID)" "<mixmaster.2-fail.failure@$(hostname)>"
  assert_equal "$(mm_mail 1 In-Reply-To)" ''
  run mm_mail 1 body
  assert_line --index 0 "Mixmaster was unable to build ${MAIN:0:8} on failing."
  assert_line --regexp '^..:..:.. ! cc: error: boom$'
}

@test "notify = failures in [_] and :notify in a project: forge pushes follow them; the first success after a failure is FIXED" {
  # Jobs as a forge push spools them: no notifications key of their own.
  mail_settings "notify = failures"
  spool_job 1-ok
  spool_job 2-fail target=failing
  mmbuild_succeeds
  mm_mail_wait 1
  assert_equal "$(mm_mail_count)" 1
  assert_equal "$(mm_mail 1 Subject)" "[mixmaster] FAILED acme/app failing ${MAIN:0:8}"
  # The branch gets fixed: its next success is mailed once, and the one
  # after it is not; a success on another branch never was.
  {
    echo "[_]"
    echo "buildRoot = $BUILDS"
    echo "supersede = no"
    echo "mailto = $MM_MAIL_TO"
    echo "sendmail = $MM_SENDMAIL"
    echo "notify = failures"
    echo
    echo "[acme/app]"
    echo "main = echo built main"
    echo "failing = echo fixed now"
  } | mm_write_config
  spool_job 3-fixed target=failing
  spool_job 4-ok-again target=failing
  mmbuild_succeeds
  assert_equal "$(status_of 3-fixed) $(status_of 4-ok-again)" "success success"
  mm_mail_wait 2
  assert_equal "$(mm_mail_count)" 2
  assert_equal "$(mm_mail 2 Subject)" "[mixmaster] FIXED acme/app failing ${MAIN:0:8}"
  assert_equal "$(mm_mail 2 Message-ID)" "<mixmaster.3-fixed.end@$(hostname)>"

  # A project's :notify wins over [_]: none sends nothing, even a failure.
  write_config "mailto = $MM_MAIL_TO" "sendmail = $MM_SENDMAIL" "notify = all"
  sed -i 's/^\[acme\/app\]$/&\n:notify = none/' "$MM_CONFIG"
  spool_job 5-fail target=failing
  mmbuild_succeeds
  assert_equal "$(result_of 5-fail)" "failure 3"
  assert_equal "$(mm_mail_count)" 2
  run log_lines 5-fail
  refute_line --partial "Sent the"
}

@test "with publicUrl every mail names the build page" {
  mail_settings "publicUrl = https://ci.example.org/mm/"
  spool_job ok1
  spool_job bad1 target=failing
  mmbuild_succeeds
  mm_mail_wait 4
  # Each of the four mails names the page of its own job.
  for n in 1 2 3 4; do
    job=$(mm_mail $n Message-ID | sed 's/^<mixmaster\.\([^.]*\)\..*/\1/')
    run mm_mail $n body
    assert_line "Build page: https://ci.example.org/mm/builds/acme-app/$job"
  done
  # Without it, no such line.
  mail_settings
  spool_job ok2
  mmbuild_succeeds
  mm_mail_wait 6
  found=0
  for n in 1 2 3 4 5 6; do
    [ "$(mm_mail $n Message-ID)" = "<mixmaster.ok2.end@$(hostname)>" ] || continue
    run mm_mail $n body
    assert_line --index 0 "Mixmaster has finished building ${MAIN:0:8} on main."
    refute_line --partial "Build page:"
    found=1
  done
  assert_equal "$found" 1
}

@test "an empty mailto sends nothing and starts no sendmail" {
  marker=$BATS_TEST_TMPDIR/sendmail-ran
  sendmail=$(script sendmail "cat >/dev/null; echo ran >>'$marker'")
  write_config "mailto =" "sendmail = $sendmail"
  spool_job 1-ok
  spool_job 2-fail target=failing
  mmbuild_succeeds
  assert [ ! -e "$marker" ]
  # The own empty mailto of a job given by hand wins over the config's (a
  # job in the spool may not have one).
  write_config "mailto = $MM_MAIL_TO" "sendmail = $sendmail"
  spool_job 3-ok mailto=
  mv "$SPOOL/3-ok.ini" "$BATS_TEST_TMPDIR/3-ok.ini"
  mmbuild_succeeds "$BATS_TEST_TMPDIR/3-ok.ini"
  assert [ ! -e "$marker" ]
  assert_equal "$(status_of 1-ok) $(status_of 2-fail) $(status_of 3-ok)" \
    "success failure success"
  # The same script does run once there is an address: start and end.
  spool_job 4-ok
  mmbuild_succeeds
  assert_equal "$(cat "$marker")" "$(printf 'ran\nran')"
}

@test "a sendmail that exits 1: a ! line, the same results, the next job runs" {
  sendmail=$(script sendmail "cat >/dev/null; echo 'relay refused the message' >&2; exit 1")
  write_config "mailto = $MM_MAIL_TO" "sendmail = $sendmail"
  run_failing_then_next
  run log_lines 1-fail
  assert_line "! sendmail: relay refused the message"
  assert_line "! start mail not sent: sendmail command '$sendmail' exited with status 1"
  assert_line "! failure mail not sent: sendmail command '$sendmail' exited with status 1"
  run log_lines 2-next
  assert_line "! end mail not sent: sendmail command '$sendmail' exited with status 1"
}

@test "msmtp with the mail server down: a ! line with its reason, the same results" {
  mail_settings
  mm_mail_stop
  run_failing_then_next
  run log_lines 1-fail
  assert_line --regexp "^! failure mail not sent: sendmail command 'msmtp .*' exited with status [1-9][0-9]*$"
  assert_line --regexp '^! sendmail: msmtp: .*'
}

@test "a sendmail that does not exist: a ! line, the same results, the next job runs" {
  write_config "mailto = $MM_MAIL_TO" "sendmail = $BATS_TEST_TMPDIR/no-sendmail -t"
  run_failing_then_next
  run log_lines 1-fail
  assert_line "! start mail not sent: cannot run $BATS_TEST_TMPDIR/no-sendmail: No such file or directory"
  assert_line "! failure mail not sent: cannot run $BATS_TEST_TMPDIR/no-sendmail: No such file or directory"
}

@test "a sendmail that hangs: mmbuild waits, logs how it ended, the next job runs" {
  pids=$BATS_TEST_TMPDIR/sendmail-pids
  sendmail=$(script sendmail "echo \$\$ >>'$pids'; exec sleep 300")
  write_config "mailto = $MM_MAIL_TO" "sendmail = $sendmail"
  spool_job 1-fail target=failing notifications=failures
  spool_job 2-next notifications=none
  mmbuild_in_background
  wait_until test -s "$pids"
  # It hangs in the failure mail: the build is over, its log not yet closed,
  # and the next job waits.
  run log_lines 1-fail
  assert_line "# Build failed: exit code 3"
  run grep -c '^\[result\]$' "$(log_path 1-fail)"
  assert_output 0
  assert [ -f "$SPOOL/2-next.ini" ]
  kill -TERM "$(cat "$pids")"
  wait_for_mmbuild
  assert_equal "$MMBUILD_RC" 0
  assert_equal "$(result_of 1-fail)" "failure 3"
  run log_lines 1-fail
  assert_line "! failure mail not sent: sendmail command '$sendmail' was killed by signal 15 (Terminated)"
  assert_equal "$(status_of 2-next)" success
  assert_equal "$(wc -l <"$pids")" 1
}

@test "the hook runs at start, end and failure with the MIXMASTER_* variables" {
  events=$BATS_TEST_TMPDIR/events
  hook=$(script hook "echo \"\$MIXMASTER_EVENT \$MIXMASTER_JOB\" >>'$events'
env | grep '^MIXMASTER_' | sort >'$BATS_TEST_TMPDIR/env-'\$MIXMASTER_EVENT-\$MIXMASTER_JOB
echo \"hook saw \$MIXMASTER_EVENT for \$MIXMASTER_PROJECT\"
echo \"hook stderr \$MIXMASTER_EVENT\" >&2")
  write_config "hook = $hook"
  spool_job 1-ok viewUrl=https://forge.example.org/c
  spool_job 2-fail target=failing
  mmbuild_succeeds
  assert_equal "$(status_of 1-ok) $(status_of 2-fail)" "success failure"
  assert_equal "$(cat "$events")" \
    "$(printf 'job-start 1-ok\njob-end 1-ok\njob-start 2-fail\njob-fail 2-fail')"
  run cat "$BATS_TEST_TMPDIR/env-job-end-1-ok"
  assert_output "MIXMASTER_COMMIT=$MAIN
MIXMASTER_EVENT=job-end
MIXMASTER_JOB=1-ok
MIXMASTER_LOG=$(log_path 1-ok)
MIXMASTER_NOTIFICATIONS=all
MIXMASTER_PROJECT=acme/app
MIXMASTER_REPOSITORY_URL=$MM_GIT_REMOTE
MIXMASTER_TARGET=main
MIXMASTER_TASK=
MIXMASTER_VIEW_URL=https://forge.example.org/c
MIXMASTER_WORKSPACE=$BUILDS/acme-app/main"
  run grep -x 'MIXMASTER_EVENT=job-fail' "$BATS_TEST_TMPDIR/env-job-fail-2-fail"
  assert_success
  # Its output is in the log as H lines, each at its moment.
  run bash -c "sed -n 's/^..:..:.. \\(# Build\\|H hook saw\\)/\\1/p' '$(log_path 1-ok)'"
  assert_output "# Build started in $BUILDS/acme-app/main
H hook saw job-start for acme/app
# Build finished
H hook saw job-end for acme/app"
  run log_lines 1-ok
  assert_line "H hook stderr job-start"
  assert_line "H hook stderr job-end"
  run log_lines 2-fail
  assert_line "H hook saw job-fail for acme/app"
}

@test "a failing hook is logged and changes nothing; the mail still goes out" {
  hook=$(script hook 'echo "chat is down"; exit 2')
  mail_settings "hook = $hook"
  run_failing_then_next
  run log_lines 1-fail
  assert_line "H chat is down"
  assert_line "! hook $hook exited with status 2 (ignored)"
  assert_equal "$(mm_mail_count)" 4
  assert_equal "$(mm_mail 2 Subject)" "[mixmaster] FAILED acme/app failing ${MAIN:0:8}"
}

@test "a hook that hangs: mmbuild waits, logs how it ended, the build goes on" {
  pids=$BATS_TEST_TMPDIR/hook-pids
  events=$BATS_TEST_TMPDIR/events
  hook=$(script hook "echo \"\$MIXMASTER_EVENT \$MIXMASTER_JOB\" >>'$events'
if [ \"\$MIXMASTER_EVENT \$MIXMASTER_JOB\" = 'job-start 1-ok' ]; then
  echo 'hanging now'; echo \$\$ >>'$pids'; exec sleep 300
fi")
  write_config "hook = $hook"
  spool_job 1-ok
  spool_job 2-next
  mmbuild_in_background
  wait_until test -s "$pids"
  # Held at the start: the build command has not run yet.
  run log_lines 1-ok
  refute_line "O built main"
  kill -TERM "$(cat "$pids")"
  wait_for_mmbuild
  assert_equal "$MMBUILD_RC" 0
  assert_equal "$(status_of 1-ok) $(status_of 2-next)" "success success"
  run log_lines 1-ok
  assert_line "H hanging now"
  assert_line "! hook $hook was killed by signal 15 (Terminated) (ignored)"
  assert_line "O built main"
  assert_equal "$(cat "$events")" \
    "$(printf 'job-start 1-ok\njob-end 1-ok\njob-start 2-next\njob-end 2-next')"
}

@test "two jobs with the same id get a thread each, each naming its own log" {
  mail_settings
  spool_job 1-a id=same
  spool_job 2-b id=same
  mmbuild_succeeds
  mm_mail_wait 4
  assert_equal "$(mm_mail_count)" 4
  fresh=$(sed -n 's/.*; this build is \(.*\)$/\1/p' "$BUILDS"/acme-app/JOBS/*.log)
  assert [ -n "$fresh" ]
  assert_equal "$(mm_mail 1 Message-ID)" "<mixmaster.same.start@$(hostname)>"
  assert_equal "$(mm_mail 3 Message-ID)" "<mixmaster.$fresh.start@$(hostname)>"
  assert_equal "$(mm_mail 4 In-Reply-To)" "$(mm_mail 3 Message-ID)"
  run mm_mail 2 body
  assert_line "$(log_path same)"
  run mm_mail 4 body
  assert_line "$(log_path "$fresh")"
}
