#!/usr/bin/env bats
# The web view in a real browser: Debian's chromium, headless, loads the
# history, a project and a build page from a running bridge on loopback and
# the DOM it built is checked; a screenshot is taken of the build page
# (MM_SCREENSHOT=PATH keeps it, as doc/web-view.png was made), and of the
# lists with queued and running builds (MM_SCREENSHOT_DIR=DIR keeps them, as
# doc/web-builds.png and doc/web-project.png were made).

load helpers/common

setup_file() {
  cp "$MM_BIN/mmbridge" "$BATS_FILE_TMPDIR/mmbridge"
  export BRIDGE_BIN=$BATS_FILE_TMPDIR/mmbridge
}

load helpers/bridge
load helpers/web
load helpers/jobs

setup() {
  command -v chromium >/dev/null ||
    skip "chromium is not installed (make deps installs it)"
  mm_private_home
  BUILDS=$BATS_TEST_TMPDIR/builds
  SPOOL=$BUILDS/INBOX
  mkdir -p "$BUILDS" "$SPOOL"
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

# is_png FILE
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }

# mmbridge(1) WEB VIEW: the lists as a browser builds them, a row for each
# kind of build, the queued ones first in the order mmbuild takes them.
@test "chromium shows queued, running, superseded and failed rows, who pushed what, and reloads the lists" {
  web_log acme-app "$(web_id 1)" failure main 'O compiling' '! error: missing ;' >/dev/null
  WEB_SUPERSEDED_BY=$(web_id 3) web_log acme-app "$(web_id 2)" superseded main >/dev/null
  web_log acme-app "$(web_id 3)" success main 'O cc -c app.c' >/dev/null
  WEB_RECEIVED=$(date -u -d '-96 seconds' +%Y-%m-%dT%H:%M:%SZ) \
    WEB_STARTED=$(date -u -d '-95 seconds' +%Y-%m-%dT%H:%M:%SZ) \
    web_log acme-app "$(web_id 4)" running release 'O packaging' >/dev/null
  spool_job "$(web_id 5)" repositoryUrl=/srv/acme.git target=main \
    commit=4f1c2a9e0b7d3c5a6e8f9a0b1c2d3e4f5a6b7c8d \
    viewUrl=https://forge.example/acme/app/commit/4f1c2a9 \
    'message=Show the error under the field' pusher=grace \
    received="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  url=http://127.0.0.1:$BRIDGE_PORT

  for page in builds builds/acme-app; do
    browser --dump-dom "$url/$page" >"$BATS_TEST_TMPDIR/page.html"
    grep -q '<meta http-equiv="refresh" content="5">' "$BATS_TEST_TMPDIR/page.html"
    run grep -o '<tr class="build [a-z]*" data-id="[^"]*"' "$BATS_TEST_TMPDIR/page.html"
    assert_line --index 0 "<tr class=\"build queued\" data-id=\"$(web_id 5)\""
    assert_line --index 1 "<tr class=\"build running\" data-id=\"$(web_id 4)\""
    run grep -c '<span class="elapsed">1 min [0-9][0-9] s</span>' "$BATS_TEST_TMPDIR/page.html"
    assert_output 1
    grep -q '<span class="position">#1</span>' "$BATS_TEST_TMPDIR/page.html"
    grep -q '<td class="subject">Show the error under the field</td><td class="wide pusher">grace</td>' \
      "$BATS_TEST_TMPDIR/page.html"
  done
  # The project page has every kind of row, the superseded one linked to
  # its successor, and no duration for it.
  run grep -o '<tr class="build [a-z]*" data-id="[^"]*"' "$BATS_TEST_TMPDIR/page.html"
  assert_equal "${#lines[@]}" 5
  assert_line --index 2 "<tr class=\"build success\" data-id=\"$(web_id 3)\""
  assert_line --index 3 "<tr class=\"build superseded\" data-id=\"$(web_id 2)\""
  assert_line --index 4 "<tr class=\"build failure\" data-id=\"$(web_id 1)\""
  grep -q "by <a class=\"superseded-by\" href=\"/builds/acme-app/$(web_id 3)\" title=\"$(web_id 3)\">20261125-120003</a>" \
    "$BATS_TEST_TMPDIR/page.html"
  grep -q '<a class="commit" href="https://forge.example/acme/app/commit/4f1c2a9"><code>4f1c2a9e0b7d</code></a>' \
    "$BATS_TEST_TMPDIR/page.html"

  browser --dump-dom "$url/builds/acme-app/$(web_id 1)" >"$BATS_TEST_TMPDIR/failed.html"
  grep -q '<span class="m-mixmaster m-failed">12:00:05 # Build failed: the command exited with status 2</span>' \
    "$BATS_TEST_TMPDIR/failed.html"

  local dir=${MM_SCREENSHOT_DIR:-$BATS_TEST_TMPDIR}
  browser --hide-scrollbars --window-size=1400,300 --screenshot="$dir/web-builds.png" "$url/builds"
  browser --hide-scrollbars --window-size=1400,480 --screenshot="$dir/web-project.png" "$url/builds/acme-app"
  is_png "$dir/web-builds.png"
  is_png "$dir/web-project.png"
}
