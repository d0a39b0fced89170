#!/usr/bin/env bats
# The web view (mmbridge(1) WEB VIEW) from the outside: the real mmbridge
# behind a real loopback socket, pages, raw logs and badges read from real
# log files, and a real mmbuild run streamed while it builds.

load helpers/common

# A copy, so that a relink elsewhere cannot pull the program away mid-test.
setup_file() {
  cp "$MM_BIN/mmbridge" "$BATS_FILE_TMPDIR/mmbridge"
  export BRIDGE_BIN=$BATS_FILE_TMPDIR/mmbridge
}

load helpers/bridge
load helpers/web
load helpers/git
load helpers/jobs

setup() {
  mm_private_home
  BUILDS=$BATS_TEST_TMPDIR/builds
  SPOOL=$BUILDS/INBOX
  mkdir -p "$SPOOL"
  write_config "webView = yes"
  bridge_start
}

teardown() {
  bridge_stop
  kill_background
}

# write_config [EXTRA [_] LINES...]
write_config() {
  local extra
  extra=$(printf '%s\n' "$@")
  mm_write_config <<EOF2
[_]
buildRoot = $BUILDS
spool = $SPOOL
$extra

[acme/app]
main = make
EOF2
}

get() { bridge_curl GET "$@"; }

@test "off unless webView = yes: every view path is 404, saying how to turn it on" {
  write_config
  web_log acme-app "$(web_id 1)" success >/dev/null
  for path in /builds /builds/acme-app "/builds/acme-app/$(web_id 1)" \
    "/builds/acme-app/$(web_id 1).log" /badge/acme-app.svg; do
    get "$path"
    assert_equal "$HTTP_STATUS" 404
    [[ "$HTTP_BODY" != *"a change"* ]]
    assert_equal "$HTTP_BODY" "no such page $path: the web view is off; set \`webView = yes\` in [_] of the configuration to turn it on (mmbridge(1) WEB VIEW)"
  done
}

# mmbridge(1) WEB VIEW: on /builds what runs comes before what is done,
# whichever project it is in, as in `mmbuild --list`.
@test "history page: running builds before finished ones, whatever their age" {
  web_log acme-app "$(web_id 1)" running main >/dev/null
  web_log other-proj "$(web_id 2)" success main >/dev/null
  get /builds
  run grep -o '<tr class="build [a-z]*" data-id="[^"]*"' <<<"$HTTP_BODY"
  assert_equal "${lines[0]}" "<tr class=\"build running\" data-id=\"$(web_id 1)\""
  assert_equal "${lines[1]}" "<tr class=\"build success\" data-id=\"$(web_id 2)\""
}

@test "history page: each project's last build per target, with status and link" {
  web_log acme-app "$(web_id 1)" failure main >/dev/null
  web_log acme-app "$(web_id 2)" success main >/dev/null
  web_log acme-app "$(web_id 3)" failure release >/dev/null
  web_log other-proj "$(web_id 4)" running main >/dev/null
  get /builds
  assert_equal "$HTTP_STATUS" 200
  [[ "$HTTP_HEADERS" == *"Content-Type: text/html; charset=utf-8"* ]]
  [ "$(grep -c '<tr class="build ' <<<"$HTTP_BODY")" = 3 ]
  [[ "$HTTP_BODY" == *"/builds/acme-app/$(web_id 2)\">main<"* ]]
  [[ "$HTTP_BODY" != *"$(web_id 1)"* ]]
  [[ "$HTTP_BODY" == *"/builds/acme-app/$(web_id 3)\">release<"* ]]
  [[ "$HTTP_BODY" == *'data-status="running"'* ]]
  [[ "$HTTP_BODY" == *'data-status="success"'* ]]
  [[ "$HTTP_BODY" == *'data-status="failure"'* ]]
}

# mmbridge(1) WEB VIEW: what waits in the spool is listed first with its
# place in the queue, and a list with a queued or running row reloads
# itself (the build page's <meta> refresh, no JavaScript) until all is done.
@test "lists: queued jobs first with their place, running builds with their time; they refresh until all is done" {
  web_log acme-app "$(web_id 1)" success main >/dev/null
  WEB_STARTED=$(date -u -d '-65 seconds' +%Y-%m-%dT%H:%M:%SZ) \
    web_log acme-app "$(web_id 2)" running release >/dev/null
  spool_job "$(web_id 4)" repositoryUrl=/srv/acme.git target=docs \
    'message=Queued <later>\n\nbody' pusher=bob received=2026-11-25T12:30:00Z
  spool_job "$(web_id 3)" repositoryUrl=/srv/acme.git target=main
  for path in /builds /builds/acme-app; do
    get "$path"
    assert_equal "$HTTP_STATUS" 200
    [[ "$HTTP_BODY" == *'<meta http-equiv="refresh" content="5">'* ]]
    # In the order mmbuild takes them, before the builds; no page yet.
    run grep -o '<tr class="build [a-z]*" data-id="[^"]*"' <<<"$HTTP_BODY"
    assert_equal "${lines[0]}" "<tr class=\"build queued\" data-id=\"$(web_id 3)\""
    assert_equal "${lines[1]}" "<tr class=\"build queued\" data-id=\"$(web_id 4)\""
    assert_equal "${lines[2]}" "<tr class=\"build running\" data-id=\"$(web_id 2)\""
    assert_equal "${lines[3]}" "<tr class=\"build success\" data-id=\"$(web_id 1)\""
    [[ "$HTTP_BODY" == *'<span class="position">#1</span>'* ]]
    [[ "$HTTP_BODY" == *'<span class="position">#2</span>'* ]]
    [[ "$HTTP_BODY" != *"href=\"/builds/acme-app/$(web_id 3)\""* ]]
    [[ "$HTTP_BODY" == *'<td class="subject">Queued &lt;later&gt;</td>'* ]]
    [[ "$HTTP_BODY" == *'<td class="wide pusher">bob</td>'* ]]
    [[ "$HTTP_BODY" == *'title="2026-11-25T12:30:00Z">25 Nov 2026 12:30 UTC</time>'* ]]
    [[ "$HTTP_BODY" =~ '<span class="elapsed">1 min '[0-9][0-9]' s</span>' ]]
  done
  # Taken and finished: nothing waits or runs, nothing reloads.
  rm "$SPOOL"/*.ini
  web_log acme-app "$(web_id 2)" success release >/dev/null
  for path in /builds /builds/acme-app; do
    get "$path"
    [[ "$HTTP_BODY" != *'http-equiv="refresh"'* ]]
    [[ "$HTTP_BODY" != *'queued'* ]]
  done
  # A project whose first job still waits has a page already.
  spool_job "$(web_id 5)" project=new/app repositoryUrl=/srv/new.git
  get /builds/new-app
  assert_equal "$HTTP_STATUS" 200
  [[ "$HTTP_BODY" == *"data-id=\"$(web_id 5)\""* ]]
}

# mmbridge(1) WEB VIEW: a flood of pushes does not make a page the size of
# the queue; the lists show the first 50 that wait and say where all are.
@test "lists: 60 queued jobs show the first 50, saying more wait and that mmbuild --list lists them" {
  local i
  for i in $(seq 1 60); do
    spool_job "$(web_id "$i")" repositoryUrl=/srv/acme.git
  done
  spool_job "$(web_id 61)" project=other/lib repositoryUrl=/srv/lib.git
  for path in /builds /builds/acme-app; do
    get "$path"
    assert_equal "$HTTP_STATUS" 200
    run grep -c '<tr class="build queued"' <<<"$HTTP_BODY"
    assert_output 50
    [[ "$HTTP_BODY" == *"data-id=\"$(web_id 50)\""* ]]
    [[ "$HTTP_BODY" != *"data-id=\"$(web_id 51)\""* ]]
    [[ "$HTTP_BODY" == *'More jobs wait after these 50; <code>mmbuild --list</code> lists them all.'* ]]
  done
  # The other project's one job is all it has: no sentence.
  get /builds/other-lib
  assert_equal "$HTTP_STATUS" 200
  [[ "$HTTP_BODY" == *"data-id=\"$(web_id 61)\""* ]]
  [[ "$HTTP_BODY" == *'<span class="position">#61</span>'* ]]
  [[ "$HTTP_BODY" != *'More jobs wait'* ]]
  # mmbuild --list, where the page points, lists every one.
  run "$MM_BIN/mmbuild" --list
  assert_success
  run grep -c ' queued ' <<<"$output"
  assert_output 61
}

# Who and what: subject, pusher, the commit linked to the forge, one time
# column (the push), superseded builds linked to their successor without
# exit code or duration, the failing line of a log in red.
@test "pages say who pushed what and when; superseded builds link to their successor; the failing line stands out" {
  web_log acme-app "$(web_id 1)" failure main >/dev/null
  WEB_SUPERSEDED_BY=$(web_id 3) web_log acme-app "$(web_id 2)" superseded main >/dev/null
  web_log acme-app "$(web_id 3)" success main >/dev/null
  get /builds/acme-app
  [[ "$HTTP_BODY" == *'<th>Subject</th><th class="wide">Pushed by</th><th>Pushed</th>'* ]]
  [[ "$HTTP_BODY" != *'<th>When</th>'* ]]
  [ "$(grep -c '<td class="subject">a change</td><td class="wide pusher">ada</td>' <<<"$HTTP_BODY")" = 3 ]
  [[ "$HTTP_BODY" != *'its body'* ]]
  [[ "$HTTP_BODY" == *'<a class="commit" href="https://forge.example/acme/app/commit/9098"><code>909889ace726</code></a>'* ]]
  [[ "$HTTP_BODY" == *'<time datetime="2026-11-25T12:00:00Z" title="2026-11-25T12:00:00Z">25 Nov 2026 12:00 UTC</time>'* ]]
  row=$(grep -o "<tr class=\"build superseded\" data-id=\"$(web_id 2)\">.*</tr>" <<<"$HTTP_BODY")
  [[ "$row" == *" by <a class=\"superseded-by\" href=\"/builds/acme-app/$(web_id 3)\" title=\"$(web_id 3)\">20261125-120003</a>"* ]]
  [[ "$row" != *"4.084"* ]]
  get "/builds/acme-app/$(web_id 2)"
  [[ "$HTTP_BODY" == *"<a id=\"superseded-by\" href=\"/builds/acme-app/$(web_id 3)\">"* ]]
  [[ "$HTTP_BODY" != *"Exit code"* ]]
  [[ "$HTTP_BODY" != *"<dt>Duration</dt>"* ]]
  [[ "$HTTP_BODY" == *"<dt>Pushed by</dt><dd>ada</dd>"* ]]
  get "/builds/acme-app/$(web_id 1)"
  [[ "$HTTP_BODY" == *'<span class="m-mixmaster m-failed">12:00:05 # Build failed: the command exited with status 2</span>'* ]]
  [[ "$HTTP_BODY" == *'<dt>Exit code</dt><dd>2</dd>'* ]]
}

@test "project page: newest first, 50 a page, ?page=N, bad pages 404" {
  for i in $(seq 1 120); do web_log acme-app "$(web_id "$i")" success >/dev/null; done
  get /builds/acme-app
  assert_equal "$HTTP_STATUS" 200
  [ "$(grep -c '<tr class="build ' <<<"$HTTP_BODY")" = 50 ]
  first=$(grep -o 'href="/builds/acme-app/[^"]*"' <<<"$HTTP_BODY" | head -1)
  [ "$first" = "href=\"/builds/acme-app/$(web_id 120)\"" ]
  [[ "$HTTP_BODY" == *'href="/builds/acme-app?page=2">Older'* ]]
  get '/builds/acme-app?page=3'
  assert_equal "$HTTP_STATUS" 200
  [ "$(grep -c '<tr class="build ' <<<"$HTTP_BODY")" = 20 ]
  [[ "$HTTP_BODY" == *"$(web_id 1)"* ]]
  [[ "$HTTP_BODY" != *"Older"* ]]
  for bad in '?page=4' '?page=0' '?page=x' '?page=-1'; do
    get "/builds/acme-app$bad"
    assert_equal "$HTTP_STATUS" 404
  done
  get /builds/no-such-project
  assert_equal "$HTTP_STATUS" 404
}

@test "build page: fields, viewUrl link, styled log lines, <script> escaped" {
  id=$(web_id 7)
  web_log acme-app "$id" failure main 'O <script>alert(1)</script>' '! warn & fail' 'X stopped' 'H hook said "hi"' >/dev/null
  get "/builds/acme-app/$id"
  assert_equal "$HTTP_STATUS" 200
  [[ "$HTTP_BODY" == *'id="status" data-status="failure"'* ]]
  [[ "$HTTP_BODY" == *'<a href="https://forge.example/acme/app/commit/9098">view</a>'* ]]
  [[ "$HTTP_BODY" == *'<span class="m-stdout">12:00:02 O &lt;script&gt;alert(1)&lt;/script&gt;</span>'* ]]
  [[ "$HTTP_BODY" == *'<span class="m-stderr">12:00:02 ! warn &amp; fail</span>'* ]]
  [[ "$HTTP_BODY" == *'<span class="m-killed">'* ]]
  [[ "$HTTP_BODY" == *'<span class="m-hook">12:00:02 H hook said &quot;hi&quot;</span>'* ]]
  [[ "$HTTP_BODY" == *'<span class="m-step">12:00:01 $ make</span>'* ]]
  [[ "$HTTP_BODY" == *"<dt>Command</dt><dd><code>make</code></dd>"* ]]
  [[ "$HTTP_BODY" != *"/srv/acme.git"* ]]
  [[ "$HTTP_BODY" != *"<script>"* ]]
  [[ "$HTTP_BODY" != *'http-equiv="refresh"'* ]]
  [[ "$HTTP_HEADERS" == *"Content-Security-Policy: default-src 'none'"* ]]
  get "/builds/acme-app/$(web_id 8)"
  assert_equal "$HTTP_STATUS" 404
}

@test "a running build's page refreshes itself; a finished one's raw log is the file" {
  web_log acme-app "$(web_id 1)" running >/dev/null
  get "/builds/acme-app/$(web_id 1)"
  [[ "$HTTP_BODY" == *'<meta http-equiv="refresh" content="5">'* ]]
  path=$(web_log acme-app "$(web_id 2)" success main 'O <b>raw</b>')
  get "/builds/acme-app/$(web_id 2).log"
  assert_equal "$HTTP_STATUS" 200
  [[ "$HTTP_HEADERS" == *"Content-Type: text/plain; charset=utf-8"* ]]
  [[ "$HTTP_HEADERS" == *"Content-Length: $(wc -c <"$path")"* ]]
  cmp "$BATS_TEST_TMPDIR/client/body" "$path"
}

@test "the raw log masks the credentials of the job's URLs, with a true length" {
  path=$(web_log acme-app "$(web_id 1)" success)
  sed -i 's|^repositoryUrl = .*|repositoryUrl = https://me:s3cret@forge.example/r.git|; s|^viewUrl = https://|viewUrl = https://tok3n@|' "$path"
  get "/builds/acme-app/$(web_id 1).log"
  assert_equal "$HTTP_STATUS" 200
  [[ "$HTTP_BODY" == *"repositoryUrl = https://me:***@forge.example/r.git"* ]]
  [[ "$HTTP_BODY" == *"viewUrl = https://***@forge.example/"* ]]
  [[ "$HTTP_BODY" != *s3cret* && "$HTTP_BODY" != *tok3n* ]]
  [[ "$HTTP_HEADERS" == *"Content-Length: $(wc -c <"$BATS_TEST_TMPDIR/client/body")"* ]]
  grep -q 'me:s3cret@' "$path"  # kept for --rebuild
}

@test "traversal, encoded slashes and symlinks out of the build root are 404" {
  mkdir -p "$BATS_TEST_TMPDIR/outside/JOBS"
  web_log acme-app "$(web_id 1)" success >/dev/null
  echo 'secret log' >"$BATS_TEST_TMPDIR/outside/JOBS/$(web_id 2).log"
  ln -s "$BATS_TEST_TMPDIR/outside" "$BUILDS/linked"
  ln -s "$BATS_TEST_TMPDIR/outside/JOBS/$(web_id 2).log" "$BUILDS/acme-app/JOBS/$(web_id 3).log"
  for path in /builds/../../etc/passwd /builds/acme-app/../../../etc/passwd \
    /builds/%2e%2e/etc /builds/acme-app%2fJOBS "/builds/acme-app/..%2f..%2fetc%2fpasswd" \
    "/builds/linked/$(web_id 2)" "/builds/linked/$(web_id 2).log" /builds/linked \
    "/builds/acme-app/$(web_id 3)" "/builds/acme-app/$(web_id 3).log" \
    /builds/.hidden /builds/ACME-APP "/builds/acme-app/$(web_id 1)/x" /badge/../x.svg; do
    get "$path" --path-as-is
    assert_equal "$HTTP_STATUS" 404
    [[ "$HTTP_BODY" != *"secret log"* ]]
    [[ "$HTTP_BODY" != *"root:"* ]]
  done
  get /builds
  [[ "$HTTP_BODY" != *linked* ]]
  # Not a configured project: unknown, whatever lies behind the link.
  get /badge/linked.svg
  assert_equal "$HTTP_STATUS" 200
  [[ "$HTTP_BODY" == *">unknown</text>"* ]]
}

@test "webPassword: 401 with WWW-Authenticate, any user name, badges public, secret refused" {
  web_log acme-app "$(web_id 1)" success >/dev/null
  write_config "webView = yes" "webPassword = hunter2-pages" "secret = forge-secret"
  get /builds
  assert_equal "$HTTP_STATUS" 401
  [[ "$HTTP_HEADERS" == *'WWW-Authenticate: Basic realm="Mixmaster builds"'* ]]
  [[ "$HTTP_BODY" != *acme* ]]
  get /builds -u anyone:wrong
  assert_equal "$HTTP_STATUS" 401
  get "/builds/acme-app/$(web_id 1).log" -u anyone:forge-secret
  assert_equal "$HTTP_STATUS" 401
  get /builds -u anyone:hunter2-pages
  assert_equal "$HTTP_STATUS" 200
  get "/builds/acme-app/$(web_id 1).log" -u someone-else:hunter2-pages
  assert_equal "$HTTP_STATUS" 200
  get /badge/acme-app.svg
  assert_equal "$HTTP_STATUS" 200
  # The secret is no web password even when it is set as one.
  write_config "webView = yes" "webPassword = same" "secret = same"
  get /builds -u anyone:same
  assert_equal "$HTTP_STATUS" 401
}

@test "badges: the project's follows its first key (or :badge), a target's its last build; unknown is grey, not 404" {
  web_log acme-app "$(web_id 1)" success main >/dev/null
  web_log acme-app "$(web_id 2)" failure release >/dev/null
  get /badge/acme-app.svg
  assert_equal "$HTTP_STATUS" 200
  [[ "$HTTP_HEADERS" == *"Content-Type: image/svg+xml"* ]]
  [[ "$HTTP_HEADERS" == *"Cache-Control: no-cache"* ]]
  # main, the first key, not release, which failed last.
  [[ "$HTTP_BODY" == *">build</text>"* && "$HTTP_BODY" == *">success</text>"* ]]
  get /badge/acme-app/release.svg
  [[ "$HTTP_BODY" == *">release</text>"* && "$HTTP_BODY" == *">failure</text>"* ]]
  # A superseded job and a task's run say nothing about the target.
  web_log acme-app "$(web_id 3)" superseded main >/dev/null
  sed -i 's/^task =$/task = docs/' "$(web_log acme-app "$(web_id 4)" failure main)"
  get /badge/acme-app/main.svg
  [[ "$HTTP_BODY" == *">main</text>"* && "$HTTP_BODY" == *">success</text>"* ]]
  # :badge names the target the project badge follows.
  write_config "webView = yes"
  printf ':badge = release\nrelease = make release\n' >>"$MM_CONFIG"
  get /badge/acme-app.svg
  [[ "$HTTP_BODY" == *">failure</text>"* ]]
  # Unknown targets and projects: a grey badge, 200, for a README.
  for path in /badge/acme-app/nothing.svg /badge/no-project.svg /badge/no-project/main.svg; do
    get "$path"
    assert_equal "$HTTP_STATUS" 200
    [[ "$HTTP_BODY" == *">unknown</text>"* && "$HTTP_BODY" == *'fill="#777777"'* ]]
  done
  # A path that names no badge is still 404.
  for path in /badge/acme-app /badge/acme-app/main /badge/a/b/c.svg /badge/ACME.svg; do
    get "$path"
    assert_equal "$HTTP_STATUS" 404
  done
}

@test "POST to a view path is 405 with Allow: GET" {
  bridge_curl POST /builds -d x
  assert_equal "$HTTP_STATUS" 405
  [[ "$HTTP_HEADERS" == *"Allow: GET"* ]]
}

@test "a 50 MB log: the page shows its tail and links the raw log, in bounded memory" {
  id=$(web_id 9)
  path=$(web_log acme-app "$id" success main)
  /usr/bin/python3 - "$path" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
head, sep, tail = text.partition("12:00:05 # Build finished")
line = "12:00:03 O " + "x" * 88 + "\n"
with open(path, "w") as f:
    f.write(head)
    f.write("12:00:02 O the very first line\n")
    f.write(line * (50 * 1024 * 1024 // len(line)))
    f.write("12:00:04 O the very last line\n")
    f.write(sep + tail)
PY
  [ "$(stat -c %s "$path")" -gt 50000000 ]
  get "/builds/acme-app/$id"
  assert_equal "$HTTP_STATUS" 200
  [ "${#HTTP_BODY}" -lt 400000 ]
  [[ "$HTTP_BODY" == *"the very last line"* ]]
  [[ "$HTTP_BODY" != *"the very first line"* ]]
  [[ "$HTTP_BODY" == *"<a href=\"/builds/acme-app/$id.log\">the whole log</a>"* ]]
  [[ "$HTTP_BODY" == *'data-status="success"'* ]]
  get "/builds/acme-app/$id.log"
  cmp "$BATS_TEST_TMPDIR/client/body" "$path"
  # Peak memory of one bridge serving each (KiB, from /usr/bin/time), above
  # what one costs that answers GET /version: under 8 MiB more, however
  # long the log (the baseline also absorbs a sanitizer build's runtime;
  # ASan's quarantine, which keeps freed memory to catch its reuse, is
  # turned off here: it is the sanitizer's memory, not the bridge's).
  peak_rss() {
    printf 'GET %s HTTP/1.1\r\nHost: x\r\n\r\n' "$1" >"$BATS_TEST_TMPDIR/req"
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
      /usr/bin/time -o "$BATS_TEST_TMPDIR/rss" -f %M "$BRIDGE_BIN" <"$BATS_TEST_TMPDIR/req" >/dev/null 2>&1
    tail -1 "$BATS_TEST_TMPDIR/rss"
  }
  local base rss
  base=$(peak_rss /version)
  for target in "/builds/acme-app/$id" "/builds/acme-app/$id.log"; do
    rss=$(peak_rss "$target")
    echo "peak RSS for $target: $rss KiB (GET /version: $base KiB)"
    [ $((rss - base)) -lt 8192 ]
  done
}

@test "a running build's raw log is streamed (chunked) until [result], then ends" {
  mm_git_remote "$BATS_TEST_TMPDIR/git"
  go=$BATS_TEST_TMPDIR/go
  write_config "webView = yes"
  cat >>"$MM_CONFIG" <<EOF2
waiting = echo started; while [ ! -e '$go' ]; do sleep 0.1; done; echo finished-now
EOF2
  mm_git push -q origin main:waiting
  spool_job 20261125-120000-000001-1-aaaaaaaa target=waiting
  BUILDS=$BUILDS mmbuild_in_background
  log=$(log_path 20261125-120000-000001-1-aaaaaaaa)
  wait_until grep -q '^..:..:.. O started' "$log"
  curl -sS -N --max-time 60 -D "$BATS_TEST_TMPDIR/headers" -o "$BATS_TEST_TMPDIR/body" \
    "http://127.0.0.1:$BRIDGE_PORT/builds/acme-app/20261125-120000-000001-1-aaaaaaaa.log" &
  curl_pid=$!
  BG_PIDS+=("$curl_pid")
  # The client has the lines so far while the build still runs.
  wait_until grep -q 'O started' "$BATS_TEST_TMPDIR/body"
  ! grep -q '^\[result\]' "$BATS_TEST_TMPDIR/body"
  ! finished "$curl_pid"
  touch "$go"
  wait_until finished "$curl_pid"
  wait "$curl_pid"
  wait_for_mmbuild
  assert_equal "$MMBUILD_RC" 0
  grep -qi '^Transfer-Encoding: chunked' "$BATS_TEST_TMPDIR/headers"
  cmp "$BATS_TEST_TMPDIR/body" "$log"
  grep -q 'O finished-now' "$BATS_TEST_TMPDIR/body"
  grep -q '^status = success' "$BATS_TEST_TMPDIR/body"
}

@test "a client that never reads a running build's log is dropped after the deadline" {
  bridge_stop
  MIXMASTER_READ_TIMEOUT=1 bridge_start
  id=$(web_id 1)
  log=$(web_log acme-app "$id" running main)
  # 8 MB of output, far more than the two sockets' buffers hold.
  head -c 8000000 /dev/zero | tr '\0' x | fold -w 90 | sed 's/^/12:00:03 O /' >>"$log"
  /usr/bin/python3 - "$BRIDGE_PORT" "$id" <<'PY' 3>&- &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /builds/acme-app/%s.log HTTP/1.1\r\nHost: x\r\n\r\n"
          % sys.argv[2].encode())
time.sleep(120)  # and never reads
PY
  BG_PIDS+=("$!")
  wait_until grep -q "took no bytes for 1 s and was dropped" "$BRIDGE_LOG"
  grep "GET /builds/acme-app/$id.log 200" "$BRIDGE_LOG"
  ! finished "${BG_PIDS[-1]}"  # the client is still there: the bridge left
}

@test "before the first build: an empty history, projects 404" {
  rm -rf "$BUILDS"
  get /builds
  assert_equal "$HTTP_STATUS" 200
  [[ "$HTTP_BODY" == *"No builds yet."* ]]
  get /builds/acme-app
  assert_equal "$HTTP_STATUS" 404
  get /badge/acme-app.svg
  assert_equal "$HTTP_STATUS" 200
  [[ "$HTTP_BODY" == *">unknown</text>"* ]]
}
