#!/usr/bin/env bats
# The shipped post-receive hook (git-hooks/post-receive, installed as
# share/mixmaster/post-receive) driven by real pushes: a bare repository
# with the hook, a real mmbridge on a loopback socket checking the
# signature, the jobs it spools, and the real mmbuild building them.

load helpers/common

setup_file() {
  cp "$MM_BIN/mmbridge" "$BATS_FILE_TMPDIR/mmbridge"
  export BRIDGE_BIN=$BATS_FILE_TMPDIR/mmbridge
}

load helpers/bridge
load helpers/git
load helpers/jobs

setup() {
  mm_private_home
  BUILDS=$BATS_TEST_TMPDIR/builds
  SPOOL=$BUILDS/INBOX
  mkdir -p "$SPOOL"
  # The server's repository, as a git host keeps it: <owner>/<name>.git.
  REPO=$BATS_TEST_TMPDIR/srv/acme/app.git
  git init -q --bare -b main "$REPO"
  cp "$MM_ROOT/git-hooks/post-receive" "$REPO/hooks/post-receive"
  MM_GIT_WORK=$BATS_TEST_TMPDIR/work
  git init -q -b main "$MM_GIT_WORK"
  mm_git remote add origin "$REPO"
  mm_write_config <<EOF
[_]
buildRoot = $BUILDS
secret = the-webhook-secret-of-this-test

[acme/app]
main = git log -1 --format='built %s' HEAD
refs/tags/v = echo "released \$MIXMASTER_TARGET"
EOF
  bridge_start
  git -C "$REPO" config mixmaster.url "http://127.0.0.1:$BRIDGE_PORT"
  BG_PIDS=()
}

teardown() {
  bridge_stop
  kill_background
}

# push ARGS...: git push from the work clone; the hook's lines (git shows
# them as `remote: ...`, padded with blanks, which go) in $output.
push() {
  run bash -o pipefail -c '"$@" 2>&1 | sed "s/[[:space:]]*\$//"' _ \
    git -C "$MM_GIT_WORK" push origin "$@"
}

@test "a push of a branch and a tag queues one signed job per ref, which mmbuild builds" {
  commit=$(mm_git_commit app.c 'int main;' $'Add the "app"\n\nWith a body \\ and a\ttab.')
  mm_git tag -a v1.0 -m 'version 1.0'
  push main v1.0
  assert_success
  assert_line --regexp "^remote: mixmaster: refs/heads/main: 202 queued [0-9]{8}-"
  assert_line --regexp "^remote: mixmaster: refs/tags/v1.0: 202 queued [0-9]{8}-"
  [ "$(bridge_jobs | wc -l)" = 2 ]
  main=$(grep -l '^target = main$' "$SPOOL"/*.ini)
  run bridge_job_matches "$main" "$(printf '{"endpoint": "/gitea", "project": "acme/app",
    "target": "main", "commit": "%s", "repositoryUrl": "%s", "forge": "gitea",
    "message": "Add the \\"app\\"\\n\\nWith a body \\\\ and a\\ttab."}' "$commit" "$REPO")"
  assert_success
  tag=$(grep -l '^target = refs/tags/v1.0$' "$SPOOL"/*.ini)
  # The commit an annotated tag names, as a forge sends it.
  grep -qx "commit = $commit" "$tag"
  # Who pushed: the account that ran the hook, as the pages show it.
  grep -qx "pusher = $(id -un)" "$main"
  # The bridge checked each signature: no unsigned request got in.
  run bridge_log_lines
  [[ "$output" != *" 401 "* && "$output" != *" 403 "* ]]

  mmbuild_succeeds
  [ "$(mm_spool_count "$SPOOL")" = 0 ]
  run log_lines "$(basename "$main" .ini)"
  assert_line 'O built Add the "app"'
  run log_lines "$(basename "$tag" .ini)"
  assert_line 'O released refs/tags/v1.0'
}

@test "a wrong secret is refused by the bridge and said by the hook; the push itself stands" {
  printf '[_]\nsecret = not-the-one\n' >"$BATS_TEST_TMPDIR/other.ini"
  git -C "$REPO" config mixmaster.config "$BATS_TEST_TMPDIR/other.ini"
  commit=$(mm_git_commit a.txt a)
  push main
  assert_success
  assert_line "remote: mixmaster: refs/heads/main: 403 signature does not match"
  assert_equal "$(git -C "$REPO" rev-parse main)" "$commit"
  bridge_assert_no_job
}

@test "a deleted branch posts nothing; project and repository URL can be set" {
  mm_git_commit a.txt a >/dev/null
  push main main:doomed
  assert_success
  rm -f "$SPOOL"/*.ini
  push --delete doomed
  assert_success
  refute_output --partial 'mixmaster:'
  bridge_assert_no_job
  # Another name for the project: not configured, so the bridge says so.
  git -C "$REPO" config mixmaster.project acme/other
  git -C "$REPO" config mixmaster.repositoryUrl "file://$REPO"
  mm_git_commit b.txt b >/dev/null
  push main
  assert_line "remote: mixmaster: refs/heads/main: 422 unknown project acme/other"
  bridge_assert_no_job
  # Nothing listening: the line says what curl said.
  bridge_stop
  mm_git_commit c.txt c >/dev/null
  push main
  assert_success
  assert_line --regexp '^remote: mixmaster: refs/heads/main: 000 curl: \(7\) '
}
