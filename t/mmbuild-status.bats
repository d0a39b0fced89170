#!/usr/bin/env bats
# Commit statuses (mmbuild(1) COMMIT STATUSES): real builds, a real fake
# forge API on loopback (helpers/fake_forge.py) that records every request,
# real HTTP and HTTPS through libcurl, and mmbridge for the URL it records.
load helpers/common
load helpers/git
load helpers/jobs
load helpers/forge

setup() {
  unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy CURL_CA_BUNDLE
  jobs_setup
  mm_git push -q origin main:failing main:sleeper
  SHA=$(mm_git rev-parse HEAD)
}

teardown() { kill_background; }

# write_config EXTRA_SETTINGS: statusTokens = $TOKENS, a 2 s timeout (the
# sleeper is killed), targets that pass, fail (exit 3) and sleep.
write_config() {
  mm_write_config <<EOF
[_]
buildRoot = $BUILDS
# Every job queued here builds (superseding: mmbuild-queue.bats).
supersede = no
statusTokens = $TOKENS
timeout = 2
$1

[acme/app]
main = echo built main
main/docs = echo docs
failing = exit 3
sleeper = sleep 30
EOF
}

# three_jobs FORGE STATUS-URL: a passing, a failing and a killed job for
# that forge and status URL.
three_jobs() {
  local common=(forge="$1" statusUrl="$2" commit="$SHA"
    viewUrl=https://forge.example.org/acme/app/compare/1)
  spool_job 1-pass "${common[@]}"
  spool_job 2-fail target=failing "${common[@]}"
  spool_job 3-killed target=sleeper "${common[@]}"
}

assert_three_results() {
  assert_equal "$(result_of 1-pass) $(result_of 2-fail) $(status_of 3-killed)" \
    "success 0 failure 3 killed"
}

# Each "after N s" is a whole number of seconds.
assert_durations() {
  run forge_durations "$1"
  assert_equal "${#lines[@]}" 3
  for n in "${lines[@]}"; do [[ $n =~ ^[0-9]+$ ]]; done
}

@test "Gitea: pending, then success, failure or error (killed); token auth; link under publicUrl" {
  forge_start GITEA
  local path=/api/v1/repos/acme/app/statuses/$SHA
  write_tokens "http://127.0.0.1:$GITEA_PORT gitea-t0ken"
  write_config "publicUrl = https://ci.example.org/mm/"
  three_jobs gitea "http://127.0.0.1:$GITEA_PORT$path"
  mmbuild_succeeds
  assert_three_results
  local h="| authorization: token gitea-t0ken | application/json | application/json |"
  local link=https://ci.example.org/mm/builds/acme-app
  run forge_requests "$GITEA_LOG"
  assert_output "$(cat <<EOF
POST $path $h {"context": "mixmaster/main", "description": "build started", "state": "pending", "target_url": "$link/1-pass"}
POST $path $h {"context": "mixmaster/main", "description": "build passed after N s", "state": "success", "target_url": "$link/1-pass"}
POST $path $h {"context": "mixmaster/failing", "description": "build started", "state": "pending", "target_url": "$link/2-fail"}
POST $path $h {"context": "mixmaster/failing", "description": "build failed (exit 3) after N s", "state": "failure", "target_url": "$link/2-fail"}
POST $path $h {"context": "mixmaster/sleeper", "description": "build started", "state": "pending", "target_url": "$link/3-killed"}
POST $path $h {"context": "mixmaster/sleeper", "description": "build killed after N s", "state": "error", "target_url": "$link/3-killed"}
EOF
)"
  assert_durations "$GITEA_LOG"
  run forge_user_agents "$GITEA_LOG"
  assert_line --index 0 "Mixmaster/$(sed -n 's/^VERSION := //p' "$MM_ROOT/Makefile")"
  run log_lines 2-fail
  assert_line "# commit status \`pending\` to http://127.0.0.1:$GITEA_PORT$path: HTTP 201"
  assert_line "# commit status \`failure\` to http://127.0.0.1:$GITEA_PORT$path: HTTP 201"
}

@test "GitHub: Bearer token, its Accept header; the link is viewUrl without publicUrl; a task's context" {
  forge_start GITHUB
  local path=/repos/acme/app/statuses/$SHA
  write_tokens "http://127.0.0.1:$GITHUB_PORT github-t0ken"
  write_config ""
  three_jobs github "http://127.0.0.1:$GITHUB_PORT$path"
  mmbuild_succeeds
  assert_three_results
  local h="| authorization: Bearer github-t0ken | application/vnd.github+json | application/json |"
  local link=https://forge.example.org/acme/app/compare/1
  run forge_requests "$GITHUB_LOG"
  assert_output "$(cat <<EOF
POST $path $h {"context": "mixmaster/main", "description": "build started", "state": "pending", "target_url": "$link"}
POST $path $h {"context": "mixmaster/main", "description": "build passed after N s", "state": "success", "target_url": "$link"}
POST $path $h {"context": "mixmaster/failing", "description": "build started", "state": "pending", "target_url": "$link"}
POST $path $h {"context": "mixmaster/failing", "description": "build failed (exit 3) after N s", "state": "failure", "target_url": "$link"}
POST $path $h {"context": "mixmaster/sleeper", "description": "build started", "state": "pending", "target_url": "$link"}
POST $path $h {"context": "mixmaster/sleeper", "description": "build killed after N s", "state": "error", "target_url": "$link"}
EOF
)"
  assert_durations "$GITHUB_LOG"
  # A task: mixmaster/<target>/<task>; a job without viewUrl: no link.
  : >"$GITHUB_LOG"
  spool_job 4-task task=docs forge=github statusUrl="http://127.0.0.1:$GITHUB_PORT$path"
  mmbuild_succeeds
  run forge_requests "$GITHUB_LOG"
  assert_line --index 0 --partial '{"context": "mixmaster/main/docs", "description": "build started", "state": "pending"}'
}

@test "GitLab: PRIVATE-TOKEN; running, then success, failed or canceled; a repeated transition's 400 is harmless" {
  forge_start GITLAB --gitlab
  local path=/api/v4/projects/acme%2Fapp/statuses/$SHA
  write_tokens "http://127.0.0.1:$GITLAB_PORT gitlab-t0ken"
  write_config ""
  three_jobs gitlab "http://127.0.0.1:$GITLAB_PORT$path"
  mmbuild_succeeds
  assert_three_results
  local h="| private-token: gitlab-t0ken | application/json | application/json |"
  local link=https://forge.example.org/acme/app/compare/1
  run forge_requests "$GITLAB_LOG"
  assert_output "$(cat <<EOF
POST $path $h {"description": "build started", "name": "mixmaster/main", "state": "running", "target_url": "$link"}
POST $path $h {"description": "build passed after N s", "name": "mixmaster/main", "state": "success", "target_url": "$link"}
POST $path $h {"description": "build started", "name": "mixmaster/failing", "state": "running", "target_url": "$link"}
POST $path $h {"description": "build failed (exit 3) after N s", "name": "mixmaster/failing", "state": "failed", "target_url": "$link"}
POST $path $h {"description": "build started", "name": "mixmaster/sleeper", "state": "running", "target_url": "$link"}
POST $path $h {"description": "build killed after N s", "name": "mixmaster/sleeper", "state": "canceled", "target_url": "$link"}
EOF
)"
  assert_durations "$GITLAB_LOG"
  # The same commit and target built again: GitLab refuses `running` twice.
  spool_job 4-again forge=gitlab statusUrl="http://127.0.0.1:$GITLAB_PORT$path" commit="$SHA"
  mmbuild_succeeds
  assert_equal "$(result_of 4-again)" "success 0"
  run log_lines 4-again
  assert_line "# commit status \`running\` to http://127.0.0.1:$GITLAB_PORT$path: HTTP 400, already in that state (harmless)"
  refute_line --partial "! commit status"
}

@test "through mmbridge: the Gitea push's status URL is recorded and used; one pointing elsewhere gets no request at all" {
  load helpers/bridge
  forge_start HOME
  forge_start ELSEWHERE
  # The token is for HOME only; an https line for ELSEWHERE's host and port
  # does not cover its http URLs.
  write_tokens "http://127.0.0.1:$HOME_PORT home-t0ken" \
    "https://127.0.0.1:$ELSEWHERE_PORT tls-only-t0ken"
  write_config ""
  export MIXMASTER_CONFIG=$MM_CONFIG
  bridge_start
  gitea_payload "http://127.0.0.1:$HOME_PORT" >"$BATS_TEST_TMPDIR/home.json"
  bridge_post /gitea "$BATS_TEST_TMPDIR/home.json" -H 'X-Gitea-Event: push'
  assert_equal "$HTTP_STATUS" 202
  gitea_payload "http://127.0.0.1:$ELSEWHERE_PORT" >"$BATS_TEST_TMPDIR/else.json"
  bridge_post /gitea "$BATS_TEST_TMPDIR/else.json" -H 'X-Gitea-Event: push'
  assert_equal "$HTTP_STATUS" 202
  bridge_stop
  run grep -h -e '^forge = ' -e '^statusUrl = ' "$SPOOL"/*.ini
  assert_output "$(cat <<EOF
forge = gitea
statusUrl = http://127.0.0.1:$HOME_PORT/api/v1/repos/acme/app/statuses/$SHA
forge = gitea
statusUrl = http://127.0.0.1:$ELSEWHERE_PORT/api/v1/repos/acme/app/statuses/$SHA
EOF
)"
  mmbuild_succeeds
  run forge_requests "$HOME_LOG"
  assert_equal "${#lines[@]}" 2
  assert_line --index 0 --partial "POST /api/v1/repos/acme/app/statuses/$SHA | authorization: token home-t0ken |"
  assert_equal "$(wc -c <"$ELSEWHERE_LOG")" 0
  run grep -h '# commit status not sent' "$BUILDS"/acme-app/JOBS/*.log
  assert_output --regexp "# commit status not sent: .*status-tokens has no token for http://127.0.0.1:$ELSEWHERE_PORT\$"
}

@test "a token file open to the group is refused: no request, the log says why, the build passes" {
  forge_start GITEA
  write_tokens "http://127.0.0.1:$GITEA_PORT gitea-t0ken"
  chmod 640 "$TOKENS"
  write_config ""
  spool_job 1-pass forge=gitea commit="$SHA" \
    statusUrl="http://127.0.0.1:$GITEA_PORT/api/v1/repos/acme/app/statuses/$SHA"
  mmbuild_succeeds
  assert_equal "$(result_of 1-pass)" "success 0"
  assert_equal "$(wc -c <"$GITEA_LOG")" 0
  run log_lines 1-pass
  assert_line "! commit status not sent: no token used: $TOKENS: open to group or others (mode 0640); chmod 600 it"
}

@test "the forge down or answering 500: one ! line naming the URL and the answer, the result unchanged, no token in any log" {
  load helpers/bridge
  local down_port url
  down_port=$(mm_free_port)
  forge_start BROKEN --status 500
  write_tokens "http://127.0.0.1:$down_port down-t0ken" \
    "http://127.0.0.1:$BROKEN_PORT broken-t0ken"
  write_config ""
  url=http://127.0.0.1:$down_port/api/v1/repos/acme/app/statuses/$SHA
  spool_job 1-pass forge=gitea commit="$SHA" statusUrl="$url"
  spool_job 2-fail target=failing forge=gitea commit="$SHA" \
    statusUrl="http://127.0.0.1:$BROKEN_PORT/repos/acme/app/statuses/$SHA"
  mmbuild_succeeds
  local journal=$output
  assert_equal "$(result_of 1-pass) $(result_of 2-fail)" "success 0 failure 3"
  run log_lines 1-pass
  assert_line --regexp "^! commit status \`pending\` to $url: .*(onnect|refused)"
  assert_line --regexp "^! commit status \`success\` to $url: .*(onnect|refused)"
  assert_equal "$(log_lines 1-pass | grep -c 'commit status')" 2
  run log_lines 2-fail
  assert_line "! commit status \`pending\` to http://127.0.0.1:$BROKEN_PORT/repos/acme/app/statuses/$SHA: HTTP 500: {\"id\": 1}"
  assert_line "! commit status \`failure\` to http://127.0.0.1:$BROKEN_PORT/repos/acme/app/statuses/$SHA: HTTP 500: {\"id\": 1}"
  assert_equal "$(wc -l <"$BROKEN_LOG")" 2
  run grep -r -l -e down-t0ken -e broken-t0ken "$BUILDS"
  assert_failure
  [ -n "$journal" ]
  run grep -e down-t0ken -e broken-t0ken <<<"$journal"
  assert_failure
}

@test "HTTPS: the forge's certificate is checked; CURL_CA_BUNDLE names the CA to trust" {
  local dir=$BATS_TEST_TMPDIR/tls url
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$dir/key.pem" \
    -out "$dir/cert.pem" 2>/dev/null
  forge_start TLS --tls "$dir/cert.pem" "$dir/key.pem"
  write_tokens "https://127.0.0.1:$TLS_PORT tls-t0ken"
  write_config ""
  url=https://127.0.0.1:$TLS_PORT/api/v1/repos/acme/app/statuses/$SHA
  # Not trusted by the system: refused, and nothing reached the forge.
  spool_job 1-untrusted forge=gitea commit="$SHA" statusUrl="$url"
  mmbuild_succeeds
  assert_equal "$(result_of 1-untrusted)" "success 0"
  run log_lines 1-untrusted
  assert_line --regexp "^! commit status \`pending\` to $url: .*certificate"
  assert_equal "$(wc -c <"$TLS_LOG")" 0
  # Trusted through CURL_CA_BUNDLE.
  spool_job 2-trusted forge=gitea commit="$SHA" statusUrl="$url"
  CURL_CA_BUNDLE=$dir/cert.pem mmbuild_succeeds
  run forge_requests "$TLS_LOG"
  assert_line --index 0 --partial "POST /api/v1/repos/acme/app/statuses/$SHA | authorization: token tls-t0ken |"
  assert_line --index 1 --partial '"state": "success"'
  run log_lines 2-trusted
  assert_line "# commit status \`success\` to $url: HTTP 201"
}

@test "SIGTERM to mmbuild: the stopped build's status still goes out (GitLab: canceled)" {
  forge_start GITLAB --gitlab
  local path=/api/v4/projects/acme%2Fapp/statuses/$SHA
  write_tokens "http://127.0.0.1:$GITLAB_PORT gitlab-t0ken"
  write_config ""
  sed -i 's/^timeout = 2$/timeout = 0/' "$MM_CONFIG"
  spool_job 1-stopped target=sleeper forge=gitlab commit="$SHA" \
    statusUrl="http://127.0.0.1:$GITLAB_PORT$path"
  mmbuild_in_background
  wait_until grep -q '"running"' "$GITLAB_LOG"
  kill -TERM "$MMBUILD"
  wait_for_mmbuild
  assert_equal "$MMBUILD_RC" 0
  assert_equal "$(status_of 1-stopped)" killed
  run forge_requests "$GITLAB_LOG"
  assert_equal "${#lines[@]}" 2
  assert_line --index 1 --partial '{"description": "build killed after N s", "name": "mixmaster/sleeper", "state": "canceled"}'
}

@test "a forge that never answers: each request gives up after 10 s with one ! line, the build goes on" {
  forge_start SILENT --hang
  local url=http://127.0.0.1:$SILENT_PORT/api/v1/repos/acme/app/statuses/$SHA
  write_tokens "http://127.0.0.1:$SILENT_PORT silent-t0ken"
  write_config ""
  spool_job 1-pass forge=gitea commit="$SHA" statusUrl="$url"
  spool_job 2-next
  mmbuild_succeeds
  assert_equal "$(result_of 1-pass) $(result_of 2-next)" "success 0 success 0"
  run log_lines 1-pass
  assert_line --regexp "^! commit status \`pending\` to $url: .*[Tt]imed out after [0-9]+ milliseconds"
  assert_line --regexp "^! commit status \`success\` to $url: .*[Tt]imed out after [0-9]+ milliseconds"
  assert_equal "$(wc -l <"$SILENT_LOG")" 2
}

@test "a build whose runner died: the next mmbuild finishes its log and tells the forge error" {
  forge_start GITEA
  local path=/api/v1/repos/acme/app/statuses/$SHA
  write_tokens "http://127.0.0.1:$GITEA_PORT gitea-t0ken"
  write_config ""
  # A log claimed and started by a runner that is gone (mmbuild(1) KILLED
  # RUNNER): the job, a [build] naming a pid that has exited, no [result].
  spool_job 1-orphan forge=gitea "statusUrl=http://127.0.0.1:$GITEA_PORT$path" commit="$SHA"
  true &
  local dead=$!
  wait "$dead"
  mkdir -p "$BUILDS/acme-app/JOBS"
  { cat "$SPOOL/1-orphan.ini"; printf '\n[build]\npid = %s\nstarted = 2026-12-01T00:00:00Z\n\n[log]\n' "$dead"; } \
    >"$(log_path 1-orphan)"
  rm "$SPOOL/1-orphan.ini"
  mmbuild_succeeds
  assert_equal "$(result_of 1-orphan)" "error -1"
  run forge_requests "$GITEA_LOG"
  assert_output "POST $path | authorization: token gitea-t0ken | application/json | application/json | {\"context\": \"mixmaster/main\", \"description\": \"build error: its runner died\", \"state\": \"error\"}"
  run log_lines 1-orphan
  assert_line "# commit status \`error\` to http://127.0.0.1:$GITEA_PORT$path: HTTP 201"
}
