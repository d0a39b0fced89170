# A real OpenSSH server for tests: `load helpers/sshd` after helpers/common.
# sshd runs as the test's own child (-D: no daemon), on 127.0.0.1 and a free
# port, with its host key, config and authorized key in DIR; it lets in only
# the client key it made, for the user running the test.
#
#   mm_sshd_start DIR [LINE...]
#                       starts it, with LINE... added to its sshd_config, or
#                       skips the test with the reason where this machine
#                       cannot run sshd; sets SSHD_PID,
#                       SSHD_PORT, SSHD_HOST_KEY (the public host key line:
#                       "TYPE BASE64") and SSH_CLIENT_KEY (a private key
#                       without a passphrase that the server accepts)
#   mm_sshd_stop        stops it (teardown); safe when it never started
#   sshd_children       the pids of sshd's children (its connections)

mm_sshd_start() {
  local dir=$1 i
  shift
  [ -x /usr/sbin/sshd ] || skip "no /usr/sbin/sshd (Debian openssh-server: make deps)"
  mkdir -p "$dir"
  # sshd's privilege separation needs this directory (Debian's unit makes it).
  mkdir -p /run/sshd 2>/dev/null || [ -d /run/sshd ] ||
    skip "cannot create /run/sshd, which sshd needs (not root)"
  ssh-keygen -q -t ed25519 -N '' -C mm-test-host -f "$dir/host_key"
  ssh-keygen -q -t ed25519 -N '' -C mm-test-client -f "$dir/client_key"
  cp "$dir/client_key.pub" "$dir/authorized_keys"
  SSHD_PORT=$(mm_free_port)
  cat >"$dir/sshd_config" <<CONF
ListenAddress 127.0.0.1:$SSHD_PORT
HostKey $dir/host_key
PidFile none
AuthorizedKeysFile $dir/authorized_keys
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
AllowUsers $(id -un)
LogLevel VERBOSE
CONF
  [ $# = 0 ] || printf '%s\n' "$@" >>"$dir/sshd_config"
  /usr/sbin/sshd -t -f "$dir/sshd_config" 2>"$dir/sshd.log" ||
    skip "sshd refuses to run here: $(head -n 1 "$dir/sshd.log")"
  /usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>"$dir/sshd.log" &
  SSHD_PID=$!
  SSHD_DIR=$dir
  for i in $(seq 100); do
    grep -q 'Server listening' "$dir/sshd.log" && break
    kill -0 "$SSHD_PID" 2>/dev/null || skip "sshd exited at once: $(head -n 1 "$dir/sshd.log")"
    sleep 0.1
  done
  grep -q 'Server listening' "$dir/sshd.log" || { echo "sshd did not start" >&2; return 1; }
  SSHD_HOST_KEY=$(cut -d' ' -f1,2 "$dir/host_key.pub")
  SSH_CLIENT_KEY=$dir/client_key
}

sshd_children() { pgrep -P "$SSHD_PID" || true; }

mm_sshd_stop() {
  [ -n "${SSHD_PID:-}" ] || return 0
  kill -TERM "$SSHD_PID" 2>/dev/null || true
  wait "$SSHD_PID" 2>/dev/null || true
  SSHD_PID=
}
