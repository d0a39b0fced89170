#!/usr/bin/env bats
# mmsetup without a reachable systemd user manager (the e2e file runs it
# under a real one): the plan, the question, the files it writes and keeps,
# the drop-ins, --dump and --teardown.
load helpers/common
load helpers/bridge

setup() {
  mm_private_home
  # A runtime directory with no manager in it: systemctl --user cannot
  # connect, as on a machine without a user session.
  export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/runtime
  mkdir -m 0700 "$XDG_RUNTIME_DIR"
  unset DBUS_SESSION_BUS_ADDRESS
  UNITS=$XDG_CONFIG_HOME/systemd/user
}

teardown() {
  bridge_stop
}

@test "--help names every option, camelCase spellings too; --version; bad usage exits 2" {
  run "$MM_BIN/mmsetup" --help
  assert_success
  for option in --build-root,--buildRoot --spool --email --port --key --yes \
    --dump --teardown --no-secret,--noSecret --config --version; do
    assert_output --partial -- "$option"
  done
  run "$MM_BIN/mmsetup" --version
  assert_success
  assert_output "$(sed -n 's/^VERSION := //p' "$MM_ROOT/Makefile")"
  run "$MM_BIN/mmsetup" --frobnicate
  assert_failure 2
  run "$MM_BIN/mmsetup" --port 70000 --yes
  assert_failure 2
  assert_output --partial "expected a port number from 1 to 65535"
  run "$MM_BIN/mmsetup" --dump --teardown
  assert_failure 2
  [ ! -e "$MM_CONFIG" ]
  # Teardown keeps the configuration aside; --help says so.
  run "$MM_BIN/mmsetup" --help
  assert_output --partial "move the configuration aside to a .bak file"
  [[ "$output" != *"remove the configuration"* ]]
  run "$MM_BIN/mmsetup" --branch main
  assert_failure 2
}

@test "--dump prints the commented configuration with a fresh secret and writes nothing" {
  run "$MM_BIN/mmsetup" --dump --email me@example.org --buildRoot /srv/builds
  assert_success
  assert_line "buildRoot = /srv/builds"
  assert_line "mailto = me@example.org"
  assert_line --regexp '^secret = [0-9a-f]{64}$'
  assert_line ";[example-org/example-repo]"
  first=$(echo "$output" | grep '^secret')
  run "$MM_BIN/mmsetup" --dump --email me@example.org --buildRoot /srv/builds
  refute_line "$first"
  [ ! -e "$MM_CONFIG" ]
  [ ! -e "$HOME/Builds" ]
  [ ! -e /srv/builds ]
}

@test "without a terminal and without --yes it shows the plan, refuses and changes nothing" {
  run "$MM_BIN/mmsetup" </dev/null
  assert_failure 2
  assert_output --partial "mmsetup will:"
  assert_output --partial "  - create the build root $HOME/Builds"
  assert_output --partial "  - write the configuration $MM_CONFIG (with a random secret)"
  assert_output --partial "no terminal to ask on: run \`mmsetup --yes\`"
  [ ! -e "$MM_CONFIG" ]
  [ ! -e "$HOME/Builds" ]
}

@test "on a terminal it asks, and an answer other than yes changes nothing" {
  command -v script >/dev/null || skip "script(1) from util-linux is not installed"
  run script -qec "$MM_BIN/mmsetup" /dev/null <<<"n"
  assert_failure 1
  assert_output --partial "Go ahead? [y/N]"
  assert_output --partial "Nothing done."
  [ ! -e "$MM_CONFIG" ]
  run script -qec "$MM_BIN/mmsetup" /dev/null <<<"y"
  assert_failure 4  # no user manager here
  [ -f "$MM_CONFIG" ]
}

@test "--yes creates the build root, spool and a private config with a secret; no systemd: says how to start" {
  run "$MM_BIN/mmsetup" --yes --email me@example.org --key '~/.ssh/id_build'
  assert_failure 4  # no user manager here
  [ -d "$HOME/Builds/INBOX" ]
  assert_equal "$(stat -c %a "$MM_CONFIG")" 600
  secret=$(sed -n 's/^secret = //p' "$MM_CONFIG")
  [[ $secret =~ ^[0-9a-f]{64}$ ]]
  run grep -E '^(mailto|sshKey|buildRoot) = ' "$MM_CONFIG"
  assert_output $'buildRoot = ~/Builds\nmailto = me@example.org\nsshKey = ~/.ssh/id_build'
  # Default port and spool: no drop-ins.
  [ ! -e "$UNITS" ]
  # mmsetup's own output, run again to look at it.
  rm "$MM_CONFIG"
  run "$MM_BIN/mmsetup" --yes
  assert_failure 4  # no user manager here
  assert_output --partial "the systemd user manager cannot be reached"
  assert_output --partial "the files are written; the systemd user manager cannot be reached"
  assert_output --partial "so no unit was enabled or disabled"
  assert_output --partial "export XDG_RUNTIME_DIR=/run/user/$(id -u)"
  assert_output --partial "sudo loginctl enable-linger $(id -un)"
  assert_output --partial "Then run: \`mmsetup --yes\` again (it keeps what exists)"
  secret=$(sed -n 's/^secret = //p' "$MM_CONFIG")
  assert_output --partial ":8585/gitea"
  assert_output --partial ":8585/github"
  assert_output --partial ":8585/gitlab"
  assert_output --partial "Secret token  $secret"
}

@test "a second run keeps everything and says so" {
  run "$MM_BIN/mmsetup" --yes --port 9000 --spool "$BATS_TEST_TMPDIR/spool"
  assert_failure 4  # no user manager here
  before=$(cd "$HOME" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
  run "$MM_BIN/mmsetup" --yes --email other@example.org
  assert_failure 4  # no user manager here
  assert_output --partial "keep the build root $HOME/Builds (it exists)"
  assert_output --partial "keep the spool $BATS_TEST_TMPDIR/spool (it exists)"
  assert_output --partial "keep the existing configuration $MM_CONFIG (mmsetup never overwrites it)"
  assert_output --partial "keep $UNITS/mixmaster-bridge.socket.d/port.conf (unchanged)"
  refute_output --regexp '  - (create|write|replace|remove) '
  # The kept port and secret are what the forge gets.
  assert_output --partial "Secret token  $(sed -n 's/^secret = //p' "$MM_CONFIG")"
  assert_output --partial ":9000/gitea"
  assert_equal "$(cd "$HOME" && find . -type f -print0 | sort -z | xargs -0 sha256sum)" "$before"
}

@test "--port and --spool write drop-ins; the defaults write none" {
  run "$MM_BIN/mmsetup" --yes --port 9000 --spool "$BATS_TEST_TMPDIR/my spool"
  assert_failure 4  # no user manager here
  run cat "$UNITS/mixmaster-bridge.socket.d/port.conf"
  assert_output --partial $'[Socket]\nListenStream=\nListenStream=9000'
  run cat "$UNITS/mixmaster.path.d/spool.conf"
  assert_output --partial $'[Path]\nDirectoryNotEmpty=\nDirectoryNotEmpty="'"$BATS_TEST_TMPDIR/my spool"'"'
  # mmbridge's own sandbox takes the spool from the configuration.
  [ ! -e "$UNITS/mixmaster-bridge@.service.d/spool.conf" ]
  run cat "$UNITS/mixmaster.service.d/spool.conf"
  assert_output --partial "ExecStopPost=$MM_BIN/mmcleanup \"--spool=$BATS_TEST_TMPDIR/my spool\" --build-root=$HOME/Builds"
  run grep '^spool = ' "$MM_CONFIG"
  assert_output "spool = $BATS_TEST_TMPDIR/my spool"
  [ -d "$BATS_TEST_TMPDIR/my spool" ]
}

@test "a re-run removes the bridge spool drop-in an older mmsetup wrote" {
  # It gave every request a mount namespace (ReadWritePaths=); mmbridge now
  # sandboxes itself to the configured spool.
  mkdir -p "$UNITS/mixmaster-bridge@.service.d"
  printf '[Service]\nReadWritePaths=\nReadWritePaths=-/old/spool\n' \
    >"$UNITS/mixmaster-bridge@.service.d/spool.conf"
  run "$MM_BIN/mmsetup" --yes
  assert_failure 4  # no user manager here
  assert_output --partial "  - remove $UNITS/mixmaster-bridge@.service.d/spool.conf"
  [ ! -e "$UNITS/mixmaster-bridge@.service.d" ]
}

@test "--no-secret (or --noSecret) writes no secret and warns plainly" {
  run "$MM_BIN/mmsetup" --yes --noSecret
  assert_failure 4  # no user manager here
  assert_output --partial "WARNING: no secret is set: anyone who can reach the port can queue"
  run grep -c '^secret' "$MM_CONFIG"
  assert_output 0
}

@test "in a chroot, where systemctl skips commands and exits 0, it says the manager cannot be reached" {
  # SYSTEMD_OFFLINE=1 makes systemctl act as it does in a chroot (fresh-
  # machine-check runs the tests in one): "Running in chroot, ignoring
  # command", exit 0.
  export SYSTEMD_OFFLINE=1
  run systemctl --user daemon-reload
  assert_success
  run "$MM_BIN/mmsetup" --yes --port 9000
  assert_failure 4  # no user manager here
  # `offline` where systemd did not boot; where it did (or while another
  # test's manager helper has made /run/systemd/system), the bus is missing.
  assert_output --regexp "the files are written; the systemd user manager cannot be reached \(\`systemctl --user is-system-running\`: (offline|Failed to connect to bus: No such file or directory)\)"
  refute_output --partial "Mixmaster listens on"
  [ -f "$MM_CONFIG" ]
  [ -f "$UNITS/mixmaster-bridge.socket.d/port.conf" ]
  run "$MM_BIN/mmsetup" --teardown --yes
  assert_failure 4  # no user manager here
  assert_output --partial "the files are removed; the systemd user manager cannot be reached"
  assert_output --partial "Then run: \`systemctl --user disable --now mixmaster-bridge.socket mixmaster.path\`"
  [ ! -e "$MM_CONFIG" ]
}

@test "a broken existing configuration is left alone and is a configuration error" {
  printf '[_]\nnot ini\n' | mm_write_config
  run "$MM_BIN/mmsetup" --yes
  assert_failure 3
  assert_output --partial "mixmaster.ini:2:"
  assert_output --partial "mmsetup never overwrites it"
  assert_equal "$(cat "$MM_CONFIG")" $'[_]\nnot ini'
}

@test "--teardown keeps the config as a backup and says where, removes the drop-ins, keeps the build root and spool" {
  run "$MM_BIN/mmsetup" --yes --port 9000
  assert_failure 4  # no user manager here
  printf '\n[example-org/example-repo]\nproduction = make deploy\n' >>"$MM_CONFIG"
  config=$(cat "$MM_CONFIG")
  echo '[job]' >"$HOME/Builds/INBOX/waiting.ini"
  run "$MM_BIN/mmsetup" --teardown </dev/null
  assert_failure 2
  assert_output --partial "no terminal to ask on: run \`mmsetup --teardown --yes\`"
  [ -f "$MM_CONFIG" ]
  run "$MM_BIN/mmsetup" --teardown --yes
  assert_failure 4  # no user manager here
  assert_output --regexp "  - move the configuration $MM_CONFIG \(with its projects and secret\) to $MM_CONFIG\.[0-9]{8}-[0-9]{6}\.bak"
  backup=$(ls "$MM_CONFIG".*.bak)
  assert_output --partial "Kept the configuration (projects, secret) in $backup: \`mv $backup $MM_CONFIG\` before \`mmsetup\` sets Mixmaster up with it again."
  assert_output --partial "  - remove $UNITS/mixmaster-bridge.socket.d/port.conf"
  assert_output --partial "Kept the build root $HOME/Builds and the spool $HOME/Builds/INBOX"
  [ ! -e "$MM_CONFIG" ]
  assert_equal "$(cat "$backup")" "$config"
  assert_equal "$(stat -c %a "$backup")" 600
  [ -z "$(ls -A "$UNITS")" ]
  [ -f "$HOME/Builds/INBOX/waiting.ini" ]
  # Put back as it says, it is what mmsetup sets up with again.
  mv "$backup" "$MM_CONFIG"
  run "$MM_BIN/mmsetup" --yes
  assert_failure 4  # no user manager here
  assert_output --partial "keep the existing configuration $MM_CONFIG"
  assert_output --partial "Secret token  $(sed -n 's/^secret = //p' "$MM_CONFIG")"
}

@test "a spool or build root under /proc or /sys is refused before anything changes; /tmp is fine" {
  for option in "--spool /proc/mixmaster-spool" "--build-root /sys/mixmaster-builds"; do
    run "$MM_BIN/mmsetup" --yes $option
    assert_failure 2
    assert_output --partial ", the kernel's, where no directory can be made for jobs"
    [ ! -e "$MM_CONFIG" ]
    [ ! -e "$HOME/Builds" ]
  done
  # Through a link, too.
  ln -s /sys "$HOME/link"
  run "$MM_BIN/mmsetup" --yes --spool "$HOME/link/spool"
  assert_failure 2
  assert_output --partial "the spool $HOME/link/spool (/sys/spool) is under /sys"
  [ ! -e "$MM_CONFIG" ]
  # An existing configuration naming such a spool is a configuration error.
  printf '[_]\nspool = /proc/mixmaster-spool\n' | mm_write_config
  run "$MM_BIN/mmsetup" --yes
  assert_failure 3
  assert_output --partial "(it is set in $MM_CONFIG)"
  # The bridge's unit hides no /tmp: a spool there is set up.
  rm "$MM_CONFIG"
  run "$MM_BIN/mmsetup" --yes --spool "$BATS_TEST_TMPDIR/spool"
  assert_failure 4  # no user manager here
  [ -d "$BATS_TEST_TMPDIR/spool" ]
}

@test "from a pipe: no journal prefixes, and its messages come after the plan they follow" {
  run bash -c '"$0" --yes 2>&1 | cat' "$MM_BIN/mmsetup"
  refute_output --regexp '<[0-9]>'
  assert_line --index 0 "mmsetup will:"
  # The error about the manager is the last line, after the forge settings.
  assert_line --index $((${#lines[@]} - 1)) --regexp '^mmsetup: the files are written; the systemd user manager cannot be reached'
}

@test "the by-hand lines it prints queue a job when pasted into bash, and are the README's" {
  bridge_start
  run "$MM_BIN/mmsetup" --yes --port "127.0.0.1:$BRIDGE_PORT"
  assert_failure 4  # no user manager here
  printf '\n[example-org/example-repo]\nproduction = make deploy\n' >>"$MM_CONFIG"
  # The printed lines, as a user copies them, with the body filled in.
  echo "$output" | sed -n '/^  By hand/,/^    curl/p' | sed -n 's/^    //p' |
    sed 's|^body=.*|body='"'"'{"scm":"git","repositoryUrl":"/srv/git/repo.git","project":"example-org/example-repo","target":"production"}'"'"'|' \
      >"$BATS_TEST_TMPDIR/pasted.sh"
  run cat "$BATS_TEST_TMPDIR/pasted.sh"
  assert_line --index 0 --partial "secret=\$(sed -n 's/^secret *= *//p' '$MM_CONFIG')"
  assert_line --index 3 --partial "http://127.0.0.1:$BRIDGE_PORT/"
  run bash "$BATS_TEST_TMPDIR/pasted.sh"
  assert_success
  assert_line --regexp '^queued [0-9]{8}-'
  assert_equal "$(mm_spool_count "$HOME/Builds/INBOX")" 1
  # The README shows the same signing and sending lines.
  for n in 2 3; do
    line=$(sed -n "${n}p" "$BATS_TEST_TMPDIR/pasted.sh")
    line=${line/127.0.0.1:$BRIDGE_PORT/localhost:8585}
    grep -qxF -- "$line" "$MM_ROOT/README.md" || fail "README.md has no line: $line"
  done
  grep -qxF -- "secret=\$(sed -n 's/^secret *= *//p' ~/.config/mixmaster.ini)" "$MM_ROOT/README.md"
}

@test "--check prints the configuration as the programs read it; warnings exit 1, errors 3" {
  cat >"$MM_CONFIG" <<'EOF'
[_]
buildRoot = ~/b
jbos = 2
webview = yes
secret = do-not-show-me
notify = failures

[example-org/app]
production = make deploy
staging = make deploy-to-staging
:notify:staging = all
notify = none

[example-org/docs]
:badge = gh-pages
master/docs = make docs
EOF
  # Holding the secret, the file is the user's alone (else a fourth warning).
  chmod 600 "$MM_CONFIG"
  run "$MM_BIN/mmsetup" --check
  assert_failure 1
  assert_line --index 0 "; $MM_CONFIG: 2 projects, 3 warnings"
  assert_line "; warning: $MM_CONFIG:3: unknown setting \`jbos\` in [_] ignored; did you mean \`jobs\`?"
  assert_line "; warning: $MM_CONFIG:4: unknown setting \`webview\` in [_] ignored; did you mean \`webView\`?"
  assert_line "; warning: [example-org/docs] :badge gh-pages: no build configured for gh-pages, so its badge stays unknown"
  assert_line "; note: \`notify\` in [example-org/app] is a branch key; the project setting is written \`:notify\`"
  assert_line "buildRoot = $HOME/b"
  assert_line "jobs = 1"
  assert_line "webView = no"
  assert_line "notify = failures"
  assert_line "secret = (set, not shown)"
  [[ "$output" != *do-not-show-me* ]]
  assert_line "[example-org/app]"
  assert_line "staging = make deploy-to-staging"
  assert_line ":notify:staging = all"
  assert_line "; badge: the last build of production"
  [ ! -e "$HOME/b" ]  # a check changes nothing

  run "$MM_BIN/mmsetup" --check --branch staging/x
  assert_failure 1
  assert_line "; branch staging/x:"
  assert_line "; [example-org/app] key staging runs: make deploy-to-staging (notify all)"
  assert_line "; [example-org/docs] no build configured for staging/x"
  run "$MM_BIN/mmsetup" --check --branch master --task docs
  assert_line "; [example-org/docs] key master/docs runs: make docs (notify failures)"

  printf '[_]\n\n[a/b]\nmain = make\n' >"$MM_CONFIG"
  run "$MM_BIN/mmsetup" --check
  assert_success
  assert_line --index 0 "; $MM_CONFIG: 1 project, 0 warnings"

  printf '[_]\nnotify = sometimes\n' >"$MM_CONFIG"
  run "$MM_BIN/mmsetup" --check
  assert_failure 3
  assert_output --partial "$MM_CONFIG:2: notify must be \`all\`, \`failures\` or \`none\`, not \`sometimes\`"
  printf '[a/b]\n:notify = loud\n' >"$MM_CONFIG"
  run "$MM_BIN/mmsetup" --check
  assert_failure 3
  assert_output --partial "$MM_CONFIG:2: \`:notify\` in [a/b] must be"
  run "$MM_BIN/mmsetup" --check --config "$BATS_TEST_TMPDIR/none.ini"
  assert_failure 3
  assert_output --partial "cannot read configuration $BATS_TEST_TMPDIR/none.ini"
}
