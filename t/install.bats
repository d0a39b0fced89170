#!/usr/bin/env bats
# `make install` puts the programs, man pages and user units in place with
# @BINDIR@ filled in; `make uninstall` takes exactly that away again.
load helpers/common

@test "make install fills in the units; make uninstall leaves DESTDIR empty" {
  dest=$BATS_TEST_TMPDIR/dest
  mkdir "$dest"
  run make -s -C "$MM_ROOT" install DESTDIR="$dest" PREFIX=/opt/mm
  assert_success
  for program in mmbridge mmbuild mmsetup mmcleanup; do
    [ -x "$dest/opt/mm/bin/$program" ]
  done
  [ -f "$dest/opt/mm/share/man/man1/mmsetup.1" ]
  [ -f "$dest/opt/mm/share/man/man1/mmcleanup.1" ]
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

@test "the unit files verify cleanly against the built programs" {
  run "$MM_ROOT/t/helpers/verify-units" "$MM_ROOT"/units/*
  assert_success
  assert_output "verify-units: 4 unit(s) verified"
}
