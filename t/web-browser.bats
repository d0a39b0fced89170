#!/usr/bin/env bats
# The web view in a real browser: Debian's chromium, headless, loads the
# history, a project and a build page from a running bridge on loopback and
# the DOM it built is checked; a screenshot is taken of the build page
# (MM_SCREENSHOT=PATH keeps it, as doc/web-view.png was made).

load helpers/common

setup_file() {
  cp "$MM_BIN/mmbridge" "$BATS_FILE_TMPDIR/mmbridge"
  export BRIDGE_BIN=$BATS_FILE_TMPDIR/mmbridge
}

load helpers/bridge
load helpers/web

setup() {
  command -v chromium >/dev/null ||
    skip "chromium is not installed (make deps installs it)"
  mm_private_home
  BUILDS=$BATS_TEST_TMPDIR/builds
  mkdir -p "$BUILDS"
  mm_write_config <<EOF
[_]
buildRoot = $BUILDS
webView = yes

[acme/app]
main = make
EOF
  bridge_start
}

teardown() { bridge_stop; }

# browser ARGS... URL: headless chromium with a fresh profile, no network
# but the URL given.
browser() {
  local profile=$BATS_TEST_TMPDIR/profile
  mkdir -p "$profile"
  timeout 120 chromium --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update --disable-sync \
    --no-first-run --user-data-dir="$profile" "$@" 2>>"$BATS_TEST_TMPDIR/chromium.log"
}

@test "chromium shows the history, a project and a build page" {
  web_log acme-app "$(web_id 1)" failure main 'O compiling' '! error: missing ;' >/dev/null
  web_log acme-app "$(web_id 2)" success release 'O released' >/dev/null
  web_log acme-app "$(web_id 3)" success main 'O cc -c app.c' 'O <script>document.title="owned"</script>' \
    '! warning: unused variable' 'H hook: deployed' >/dev/null
  web_log acme-docs "$(web_id 4)" running main 'O building the manual' >/dev/null
  url=http://127.0.0.1:$BRIDGE_PORT

  browser --dump-dom "$url/builds" >"$BATS_TEST_TMPDIR/history.html"
  run grep -o '<tr class="build .*</tr>' "$BATS_TEST_TMPDIR/history.html"
  [ "${#lines[@]}" = 3 ]
  assert_line --partial 'acme-docs">acme/app</a>'
  [[ "$output" == *'data-status="running"'* && "$output" == *'data-status="success"'* ]]
  [[ "$output" != *'data-status="failure"'* ]]  # main's last build succeeded

  browser --dump-dom "$url/builds/acme-app" >"$BATS_TEST_TMPDIR/project.html"
  run grep -o 'data-status="[a-z]*"' "$BATS_TEST_TMPDIR/project.html"
  assert_equal "${lines[*]}" 'data-status="success" data-status="success" data-status="failure"'

  browser --dump-dom "$url/builds/acme-app/$(web_id 3)" >"$BATS_TEST_TMPDIR/build.html"
  grep -q '<title>acme/app main' "$BATS_TEST_TMPDIR/build.html"
  grep -q 'id="status" data-status="success"' "$BATS_TEST_TMPDIR/build.html"
  grep -q '<span class="m-stderr">12:00:02 ! warning: unused variable</span>' "$BATS_TEST_TMPDIR/build.html"
  grep -q 'O &lt;script&gt;document.title' "$BATS_TEST_TMPDIR/build.html"
  ! grep -q '<title>owned' "$BATS_TEST_TMPDIR/build.html"  # the script did not run

  shot=${MM_SCREENSHOT:-$BATS_TEST_TMPDIR/build.png}
  browser --hide-scrollbars --window-size=900,600 --screenshot="$shot" \
    "$url/builds/acme-app/$(web_id 3)"
  [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}
