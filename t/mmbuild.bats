#!/usr/bin/env bats
# mmbuild from the outside (SPEC 6): real repositories in temp dirs, real
# processes, real signals.
load helpers/common
load helpers/git
load helpers/jobs

setup() {
  mm_private_home
  BUILDS=$BATS_TEST_TMPDIR/builds
  SPOOL=$BUILDS/INBOX
  mkdir -p "$SPOOL"
  mm_git_remote "$BATS_TEST_TMPDIR/git"
  write_config ""
  BG_PIDS=()
}

teardown() {
  local pid
  for pid in "${BG_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}

# write_config EXTRA_SETTINGS [EXTRA_PROJECT_LINES]
write_config() {
  mm_write_config <<EOF
[_]
buildRoot = $BUILDS
$1

[acme/app]
main = echo built main; cat README
main/docs = echo docs task
release = echo release build from \$MIXMASTER_TARGET; cat release.txt
refs/tags/v = echo tag build; cat README
failing = exit 3
$2
EOF
}

workspace() { echo "$BUILDS/acme-app/$1"; }

@test "--help, --version and usage errors" {
  run "$MM_BIN/mmbuild" --help
  assert_success
  assert_output --partial "Usage:"
  run "$MM_BIN/mmbuild" --version
  assert_success
  assert_output "$(sed -n 's/^VERSION := //p' "$MM_ROOT/Makefile")"
  run "$MM_BIN/mmbuild" --no-such-option
  assert_equal "$status" 2
  run "$MM_BIN/mmbuild" --config "$BATS_TEST_TMPDIR/missing.ini"
  assert_equal "$status" 3
  assert_output --partial "cannot read configuration"
}

@test "a successful build: status success, exitCode 0, output in the log" {
  spool_job 20260101-000001-a
  run "$MM_BIN/mmbuild"
  assert_success
  assert_equal "$(status_of 20260101-000001-a)" success
  assert_equal "$(exit_code_of 20260101-000001-a)" 0
  run log_lines 20260101-000001-a
  assert_line "O built main"
  assert_line "O first"
  assert_line "# Build finished"
  assert_equal "$(mm_spool_count "$SPOOL")" 0
  # The job file itself became the log, [job] first.
  run head -2 "$BUILDS/acme-app/JOBS/20260101-000001-a.log"
  assert_output "$(printf '[job]\nid = 20260101-000001-a')"
}

@test "a failing build: status failure with the command's exitCode; mmbuild exits 0" {
  mm_git push -q origin main:failing
  spool_job f1 target=failing
  run "$MM_BIN/mmbuild"
  assert_success
  assert_equal "$(status_of f1)" failure
  assert_equal "$(exit_code_of f1)" 3
  run log_lines f1
  assert_line "# Build failed: exit code 3"
}

@test "a prefix key builds the longer target, which is what is checked out" {
  mm_git checkout -q -b release/1.0
  mm_git_commit release.txt "release one" >/dev/null
  mm_git_push
  spool_job r1 target=release/1.0
  run "$MM_BIN/mmbuild"
  assert_success
  assert_equal "$(status_of r1)" success
  run log_lines r1
  assert_line "O release build from release/1.0"
  assert_line "O release one"
  assert [ -d "$(workspace release-1.0)" ]
}

@test "a task build runs the task's command on the target" {
  spool_job t1 task=docs
  run "$MM_BIN/mmbuild"
  assert_success
  run log_lines t1
  assert_line "$ echo docs task"
  assert_line "O docs task"
}

@test "a pinned commit is built after the branch moved on" {
  pinned=$(mm_git_commit README "second")
  mm_git_commit README "third" >/dev/null
  mm_git_push
  spool_job p1 commit="$pinned"
  run "$MM_BIN/mmbuild"
  assert_success
  assert_equal "$(git -C "$(workspace main)" rev-parse HEAD)" "$pinned"
  run log_lines p1
  assert_line "O second"
  assert_line "$ git checkout --force --detach $pinned"
}

@test "a force-pushed branch is followed" {
  spool_job a1
  "$MM_BIN/mmbuild"
  mm_git_commit README "to be rewritten" >/dev/null
  mm_git_push
  spool_job a2
  "$MM_BIN/mmbuild"
  mm_git reset -q --hard HEAD~1
  rewritten=$(mm_git_commit README "rewritten")
  mm_git push -q -f origin main
  spool_job a3
  run "$MM_BIN/mmbuild"
  assert_success
  assert_equal "$(status_of a3)" success
  assert_equal "$(git -C "$(workspace main)" rev-parse HEAD)" "$rewritten"
  run log_lines a3
  assert_line "O rewritten"
}

@test "a dirty workspace is cleaned: changes discarded, untracked files removed" {
  spool_job d1
  "$MM_BIN/mmbuild"
  ws=$(workspace main)
  echo "local edit" >"$ws/README"
  echo junk >"$ws/untracked.txt"
  mkdir "$ws/newdir" && touch "$ws/newdir/file"
  spool_job d2
  run "$MM_BIN/mmbuild"
  assert_success
  assert_equal "$(status_of d2)" success
  assert_equal "$(cat "$ws/README")" first
  assert [ ! -e "$ws/untracked.txt" ]
  assert [ ! -e "$ws/newdir" ]
  assert_equal "$(git -C "$ws" status --porcelain)" ""
}

@test "a half-cloned workspace is cloned afresh" {
  ws=$(workspace main)
  mkdir -p "$ws/.git/objects"
  echo "not a ref" >"$ws/.git/HEAD"
  touch "$ws/leftover"
  spool_job h1
  run "$MM_BIN/mmbuild"
  assert_success
  assert_equal "$(status_of h1)" success
  assert [ ! -e "$ws/leftover" ]
  run log_lines h1
  assert_line --partial "# workspace $ws is not usable"
  assert_line "O first"
}

@test "a changed repository URL is fetched from" {
  spool_job u1
  "$MM_BIN/mmbuild"
  moved=$BATS_TEST_TMPDIR/moved.git
  git clone -q --bare "$MM_GIT_REMOTE" "$moved"
  moved_commit=$(mm_git_commit README "only at the new URL")
  mm_git push -q "$moved" main
  spool_job u2 repositoryUrl="$moved"
  run "$MM_BIN/mmbuild"
  assert_success
  assert_equal "$(status_of u2)" success
  assert_equal "$(git -C "$(workspace main)" rev-parse HEAD)" "$moved_commit"
  assert_equal "$(git -C "$(workspace main)" remote get-url origin)" "$moved"
  run log_lines u2
  assert_line "$ git remote set-url origin $moved"
}

@test "a tag is built from its full ref" {
  mm_git_commit README "after the tag" >/dev/null
  mm_git_push
  spool_job g1 target=refs/tags/v1
  run "$MM_BIN/mmbuild"
  assert_success
  assert_equal "$(status_of g1)" success
  run log_lines g1
  assert_line "O tag build"
  assert_line "O first"
  assert [ -d "$(workspace refs-tags-v1)" ]
}

@test "stdout and stderr lines are marked O and ! in the order they came" {
  # Each line waits until the previous one is in the log.
  write_config "" "ordered = echo one; w() { for i in \$(seq 300); do grep -q \"\$1\" \"\$MIXMASTER_LOG\" && return; sleep 0.1; done; }; w ' O one\$'; echo two >&2; w ' ! two\$'; echo three; w ' O three\$'; echo four >&2"
  mm_git push -q origin main:ordered
  spool_job o1 target=ordered
  run "$MM_BIN/mmbuild"
  assert_success
  run bash -c "sed -n 's/^..:..:.. \([O!]\) /\1 /p' '$BUILDS/acme-app/JOBS/o1.log'"
  assert_output "$(printf 'O one\n! two\nO three\n! four')"
}

@test "the command sees the MIXMASTER_* variables" {
  write_config "" "vars = env | grep '^MIXMASTER_' | sort"
  mm_git push -q origin main:vars
  commit=$(mm_git rev-parse main)
  spool_job v1 target=vars commit="$commit" task= viewUrl='https://example.org/$(touch X)'
  run "$MM_BIN/mmbuild"
  assert_success
  run log_lines v1
  assert_line "O MIXMASTER_PROJECT=acme/app"
  assert_line "O MIXMASTER_TARGET=vars"
  assert_line "O MIXMASTER_TASK="
  assert_line "O MIXMASTER_COMMIT=$commit"
  assert_line "O MIXMASTER_REPOSITORY_URL=$MM_GIT_REMOTE"
  assert_line 'O MIXMASTER_VIEW_URL=https://example.org/$(touch X)'
  assert_line "O MIXMASTER_JOB=v1"
  assert_line "O MIXMASTER_LOG=$BUILDS/acme-app/JOBS/v1.log"
  assert_line "O MIXMASTER_WORKSPACE=$(workspace vars)"
}

@test "mmbuild FILE copies the job into JOBS and leaves FILE in place" {
  spool_job file1
  mv "$SPOOL/file1.ini" "$BATS_TEST_TMPDIR/by-hand.ini"
  run "$MM_BIN/mmbuild" "$BATS_TEST_TMPDIR/by-hand.ini"
  assert_success
  assert [ -f "$BATS_TEST_TMPDIR/by-hand.ini" ]
  assert_equal "$(status_of file1)" success
  # Given again, it gets a fresh id instead of replacing the first log.
  run "$MM_BIN/mmbuild" --config "$MM_CONFIG" "$BATS_TEST_TMPDIR/by-hand.ini"
  assert_success
  assert_equal "$(ls "$BUILDS/acme-app/JOBS/" | grep -c '\.log$')" 2
  assert_equal "$(status_of file1)" success
}

@test "mmbuild - reads a job on stdin; buildCommand and mode come from the config" {
  printf '[job]\nid = stdin1\nscm = git\nproject = acme/app\nrepositoryUrl = %s\ntarget = main\n' \
    "$MM_GIT_REMOTE" >"$BATS_TEST_TMPDIR/job.ini"
  run "$MM_BIN/mmbuild" - <"$BATS_TEST_TMPDIR/job.ini"
  assert_success
  assert_equal "$(status_of stdin1)" success
  run log_lines stdin1
  assert_line "$ echo built main; cat README"
  run "$MM_BIN/mmbuild" - <<<"not a job"
  assert_equal "$status" 1
  assert_output --partial "stdin:1: expected \`key = value\`"
  run "$MM_BIN/mmbuild" "$BATS_TEST_TMPDIR/missing.ini"
  assert_equal "$status" 1
  assert_output --partial "missing.ini: No such file or directory"
}

@test "dry run logs every step and does nothing" {
  write_config "mode = dryrun"
  spool_job dry1
  run "$MM_BIN/mmbuild"
  assert_success
  assert_equal "$(status_of dry1)" success
  run log_lines dry1
  assert_line "$ git fetch origin main"
  assert_line "$ git checkout --force --detach origin/main"
  assert_line "$ echo built main; cat README"
  refute_line "O built main"
  assert [ ! -e "$(workspace main)" ]
}

# The process group of the build running `sleep 600`, once it runs.
build_group() { cat "$BATS_TEST_TMPDIR/group" 2>/dev/null; }
# group_alive PGID: a process of the group is alive (zombies, which this
# machine's init may take a moment to reap, do not count).
group_alive() { ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'; }

@test "SIGTERM stops the build: killed, an X line, no process left, the queue kept" {
  write_config "" "sleeper = echo \$\$ > '$BATS_TEST_TMPDIR/group'; sleep 600 & sleep 600"
  mm_git push -q origin main:sleeper
  spool_job 1-sleeper target=sleeper
  spool_job 2-queued
  spool_job 3-queued
  "$MM_BIN/mmbuild" 2>"$BATS_TEST_TMPDIR/stderr" &
  mmbuild=$!
  BG_PIDS+=("$mmbuild")
  wait_until test -s "$BATS_TEST_TMPDIR/group"
  group=$(build_group)
  wait_until group_alive "$group"
  kill -TERM "$mmbuild"
  wait_until finished "$mmbuild"
  wait "$mmbuild" && rc=0 || rc=$?
  assert_equal "$rc" 0
  assert_equal "$(status_of 1-sleeper)" killed
  run log_lines 1-sleeper
  assert_line "X Build stopped: mmbuild was asked to stop"
  run group_alive "$group"
  assert_failure
  assert [ -f "$SPOOL/2-queued.ini" ]
  assert [ -f "$SPOOL/3-queued.ini" ]
}

@test "timeout = 2 kills the build and the next job still runs" {
  write_config "timeout = 2" "sleeper = echo \$\$ > '$BATS_TEST_TMPDIR/group'; sleep 600 & sleep 600"
  mm_git push -q origin main:sleeper
  spool_job 1-sleeper target=sleeper
  spool_job 2-next
  run "$MM_BIN/mmbuild"
  assert_success
  assert_equal "$(status_of 1-sleeper)" killed
  run log_lines 1-sleeper
  assert_line "X Build stopped: timeout: the build ran longer than 2 s"
  run group_alive "$(build_group)"
  assert_failure
  assert_equal "$(status_of 2-next)" success
}

@test "bad jobs end in REJECTED/ or an error log, and the next job still runs" {
  : >"$SPOOL/1-empty.ini"
  echo "this is not INI" >"$SPOOL/2-not-ini.ini"
  printf '[job]\nid = 3\nscm = git\n' >"$SPOOL/3-missing-keys.ini"
  spool_job 4-unknown-scm scm=svn
  spool_job 5-unknown-project project=nobody/nothing
  spool_job 6-unsafe-id id=../../x
  spool_job 7-good
  run "$MM_BIN/mmbuild"
  assert_success
  assert_equal "$(ls "$BUILDS/REJECTED")" "$(printf '1-empty.ini\n2-not-ini.ini\n3-missing-keys.ini\n5-unknown-project.ini')"
  assert_output --partial "1-empty.ini: not a job file: expected one [job] section"
  assert_output --partial "2-not-ini.ini:1: expected \`key = value\`"
  assert_output --partial "3-missing-keys.ini: job has no project"
  assert_output --partial "5-unknown-project.ini: unknown project nobody/nothing"
  assert_equal "$(status_of 4-unknown-scm)" error
  run log_lines 4-unknown-scm
  assert_line "# Build error: unsupported scm \`svn\`: only git is supported"
  # The unsafe id got a fresh one, inside JOBS/, and ran.
  unsafe=$(grep -l '^id = \.\./\.\./x$' "$BUILDS"/acme-app/JOBS/*.log)
  run cat "$unsafe"
  assert_line --partial "# job id \`../../x\` is not a safe file name; this build is "
  assert_line "status = success"
  assert [ ! -e "$BUILDS/x" ] && assert [ ! -e "$BATS_TEST_TMPDIR/x" ]
  assert_equal "$(status_of 7-good)" success
  assert_equal "$(mm_spool_count "$SPOOL")" 0
}

@test "injection: request values never reach a shell, a git option or a path" {
  write_config "" "\$ = touch Y
inject = touch Z"
  cat >>"$MM_CONFIG" <<'EOF'

[../$(touch X);touch X]
main = echo evil project built
EOF
  mm_git push -q origin main:inject
  spool_job i1 target='$(touch X)'
  spool_job i2 target='main;touch X'
  spool_job i3 target=inject commit=';touch X'
  spool_job i4 target=inject repositoryUrl='--upload-pack=touch X'
  spool_job i5 target=inject repositoryUrl='$(touch X)'
  spool_job i6 target='../../x'
  spool_job i7 project='../$(touch X);touch X'
  spool_job i8 target=inject task='$(touch X)' viewUrl='`touch X`' \
    message='$(touch X)' buildCommand='echo "$MIXMASTER_TASK" "$MIXMASTER_VIEW_URL"'
  mkdir "$BATS_TEST_TMPDIR/cwd"
  outside_builds() { find "$BATS_TEST_TMPDIR" -path "$BUILDS" -prune -o -print | sort; }
  before=$(outside_builds)
  cd "$BATS_TEST_TMPDIR/cwd"
  run "$MM_BIN/mmbuild"
  assert_success
  # Nothing new outside the build root.
  assert_equal "$(outside_builds)" "$before"
  run find "$BATS_TEST_TMPDIR" -name X -o -name Y
  assert_output ""
  for job in i1 i2 i3 i4 i5 i6; do
    assert_equal "$(status_of "$job")" error
  done
  run log_lines i1
  assert_line "# Build error: refusing target \`\$(touch X)\`: not a valid branch or ref name"
  run log_lines i3
  assert_line "# Build error: refusing commit \`;touch X\`: not 4 to 40 hex digits"
  run log_lines i4
  assert_line "# Build error: refusing repository URL \`--upload-pack=touch X\`: empty, starting with \`-\`, or holding control characters"
  # The oddly named project builds, inside the build root.
  evil=$(ls -d "$BUILDS"/*touch*)
  assert_equal "$(dirname "$evil")" "$BUILDS"
  assert_equal "$(sed -n 's/^status = //p' "$evil"/JOBS/i7.log)" success
  # The task and URLs only reached the command as variables.
  assert_equal "$(status_of i8)" success
  run log_lines i8
  assert_line 'O $(touch X) `touch X`'
  refute_line --partial "Build error"
}

@test "two mmbuild processes build each of 50 jobs exactly once" {
  write_config "mode = dryrun"
  for i in $(seq -w 1 50); do spool_job "20260101-0000$i-x"; done
  "$MM_BIN/mmbuild" 2>/dev/null &
  first=$!
  "$MM_BIN/mmbuild" 2>/dev/null &
  second=$!
  BG_PIDS+=("$first" "$second")
  wait_until finished "$first"
  wait_until finished "$second"
  wait "$first"
  wait "$second"
  assert_equal "$(mm_spool_count "$SPOOL")" 0
  assert_equal "$(ls "$BUILDS/acme-app/JOBS" | grep -c '\.log$')" 50
  for i in $(seq -w 1 50); do
    assert_equal "$(grep -c '^\[result\]$' "$BUILDS/acme-app/JOBS/20260101-0000$i-x.log")" 1
    assert_equal "$(status_of "20260101-0000$i-x")" success
  done
}
