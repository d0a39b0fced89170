#!/usr/bin/env bats
# mmbuild fetching over ssh:// from a real OpenSSH server (helpers/sshd) with
# `sshKey` set (mmbuild(1) CHECKOUT, mixmaster.ini(5) sshKey): host keys
# checked against ~/.ssh/known_hosts, the key in the job's own ssh-agent, and
# nothing left running afterwards.
load helpers/common
load helpers/git
load helpers/jobs
load helpers/sshd

setup() {
  # mmbuild makes each job's agent directory here, where the test can see
  # what is left.
  export TMPDIR=$BATS_TEST_TMPDIR/tmp
  mkdir -p "$TMPDIR"
  jobs_setup
  mkdir -p "$HOME/.ssh"
  mm_sshd_start "$BATS_TEST_TMPDIR/sshd"
  KNOWN_HOSTS=$HOME/.ssh/known_hosts
  SOCKET_FILE=$BATS_TEST_TMPDIR/agent-socket
  write_config "$SSH_CLIENT_KEY"
  MM_JOB_DEFAULTS=("repositoryUrl=ssh://$(id -un)@127.0.0.1:$SSHD_PORT$MM_GIT_REMOTE")
}

teardown() {
  kill_background
  mm_sshd_stop
}

# write_config KEY: the build lists the agent's keys and records its socket.
write_config() {
  mm_write_config <<EOF2
[_]
buildRoot = $BUILDS
sshKey = $1

[acme/app]
main = echo "\$SSH_AUTH_SOCK" > '$SOCKET_FILE'; ssh-add -l; cat README
EOF2
}

# nothing_left: no connection of sshd's still open, no ssh-agent of a build
# alive and no agent directory left in TMPDIR.
nothing_left() {
  wait_until [ -z "$(sshd_children)" ]
  run pgrep -f -- "ssh-agent -D -a $TMPDIR/"
  assert_failure
  run find "$TMPDIR" -mindepth 1
  assert_output ""
}

@test "ssh: an unknown host key fails the build with an error naming the host" {
  spool_job s1
  mmbuild_succeeds
  assert_equal "$(status_of s1)" error
  run log_lines s1
  assert_line "# Build error: cannot fetch from ssh://$(id -un)@127.0.0.1:$SSHD_PORT$MM_GIT_REMOTE: host key of 127.0.0.1:$SSHD_PORT is not in $KNOWN_HOSTS (unknown host): check its fingerprint and add it, e.g. with ssh-keyscan"
  refute_line "O first"
  assert [ ! -e "$(workspace main)/README" ]
  nothing_left
}

@test "ssh: a known host ([127.0.0.1]:PORT, plain then hashed) builds; the key is in the job's agent, gone after" {
  echo "[127.0.0.1]:$SSHD_PORT $SSHD_HOST_KEY" >"$KNOWN_HOSTS"
  spool_job s1
  mmbuild_succeeds
  assert_equal "$(result_of s1)" "success 0"
  assert_equal "$(git -C "$(workspace main)" rev-parse HEAD)" "$(mm_git rev-parse main)"
  run log_lines s1
  assert_line "\$ ssh-add $SSH_CLIENT_KEY"
  assert_line "O $(ssh-keygen -l -f "$SSH_CLIENT_KEY.pub")"
  assert_line "O first"
  # The build's SSH_AUTH_SOCK was the job's own agent.
  assert [ "$(dirname "$(dirname "$(cat "$SOCKET_FILE")")")" = "$TMPDIR" ]
  nothing_left
  # The same host hashed (ssh-keygen -H), and a new commit to fetch.
  ssh-keygen -q -H -f "$KNOWN_HOSTS" 2>/dev/null
  rm -f "$KNOWN_HOSTS.old"
  run grep -c '^|1|' "$KNOWN_HOSTS"
  assert_output 1
  refute grep -q 127.0.0.1 "$KNOWN_HOSTS"
  commit=$(mm_git_commit README "second")
  mm_git_push
  rm -f "$SOCKET_FILE"
  spool_job s2
  mmbuild_succeeds
  assert_equal "$(result_of s2)" "success 0"
  assert_equal "$(git -C "$(workspace main)" rev-parse HEAD)" "$commit"
  run log_lines s2
  assert_line "O second"
  nothing_left
}

@test "ssh: a changed host key fails the build; the workspace keeps its commit" {
  echo "[127.0.0.1]:$SSHD_PORT $SSHD_HOST_KEY" >"$KNOWN_HOSTS"
  spool_job s1
  mmbuild_succeeds
  assert_equal "$(status_of s1)" success
  first=$(mm_git rev-parse main)
  ssh-keygen -q -t ed25519 -N '' -f "$BATS_TEST_TMPDIR/other_host_key"
  echo "[127.0.0.1]:$SSHD_PORT $(cut -d' ' -f1,2 "$BATS_TEST_TMPDIR/other_host_key.pub")" >"$KNOWN_HOSTS"
  mm_git_commit README "second" >/dev/null
  mm_git_push
  rm -f "$SOCKET_FILE"
  spool_job s2
  mmbuild_succeeds
  assert_equal "$(status_of s2)" error
  assert_equal "$(git -C "$(workspace main)" rev-parse HEAD)" "$first"
  run log_lines s2
  assert_line --partial "host key of 127.0.0.1:$SSHD_PORT does not match $KNOWN_HOSTS (the host key changed): refusing to connect"
  refute_line "O second"
  nothing_left
}

@test "ssh: a key with a passphrase fails the build with a message saying so" {
  echo "[127.0.0.1]:$SSHD_PORT $SSHD_HOST_KEY" >"$KNOWN_HOSTS"
  locked=$BATS_TEST_TMPDIR/locked_key
  ssh-keygen -q -t ed25519 -N 'a secret' -f "$locked"
  cat "$locked.pub" >>"$SSHD_DIR/authorized_keys"
  write_config "$locked"
  spool_job s1
  mmbuild_succeeds
  assert_equal "$(status_of s1)" error
  run log_lines s1
  assert_line "# Build error: ssh-add $locked failed: the key has a passphrase, which mmbuild cannot type (remove it: ssh-keygen -p -N '' -f $locked)"
  refute_line "O first"
  assert [ ! -e "$SOCKET_FILE" ]
  nothing_left
}
