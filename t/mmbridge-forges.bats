#!/usr/bin/env bats
# Forge pushes end to end: payloads shaped as Gitea, GitHub and GitLab
# document them (helpers/forge_payload.py) for refs of a real repository,
# sent through the real mmbridge on loopback, then built by the real mmbuild
# from that repository, with commit statuses going to a fake forge API
# (helpers/fake_forge.py). mmbridge(1) Endpoints, mixmaster.ini(5) Projects,
# mmbuild(1) How a job runs.
load helpers/common
load helpers/git
load helpers/jobs
load helpers/forge
load helpers/mail

setup_file() {
  cp "$MM_BIN/mmbridge" "$BATS_FILE_TMPDIR/mmbridge"
  export BRIDGE_BIN=$BATS_FILE_TMPDIR/mmbridge
}

load helpers/bridge

FORGES=(gitea github gitlab)

setup() {
  unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
  jobs_setup
  # v2: an annotated tag on a new commit; v2-again: a tag of that tag; a
  # branch whose name is refs/tags/v9 (git allows it), at main.
  RELEASE=$(mm_git_commit release.txt 2 "release two")
  mm_git tag -a v2 -m "version 2"
  mm_git -c advice.nestedTag=false tag -a v2-again -m "version 2, again" v2
  mm_git_push main v2 v2-again
  mm_git push -q origin main:refs/heads/refs/tags/v9
  forge_start API
  write_tokens "http://127.0.0.1:$API_PORT t0ken"
  write_config
  bridge_start
}

teardown() {
  bridge_stop
  kill_background
  mm_mail_stop
}

# write_config [PROJECT LINES...]
write_config() {
  mm_write_config <<EOF
[_]
buildRoot = $BUILDS
supersede = no
statusTokens = $TOKENS
$EXTRA_SETTINGS

[acme/app]
main = echo "built main at \$MIXMASTER_COMMIT"
refs/tags/v = echo "released \$MIXMASTER_TARGET at \$MIXMASTER_COMMIT"
$(printf '%s\n' "$@")
EOF
}

# push FORGE REF [forge_payload.py options...]: sends the push of REF in the
# test's remote as FORGE sends it, its status API the fake forge's; sets
# HTTP_STATUS and HTTP_BODY, and ID to the job id when one was queued.
push() {
  local forge=$1 ref=$2 event file=$BATS_TEST_TMPDIR/payload.json
  shift 2
  case $forge in
    gitea) event='X-Gitea-Event: push' ;;
    github) event='X-GitHub-Event: push' ;;
    gitlab) event='X-Gitlab-Event: Push Hook'
      [[ $ref == refs/tags/* ]] && event='X-Gitlab-Event: Tag Push Hook' ;;
  esac
  /usr/bin/python3 "$MM_ROOT/t/helpers/forge_payload.py" "$forge" \
    "$MM_GIT_REMOTE" "$ref" --web-url "http://127.0.0.1:$API_PORT/acme/app" \
    --api "http://127.0.0.1:$API_PORT" "$@" >"$file"
  bridge_post "/$forge" "$file" -H "$event"
  ID=
  [[ $HTTP_BODY == "queued "* ]] && ID=${HTTP_BODY#queued }
  return 0
}

# The path of FORGE's status API for commit SHA.
status_path() {
  case $1 in
    gitea) echo "/api/v1/repos/acme/app/statuses/$2" ;;
    github) echo "/repos/acme/app/statuses/$2" ;;
    gitlab) echo "/api/v4/projects/acme%2Fapp/statuses/$2" ;;
  esac
}

# The state FORGE is told at the start of a build.
start_state() {
  if [ "$1" = gitlab ]; then echo running; else echo pending; fi
}

# The requests the fake forge had: method and path, one a line.
status_requests() {
  /usr/bin/python3 -c 'import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["method"], r["path"], r["body"].get("state"))' "$API_LOG"
}

# mmbridge(1) "Payload fields": who pushed, from each forge's own field in
# its real payload (t/fixtures), lands in the job as `pusher` (mmbuild(1)
# JOB FILES); a payload whose pusher is of another type still queues.
@test "who pushed: each forge's pusher from its real payload is the job's pusher, with the commit's page" {
  write_config "[test-org/test-repo]" "production = true" \
    "[Codertocat/Hello-World]" "master = true" \
    "[example-group/web-shop]" "staging = true"
  bridge_post /gitea "$MM_FIXTURES/gitea-push.json" -H 'X-Gitea-Event: push'
  assert_equal "$HTTP_STATUS" 202
  run bridge_job_matches "$SPOOL/${HTTP_BODY#queued }.ini" '{"pusher":"test"}'
  assert_success
  bridge_post /github "$MM_FIXTURES/github-push.json" -H 'X-GitHub-Event: push'
  assert_equal "$HTTP_STATUS" 202
  run bridge_job_matches "$SPOOL/${HTTP_BODY#queued }.ini" '{"pusher":"Codertocat",
    "commitUrl":"https://github.com/Codertocat/Hello-World/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246"}'
  assert_success
  bridge_post /gitlab "$MM_FIXTURES/gitlab-push.json" -H 'X-Gitlab-Event: Push Hook'
  assert_equal "$HTTP_STATUS" 202
  run bridge_job_matches "$SPOOL/${HTTP_BODY#queued }.ini" '{"pusher":"ada",
    "commitUrl":"https://gitlab.example.com/example-group/web-shop/-/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7"}'
  assert_success
  # GitHub's second field, and a pusher that is no string: left out.
  sed 's/"name": "Codertocat",/"name": null,/' "$MM_FIXTURES/github-push.json" \
    >"$BATS_TEST_TMPDIR/github.json"
  bridge_post /github "$BATS_TEST_TMPDIR/github.json" -H 'X-GitHub-Event: push'
  run bridge_job_matches "$SPOOL/${HTTP_BODY#queued }.ini" '{"pusher":"Codertocat"}'
  assert_success
  sed 's/"user_username": "ada"/"user_username": ["ada"]/' \
    "$MM_FIXTURES/gitlab-push.json" >"$BATS_TEST_TMPDIR/gitlab.json"
  bridge_post /gitlab "$BATS_TEST_TMPDIR/gitlab.json" -H 'X-Gitlab-Event: Push Hook'
  assert_equal "$HTTP_STATUS" 202
  run bridge_job_matches "$SPOOL/${HTTP_BODY#queued }.ini" '{"pusher":null}'
  assert_success
  # A pusher with a control character is a request value like any other.
  sed 's/"login": "test",/"login": "te\\u001bst",/' "$MM_FIXTURES/gitea-push.json" \
    >"$BATS_TEST_TMPDIR/gitea.json"
  bridge_post /gitea "$BATS_TEST_TMPDIR/gitea.json" -H 'X-Gitea-Event: push'
  assert_equal "$HTTP_STATUS" 400
  assert_equal "$HTTP_BODY" "request value pusher holds the control character U+001B; values may hold none but tab (and line breaks in message)"
}

@test "an annotated tag and a tag of a tag build the tag's commit, through every forge endpoint" {
  local forge ref ids=() expected=()
  for forge in "${FORGES[@]}"; do
    for ref in refs/tags/v2 refs/tags/v2-again; do
      push "$forge" "$ref"
      assert_equal "$HTTP_STATUS" 202
      [ -n "$ID" ]
      # The commit the forge names for the tag, not the tag object.
      run bridge_job_matches "$SPOOL/$ID.ini" "{\"target\":\"$ref\",\"commit\":\"$RELEASE\",
        \"statusUrl\":\"http://127.0.0.1:$API_PORT$(status_path "$forge" "$RELEASE")\"}"
      assert_success
      ids+=("$ID")
      expected+=("POST $(status_path "$forge" "$RELEASE") $(start_state "$forge")"
        "POST $(status_path "$forge" "$RELEASE") success")
    done
  done
  mmbuild_succeeds
  local i=0 id
  for id in "${ids[@]}"; do
    ref=refs/tags/v2
    ((i % 2)) && ref=refs/tags/v2-again
    assert_equal "$(status_of "$id")" success
    run log_lines "$id"
    assert_line "\$ git fetch origin $ref"
    assert_line "\$ git checkout --force --detach $RELEASE"
    assert_line "O released $ref at $RELEASE"
    i=$((i + 1))
  done
  # Both statuses of every build on the tag's commit.
  run status_requests
  assert_equal "$(printf '%s\n' "${lines[@]}" | sort)" \
    "$(printf '%s\n' "${expected[@]}" | sort)"
}

@test "a payload naming only the tag object: mmbuild peels it; the environment, the mails and the final status name the commit" {
  local tag forge ids=()
  mm_mail_start
  EXTRA_SETTINGS=$(mm_mail_settings)
  write_config
  for forge in "${FORGES[@]}"; do
    push "$forge" refs/tags/v2-again --no-commit
    assert_equal "$HTTP_STATUS" 202
    tag=$(mm_git rev-parse v2-again)
    run bridge_job_matches "$SPOOL/$ID.ini" "{\"commit\":\"$tag\"}"
    assert_success
    ids+=("$ID")
  done
  mmbuild_succeeds
  : >"$BATS_TEST_TMPDIR/expected"
  for i in 0 1 2; do
    run log_lines "${ids[$i]}"
    assert_line "# commit $tag is the annotated tag v2-again; building the commit it points to, $RELEASE"
    assert_line "\$ git checkout --force --detach $RELEASE"
    assert_line "O released refs/tags/v2-again at $RELEASE"
    assert_equal "$(status_of "${ids[$i]}")" success
    # The start goes where the job says, before anything is checked out;
    # the end to the commit built.
    printf 'POST %s %s\nPOST %s success\n' \
      "$(status_path "${FORGES[$i]}" "$tag")" "$(start_state "${FORGES[$i]}")" \
      "$(status_path "${FORGES[$i]}" "$RELEASE")" >>"$BATS_TEST_TMPDIR/expected"
  done
  run status_requests
  assert_output "$(cat "$BATS_TEST_TMPDIR/expected")"
  # A start and an end mail for each build: the start names what was asked
  # for, the end what was built.
  mm_mail_wait 6
  for i in 1 3 5; do
    run mm_mail "$i" body
    assert_line "Mixmaster has started building ${tag:0:8} on refs/tags/v2-again."
    run mm_mail "$((i + 1))" body
    assert_line "Mixmaster has finished building ${RELEASE:0:8} on refs/tags/v2-again."
  done
}

@test "a branch named refs/tags/v9 never reaches the tag's command, on every forge endpoint" {
  local forge main
  main=$(mm_git rev-parse main)
  for forge in "${FORGES[@]}"; do
    push "$forge" refs/heads/refs/tags/v9
    assert_equal "$HTTP_STATUS" 202
    assert_equal "$HTTP_BODY" "ignored: no command for refs/heads/refs/tags/v9"
  done
  bridge_assert_no_job
  # A key for such branches builds it as the branch it is.
  write_config 'refs/heads/refs/tags/ = echo "branch $MIXMASTER_TARGET"'
  local ids=()
  for forge in "${FORGES[@]}"; do
    push "$forge" refs/heads/refs/tags/v9
    assert_equal "$HTTP_STATUS" 202
    # The job only selects; mmbuild runs the configuration's command.
    run bridge_job_matches "$SPOOL/$ID.ini" \
      '{"target":"refs/heads/refs/tags/v9","buildCommand":null}'
    assert_success
    ids+=("$ID")
  done
  mmbuild_succeeds
  for id in "${ids[@]}"; do
    run log_lines "$id"
    assert_line "\$ git fetch origin refs/heads/refs/tags/v9"
    assert_line "\$ git checkout --force --detach $main"
    assert_line "O branch refs/heads/refs/tags/v9"
    refute_line --partial released
  done
  # Its workspace is its own, apart from any tag's.
  [ -d "$BUILDS/acme-app/refs-heads-refs-tags-v9" ]
}

@test "a project pinned to its repository takes only pushes naming it, on every endpoint, and mmbuild fetches from it alone" {
  local pinned=file://$MM_GIT_REMOTE forge ids=() main
  main=$(mm_git rev-parse main)
  git clone -q --bare "$MM_GIT_REMOTE" "$BATS_TEST_TMPDIR/fork.git"
  write_config ":repository = $pinned"
  for forge in "${FORGES[@]}"; do
    # Named by its clone URL; the SSH URL a forge names first, which would
    # otherwise be built, leads nowhere.
    push "$forge" refs/heads/main --ssh-url git@forge.invalid:acme/app.git \
      --clone-url "$MM_GIT_REMOTE/"
    assert_equal "$HTTP_STATUS" 202
    run bridge_job_matches "$SPOOL/$ID.ini" "{\"repositoryUrl\":\"$pinned\"}"
    assert_success
    ids+=("$ID")
    # A payload naming only another repository (a fork's webhook).
    push "$forge" refs/heads/main --ssh-url git@forge.invalid:fork/app.git \
      --clone-url "$BATS_TEST_TMPDIR/fork.git" --web-url https://forge.invalid/fork/app
    assert_equal "$HTTP_STATUS" 403
    assert_equal "$HTTP_BODY" "repository not the one configured for acme/app"
  done
  printf '{"scm":"git","repositoryUrl":"%s","project":"acme/app","target":"main"}' \
    "$BATS_TEST_TMPDIR/fork.git" >"$BATS_TEST_TMPDIR/light.json"
  bridge_post / "$BATS_TEST_TMPDIR/light.json"
  assert_equal "$HTTP_STATUS" 403
  assert_equal "$HTTP_BODY" "repository not the one configured for acme/app"
  [ "$(bridge_jobs | wc -l)" = 3 ]
  # A job written by hand (or before the pin) naming the fork.
  spool_job zz-by-hand repositoryUrl="$BATS_TEST_TMPDIR/fork.git"
  mmbuild_succeeds
  for id in "${ids[@]}" zz-by-hand; do
    assert_equal "$(status_of "$id")" success
    run log_lines "$id"
    assert_line "\$ git checkout --force --detach $main"
    assert_line "O built main at $main"
  done
  run log_lines zz-by-hand
  assert_line "# repositoryUrl $BATS_TEST_TMPDIR/fork.git is not the one configured for acme/app; fetching from $pinned"
  # The journal names what a refused request named.
  bridge_wait_log 7
  run grep -c "403 repository not the one configured for acme/app (the request names .*fork" "$BRIDGE_LOG"
  assert_output 4
}
