#!/usr/bin/env bats
# mmbuild from the outside (mmbuild(1)): real repositories in temp dirs, real
# processes, real signals.
load helpers/common
load helpers/git
load helpers/jobs

setup() {
  jobs_setup
  write_config ""
}

teardown() { kill_background; }

# write_config EXTRA_SETTINGS [EXTRA_PROJECT_LINES]
write_config() {
  mm_write_config <<EOF
[_]
buildRoot = $BUILDS
# Every job queued here builds (superseding: mmbuild-queue.bats).
supersede = no
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

@test "--help, --version and usage errors" {
  mmbuild_succeeds --help
  assert_output --partial "Usage:"
  # Every place it looks for the configuration, the usual one too.
  assert_output --partial '$MIXMASTER_CONFIG'
  assert_output --partial '$XDG_CONFIG_HOME/mixmaster.ini'
  assert_output --partial '~/.config/mixmaster.ini'
  mmbuild_succeeds --version
  assert_output "$(sed -n 's/^VERSION := //p' "$MM_ROOT/Makefile")"
  run "$MM_BIN/mmbuild" --no-such-option
  assert_equal "$status" 2
  run "$MM_BIN/mmbuild" --config "$BATS_TEST_TMPDIR/missing.ini"
  assert_equal "$status" 3
  assert_output --partial "cannot read configuration"
}

@test "success and failure: status and exitCode in the log; mmbuild exits 0" {
  mm_git push -q origin main:failing
  spool_job 20260101-000001-a
  spool_job 20260101-000002-f target=failing
  mmbuild_succeeds
  assert_equal "$(result_of 20260101-000001-a)" "success 0"
  assert_equal "$(result_of 20260101-000002-f)" "failure 3"
  run log_lines 20260101-000001-a
  assert_line "O built main"
  assert_line "O first"
  assert_line "# Build finished"
  run log_lines 20260101-000002-f
  assert_line "# Build failed: exit code 3"
  assert_equal "$(mm_spool_count "$SPOOL")" 0
  # The job file itself became the log, [job] first.
  run head -2 "$(log_path 20260101-000001-a)"
  assert_output "$(printf '[job]\nid = 20260101-000001-a')"
}

@test "a prefix key builds the longer target, which is what is checked out" {
  mm_git checkout -q -b release/1.0
  mm_git_commit release.txt "release one" >/dev/null
  mm_git_push
  spool_job r1 target=release/1.0
  mmbuild_succeeds
  assert_equal "$(status_of r1)" success
  run log_lines r1
  assert_line "O release build from release/1.0"
  assert_line "O release one"
  assert [ -d "$(workspace release-1.0)" ]
}

@test "a task build runs the task's command on the target" {
  spool_job t1 task=docs
  mmbuild_succeeds
  assert_equal "$(status_of t1)" success
  run log_lines t1
  assert_line "$ echo docs task"
  assert_line "O docs task"
  refute_line "O built main"
  assert_equal "$(git -C "$(workspace main)" rev-parse HEAD)" "$(mm_git rev-parse main)"
}

@test "a pinned commit is built after the branch moved on" {
  pinned=$(mm_git_commit README "second")
  mm_git_commit README "third" >/dev/null
  mm_git_push
  spool_job p1 commit="$pinned"
  mmbuild_succeeds
  assert_equal "$(git -C "$(workspace main)" rev-parse HEAD)" "$pinned"
  run log_lines p1
  assert_line "O second"
  assert_line "$ git checkout --force --detach $pinned"
}

@test "commit may name a tag or a branch; a name git would take for an option is refused" {
  tagged=$(mm_git_commit README "release 1.2.0")
  mm_git tag -a v1.2.0 -m "version 1.2.0"
  mm_git_commit README "after the release" >/dev/null
  mm_git_push HEAD v1.2.0
  spool_job n1 commit=v1.2.0
  spool_job n2 commit=other
  spool_job n3 commit=--all
  spool_job n4 commit=v9.9.9
  mmbuild_succeeds
  assert_equal "$(status_of n1)" success
  run log_lines n1
  assert_line "O release 1.2.0"
  assert_line "$ git checkout --force --detach $tagged"
  assert_equal "$(status_of n2)" success
  assert_equal "$(git -C "$(workspace main)" rev-parse HEAD)" "$(mm_git rev-parse other)"
  assert_equal "$(status_of n3)" error
  run log_lines n3
  assert_line '# Build error: refusing commit `--all`: not a commit id (4 to 40 hex digits), tag or branch name'
  assert_equal "$(status_of n4)" error
  run log_lines n4
  assert_line --partial "# Build error: commit v9.9.9 names no commit, tag or branch in "
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
  mmbuild_succeeds
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
  mmbuild_succeeds
  assert_equal "$(status_of d2)" success
  assert_equal "$(cat "$ws/README")" first
  assert [ ! -e "$ws/untracked.txt" ]
  assert [ ! -e "$ws/newdir" ]
  assert_equal "$(git -C "$ws" status --porcelain)" ""
}

@test "a half-cloned workspace, or one that lost its objects, is cloned afresh" {
  ws=$(workspace main)
  mkdir -p "$ws/.git/objects"
  echo "not a ref" >"$ws/.git/HEAD"
  touch "$ws/leftover"
  spool_job h1
  mmbuild_succeeds
  assert_equal "$(status_of h1) $(git -C "$ws" rev-parse HEAD)" "success $(mm_git rev-parse main)"
  assert [ ! -e "$ws/leftover" ]
  run log_lines h1
  assert_line --regexp "^# workspace $ws is not usable \(not a git checkout: .*\); cloning it afresh$"
  # Refs kept, objects gone: a fetch would find nothing new to send.
  pinned=$(mm_git rev-parse main)
  mm_git_commit README "moved on" >/dev/null
  mm_git_push
  rm -rf "$ws"/.git/objects/pack/* "$ws"/.git/objects/[0-9a-f][0-9a-f]
  spool_job h2 commit="$pinned"
  mmbuild_succeeds
  assert_equal "$(status_of h2) $(git -C "$ws" rev-parse HEAD)" "success $pinned"
  run log_lines h2
  assert_line "# workspace $ws is not usable (its HEAD names an object it does not have); cloning it afresh"
  assert_line "O first"
}

@test "a changed repository URL is fetched from, or the build says why not" {
  spool_job u1
  "$MM_BIN/mmbuild"
  ws=$(workspace main)
  spool_job u2 repositoryUrl="$BATS_TEST_TMPDIR/gone.git"
  mmbuild_succeeds
  assert_equal "$(status_of u2) $(git -C "$ws" rev-parse HEAD)" "error $(mm_git rev-parse main)"
  run log_lines u2
  assert_line --regexp "^# Build error: cannot fetch from $BATS_TEST_TMPDIR/gone.git: .+"
  refute_line "O built main"
  moved=$BATS_TEST_TMPDIR/moved.git
  git clone -q --bare "$MM_GIT_REMOTE" "$moved"
  moved_commit=$(mm_git_commit README "only at the new URL")
  mm_git push -q "$moved" main
  spool_job u3 repositoryUrl="$moved"
  mmbuild_succeeds
  assert_equal "$(status_of u3) $(git -C "$ws" rev-parse HEAD)" "success $moved_commit"
  assert_equal "$(git -C "$ws" remote get-url origin)" "$moved"
  run log_lines u3
  assert_line "$ git remote set-url origin $moved"
}

@test "a tag is built from its full ref" {
  mm_git_commit README "after the tag" >/dev/null
  mm_git_push
  spool_job g1 target=refs/tags/v1
  mmbuild_succeeds
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
  mmbuild_succeeds
  run bash -c "sed -n 's/^..:..:.. \([O!]\) /\1 /p' '$BUILDS/acme-app/JOBS/o1.log'"
  assert_output "$(printf 'O one\n! two\nO three\n! four')"
}

@test "the command sees the MIXMASTER_* variables" {
  write_config "" "vars = env | grep '^MIXMASTER_' | sort"
  mm_git push -q origin main:vars
  commit=$(mm_git rev-parse main)
  spool_job v1 target=vars commit="$commit" task= viewUrl='https://example.org/$(touch X)'
  mmbuild_succeeds
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
  mmbuild_succeeds "$BATS_TEST_TMPDIR/by-hand.ini"
  assert [ -f "$BATS_TEST_TMPDIR/by-hand.ini" ]
  assert_equal "$(status_of file1)" success
  # Given again, it gets a fresh id instead of replacing the first log.
  mmbuild_succeeds --config "$MM_CONFIG" "$BATS_TEST_TMPDIR/by-hand.ini"
  assert_equal "$(ls "$BUILDS/acme-app/JOBS/" | grep -c '\.log$')" 2
  assert_equal "$(status_of file1)" success
}

@test "mmbuild - reads a job on stdin; buildCommand and mode come from the config" {
  printf '[job]\nid = stdin1\nscm = git\nproject = acme/app\nrepositoryUrl = %s\ntarget = main\n' \
    "$MM_GIT_REMOTE" >"$BATS_TEST_TMPDIR/job.ini"
  mmbuild_succeeds - <"$BATS_TEST_TMPDIR/job.ini"
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
  mmbuild_succeeds
  assert_equal "$(status_of dry1)" success
  run log_lines dry1
  assert_line "$ git fetch origin main"
  assert_line "$ git checkout --force --detach origin/main"
  assert_line "$ echo built main; cat README"
  refute_line "O built main"
  assert [ ! -e "$(workspace main)" ]
}

@test "timeout = 2 or SIGTERM stops the build: killed, an X line, no process left" {
  write_config "timeout = 2" "$(sleeper_key)"
  mm_git push -q origin main:sleeper
  spool_job 1-sleeper target=sleeper
  spool_job 2-next
  mmbuild_succeeds
  assert_equal "$(status_of 1-sleeper) $(status_of 2-next)" "killed success"
  run log_lines 1-sleeper
  assert_line "X Build stopped: timeout: the build ran longer than 2 s"
  run group_alive "$(build_group)"
  assert_failure
  # SIGTERM to mmbuild: the same, and the jobs queued behind stay queued.
  write_config "" "$(sleeper_key)"
  rm "$BATS_TEST_TMPDIR/group"
  spool_job 3-sleeper target=sleeper
  spool_job 4-queued
  spool_job 5-queued
  mmbuild_in_background
  wait_until test -s "$BATS_TEST_TMPDIR/group"
  group=$(build_group)
  wait_until group_alive "$group"
  kill -TERM "$MMBUILD"
  wait_for_mmbuild
  assert_equal "$MMBUILD_RC" 0
  assert_equal "$(status_of 3-sleeper)" killed
  run log_lines 3-sleeper
  assert_line "X Build stopped: mmbuild was asked to stop"
  run group_alive "$group"
  assert_failure
  assert_equal "$(ls "$SPOOL")" "$(printf '4-queued.ini\n5-queued.ini')"
}

@test "bad jobs end in REJECTED/ or an error log, and the next job still runs" {
  : >"$SPOOL/1-empty.ini"
  echo "this is not INI" >"$SPOOL/2-not-ini.ini"
  printf '[job]\nid = 3\nscm = git\n' >"$SPOOL/3-missing-keys.ini"
  spool_job 4-unknown-scm scm=svn
  spool_job 5-unknown-project project=nobody/nothing
  spool_job 6-unsafe-id id=../../x
  spool_job 7-good
  spool_job 8-escape message=$'\e]0;owned\a'
  mmbuild_succeeds
  assert_equal "$(ls "$BUILDS/REJECTED")" "$(printf '1-empty.ini\n2-not-ini.ini\n3-missing-keys.ini\n5-unknown-project.ini\n8-escape.ini')"
  assert_output --partial "8-escape.ini: message holds the control character U+001B; values may hold none but tab (and line breaks in message)"
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

@test "a job in the spool selects; the configuration decides: buildCommand = touch PWNED never runs" {
  spool_job 1-pwn buildCommand='touch "$HOME/PWNED"'
  spool_job 2-mail mailto=thief@evil.example
  spool_job 3-mode mode=dryrun
  spool_job 4-good
  mmbuild_succeeds
  assert [ ! -e "$HOME/PWNED" ]
  assert_equal "$(ls "$BUILDS/REJECTED")" "$(printf '1-pwn.ini\n2-mail.ini\n3-mode.ini')"
  assert_output --partial "1-pwn.ini: a job in the spool only selects a build; buildCommand, mailto and mode come from the configuration (a job with its own is given to mmbuild on the command line)"
  assert_equal "$(status_of 4-good)" success
  # By hand, on the command line, a job may still carry its own command.
  printf '[job]\nid = 5-hand\nscm = git\nproject = acme/app\nrepositoryUrl = %s\ntarget = main\nbuildCommand = echo by hand\n' \
    "$MM_GIT_REMOTE" >"$BATS_TEST_TMPDIR/5-hand.ini"
  mmbuild_succeeds "$BATS_TEST_TMPDIR/5-hand.ini"
  run log_lines 5-hand
  assert_line "O by hand"
}

@test "a FIFO, a symlink to a device, a directory named *.log or a FIFO job pass over; the queue runs" {
  jobs=$BUILDS/acme-app/JOBS
  mkdir -p "$jobs/3-dir.log"
  mkfifo "$jobs/1-fifo.log" "$SPOOL/0-fifo.ini"
  ln -s /dev/zero "$jobs/2-zero.log"
  spool_job 5-good
  run timeout 60 "$MM_BIN/mmbuild"
  assert_success
  assert_output --partial "passed over $jobs/1-fifo.log: not a regular file"
  assert_output --partial "passed over $jobs/2-zero.log: "
  assert_output --partial "passed over $jobs/3-dir.log: not a regular file"
  assert_equal "$(status_of 5-good)" success
  [ -p "$SPOOL/0-fifo.ini" ]  # not a job: left alone
  [ -p "$jobs/1-fifo.log" ] && [ -L "$jobs/2-zero.log" ] && [ -d "$jobs/3-dir.log" ]
}

# The log of a build whose runner died, grown to 3 GiB (sparse): mmbuild read
# it whole at every start (6.3 GB, then bad_alloc, so the queue never ran).
# Under a 256 MiB data limit, which a whole read cannot pass, it is finished
# from its ends and the job queued behind it builds.
@test "a dead runner's 3 GiB log is finished under a 256 MiB data limit; the queue runs" {
  sh -c 'exit 0' &
  dead=$!
  wait "$dead"
  mkdir -p "$BUILDS/acme-app/JOBS"
  log=$BUILDS/acme-app/JOBS/7-dead.log
  printf '[job]\nid = 7-dead\nscm = git\nproject = acme/app\nrepositoryUrl = %s\ntarget = main\n\n[build]\npid = %s\nstarted = 2025-12-31T23:59:50Z\n\n[log]\n00:00:00 # Build started\n' \
    "$MM_GIT_REMOTE" "$dead" >"$log"
  truncate -s 3G "$log"
  printf '\n00:01:00 O the last line\n' >>"$log"
  spool_job 8-queued
  if grep -qa __asan_init "$MM_BIN/mmbuild"; then
    # ASan reserves its shadow memory beyond any such limit: the peak
    # resident memory is measured instead, against the same 256 MiB.
    run /usr/bin/time -o "$BATS_TEST_TMPDIR/rss" -f %M \
      timeout 120 "$MM_BIN/mmbuild"
    [ "$(tail -1 "$BATS_TEST_TMPDIR/rss")" -lt 262144 ]
  else
    run bash -c 'ulimit -d 262144 && exec timeout 120 "$1"' _ "$MM_BIN/mmbuild"
  fi
  assert_success
  assert_output --partial "job 7-dead: its runner died; log finished as error"
  assert_equal "$(tail -c 4096 "$log" | sed -n 's/^status = //p')" error
  assert_equal "$(status_of 8-queued)" success
}

@test "a misspelt setting is a warning naming the setting it resembles" {
  printf '[_]\nbuildroot = %s\n' "$BUILDS" | mm_write_config
  run "$MM_BIN/mmbuild"
  assert_success
  assert_output --partial "mmbuild: $MM_CONFIG:2: unknown setting \`buildroot\` in [_] ignored; did you mean \`buildRoot\`?"
}

@test "a rejected job says why in its last lines, and builds once fixed and moved back" {
  spool_job 5-unknown-project project=acme/other
  mmbuild_succeeds
  run tail -n 2 "$BUILDS/REJECTED/5-unknown-project.ini"
  assert_line --index 0 --regexp "^# Rejected by mmbuild at [0-9TZ:-]+: $SPOOL/5-unknown-project.ini: unknown project acme/other$"
  assert_line --index 1 "# Fix the cause, then move this file back into the spool to build it."
  # Fixed as it says: the project added, the file moved back unchanged.
  write_config "" $'\n[acme/other]\nmain = echo built other'
  mv "$BUILDS/REJECTED/5-unknown-project.ini" "$SPOOL/"
  mmbuild_succeeds
  run cat "$BUILDS/acme-other/JOBS/5-unknown-project.log"
  assert_line "status = success"
  assert_line --partial " O built other"
  # JOBS/ holds the logs only; the workspace's lock is hidden beside it.
  assert_equal "$(ls -A "$BUILDS/acme-other/JOBS")" 5-unknown-project.log
  [ -f "$BUILDS/acme-other/.main.lock" ]
}

@test "injection: request values never reach a shell, a git option or a path" {
  # Commands that would leave Y or Z behind if a bad job got as far as
  # running one (the `$` key matches a target starting with `$`).
  write_config "" "\$ = touch Y
inject = touch Z
inject-v/\$(touch X) = echo \"\$MIXMASTER_TASK\" \"\$MIXMASTER_VIEW_URL\""
  payloads=('$(touch X)' ';touch X' '--upload-pack=touch X' '../x' '`touch X`')
  # Every payload is also a configured project, so that jobs naming it run.
  for p in "${payloads[@]}"; do
    printf '\n[%s]\nmain = echo project built\n' "$p" >>"$MM_CONFIG"
  done
  mm_git push -q origin main:inject main:inject-v
  for i in "${!payloads[@]}"; do
    spool_job "t$i" target="${payloads[$i]}"
    spool_job "c$i" target=inject commit="${payloads[$i]}"
    spool_job "u$i" target=inject repositoryUrl="${payloads[$i]}"
    spool_job "p$i" project="${payloads[$i]}"
  done
  # One that a build key matches, so that the ref check is what stops it.
  spool_job t9 target='main/../../x'
  spool_job v1 target=inject-v task='$(touch X)' viewUrl='`touch X`' \
    message='$(touch X)' pusher='$(touch X);touch X' commitUrl='`touch X`'
  mkdir "$BATS_TEST_TMPDIR/cwd"
  outside_builds() { find "$BATS_TEST_TMPDIR" -path "$BUILDS" -prune -o -print | sort; }
  before=$(outside_builds)
  cd "$BATS_TEST_TMPDIR/cwd"
  mmbuild_succeeds
  # Nothing new outside the build root, and no X, Y or Z anywhere.
  assert_equal "$(outside_builds)" "$before"
  run find "$BATS_TEST_TMPDIR" -name X -o -name Y -o -name Z
  assert_output ""
  assert [ ! -e /tmp/X ]
  for i in "${!payloads[@]}"; do
    for job in "t$i" "c$i" "u$i"; do
      assert_equal "$job: $(status_of "$job")" "$job: error"
    done
    # The project's own directory is a direct child of the build root.
    log=$(grep -lx "id = p$i" "$BUILDS"/*/JOBS/*.log)
    assert_equal "$(dirname "$(dirname "$(dirname "$log")")")" "$BUILDS"
    assert_equal "p$i: $(sed -n 's/^status = //p' "$log")" "p$i: success"
    assert_equal "$(sed -n 's/^..:..:.. O //p' "$log")" "project built"
  done
  assert_equal "$(status_of t9)" error
  while IFS='|' read -r job line; do
    run log_lines "$job"
    assert_line "# Build error: $line"
  done <<'EOF'
t0|refusing target `$(touch X)`: not a valid branch or ref name
t3|no build configured for ../x
t9|refusing target `main/../../x`: not a valid branch or ref name
c1|refusing commit `;touch X`: not a commit id (4 to 40 hex digits), tag or branch name
u2|refusing repository URL `--upload-pack=touch X`: empty, starting with `-`, or holding control characters
EOF
  run log_lines u0
  assert_line --regexp '^# Build error: cannot fetch from \$\(touch X\): '
  # The task and URLs only reached the command as variables.
  assert_equal "$(status_of v1)" success
  run log_lines v1
  assert_line 'O $(touch X) `touch X`'
}

@test "two mmbuild processes build each of 50 jobs exactly once" {
  write_config "mode = dryrun"
  for i in $(seq -w 1 50); do spool_job "20260101-0000$i-x"; done
  mmbuild_in_background
  first=$MMBUILD
  mmbuild_in_background
  wait_for_mmbuild
  assert_equal "$MMBUILD_RC" 0
  MMBUILD=$first
  wait_for_mmbuild
  assert_equal "$MMBUILD_RC" 0
  assert_equal "$(mm_spool_count "$SPOOL")" 0
  assert_equal "$(ls "$BUILDS/acme-app/JOBS" | grep -c '\.log$')" 50
  for i in $(seq -w 1 50); do
    assert_equal "$(grep -c '^\[result\]$' "$BUILDS/acme-app/JOBS/20260101-0000$i-x.log")" 1
    assert_equal "$(status_of "20260101-0000$i-x")" success
  done
}
