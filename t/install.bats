#!/usr/bin/env bats
# `make install` puts the programs, man pages, user units (with @BINDIR@
# filled in) and the post-receive hook in place; `make uninstall` takes
# exactly that away again.
load helpers/common

# has_line FILE LINE: FILE holds LINE, exactly, as a line of its own.
has_line() {
  grep -qxF -- "$2" "$1" || {
    echo "$1 has no line '$2'" >&2
    return 1
  }
}

@test "make install fills in the units; make uninstall leaves DESTDIR empty" {
  dest=$BATS_TEST_TMPDIR/dest
  mkdir "$dest"
  run make -s -C "$MM_ROOT" install DESTDIR="$dest" PREFIX=/opt/mm
  assert_success
  for program in mmbridge mmbuild mmsetup mmcleanup mm-run-slurm mm-run-ssh mm-run-node; do
    [ -x "$dest/opt/mm/bin/$program" ]
  done
  [ -f "$dest/opt/mm/share/man/man1/mmsetup.1" ]
  [ -f "$dest/opt/mm/share/man/man1/mmcleanup.1" ]
  # The post-receive hook for a git server of your own (README).
  [ -x "$dest/opt/mm/share/mixmaster/post-receive" ]
  units=$dest/opt/mm/lib/systemd/user
  for unit in mixmaster-bridge.socket mixmaster-bridge@.service mixmaster.path \
    mixmaster.service; do
    [ -f "$units/$unit" ]
    run grep -c '@BINDIR@' "$units/$unit"
    assert_output 0
  done
  run grep -h '^Exec' "$units/mixmaster-bridge@.service" "$units/mixmaster.service"
  assert_output $'ExecStart=/opt/mm/bin/mmbridge\nExecStart=/opt/mm/bin/mmbuild\nExecStopPost=/opt/mm/bin/mmcleanup'

  run make -s -C "$MM_ROOT" uninstall DESTDIR="$dest" PREFIX=/opt/mm
  assert_success
  run find "$dest" -mindepth 1
  assert_output ""
}

@test "make, then make install, compiles nothing (a root install leaves no root-owned objects)" {
  # The project's Makefile on a fresh tree of one small program and one
  # module, so that the first `make` starts without dependency files, as
  # after a clone.
  tree=$BATS_TEST_TMPDIR/tree
  mkdir -p "$tree/cmd" "$tree/lib/base"
  cp "$MM_ROOT/Makefile" "$tree/"
  printf 'int Answer() { return 42; }\n' >"$tree/lib/base/answer.cpp"
  printf 'int Answer();\nint main() { return Answer() == 42 ? 0 : 1; }\n' >"$tree/cmd/mmhello.cpp"
  # build/, or build-san/ under `make check SANITIZE=...` (see MM_BIN).
  local b
  b=$(basename "$MM_BIN")
  run make -C "$tree"
  assert_success
  assert_output --partial -- "-c -o $b/obj/cmd/mmhello.o"
  run make -C "$tree" install DESTDIR="$BATS_TEST_TMPDIR/dest" PREFIX=/opt/mm
  assert_success
  refute_output --partial -- ' -c -o '
  refute_output --partial -- "-o $b/mmhello "
  "$BATS_TEST_TMPDIR/dest/opt/mm/bin/mmhello"
}

@test "UNITDIR puts the units elsewhere; uninstall with the same settings leaves DESTDIR empty" {
  dest=$BATS_TEST_TMPDIR/dest
  mkdir "$dest"
  run make -s -C "$MM_ROOT" install DESTDIR="$dest" PREFIX=/usr UNITDIR=/usr/lib/systemd/user
  assert_success
  [ -x "$dest/usr/bin/mmsetup" ]
  [ -f "$dest/usr/lib/systemd/user/mixmaster.path" ]
  [ ! -e "$dest/usr/usr" ]
  has_line "$dest/usr/lib/systemd/user/mixmaster.service" "ExecStart=/usr/bin/mmbuild"
  run make -s -C "$MM_ROOT" uninstall DESTDIR="$dest" PREFIX=/usr UNITDIR=/usr/lib/systemd/user
  assert_success
  run find "$dest" -mindepth 1
  assert_output ""
}

@test "the installed units carry the settings mmsetup(1) names, the default spool as %h" {
  dest=$BATS_TEST_TMPDIR/dest
  run make -s -C "$MM_ROOT" install DESTDIR="$dest" PREFIX=/opt/mm
  assert_success
  units=$dest/opt/mm/lib/systemd/user
  has_line "$units/mixmaster-bridge.socket" "ListenStream=8585"
  has_line "$units/mixmaster-bridge.socket" "Accept=yes"
  has_line "$units/mixmaster-bridge@.service" "StandardInput=socket"
  has_line "$units/mixmaster-bridge@.service" "StandardError=journal"
  # A day, the longest stream of a raw log (mmbridge(1) WEB VIEW), and an
  # hour more.
  has_line "$units/mixmaster-bridge@.service" "RuntimeMaxSec=25h"
  has_line "$units/mixmaster-bridge.socket" "TriggerLimitIntervalSec=0"
  has_line "$units/mixmaster.path" "DirectoryNotEmpty=%h/Builds/INBOX"
  has_line "$units/mixmaster.path" "MakeDirectory=yes"
  has_line "$units/mixmaster.service" "ExecStart=/opt/mm/bin/mmbuild"
  has_line "$units/mixmaster.service" "ExecStopPost=/opt/mm/bin/mmcleanup"
  for unit in "$units"/*; do
    run grep -E '^Documentation=man:[a-z.]+\([158]\)' "$unit"
    assert_success
  done
}

@test "the unit files verify cleanly against the built programs" {
  run "$MM_ROOT/t/helpers/verify-units" --bindir "$MM_BIN" "$MM_ROOT"/units/*
  assert_success
  assert_output "verify-units: 4 unit(s) verified"
}
