#!/usr/bin/env bats
# A full filesystem: the spool (mmbridge) and the build root (mmbuild) on a
# small tmpfs the test mounts, filled up for real. Mounting needs root; the
# tests skip with the reason otherwise.
load helpers/common
load helpers/git
load helpers/jobs

setup_file() {
  cp "$MM_BIN/mmbridge" "$BATS_FILE_TMPDIR/mmbridge"
  export BRIDGE_BIN=$BATS_FILE_TMPDIR/mmbridge
}

load helpers/bridge

setup() {
  mm_private_home
  BG_PIDS=()
  FULL=$BATS_TEST_TMPDIR/full
  mkdir -p "$FULL"
  if [ "$(id -u)" != 0 ]; then
    skip "mounting a small tmpfs needs root"
  fi
  if ! mount -t tmpfs -o size=2m,mode=0700 mixmaster-full-test "$FULL" 2>"$BATS_TEST_TMPDIR/mount.err"; then
    skip "cannot mount a tmpfs here: $(cat "$BATS_TEST_TMPDIR/mount.err")"
  fi
  MOUNTED=1
}

teardown() {
  bridge_stop
  kill_background
  if [ -n "${MOUNTED:-}" ]; then umount "$FULL"; fi
}

# fill: writes a file until the filesystem has no space left.
fill() {
  dd if=/dev/zero of="$FULL/filler" bs=4k 2>/dev/null || true
  run df --output=avail -B1 "$FULL"
  assert_equal "${lines[1]// /}" 0
}

# Every file under the tmpfs but the filler: "path size" lines.
files_but_filler() { find "$FULL" -type f ! -name filler -printf '%P %s\n' | sort; }

@test "a full spool: 500 naming the cause, no file left anywhere; 202 once there is space" {
  SPOOL=$FULL/INBOX
  mkdir -p "$SPOOL"
  mm_write_config <<EOF
[_]
buildRoot = $BATS_TEST_TMPDIR/builds
spool = $SPOOL

[o/r]
main = make all
EOF
  bridge_start
  payload=$BATS_TEST_TMPDIR/light.json
  printf '{"scm":"git","repositoryUrl":"git@example.com:o/r.git","project":"o/r","target":"main"}' >"$payload"
  fill
  bridge_post / "$payload"
  assert_equal "$HTTP_STATUS" 500
  assert_regex "$HTTP_BODY" "^spool not writable: spool $SPOOL: cannot write job: No space left on device(;|$)"
  assert_equal "$(files_but_filler)" ""
  assert_equal "$(find "$FULL" -mindepth 1 ! -name filler ! -path "$SPOOL")" ""
  rm "$FULL/filler"
  bridge_post / "$payload"
  assert_equal "$HTTP_STATUS" 202
  assert_equal "$(mm_spool_count "$SPOOL")" 1
  job=$(ls "$SPOOL")
  assert_equal "$job" "${HTTP_BODY#queued }.ini"
  run grep -c . "$SPOOL/$job"
  assert [ "$output" -ge 10 ]
  assert_equal "$(tail -c 1 "$SPOOL/$job" | od -An -c | tr -d ' ')" '\n'
}

@test "a full build root while the build writes its log: error, the job kept in its log, the journal says why" {
  BUILDS=$FULL/builds
  SPOOL=$BUILDS/INBOX
  mkdir -p "$SPOOL"
  mm_git_remote "$BATS_TEST_TMPDIR/git"
  mm_write_config <<EOF
[_]
buildRoot = $BUILDS

[acme/app]
main = echo built main
flood = yes 'a line of build output that fills the build root up' | head -n 200000; echo done
EOF
  mm_git push -q origin main:flood
  spool_job 1-flood target=flood
  run "$MM_BIN/mmbuild"
  assert_equal "$status" 4
  assert_output --regexp "job 1-flood: build log .*/1-flood.log: the filesystem is full; [0-9]+ line\\(s\\) were not written and the build ends as error"
  assert_equal "$(result_of 1-flood)" "error -1"
  run log_lines 1-flood
  assert_line --regexp "^# Build error: the filesystem of the build log is full: [0-9]+ line\\(s\\) of the build were not written$"
  refute_line "O done"
  # The log is whole: [job], [build], [log], [result], each line complete.
  run grep -c '^\[job\]$\|^\[build\]$\|^\[log\]$\|^\[result\]$' "$(log_path 1-flood)"
  assert_output 4
  run grep -vcE '^(\[[a-z]+\]|[a-zA-Z]+ = .*|..:..:.. [#$O!XH] .*|)$' "$(log_path 1-flood)"
  assert_output 0
  assert_equal "$(mm_spool_count "$SPOOL")" 0
  # Once there is space again, the next job builds.
  rm "$(log_path 1-flood)"
  spool_job 2-next
  mmbuild_succeeds
  assert_equal "$(result_of 2-next)" "success 0"
}
