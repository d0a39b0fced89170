# Loaded by every bats file: `load helpers/common`.
# Gives each test a private HOME and XDG_CONFIG_HOME under BATS_TEST_TMPDIR, and
# the paths of the built programs.
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

MM_ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# The programs under test: build/, or what the Makefile names (build-san/
# for `make check SANITIZE=...`).
MM_BIN=${MM_BIN:-$MM_ROOT/build}
MM_FIXTURES=$MM_ROOT/t/fixtures

# A private home: HOME, XDG_CONFIG_HOME, no MIXMASTER_CONFIG from outside.
mm_private_home() {
  export HOME=$BATS_TEST_TMPDIR/home
  export XDG_CONFIG_HOME=$HOME/.config
  unset MIXMASTER_CONFIG
  mkdir -p "$XDG_CONFIG_HOME"
  MM_CONFIG=$XDG_CONFIG_HOME/mixmaster.ini
}

# mm_write_config: the config file from stdin.
mm_write_config() {
  cat >"$MM_CONFIG"
  # As mmsetup writes it: the file may hold the secret (mixmaster.ini(5)).
  chmod 600 "$MM_CONFIG"
}

# mm_spool_count DIR: how many entries DIR holds (0 when it does not exist).
mm_spool_count() {
  if [ -d "$1" ]; then find "$1" -mindepth 1 -maxdepth 1 | wc -l; else echo 0; fi
}

# mm_free_port: a TCP port nobody listens on right now on 127.0.0.1 (the
# caller may still lose it to another process before it binds it).
mm_free_port() {
  /usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# mm_as_journal PROGRAM [ARGS...]: runs PROGRAM with its stderr standing for
# the journal ($JOURNAL_STREAM names that stream), as under systemd.
mm_as_journal() {
  JOURNAL_STREAM=$(stat -L -c %d:%i /dev/stderr) exec "$@"
}
