#!/usr/bin/env bats
# mmbuild with a repositoryUrl that is a path or a file:// URL, the README's
# own example (mmbuild(1) CHECKOUT): the workspace gets its own copy of the
# objects, and a missing or damaged repository is a clear error.
load helpers/common
load helpers/git
load helpers/jobs

setup() {
  jobs_setup
  mm_write_config <<EOF2
[_]
buildRoot = $BUILDS
# Every job queued here builds (superseding: mmbuild-queue.bats).
supersede = no

[acme/app]
main = cat README
other = cat other.txt
refs/tags/v = echo tag build; cat README
EOF2
}

teardown() { kill_background; }

# head_of TARGET: the commit the workspace of TARGET has checked out.
head_of() { git -C "$(workspace "$1")" rev-parse HEAD; }

# clone_update_and_remove URL: a first clone from URL, an update, then the
# repository is removed and the workspace still has everything it checked out.
clone_update_and_remove() {
  spool_job c1 repositoryUrl="$1"
  mmbuild_succeeds
  assert_equal "$(result_of c1) $(head_of main)" "success 0 $(mm_git rev-parse main)"
  run log_lines c1
  assert_line "O first"
  commit=$(mm_git_commit README "second")
  mm_git_push
  spool_job c2 repositoryUrl="$1"
  mmbuild_succeeds
  assert_equal "$(result_of c2) $(head_of main)" "success 0 $commit"
  run log_lines c2
  assert_line "O second"
  ws=$(workspace main)
  assert [ ! -e "$ws/.git/objects/info/alternates" ]
  rm -rf "$MM_GIT_REMOTE"
  run git -C "$ws" fsck --no-dangling "$commit"
  assert_success
  assert_equal "$(cat "$ws/README")" "second"
}

@test "a path: first clone, update; the workspace outlives the repository" {
  clone_update_and_remove "$MM_GIT_REMOTE"
}

@test "a file:// URL: first clone, update; the workspace outlives the repository" {
  clone_update_and_remove "file://$MM_GIT_REMOTE"
}

@test "a path whose repository was repacked (gc) still updates" {
  spool_job p1 repositoryUrl="$MM_GIT_REMOTE"
  mmbuild_succeeds
  commit=$(mm_git_commit README "after gc")
  mm_git_push
  git -C "$MM_GIT_REMOTE" gc -q --prune=now
  spool_job p2 repositoryUrl="$MM_GIT_REMOTE"
  mmbuild_succeeds
  assert_equal "$(result_of p2) $(head_of main)" "success 0 $commit"
}

@test "a tag from a file:// URL, moved upstream, is followed" {
  spool_job t1 repositoryUrl="file://$MM_GIT_REMOTE" target=refs/tags/v1
  mmbuild_succeeds
  assert_equal "$(result_of t1)" "success 0"
  run log_lines t1
  assert_line "O tag build"
  assert_line "O first"
  moved=$(mm_git_commit README "tag moved")
  mm_git tag -f -a v1 -m "version 1, again" >/dev/null
  mm_git push -q -f origin main refs/tags/v1
  spool_job t2 repositoryUrl="file://$MM_GIT_REMOTE" target=refs/tags/v1
  mmbuild_succeeds
  assert_equal "$(result_of t2) $(head_of refs-tags-v1)" "success 0 $moved"
  run log_lines t2
  assert_line "O tag moved"
}

@test "a branch deleted upstream is an error; the workspace keeps its commit" {
  spool_job b1 repositoryUrl="$MM_GIT_REMOTE" target=other
  mmbuild_succeeds
  assert_equal "$(status_of b1)" success
  before=$(head_of other)
  mm_git push -q origin :other
  spool_job b2 repositoryUrl="$MM_GIT_REMOTE" target=other
  mmbuild_succeeds
  assert_equal "$(status_of b2) $(head_of other)" "error $before"
  run log_lines b2
  assert_line "# Build error: $MM_GIT_REMOTE has no branch other"
  refute_line "O other"
}

@test "a missing repository, or a path that is not one, is a clear error" {
  missing=$BATS_TEST_TMPDIR/missing.git
  spool_job m1 repositoryUrl="$missing"
  spool_job m2 repositoryUrl="file://$missing"
  spool_job m3 repositoryUrl="$BUILDS"
  mmbuild_succeeds
  run log_lines m1
  assert_line "# Build error: cannot fetch from $missing: $missing: No such file or directory"
  run log_lines m2
  assert_line "# Build error: cannot fetch from file://$missing: $missing: No such file or directory"
  run log_lines m3
  assert_line "# Build error: cannot fetch from $BUILDS: not a git repository: could not find repository from '$BUILDS'"
  assert_equal "$(status_of m1) $(status_of m2) $(status_of m3)" "error error error"
  assert [ ! -e "$BUILDS/acme-app/main/README" ]
}

@test "a damaged repository is an error of its own: the workspace keeps its commit" {
  spool_job d1 repositoryUrl="$MM_GIT_REMOTE"
  mmbuild_succeeds
  before=$(head_of main)
  touch "$(workspace main)/built-here"
  lost=$(mm_git_commit README "lost")
  mm_git_push
  git -C "$MM_GIT_REMOTE" gc -q --prune=now
  rm -f "$MM_GIT_REMOTE"/objects/pack/*.pack
  spool_job d2 repositoryUrl="$MM_GIT_REMOTE"
  mmbuild_succeeds
  assert_equal "$(status_of d2) $(head_of main)" "error $before"
  run log_lines d2
  assert_line --regexp "^# Build error: cannot fetch from $MM_GIT_REMOTE: the repository is damaged: .*$lost"
  refute_line --partial "cloning it afresh"
  # Not cloned afresh: what the last build left is still there.
  assert [ -e "$(workspace main)/built-here" ]
}
