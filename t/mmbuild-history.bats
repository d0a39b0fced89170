#!/usr/bin/env bats
# mmbuild --list, --follow and --rebuild (mmbuild(1) HISTORY): real builds
# run by the real mmbuild, then read back from their logs.
load helpers/common
load helpers/git
load helpers/jobs

setup() {
  jobs_setup
  GO=$BATS_TEST_TMPDIR/go
  mm_write_config <<EOF
[_]
buildRoot = $BUILDS

[acme/app]
main = echo built main
failing = echo about to fail; exit 3
waiting = echo started; while [ ! -e '$GO' ]; do sleep 0.1; done; echo finished-now
EOF
  mm_git push -q origin main:failing main:waiting
}

teardown() { kill_background; }

@test "--list: newest first with project, target, status and duration; by project" {
  spool_job 20261125-120000-000001-1-aaaaaaaa
  spool_job 20261125-120001-000001-1-bbbbbbbb target=failing
  mmbuild_succeeds
  mmbuild_succeeds --list
  assert_line --index 0 --regexp '^20261125-120001-000001-1-bbbbbbbb  acme/app  failing  failure  [0-9.]+s$'
  assert_line --index 1 --regexp '^20261125-120000-000001-1-aaaaaaaa  acme/app  main  success  [0-9.]+s$'
  [ "${#lines[@]}" = 2 ]
  [[ "$output" != *$'\033'* ]]  # no colour when not a terminal
  mmbuild_succeeds --list acme/app
  [ "${#lines[@]}" = 2 ]
  run "$MM_BIN/mmbuild" --list no/such-project
  assert_equal "$status" 1
  assert_output --partial "no builds of project no/such-project"
}

# mmbuild(1) BUILD HISTORY: what waits in the spool is listed first, in the
# order mmbuild takes it, then what runs, then the rest.
@test "--list: queued jobs first with their place in the queue, then the running build, then the rest" {
  spool_job 20261125-120000-000001-1-aaaaaaaa
  mmbuild_succeeds
  spool_job 20261125-120001-000001-1-bbbbbbbb target=waiting
  mmbuild_in_background
  wait_until grep -q '^..:..:.. O started' "$(log_path 20261125-120001-000001-1-bbbbbbbb)"
  # One build slot (jobs = 1), taken: these wait in the spool.
  spool_job 20261125-120003-000001-1-dddddddd target=failing
  spool_job 20261125-120002-000001-1-cccccccc
  for project in "" acme/app; do
    mmbuild_succeeds --list $project
    assert_line --index 0 '20261125-120002-000001-1-cccccccc  acme/app  main  queued   #1'
    assert_line --index 1 '20261125-120003-000001-1-dddddddd  acme/app  failing  queued   #2'
    assert_line --index 2 '20261125-120001-000001-1-bbbbbbbb  acme/app  waiting  running  -'
    assert_line --index 3 --regexp '^20261125-120000-000001-1-aaaaaaaa  acme/app  main  success  [0-9.]+s$'
    [ "${#lines[@]}" = 4 ]
  done
  run script -qec "$MM_BIN/mmbuild --list" /dev/null
  [[ "$output" == *$'\033[2mqueued\033[0m   #1'* ]]
  touch "$GO"
  wait_for_mmbuild
  assert_equal "$MMBUILD_RC" 0
  mmbuild_succeeds --list
  assert_line --index 0 --regexp '^20261125-120003-000001-1-dddddddd  acme/app  failing  failure  [0-9.]+s$'
  assert_line --index 1 --regexp '^20261125-120002-000001-1-cccccccc  acme/app  main  success  [0-9.]+s$'
  assert_line --index 2 --regexp '^20261125-120001-000001-1-bbbbbbbb  acme/app  waiting  success  [0-9.]+s$'
  [ "${#lines[@]}" = 4 ]
}

@test "--list colours the status on a terminal" {
  spool_job 20261125-120000-000001-1-aaaaaaaa
  mmbuild_succeeds
  run script -qec "$MM_BIN/mmbuild --list" /dev/null
  [[ "$output" == *$'\033[32msuccess\033[0m'* ]]
}

@test "--follow: the whole log; exit 0 for success, 1 for failure, 2 for no such job" {
  spool_job 20261125-120000-000001-1-aaaaaaaa
  spool_job 20261125-120001-000001-1-bbbbbbbb target=failing
  mmbuild_succeeds
  run "$MM_BIN/mmbuild" --follow 20261125-120000-000001-1-aaaaaaaa
  assert_success
  assert_equal "$output" "$(log_of 20261125-120000-000001-1-aaaaaaaa)"
  run "$MM_BIN/mmbuild" --follow 20261125-120001-000001-1-bbbbbbbb
  assert_equal "$status" 1
  assert_line 'status = failure'
  run "$MM_BIN/mmbuild" --follow 20261125-999999-000001-1-cccccccc
  assert_equal "$status" 2
  assert_output --partial "no build log with id"
  run "$MM_BIN/mmbuild" --follow ../../etc/passwd
  assert_equal "$status" 2
}

@test "--follow masks the credentials of the job's URLs" {
  spool_job 20261125-120000-000001-1-aaaaaaaa viewUrl=https://me:s3cret@forge.example/c
  mmbuild_succeeds
  run "$MM_BIN/mmbuild" --follow 20261125-120000-000001-1-aaaaaaaa
  assert_success
  assert_line 'viewUrl = https://me:***@forge.example/c'
  refute_output --partial s3cret
}

@test "the journal and the log of a failed fetch mask the credentials of its URL" {
  # Nothing listens on port 9 of loopback: the fetch fails at once, and
  # libgit2's message names the URL.
  spool_job 20261125-120000-000001-1-aaaaaaaa \
    repositoryUrl=https://me:s3cret@127.0.0.1:9/acme/app.git
  run "$MM_BIN/mmbuild"
  assert_equal "$(status_of 20261125-120000-000001-1-aaaaaaaa)" error
  # mmbuild's stderr is its journal (StandardError=journal).
  assert_output --partial "job 20261125-120000-000001-1-aaaaaaaa (acme/app main): error"
  refute_output --partial s3cret
  run "$MM_BIN/mmbuild" --follow 20261125-120000-000001-1-aaaaaaaa
  assert_output --partial 'https://me:***@127.0.0.1:9/acme/app.git'
  refute_output --partial s3cret
}

@test "--follow a running build: lines as they come, until [result]" {
  spool_job 20261125-120000-000001-1-aaaaaaaa target=waiting
  mmbuild_in_background
  wait_until grep -q '^..:..:.. O started' "$(log_path 20261125-120000-000001-1-aaaaaaaa)"
  "$MM_BIN/mmbuild" --follow 20261125-120000-000001-1-aaaaaaaa >"$BATS_TEST_TMPDIR/followed" &
  follower=$!
  BG_PIDS+=("$follower")
  wait_until grep -q 'O started' "$BATS_TEST_TMPDIR/followed"
  ! finished "$follower"
  touch "$GO"
  wait_until finished "$follower"
  wait "$follower"
  wait_for_mmbuild
  cmp "$BATS_TEST_TMPDIR/followed" "$(log_path 20261125-120000-000001-1-aaaaaaaa)"
  grep -q 'O finished-now' "$BATS_TEST_TMPDIR/followed"
}

@test "--rebuild: a copy of the job under a new id, which then builds" {
  spool_job 20261125-120000-000001-1-aaaaaaaa commit="$(mm_git rev-parse main)"
  mmbuild_succeeds
  run "$MM_BIN/mmbuild" --rebuild 20261125-120000-000001-1-aaaaaaaa
  assert_success
  new=${lines[0]#queued }
  [ "$new" != 20261125-120000-000001-1-aaaaaaaa ]
  [ -f "$SPOOL/$new.ini" ]
  grep -qx "id = $new" "$SPOOL/$new.ini"
  grep -qx "target = main" "$SPOOL/$new.ini"
  grep -qx "commit = $(mm_git rev-parse main)" "$SPOOL/$new.ini"
  ! grep -q '^\[build\]' "$SPOOL/$new.ini"
  mmbuild_succeeds
  assert_equal "$(result_of "$new")" "success 0"
  assert_equal "$(mm_spool_count "$SPOOL")" 0
}

@test "--rebuild of no such job: exit 1, nothing queued; options exclude each other" {
  run "$MM_BIN/mmbuild" --rebuild 20261125-999999-000001-1-cccccccc
  assert_equal "$status" 1
  assert_output --partial "no build log with id"
  assert_equal "$(mm_spool_count "$SPOOL")" 0
  run "$MM_BIN/mmbuild" --list --follow x
  assert_equal "$status" 2
}

@test "--follow and --rebuild take any unique prefix of an id, or last (of a project)" {
  spool_job 20261125-120000-000001-1-aaaaaaaa
  spool_job 20261125-120001-000001-1-bbbbbbbb target=failing
  mmbuild_succeeds
  run "$MM_BIN/mmbuild" --follow 20261125-120000
  assert_success
  assert_equal "$output" "$(log_of 20261125-120000-000001-1-aaaaaaaa)"
  run "$MM_BIN/mmbuild" --follow 20261125-12000
  assert_equal "$status" 2
  assert_output --partial "id 20261125-12000 is ambiguous: 2 builds start with it (20261125-120001-000001-1-bbbbbbbb, 20261125-120000-000001-1-aaaaaaaa)"
  run "$MM_BIN/mmbuild" --follow last
  assert_equal "$status" 1
  assert_line "id = 20261125-120001-000001-1-bbbbbbbb"
  run "$MM_BIN/mmbuild" --follow last acme/app
  assert_equal "$status" 1
  assert_line "id = 20261125-120001-000001-1-bbbbbbbb"
  run "$MM_BIN/mmbuild" --follow last no/such
  assert_equal "$status" 2
  assert_output --partial "no build of no-such"
  run "$MM_BIN/mmbuild" --rebuild 20261125-120000
  assert_success
  assert_line --index 0 --regexp '^queued [0-9]{8}-'
  new=${lines[0]#queued }
  grep -qx "rebuildOf = 20261125-120000-000001-1-aaaaaaaa" "$SPOOL/$new.ini"
}

@test "--rebuild runs the command the configuration gives now, and the log says so" {
  # As mmbridge writes it: it only selects; the configuration of its time
  # gave `echo built main`.
  spool_job 20261125-120000-000001-1-aaaaaaaa
  mmbuild_succeeds
  sed -i 's/^main = echo built main$/main = echo rebuilt main/' "$MM_CONFIG"
  run "$MM_BIN/mmbuild" --rebuild last
  assert_success
  new=${lines[0]#queued }
  assert_line --index 1 'a rebuild of 20261125-120000-000001-1-aaaaaaaa with the command of key `main` in the configuration: echo rebuilt main'
  # The copy selects too: the command is the configuration's when it runs.
  ! grep -q "buildCommand" "$SPOOL/$new.ini"
  mmbuild_succeeds
  run log_lines "$new"
  assert_line "# Rebuild of job 20261125-120000-000001-1-aaaaaaaa with the command the configuration gives: echo rebuilt main"
  assert_line "O rebuilt main"
  # The configuration has no command for the target any more: nothing queued.
  sed -i '/^main = /d' "$MM_CONFIG"
  run "$MM_BIN/mmbuild" --rebuild "$new"
  assert_equal "$status" 1
  assert_output --partial "no build configured for main"
  assert_equal "$(mm_spool_count "$SPOOL")" 0
}
