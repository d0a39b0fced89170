# Real git repositories for tests: `load helpers/git` after helpers/common.
#
#   mm_git_remote DIR   a bare DIR/remote.git with branches main and other,
#                       tags v1 (annotated) and v1-light, and a work clone
#                       DIR/work; sets MM_GIT_REMOTE and MM_GIT_WORK
#   mm_git ARGS...      git in the work clone, with a test identity
#   mm_git_commit FILE CONTENT [MESSAGE]
#                       writes FILE, commits it, prints the commit id
#   mm_git_push [REFSPEC...]
#                       pushes (default: the current branch) to the remote

mm_git() {
  git -C "$MM_GIT_WORK" -c user.name=Tester -c user.email=tester@example.org \
    -c init.defaultBranch=main "$@"
}

mm_git_remote() {
  local dir=$1
  MM_GIT_REMOTE=$dir/remote.git
  MM_GIT_WORK=$dir/work
  git init -q --bare -b main "$MM_GIT_REMOTE"
  git init -q -b main "$MM_GIT_WORK"
  mm_git remote add origin "$MM_GIT_REMOTE"
  mm_git_commit README "first" "first commit" >/dev/null
  mm_git tag -a v1 -m "version 1"
  mm_git tag v1-light
  mm_git checkout -q -b other
  mm_git_commit other.txt "other" "on other" >/dev/null
  mm_git checkout -q main
  mm_git push -q origin main other --tags
}

mm_git_commit() {
  printf '%s\n' "$2" >"$MM_GIT_WORK/$1"
  mm_git add "$1"
  mm_git commit -q -m "${3:-change $1}"
  mm_git rev-parse HEAD
}

mm_git_push() {
  if [ $# -eq 0 ]; then
    mm_git push -q origin HEAD
  else
    mm_git push -q origin "$@"
  fi
}
