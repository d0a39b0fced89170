#!/usr/bin/env bats
# mmcleanup, as mixmaster.service's ExecStopPost= runs it: $SERVICE_RESULT
# decides; jobs left in the spool go to <buildRoot>/REJECTED/ (or away with
# --delete), one journal line each, so mixmaster.path cannot loop.
load helpers/common

setup() {
  mm_private_home
  SPOOL=$HOME/Builds/INBOX
  REJECTED=$HOME/Builds/REJECTED
  mkdir -p "$SPOOL"
  printf '[_]\n' | mm_write_config
}

# queue NAME: a job file in the spool.
queue() {
  printf '[job]\nid = %s\nscm = git\nproject = a/b\nrepositoryUrl = /r\ntarget = main\n' \
    "${1%.ini}" >"$SPOOL/$1"
}

@test "--help, --version and a bad option" {
  run "$MM_BIN/mmcleanup" --help
  assert_success
  assert_output --partial "--delete"
  assert_output --partial "--spool"
  run "$MM_BIN/mmcleanup" --version
  assert_success
  assert_output "$(sed -n 's/^VERSION := //p' "$MM_ROOT/Makefile")"
  run "$MM_BIN/mmcleanup" --frobnicate
  assert_failure 2
}

@test "after a successful service run the jobs stay" {
  queue 20260101-000000-a.ini
  SERVICE_RESULT=success run mm_as_journal "$MM_BIN/mmcleanup"
  assert_success
  assert_output ""
  [ -f "$SPOOL/20260101-000000-a.ini" ]
  [ ! -e "$REJECTED" ]
}

@test "after a successful service run what is not a job goes, so the path unit cannot loop" {
  queue 20260101-000000-a.ini
  echo notes >"$SPOOL/notes.txt"
  mkdir "$SPOOL/folder.ini"
  echo partial >"$SPOOL/.job.ini.tmp"
  SERVICE_RESULT=success run mm_as_journal "$MM_BIN/mmcleanup"
  assert_success
  assert_equal "${#lines[@]}" 2
  assert_line --index 0 "<4>folder.ini (not a job: mmbuild takes regular *.ini files only): moved to $REJECTED/folder.ini (service result success)"
  assert_line --index 1 --partial "<4>notes.txt (not a job"
  assert_equal "$(cat "$REJECTED/notes.txt")" notes
  # Beside what is not a job, the reason in NAME.why.
  run cat "$REJECTED/notes.txt.why" "$REJECTED/folder.ini.why"
  assert_line --index 0 --regexp '^# Rejected by mmcleanup at [0-9TZ:-]+: not a job: mmbuild takes regular \*\.ini files only$'
  assert_line --index 1 --partial ': not a job: '
  [ -d "$REJECTED/folder.ini" ]
  # The job waits for mmbuild; the hidden file is someone's job being
  # written, and mixmaster.path does not count it.
  [ -f "$SPOOL/20260101-000000-a.ini" ]
  [ -f "$SPOOL/.job.ini.tmp" ]
}

@test "after a failed service run every job moves to REJECTED with one line each" {
  queue 20260101-000000-a.ini
  queue 20260101-000001-b.ini
  SERVICE_RESULT=exit-code EXIT_CODE=exited EXIT_STATUS=3 run mm_as_journal "$MM_BIN/mmcleanup"
  assert_success
  assert_equal "${#lines[@]}" 2
  assert_line --index 0 "<4>job 20260101-000000-a.ini rejected: moved to $REJECTED/20260101-000000-a.ini (service result exit-code, exited 3)"
  assert_line --index 1 --partial "<4>job 20260101-000001-b.ini rejected: moved to $REJECTED/"
  assert_equal "$(mm_spool_count "$SPOOL")" 0
  assert_equal "$(mm_spool_count "$REJECTED")" 2
  run cat "$REJECTED/20260101-000000-a.ini"
  assert_line "id = 20260101-000000-a"
  # The file itself says why, in comment lines that mmbuild skips, after
  # the job as it was.
  assert_line --index 0 "[job]"
  run tail -n 2 "$REJECTED/20260101-000000-a.ini"
  assert_line --index 0 --regexp '^# Rejected by mmcleanup at [0-9TZ:-]+: still queued when mixmaster.service stopped \(service result exit-code, exited 3\); see journalctl --user -u mixmaster.service$'
  assert_line --index 1 "# Fix the cause, then move this file back into the spool to build it."
}

@test "a rejected job never replaces an earlier one of the same name" {
  mkdir -p "$REJECTED"
  echo earlier >"$REJECTED/job.ini"
  queue job.ini
  SERVICE_RESULT=signal run mm_as_journal "$MM_BIN/mmcleanup"
  assert_success
  assert_output --partial "moved to $REJECTED/job-1.ini"
  assert_equal "$(cat "$REJECTED/job.ini")" earlier
  grep -qx 'id = job' "$REJECTED/job-1.ini"
  [ -f "$REJECTED/job-1.ini" ]
}

@test "by hand it moves only what mmbuild cannot take, after --yes, each with its reason" {
  printf '[_]\n\n[a/b]\nmain = make\n' | mm_write_config
  queue 20260101-000000-a.ini
  printf '[job]\nid = x\nscm = git\nproject = x/y\nrepositoryUrl = /r\ntarget = main\n' \
    >"$SPOOL/20260101-000001-unknown.ini"
  echo notes >"$SPOOL/notes.txt"
  # No terminal to ask on, no --yes: the plan, and nothing moved.
  run env -u SERVICE_RESULT "$MM_BIN/mmcleanup" </dev/null
  assert_failure 2
  assert_line --index 0 "mmcleanup will move to $REJECTED/:"
  assert_line --index 1 "  20260101-000001-unknown.ini: $SPOOL/20260101-000001-unknown.ini: unknown project x/y"
  assert_line --index 2 "  notes.txt: not a job: mmbuild takes regular *.ini files only"
  assert_line --partial 'no terminal to ask on: run `mmcleanup --yes`'
  assert_equal "$(mm_spool_count "$SPOOL")" 3
  [ ! -e "$REJECTED" ]

  run env -u SERVICE_RESULT "$MM_BIN/mmcleanup" --yes
  assert_success
  # Not the journal: plain lines with the program's name, no <4>.
  assert_line --regexp '^mmcleanup: job 20260101-000001-unknown\.ini rejected: moved to .*\(no \$SERVICE_RESULT: run by hand\)$'
  # The job mmbuild can build stays queued.
  [ -f "$SPOOL/20260101-000000-a.ini" ]
  assert_equal "$(mm_spool_count "$SPOOL")" 1
  # Each says why: a job in its last lines, anything else in NAME.why.
  run tail -2 "$REJECTED/20260101-000001-unknown.ini"
  assert_line --index 0 --regexp "^# Rejected by mmcleanup at [0-9TZ:-]+: $SPOOL/20260101-000001-unknown.ini: unknown project x/y\$"
  assert_equal "$(cat "$REJECTED/notes.txt")" notes
  run cat "$REJECTED/notes.txt.why"
  assert_output --regexp '^# Rejected by mmcleanup at [0-9TZ:-]+: not a job: mmbuild takes regular \*\.ini files only$'

  run env -u SERVICE_RESULT "$MM_BIN/mmcleanup"
  assert_success
  assert_output "Nothing to clean in $SPOOL: mmbuild can take every job there."
  [ -f "$SPOOL/20260101-000000-a.ini" ]
}

@test "by hand on a terminal it asks; no is nothing done, yes goes ahead; --all takes every job" {
  queue 20260101-000000-a.ini
  run script -qec "env -u SERVICE_RESULT $MM_BIN/mmcleanup" /dev/null <<<n
  assert_failure 1
  assert_output --partial "Go ahead? [y/N]"
  assert_output --partial "Nothing done."
  [ -f "$SPOOL/20260101-000000-a.ini" ]
  run script -qec "env -u SERVICE_RESULT $MM_BIN/mmcleanup" /dev/null <<<y
  assert_success
  [ -f "$REJECTED/20260101-000000-a.ini" ]
  # A job mmbuild could build goes only with --all.
  printf '[_]\n\n[a/b]\nmain = make\n' | mm_write_config
  queue 20260101-000001-b.ini
  run env -u SERVICE_RESULT "$MM_BIN/mmcleanup" --yes
  assert_success
  [ -f "$SPOOL/20260101-000001-b.ini" ]
  run env -u SERVICE_RESULT "$MM_BIN/mmcleanup" --all --yes
  assert_success
  [ -f "$REJECTED/20260101-000001-b.ini" ]
  run tail -2 "$REJECTED/20260101-000001-b.ini"
  assert_line --index 0 --regexp '^# Rejected by mmcleanup at [0-9TZ:-]+: moved by hand with mmcleanup --all$'
}

@test "--delete deletes instead of moving" {
  queue a.ini
  SERVICE_RESULT=timeout run mm_as_journal "$MM_BIN/mmcleanup" --delete
  assert_success
  assert_output --partial "<4>job a.ini deleted from $SPOOL"
  assert_equal "$(mm_spool_count "$SPOOL")" 0
  [ ! -e "$REJECTED" ]
}

@test "an unreadable configuration falls back to ~/Builds/INBOX, so the path unit cannot loop" {
  printf '[_]\nspool = ~/elsewhere\nthis is not ini\n' | mm_write_config
  queue a.ini
  SERVICE_RESULT=exit-code run mm_as_journal "$MM_BIN/mmcleanup"
  assert_success
  assert_line --index 0 --regexp "^<4>cannot use the configuration \(.*mixmaster.ini:3: .*\); cleaning $SPOOL$"
  [ -f "$REJECTED/a.ini" ]
  rm "$MM_CONFIG"
  queue b.ini
  SERVICE_RESULT=exit-code run mm_as_journal "$MM_BIN/mmcleanup"
  assert_success
  [ -f "$REJECTED/b.ini" ]
}

@test "the configuration's spool and build root are used; options override them" {
  printf '[_]\nbuildRoot = ~/b\nspool = ~/in\n' | mm_write_config
  mkdir -p "$HOME/in"
  echo x >"$HOME/in/a.ini"
  SERVICE_RESULT=exit-code run mm_as_journal "$MM_BIN/mmcleanup"
  assert_success
  [ -f "$HOME/b/REJECTED/a.ini" ]
  echo y >"$BATS_TEST_TMPDIR/c.ini"
  mkdir -p "$BATS_TEST_TMPDIR/other"
  mv "$BATS_TEST_TMPDIR/c.ini" "$BATS_TEST_TMPDIR/other/c.ini"
  SERVICE_RESULT=exit-code run mm_as_journal "$MM_BIN/mmcleanup" --spool "$BATS_TEST_TMPDIR/other" \
    --build-root "$BATS_TEST_TMPDIR/root"
  assert_success
  [ -f "$BATS_TEST_TMPDIR/root/REJECTED/c.ini" ]
}

@test "an explicit --config that cannot be read is a configuration error" {
  queue a.ini
  SERVICE_RESULT=exit-code run mm_as_journal "$MM_BIN/mmcleanup" --config "$BATS_TEST_TMPDIR/none.ini"
  assert_failure 3
  assert_output --partial "$BATS_TEST_TMPDIR/none.ini"
  [ -f "$SPOOL/a.ini" ]
}

@test "when REJECTED cannot be made the jobs stay and it exits 4" {
  echo 'not a directory' >"$REJECTED"
  queue a.ini
  SERVICE_RESULT=exit-code run mm_as_journal "$MM_BIN/mmcleanup"
  assert_failure 4
  assert_output --regexp "^<3>.*$REJECTED"
  [ -f "$SPOOL/a.ini" ]
}

@test "an empty or missing spool is nothing to do" {
  SERVICE_RESULT=exit-code run mm_as_journal "$MM_BIN/mmcleanup"
  assert_success
  assert_output ""
  rmdir "$SPOOL"
  SERVICE_RESULT=exit-code run mm_as_journal "$MM_BIN/mmcleanup"
  assert_success
  [ ! -e "$REJECTED" ]
}
