#!/usr/bin/env bats
# mmbridge from the outside (mmbridge(1)): the real binary behind a real loopback
# socket, as systemd runs it. Every answer is checked for its status, its
# body and what it left in the spool.

load helpers/common

# The checkout is shared: a `make` elsewhere relinks build/mmbridge in place,
# and a connection arriving meanwhile would find no program. Test a copy.
setup_file() {
  cp "$MM_BIN/mmbridge" "$BATS_FILE_TMPDIR/mmbridge"
  export BRIDGE_BIN=$BATS_FILE_TMPDIR/mmbridge
}

load helpers/bridge

setup() {
  mm_private_home
  SPOOL=$BATS_TEST_TMPDIR/spool
  mkdir -p "$SPOOL"
  write_config
  bridge_start
}

teardown() {
  bridge_stop
}

# write_config [EXTRA [_] LINES]
write_config() {
  mm_write_config <<EOF
[_]
buildRoot = $BATS_TEST_TMPDIR/builds
spool = $SPOOL
mailto = ops@example.com
$*

[test-org/test-repo]
production = make deploy

[Codertocat/Hello-World]
master = make

[example-group/web-shop]
staging = make staging
refs/tags/v = make release

[o/r]
main = make all
main/docs = make docs
EOF
}

# light [EXTRA JSON MEMBERS]: a lightweight payload file for o/r main.
light() {
  local file=$BATS_TEST_TMPDIR/light.json
  printf '{"scm":"git","repositoryUrl":"git@example.com:o/r.git","project":"o/r","target":"main"%s}' \
    "${1:+,$1}" >"$file"
  echo "$file"
}

# ---------------------------------------------------------------- 202 queued

@test "lightweight POST is queued as one complete job" {
  bridge_post / "$(light '"commit":"abc123","viewUrl":"https://x/1","message":"hi","notifications":"failures"')"
  assert_equal "$HTTP_STATUS" 202
  assert_regex "$HTTP_BODY" '^queued [0-9]{8}-[0-9]{6}-[0-9A-Za-z._-]+$'
  assert_regex "$HTTP_HEADERS" $'\nContent-Type: text/plain; charset=utf-8\n'
  assert_regex "$HTTP_HEADERS" $'\nConnection: close($|\n)'
  assert_regex "$HTTP_HEADERS" $'\nX-Content-Type-Options: nosniff\n'
  bridge_assert_one_job
  run bridge_job_matches "$JOB" '{"endpoint":"/","scm":"git","project":"o/r",
    "repositoryUrl":"git@example.com:o/r.git","target":"main","task":"",
    "commit":"abc123","buildCommand":null,"viewUrl":"https://x/1",
    "message":"hi","notifications":"failures","mailto":null,
    "mode":null}'
  assert_success
  run bridge_job_matches "$JOB" "{\"id\":\"${HTTP_BODY#queued }\"}"
  assert_success
  assert_regex "$(sed -n 3p "$JOB")" '^received = [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'
}

@test "PUT works like POST, a query string is ignored, and a task picks its command" {
  bridge_curl PUT '/?from=cron' -H 'Content-Type: application/json' \
    --data-binary "@$(light '"task":"docs"')"
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
  run bridge_job_matches "$JOB" '{"task":"docs","buildCommand":null,"notifications":"all"}'
  assert_success
}

@test "Gitea push is queued with the fields of mmbridge(1) Endpoints" {
  bridge_post /gitea "$MM_FIXTURES/gitea-push.json" -H 'X-Gitea-Event: push'
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
  run bridge_job_matches "$JOB" '{"endpoint":"/gitea","project":"test-org/test-repo",
    "repositoryUrl":"git@git.example.com:test-org/test-repo","target":"production",
    "commit":"HEAD","viewUrl":"http://example.com/compare_url",
    "message":"Test commit message\n","buildCommand":null}'
  assert_success
}

@test "Forgejo's event header is accepted on /gitea" {
  bridge_post /gitea "$MM_FIXTURES/gitea-push.json" -H 'X-Forgejo-Event: push'
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
}

@test "GitHub push is queued" {
  bridge_post /github "$MM_FIXTURES/github-push.json" -H 'X-GitHub-Event: push'
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
  run bridge_job_matches "$JOB" '{"endpoint":"/github","project":"Codertocat/Hello-World",
    "repositoryUrl":"git@github.com:Codertocat/Hello-World.git","target":"master",
    "commit":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","message":"Initial commit",
    "viewUrl":"https://github.com/Codertocat/Hello-World/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246"}'
  assert_success
}

@test "GitLab push and tag push are queued; the tag keeps its full ref" {
  bridge_post /gitlab "$MM_FIXTURES/gitlab-push.json" -H 'X-Gitlab-Event: Push Hook'
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
  run bridge_job_matches "$JOB" '{"endpoint":"/gitlab","project":"example-group/web-shop",
    "target":"staging/login-form","buildCommand":null,
    "commit":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
    "viewUrl":"https://gitlab.example.com/example-group/web-shop",
    "message":"Show the error under the field\n"}'
  assert_success
  rm "$JOB"
  bridge_post /gitlab "$MM_FIXTURES/gitlab-tag-push.json" -H 'X-Gitlab-Event: Tag Push Hook'
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
  run bridge_job_matches "$JOB" '{"target":"refs/tags/v1.2.0","buildCommand":null,
    "commit":"5937ac0a7beb003549fc5fd26fc247adbce4a52e"}'
  assert_success
}

@test "a chunked body is accepted" {
  bridge_post / "$(light)" -H 'Transfer-Encoding: chunked'
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
}

@test "Expect: 100-continue gets 100 Continue before the body is sent" {
  local body
  body=$(cat "$(light)")
  bridge_raw --wait-continue < <(printf 'POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "${#body}" "$body")
  assert_regex "$RAW_RESPONSE" $'^HTTP/1.1 100 Continue\n\nHTTP/1.1 202 Accepted\n'
  bridge_assert_one_job
}

@test "a request without Content-Type is taken as JSON" {
  bridge_curl POST / --data-binary "@$(light)" -H 'Content-Type:'
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
}

# ------------------------------------------------------------ 200 and ignored

@test "GET /version answers the version" {
  bridge_curl GET '/version?x=1'
  assert_equal "$HTTP_STATUS" 200
  assert_equal "$HTTP_BODY" "$("$BRIDGE_BIN" --version)"
  bridge_assert_no_job
}

@test "GitHub ping is answered pong" {
  bridge_post /github "$MM_FIXTURES/github-push.json" -H 'X-GitHub-Event: ping'
  assert_equal "$HTTP_STATUS" 200
  assert_equal "$HTTP_BODY" pong
  bridge_assert_no_job
}

@test "events other than push are ignored with a 202" {
  bridge_post /gitea "$MM_FIXTURES/gitea-push.json" -H 'X-Gitea-Event: issues'
  assert_equal "$HTTP_STATUS" 202
  assert_equal "$HTTP_BODY" "ignored: issues event"
  bridge_post /github "$MM_FIXTURES/github-push.json" -H 'X-GitHub-Event: pull_request'
  assert_equal "$HTTP_STATUS" 202
  assert_equal "$HTTP_BODY" "ignored: pull_request event"
  bridge_post /gitlab "$MM_FIXTURES/gitlab-push.json" -H 'X-Gitlab-Event: Merge Request Hook'
  assert_equal "$HTTP_STATUS" 202
  assert_equal "$HTTP_BODY" "ignored: Merge Request Hook event"
  bridge_assert_no_job
}

@test "a deleted ref is ignored" {
  sed 's/"after": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"/"after": "0000000000000000000000000000000000000000"/' \
    "$MM_FIXTURES/gitlab-push.json" >"$BATS_TEST_TMPDIR/deleted.json"
  bridge_post /gitlab "$BATS_TEST_TMPDIR/deleted.json" -H 'X-Gitlab-Event: Push Hook'
  assert_equal "$HTTP_STATUS" 202
  assert_equal "$HTTP_BODY" "ignored: ref deleted"
  bridge_assert_no_job
}

@test "a forge push to a ref no key matches is ignored with a 202, and logged once" {
  sed 's|refs/heads/production|refs/heads/feature/x|' "$MM_FIXTURES/gitea-push.json" \
    >"$BATS_TEST_TMPDIR/gitea.json"
  bridge_post /gitea "$BATS_TEST_TMPDIR/gitea.json" -H 'X-Gitea-Event: push'
  assert_equal "$HTTP_STATUS" 202
  assert_equal "$HTTP_BODY" "ignored: no command for refs/heads/feature/x"
  sed 's|refs/heads/master|refs/tags/v1|' "$MM_FIXTURES/github-push.json" \
    >"$BATS_TEST_TMPDIR/github.json"
  bridge_post /github "$BATS_TEST_TMPDIR/github.json" -H 'X-GitHub-Event: push'
  assert_equal "$HTTP_STATUS" 202
  assert_equal "$HTTP_BODY" "ignored: no command for refs/tags/v1"
  sed 's|refs/tags/v1.2.0|refs/tags/w1|' "$MM_FIXTURES/gitlab-tag-push.json" \
    >"$BATS_TEST_TMPDIR/gitlab.json"
  bridge_post /gitlab "$BATS_TEST_TMPDIR/gitlab.json" -H 'X-Gitlab-Event: Tag Push Hook'
  assert_equal "$HTTP_STATUS" 202
  assert_equal "$HTTP_BODY" "ignored: no command for refs/tags/w1"
  bridge_assert_no_job
  # One journal line per push, at info priority: nothing failed.
  bridge_wait_log 3
  run bridge_log_lines
  assert_equal "${#lines[@]}" 3
  assert_line --index 0 "<6>127.0.0.1 POST /gitea 202 ignored: no command for refs/heads/feature/x"
  assert_line --index 1 "<6>127.0.0.1 POST /github 202 ignored: no command for refs/tags/v1"
  assert_line --index 2 "<6>127.0.0.1 POST /gitlab 202 ignored: no command for refs/tags/w1"
  # An unknown project is still a misconfiguration the forge should show.
  sed 's|"full_name": "test-org/test-repo"|"full_name": "test-org/unknown"|' \
    "$MM_FIXTURES/gitea-push.json" >"$BATS_TEST_TMPDIR/gitea.json"
  bridge_post /gitea "$BATS_TEST_TMPDIR/gitea.json" -H 'X-Gitea-Event: push'
  assert_equal "$HTTP_STATUS" 422
  assert_equal "$HTTP_BODY" "unknown project test-org/unknown"
}

# form FILE: FILE as GitHub's default content type sends it, into form.txt.
form() {
  /usr/bin/python3 -c 'import sys, urllib.parse
sys.stdout.write(urllib.parse.urlencode({"payload": open(sys.argv[1]).read()}))' "$1" \
    >"$BATS_TEST_TMPDIR/form.txt"
  echo "$BATS_TEST_TMPDIR/form.txt"
}

@test "a form-encoded delivery is taken from its payload field" {
  local body
  body=$(form "$MM_FIXTURES/github-push.json")
  bridge_curl POST /github -H 'Content-Type: application/x-www-form-urlencoded' \
    -H 'X-GitHub-Event: push' --data-binary "@$body"
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
  run bridge_job_matches "$JOB" '{"endpoint":"/github","project":"Codertocat/Hello-World",
    "target":"master","commit":"6113728f27ae82c7b1a177c8d03f9e96e0adf246"}'
  assert_success
  rm "$JOB"
  body=$(form "$MM_FIXTURES/gitea-push.json")
  bridge_curl POST /gitea -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' \
    -H 'X-Gitea-Event: push' --data-binary "@$body"
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
  rm "$JOB"
  # No payload field, or two: 400.
  printf 'payload=%%7B%%7D&payload=%%7B%%7D' >"$BATS_TEST_TMPDIR/two.txt"
  bridge_curl POST /gitlab -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary "@$BATS_TEST_TMPDIR/two.txt"
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "form body has more than one field payload"
  bridge_curl POST /github -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary 'ref=refs/heads/master'
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "form body has no field payload"
  bridge_assert_no_job
}

@test "with a secret, a form is signed as sent (GitHub) or by its payload (Gitea, Forgejo)" {
  write_config 'secret = it is a secret'
  local body
  body=$(form "$MM_FIXTURES/github-push.json")
  bridge_curl POST /github -H 'Content-Type: application/x-www-form-urlencoded' \
    -H "X-Hub-Signature-256: sha256=$(sign 'it is a secret' "$body")" --data-binary "@$body"
  assert_equal "$HTTP_STATUS" 202
  # Gitea signs the JSON it puts in the form (and sends both headers).
  body=$(form "$MM_FIXTURES/gitea-push.json")
  bridge_curl POST /gitea -H 'Content-Type: application/x-www-form-urlencoded' \
    -H "X-Gitea-Signature: $(sign 'it is a secret' "$MM_FIXTURES/gitea-push.json")" \
    -H "X-Hub-Signature-256: sha256=$(sign 'it is a secret' "$MM_FIXTURES/gitea-push.json")" \
    --data-binary "@$body"
  assert_equal "$HTTP_STATUS" 202
  [ "$(bridge_jobs | wc -l)" = 2 ]
  # A form changed after signing, or signed by its payload with a
  # changed payload, is refused.
  sed 's/production/evil/' "$body" >"$BATS_TEST_TMPDIR/changed.txt"
  bridge_curl POST /gitea -H 'Content-Type: application/x-www-form-urlencoded' \
    -H "X-Gitea-Signature: $(sign 'it is a secret' "$MM_FIXTURES/gitea-push.json")" \
    --data-binary "@$BATS_TEST_TMPDIR/changed.txt"
  assert_equal "$HTTP_STATUS" 403
  assert_equal "$HTTP_BODY" "signature does not match"
  [ "$(bridge_jobs | wc -l)" = 2 ]
}

# ------------------------------------------------------------------------ 400

@test "400: garbage request line" {
  bridge_raw < <(printf 'HELLO THERE\r\n\r\n')
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "malformed HTTP request: invalid HTTP method"
  bridge_assert_no_job
}

@test "400: header line without a colon" {
  bridge_raw < <(printf 'POST / HTTP/1.1\r\nHost: x\r\nthis is no header\r\nContent-Length: 2\r\n\r\n{}')
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "malformed HTTP request: invalid character in header"
  bridge_assert_no_job
}

@test "400: connection closed halfway through the body" {
  bridge_raw --half-close < <(printf 'POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"scm":')
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "connection closed before the request was complete"
  bridge_assert_no_job
}

@test "400: invalid JSON" {
  printf '{"scm": "git",' >"$BATS_TEST_TMPDIR/bad.json"
  bridge_post / "$BATS_TEST_TMPDIR/bad.json"
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "invalid JSON at byte 14: Missing a name for object member."
  bridge_assert_no_job
}

@test "400: a control character in a value (it would reach a terminal or a mail)" {
  bridge_post / "$(light '"message":"\u001b]0;owned\u0007\u001b[2J"')"
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "request value message holds the control character U+001B; values may hold none but tab (and line breaks in message)"
  bridge_assert_no_job
  bridge_post / "$(light '"message":"two\nlines\twith a tab"')"
  assert_equal "$HTTP_STATUS" 202
}

@test "400: JSON nested 100,000 deep" {
  /usr/bin/python3 -c 'print("[" * 100000 + "]" * 100000)' >"$BATS_TEST_TMPDIR/deep.json"
  bridge_post / "$BATS_TEST_TMPDIR/deep.json"
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "payload must be a JSON object"
  /usr/bin/python3 -c 'print("{\"project\":" + "{\"a\":" * 100000 + "1" + "}" * 100001)' \
    >"$BATS_TEST_TMPDIR/deep.json"
  bridge_post / "$BATS_TEST_TMPDIR/deep.json"
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "missing field scm"
  bridge_assert_no_job
}

@test "400: a field of the wrong type is named" {
  printf '{"scm":"git","repositoryUrl":"u","project":["o/r"],"target":"main"}' >"$BATS_TEST_TMPDIR/p.json"
  bridge_post / "$BATS_TEST_TMPDIR/p.json"
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "field project must be a string"
  bridge_post /gitea "$BATS_TEST_TMPDIR/p.json"
  assert_equal "$HTTP_BODY" "missing field repository.full_name"
  bridge_assert_no_job
}

@test "400: a GitLab ref that does not fit its event" {
  bridge_post /gitlab "$MM_FIXTURES/gitlab-tag-push.json" -H 'X-Gitlab-Event: Push Hook'
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" 'field ref `refs/tags/v1.2.0` is a tag, but the event is Push Hook'
  bridge_post /gitlab "$MM_FIXTURES/gitlab-push.json" -H 'X-Gitlab-Event: Tag Push Hook'
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" 'field ref `refs/heads/staging/login-form` is not a tag, but the event is Tag Push Hook'
  bridge_assert_no_job
}

@test "400: a missing field is named" {
  printf '{"scm":"git","project":"o/r","target":"main"}' >"$BATS_TEST_TMPDIR/p.json"
  bridge_post / "$BATS_TEST_TMPDIR/p.json"
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "missing field repositoryUrl"
  bridge_post / "$(light '"notifications":"always"')"
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" 'field notifications must be all, failures or none, not `always`'
  bridge_assert_no_job
}

# ------------------------------------------------------------ 401 and 403

# sign SECRET FILE: hex HMAC-SHA256 of FILE (Python's hmac, an implementation
# independent of the bridge's nettle).
sign() {
  /usr/bin/python3 -c 'import hashlib, hmac, sys
print(hmac.new(sys.argv[1].encode(), open(sys.argv[2], "rb").read(), hashlib.sha256).hexdigest())' "$1" "$2"
}

@test "with a secret, every signature form is accepted" {
  write_config 'secret = it is a secret'
  local hex
  hex=$(sign 'it is a secret' "$MM_FIXTURES/gitea-push.json")
  bridge_post /gitea "$MM_FIXTURES/gitea-push.json" -H "X-Gitea-Signature: $hex"
  assert_equal "$HTTP_STATUS" 202
  bridge_post /gitea "$MM_FIXTURES/gitea-push.json" -H "X-Forgejo-Signature: ${hex^^}"
  assert_equal "$HTTP_STATUS" 202
  hex=$(sign 'it is a secret' "$MM_FIXTURES/github-push.json")
  bridge_post /github "$MM_FIXTURES/github-push.json" -H "X-Hub-Signature-256: sha256=$hex"
  assert_equal "$HTTP_STATUS" 202
  bridge_post /gitlab "$MM_FIXTURES/gitlab-push.json" -H 'X-Gitlab-Token: it is a secret'
  assert_equal "$HTTP_STATUS" 202
  [ "$(bridge_jobs | wc -l)" = 4 ]
}

@test "with a secret, a lightweight payload signed with openssl dgst is accepted" {
  write_config 'secret = s3cret'
  local file hex
  file=$(light)
  hex=$(openssl dgst -sha256 -hmac s3cret "$file" | sed 's/^.*= //')
  bridge_post / "$file" -H "X-Hub-Signature-256: sha256=$hex"
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
}

@test "401: with a secret, an unsigned request" {
  write_config 'secret = s3cret'
  bridge_post / "$(light)"
  assert_equal "$HTTP_STATUS" 401
  assert_equal "$HTTP_BODY" "signature required: send X-Hub-Signature-256, X-Gitea-Signature, X-Forgejo-Signature or X-Gitlab-Token"
  bridge_assert_no_job
}

@test "401: with a secret, GitHub's SHA-1 signature alone is told it is not accepted" {
  write_config 'secret = s3cret'
  bridge_post /github "$MM_FIXTURES/github-push.json" \
    -H "X-Hub-Signature: sha1=$(openssl dgst -sha1 -hmac s3cret "$MM_FIXTURES/github-push.json" | sed 's/^.*= //')"
  assert_equal "$HTTP_STATUS" 401
  assert_equal "$HTTP_BODY" "X-Hub-Signature (HMAC-SHA1) is not accepted: send X-Hub-Signature-256 (HMAC-SHA256), as GitHub and GitHub Enterprise Server 3.0 or later do for a webhook with a secret"
  bridge_assert_no_job
}

@test "403: with a secret, a wrong signature" {
  write_config 'secret = s3cret'
  local file
  file=$(light)
  bridge_post / "$file" -H "X-Gitea-Signature: $(sign wrong "$file")"
  assert_equal "$HTTP_STATUS" 403
  assert_equal "$HTTP_BODY" "signature does not match"
  bridge_post /gitlab "$MM_FIXTURES/gitlab-push.json" -H 'X-Gitlab-Token: s3cre'
  assert_equal "$HTTP_STATUS" 403
  assert_equal "$HTTP_BODY" "signature does not match"
  # Signed, then changed: the signature covers the raw body.
  bridge_post / "$file" -H "X-Hub-Signature-256: sha256=$(sign s3cret "$MM_FIXTURES/gitea-push.json")"
  assert_equal "$HTTP_STATUS" 403
  assert_equal "$HTTP_BODY" "signature does not match"
  bridge_assert_no_job
}

@test "401 and 415 come before the body: no 100 Continue invites it" {
  write_config 'secret = s3cret'
  bridge_raw < <(printf 'POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: 500000\r\n\r\n')
  assert_equal "$HTTP_STATUS" 401
  assert_equal "$HTTP_BODY" "signature required: send X-Hub-Signature-256, X-Gitea-Signature, X-Forgejo-Signature or X-Gitlab-Token"
  refute_regex "$RAW_RESPONSE" '100 Continue'
  bridge_raw < <(printf 'POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Type: text/plain\r\nX-Gitlab-Token: s3cret\r\nContent-Length: 500000\r\n\r\n')
  assert_equal "$HTTP_STATUS" 415
  assert_equal "$HTTP_BODY" "Content-Type must be application/json, not text/plain"
  refute_regex "$RAW_RESPONSE" '100 Continue'
  bridge_assert_no_job
}

# ------------------------------------------------------------ 404 and 405

@test "404: unknown path" {
  bridge_post /jenkins "$(light)"
  assert_equal "$HTTP_STATUS" 404
  assert_equal "$HTTP_BODY" "no such endpoint /jenkins; the endpoints are /, /gitea, /github, /gitlab and /version"
  bridge_curl GET /gitea/
  assert_equal "$HTTP_STATUS" 404
  assert_equal "$HTTP_BODY" "no such endpoint /gitea/; the endpoints are /, /gitea, /github, /gitlab and /version"
  bridge_assert_no_job
}

@test "an absolute request target is served by its path" {
  local body
  body=$(cat "$(light)")
  bridge_raw < <(printf 'POST http://127.0.0.1/?x=1 HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "${#body}" "$body")
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
  run bridge_job_matches "$JOB" '{"endpoint":"/","project":"o/r"}'
  assert_success
}

@test "405: known path, wrong method, with Allow" {
  bridge_curl GET /gitea
  assert_equal "$HTTP_STATUS" 405
  assert_equal "$HTTP_BODY" "method GET not allowed on /gitea; use POST or PUT"
  assert_regex "$HTTP_HEADERS" $'\nAllow: POST, PUT\n'
  bridge_curl POST /version --data-binary '{}'
  assert_equal "$HTTP_STATUS" 405
  assert_regex "$HTTP_HEADERS" $'\nAllow: GET\n'
  bridge_curl DELETE /
  assert_equal "$HTTP_STATUS" 405
  assert_equal "$HTTP_BODY" "method DELETE not allowed on /; use POST or PUT"
  bridge_assert_no_job
}

# ------------------------------------------------------------------------ 408

@test "408: a client that stops sending halfway (short test deadline)" {
  bridge_stop
  MIXMASTER_READ_TIMEOUT=1 bridge_start
  bridge_raw < <(printf 'POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"scm":')
  assert_equal "$HTTP_STATUS" 408
  assert_equal "$HTTP_BODY" "request not complete within 1 seconds"
  bridge_assert_no_job
}

@test "408: the default deadline is 10 seconds for the whole request" {
  bridge_raw < <(printf 'POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Len')
  assert_equal "$HTTP_STATUS" 408
  assert_equal "$HTTP_BODY" "request not complete within 10 seconds"
  bridge_assert_no_job
}

# ------------------------------------------------------------ 411, 413, 431

@test "411: POST without a length" {
  bridge_raw < <(printf 'POST / HTTP/1.1\r\nContent-Type: application/json\r\n\r\n')
  assert_equal "$HTTP_STATUS" 411
  assert_equal "$HTTP_BODY" "a POST needs a Content-Length or a chunked body"
  bridge_assert_no_job
}

@test "413: body over maxRequestBytes, by Content-Length and chunked" {
  write_config 'maxRequestBytes = 100000'
  /usr/bin/python3 -c 'import json; print(json.dumps({"scm": "git", "repositoryUrl": "u",
    "project": "o/r", "target": "main", "message": "x" * 200000}))' >"$BATS_TEST_TMPDIR/big.json"
  bridge_post / "$BATS_TEST_TMPDIR/big.json"
  assert_equal "$HTTP_STATUS" 413
  assert_regex "$HTTP_BODY" '^request body of 2000[0-9]{2} bytes is larger than maxRequestBytes \(100000 bytes\)$'
  bridge_post / "$BATS_TEST_TMPDIR/big.json" -H 'Transfer-Encoding: chunked'
  assert_equal "$HTTP_STATUS" 413
  assert_equal "$HTTP_BODY" "request body larger than maxRequestBytes (100000 bytes)"
  bridge_assert_no_job
}

@test "the default maxRequestBytes admits the largest push GitHub and GitLab send (25 MiB)" {
  local file=$BATS_TEST_TMPDIR/big.json
  /usr/bin/python3 "$MM_ROOT/t/helpers/big_push.py" "$MM_FIXTURES/github-push.json" \
    26214400 "$file"
  bridge_post /github "$file" -H 'X-GitHub-Event: push'
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
  run bridge_job_matches "$JOB" '{"project":"Codertocat/Hello-World","target":"master"}'
  assert_success
  rm "$JOB"
  printf ' ' >>"$file"
  bridge_post /github "$file" -H 'X-GitHub-Event: push'
  assert_equal "$HTTP_STATUS" 413
  assert_equal "$HTTP_BODY" "request body of 26214401 bytes is larger than maxRequestBytes (26214400 bytes)"
  bridge_assert_no_job
}

@test "431: 64 KiB of headers" {
  {
    printf 'POST / HTTP/1.1\r\n'
    for i in $(seq 700); do printf 'X-Filler-%d: %0100d\r\n' "$i" 0; done
    printf 'Content-Length: 2\r\n\r\n{}'
  } >"$BATS_TEST_TMPDIR/request"
  bridge_raw <"$BATS_TEST_TMPDIR/request"
  assert_equal "$HTTP_STATUS" 431
  assert_equal "$HTTP_BODY" "request line and headers larger than 65536 bytes"
  bridge_assert_no_job
}

# ------------------------------------------------------------------------ 415

@test "415: Content-Type that is not JSON" {
  bridge_curl POST / --data-binary "@$(light)" -H 'Content-Type: text/plain'
  assert_equal "$HTTP_STATUS" 415
  assert_equal "$HTTP_BODY" "Content-Type must be application/json, not text/plain"
  bridge_curl POST / --data "@$(light)"  # curl's default form encoding
  assert_equal "$HTTP_STATUS" 415
  assert_equal "$HTTP_BODY" "Content-Type must be application/json, not application/x-www-form-urlencoded"
  # The forge endpoints take a form too.
  bridge_curl POST /github --data-binary "@$(light)" -H 'Content-Type: text/plain'
  assert_equal "$HTTP_STATUS" 415
  assert_equal "$HTTP_BODY" "Content-Type must be application/json or application/x-www-form-urlencoded, not text/plain"
  bridge_assert_no_job
}

# ------------------------------------------------------------------------ 422

@test "422: unknown project, no matching target or task, unsupported scm" {
  printf '{"scm":"git","repositoryUrl":"u","project":"nobody/nothing","target":"main"}' >"$BATS_TEST_TMPDIR/p.json"
  bridge_post / "$BATS_TEST_TMPDIR/p.json"
  assert_equal "$HTTP_STATUS" 422
  assert_equal "$HTTP_BODY" "unknown project nobody/nothing"
  printf '{"scm":"git","repositoryUrl":"u","project":"o/r","target":"release"}' >"$BATS_TEST_TMPDIR/p.json"
  bridge_post / "$BATS_TEST_TMPDIR/p.json"
  assert_equal "$HTTP_STATUS" 422
  assert_equal "$HTTP_BODY" "no build configured for release"
  bridge_post / "$(light '"task":"lint"')"
  assert_equal "$HTTP_STATUS" 422
  assert_equal "$HTTP_BODY" "no build configured for task lint on main"
  printf '{"scm":"svn","repositoryUrl":"u","project":"o/r","target":"main"}' >"$BATS_TEST_TMPDIR/p.json"
  bridge_post / "$BATS_TEST_TMPDIR/p.json"
  assert_equal "$HTTP_STATUS" 422
  assert_equal "$HTTP_BODY" "unsupported scm svn: only git is supported"
  bridge_assert_no_job
}

# ------------------------------------------------------------------------ 500

@test "500: configuration unreadable, without showing its text" {
  printf '[_]\nsecret hunter2\n' >"$MM_CONFIG"
  bridge_post / "$(light)"
  assert_equal "$HTTP_STATUS" 500
  assert_equal "$HTTP_BODY" "configuration unreadable: $MM_CONFIG:2 (details in the journal)"
  rm "$MM_CONFIG"
  bridge_post / "$(light)"
  assert_equal "$HTTP_STATUS" 500
  assert_equal "$HTTP_BODY" "configuration unreadable: cannot read configuration $MM_CONFIG (details in the journal)"
  bridge_wait_log 2
  run bridge_log_lines
  assert_line --index 1 "<3>127.0.0.1 POST / 500 configuration unreadable: cannot read configuration $MM_CONFIG: No such file or directory"
  bridge_assert_no_job
}

@test "500: spool not writable, and nothing half-written anywhere" {
  SPOOL=$BATS_TEST_TMPDIR/missing
  write_config
  bridge_post / "$(light)"
  assert_equal "$HTTP_STATUS" 500
  assert_equal "$HTTP_BODY" "spool not writable: spool $SPOOL is not writable: No such file or directory; after changing spool or buildRoot, run mmsetup again"
  # The journal line names the fix too.
  bridge_wait_log 1
  run bridge_log_lines
  assert_line --index 0 "<3>127.0.0.1 POST / 500 spool not writable: spool $SPOOL is not writable: No such file or directory; after changing spool or buildRoot, run mmsetup again"
  [ ! -e "$SPOOL" ]
  run find "$BATS_TEST_TMPDIR" \( -name '*.tmp' -o -name '*.ini' \) -not -path "$MM_CONFIG"
  assert_output ''
  # A spool that is a file is not written either.
  SPOOL=$BATS_TEST_TMPDIR/spool-file
  printf 'not a spool\n' >"$SPOOL"
  write_config
  bridge_post / "$(light)"
  assert_equal "$HTTP_STATUS" 500
  assert_equal "$HTTP_BODY" "spool not writable: spool $SPOOL is not writable: not a directory; after changing spool or buildRoot, run mmsetup again"
  assert_equal "$(cat "$SPOOL")" 'not a spool'
  run find "$BATS_TEST_TMPDIR" \( -name '*.tmp' -o -name '*.ini' \) -not -path "$MM_CONFIG"
  assert_output ''
}

@test "500 when the spool cannot be flushed to disk after the job got its name: the job is taken back" {
  # 202 means on disk: the name too. The spool's fsync fails once, as a
  # failing disk makes it (strace fails that one call; the job file's own
  # fsync is on an unnamed file, not on the spool's path).
  local req=$BATS_TEST_TMPDIR/request body
  body=$(cat "$(light)")
  printf 'POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "${#body}" "$body" >"$req"
  # LeakSanitizer cannot work under ptrace: off for a sanitizer build.
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    run strace -qq -o /dev/null -P "$SPOOL" -e inject=fsync:error=EIO:when=1 \
    "$BRIDGE_BIN" <"$req"
  assert_equal "$status" 4
  assert_line --partial 'HTTP/1.1 500 Internal Server Error'
  assert_line --partial "500 spool not writable: spool $SPOOL: cannot flush it to disk: Input/output error"
  bridge_assert_no_job
}

# ------------------------------------------------------------ exit codes

@test "exit codes: 0 for 2xx and 4xx, 3 for unreadable config, 4 for the spool and every other 500" {
  local req=$BATS_TEST_TMPDIR/request body
  body=$(cat "$(light)")
  printf 'POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "${#body}" "$body" >"$req"
  run "$BRIDGE_BIN" <"$req"
  assert_success
  assert_line --partial 'HTTP/1.1 202 Accepted'
  run "$BRIDGE_BIN" </dev/null
  assert_success
  assert_line --partial 'HTTP/1.1 400 Bad Request'
  # A request that cannot be read (a directory: EISDIR) is ours to answer.
  run "$BRIDGE_BIN" <"$BATS_TEST_TMPDIR"
  assert_equal "$status" 4
  assert_line --partial 'HTTP/1.1 500 Internal Server Error'
  assert_line --partial '500 cannot read request: Is a directory'
  run "$BRIDGE_BIN" --config "$BATS_TEST_TMPDIR/none.ini" <"$req"
  assert_equal "$status" 3
  assert_line --partial 'HTTP/1.1 500 Internal Server Error'
  SPOOL=$BATS_TEST_TMPDIR/missing
  write_config
  run "$BRIDGE_BIN" <"$req"
  assert_equal "$status" 4
  # No answer at all (stdout closed) is a failure too, and says so.
  printf 'GET /version HTTP/1.1\r\n\r\n' >"$req"
  run bash -c '"$0" <"$1" >&-' "$BRIDGE_BIN" "$req"
  assert_equal "$status" 4
  # (A kernel without Landlock adds its notice line before it.)
  assert_line "mmbridge: - GET /version 200 version (cannot write the response: Bad file descriptor)"
  [ "$(grep -vc 'no Landlock' <<<"$output")" = 1 ]
  # A 500 of the web view is a failure too: a build root it cannot read.
  printf 'GET /builds HTTP/1.1\r\n\r\n' >"$req"
  touch "$BATS_TEST_TMPDIR/not-a-dir"
  printf '[_]\nbuildRoot = %s\nwebView = yes\n' "$BATS_TEST_TMPDIR/not-a-dir" |
    mm_write_config
  run "$BRIDGE_BIN" <"$req"
  assert_equal "$status" 4
  assert_line --partial 'HTTP/1.1 500 Internal Server Error'
  run "$BRIDGE_BIN" --bogus
  assert_equal "$status" 2
  run "$BRIDGE_BIN" --help
  assert_success
  assert_output --partial '--config'
}

# ------------------------------------------------------------ journal line

@test "one journal line per request, with address, method, path, status, id or reason" {
  bridge_post / "$(light)"
  local id=${HTTP_BODY#queued }
  bridge_curl GET /nope
  bridge_raw < <(printf 'POST /x?y=1 HTTP/1.1\r\nbad header\r\n\r\n')
  # A value from the request cannot start a line of its own.
  printf '{"scm":"git","repositoryUrl":"u","project":"a\\n<3>forged","target":"main"}' >"$BATS_TEST_TMPDIR/p.json"
  bridge_post / "$BATS_TEST_TMPDIR/p.json"
  assert_equal "$HTTP_STATUS" 400
  bridge_wait_log 4
  run bridge_log_lines
  assert_equal "${#lines[@]}" 4
  assert_line --index 0 "<6>127.0.0.1 POST / 202 $id"
  assert_line --index 1 "<4>127.0.0.1 GET /nope 404 no such endpoint /nope; the endpoints are /, /gitea, /github, /gitlab and /version"
  assert_line --index 2 "<4>127.0.0.1 POST /x 400 malformed HTTP request: invalid character in header"
  assert_line --index 3 "<4>127.0.0.1 POST / 400 request value project holds the control character U+000A; values may hold none but tab (and line breaks in message)"
}

@test "a configuration others can read while it holds a password is a warning at each request" {
  write_config "webPassword = hunter2"
  chmod 644 "$MM_CONFIG"
  bridge_post / "$(light)"
  assert_equal "$HTTP_STATUS" 202
  bridge_wait_log 2
  run bridge_log_lines
  assert_line --index 0 "<4>$MM_CONFIG: readable by group or others (mode 0644) while it holds webPassword; chmod 600 $MM_CONFIG"
  assert_line --index 1 --regexp '^<6>127\.0\.0\.1 POST / 202 '
}

# ------------------------------------------------------------ injection

@test "hostile names reach the job file exactly as sent, and nothing else is written" {
  mm_write_config <<EOF
[_]
spool = $SPOOL
[evil/\$(touch pwned);../]]
main = make
main/\$(touch pwned);../] = make task
EOF
  # What is there before the requests, to tell new files from old ones
  # without counting on the clock.
  : >"$BATS_TEST_TMPDIR/marker"
  find "$BATS_TEST_TMPDIR" -type f | sort >"$BATS_TEST_TMPDIR/before"
  local payload
  payload=$(/usr/bin/python3 -c 'import json; print(json.dumps({
    "scm": "git", "repositoryUrl": "$(touch pwned); ../../x\t]",
    "project": "evil/$(touch pwned);../]",
    "target": "main/../../$(touch pwned);\t[job]\tmode = dryrun\t]",
    "task": "$(touch pwned);../]",
    "commit": "`touch pwned`;\t../]\\n \t",
    "message": " leading and trailing spaces \\ \r\n[job]\nmode = dryrun\n"}))')
  printf '%s' "$payload" >"$BATS_TEST_TMPDIR/evil.json"
  bridge_post / "$BATS_TEST_TMPDIR/evil.json"
  assert_equal "$HTTP_STATUS" 202
  bridge_assert_one_job
  run bridge_job_matches "$JOB" "$payload"
  assert_success
  run bridge_job_matches "$JOB" '{"mode":null,"buildCommand":null,"mailto":null}'
  assert_success
  # A newline anywhere but in the message is refused before it is used.
  /usr/bin/python3 -c 'import json; print(json.dumps({"scm": "git", "repositoryUrl": "u",
    "project": "evil/\n[evil/$(touch pwned);../]]", "target": "main"}))' >"$BATS_TEST_TMPDIR/evil2.json"
  bridge_post / "$BATS_TEST_TMPDIR/evil2.json"
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "request value project holds the control character U+000A; values may hold none but tab (and line breaks in message)"
  [ "$(bridge_jobs | wc -l)" = 1 ]
  # One journal line per request; no value started a line of its own.
  bridge_wait_log 2
  run bridge_log_lines
  assert_equal "${#lines[@]}" 2
  run grep -ac -e '^\[job\]' -e '^mode = ' -e '^\[evil' "$BRIDGE_LOG"
  assert_output 0
  # Nothing new outside the spool but the client's and the log's files.
  # (Other programs may remove their own directories under /tmp meanwhile:
  # find's complaints about those are not what this looks for.)
  pwned=$(find "$BATS_TEST_TMPDIR" "$MM_ROOT" /tmp -xdev -newer "$BATS_TEST_TMPDIR/marker" -name pwned 2>/dev/null || true)
  assert_equal "$pwned" ''
  run bash -c 'find "$1" -type f -not -path "$2/*" -not -path "$1/client/*" \
      -not -name bridge.log -not -name "evil*.json" -not -name before |
    sort | comm -13 "$1/before" -' _ "$BATS_TEST_TMPDIR" "$SPOOL"
  assert_output ''
}

# ------------------------------------------------------------ concurrency

@test "300 requests 30 at a time: 300 answers 202 and 300 whole jobs, never a partial one" {
  local reader_out=$BATS_TEST_TMPDIR/reader.out stop=$BATS_TEST_TMPDIR/stop i
  # Reads every job as soon as it appears; a partial file would fail to
  # end with its last key (notifications: the job only selects the build).
  /usr/bin/python3 - "$SPOOL" "$stop" >"$reader_out" 2>&1 3>&- <<'PY' &
import os, sys, time
spool, stop = sys.argv[1], sys.argv[2]
seen, bad, deadline = set(), [], time.time() + 300
while time.time() < deadline:
    done = os.path.exists(stop)
    for name in os.listdir(spool):
        if not name.endswith(".ini"):
            bad.append("not a job: " + name)
            continue
        if name in seen:
            continue
        text = open(os.path.join(spool, name), encoding="utf-8").read()
        lines = text.split("\n")
        if (lines[0] != "[job]" or not text.endswith("\n")
                or not lines[-2].startswith("notifications = ")
                or not all(" = " in l or l.endswith(" =") for l in lines[1:-1])):
            bad.append("partial: %s: %r" % (name, text))
        seen.add(name)
    if done:
        break
    time.sleep(0.002)
print("seen %d" % len(seen))
for b in bad[:5]:
    print(b)
sys.exit(1 if bad else 0)
PY
  local reader=$!
  for i in $(seq 300); do
    printf '{"scm":"git","repositoryUrl":"u","project":"o/r","target":"main","message":"request %d"}\n' "$i" \
      >"$BATS_TEST_TMPDIR/req-$i.json"
  done
  seq 300 | xargs -P 30 -I{} curl -sS --max-time 60 -o /dev/null -w '%{http_code}\n' \
    -H 'Content-Type: application/json' --data-binary "@$BATS_TEST_TMPDIR/req-{}.json" \
    "http://127.0.0.1:$BRIDGE_PORT/" >"$BATS_TEST_TMPDIR/codes"
  touch "$stop"
  local reader_status=0
  wait "$reader" || reader_status=$?
  assert_equal "$reader_status" 0
  run cat "$reader_out"
  assert_output "seen 300"
  [ "$(grep -c '^202$' "$BATS_TEST_TMPDIR/codes")" = 300 ]
  [ "$(bridge_jobs | wc -l)" = 300 ]
  run bash -c "grep -h '^message = ' '$SPOOL'/*.ini | sort -u | wc -l"
  assert_output 300
}
