# A fake forge status API (helpers/fake_forge.py) for the commit-status
# tests. Load after helpers/common and helpers/jobs (it adds to BG_PIDS).

# forge_start NAME [fake_forge.py options...]: starts one on loopback; sets
# FORGE_PORT and FORGE_LOG (the requests, one JSON line each) and the
# variables <NAME>_PORT and <NAME>_LOG.
forge_start() {
  local name=$1 dir=$BATS_TEST_TMPDIR/forge-$1 i
  shift
  mkdir -p "$dir"
  : >"$dir/requests"
  /usr/bin/python3 "$MM_ROOT/t/helpers/fake_forge.py" "$dir/port" \
    "$dir/requests" "$@" </dev/null >"$dir/stderr" 2>&1 3>&- &
  BG_PIDS+=("$!")
  disown "$!"  # no "Killed" notice from bash when the teardown kills it
  for i in $(seq 200); do [ -s "$dir/port" ] && break; sleep 0.05; done
  [ -s "$dir/port" ] || { cat "$dir/stderr" >&2; return 1; }
  FORGE_PORT=$(cat "$dir/port")
  FORGE_LOG=$dir/requests
  printf -v "${name}_PORT" %s "$FORGE_PORT"
  printf -v "${name}_LOG" %s "$FORGE_LOG"
}

# forge_requests LOG: one line per request: method, path, the auth and
# accept headers, and the JSON body with sorted keys; the build's duration
# in a description ("after 2 s") reads "after N s", so that no line depends
# on timing (forge_durations checks the numbers).
forge_requests() {
  /usr/bin/python3 - "$1" <<'PY'
import json, re, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    h = r["headers"]
    auth = " ".join(f"{k}: {h[k]}" for k in ("authorization", "private-token")
                    if k in h)
    body = r["body"]
    if isinstance(body, dict) and "description" in body:
        body["description"] = re.sub(r"after \d+ s$", "after N s",
                                     body["description"])
    print(r["method"], r["path"], "|", auth, "|", h.get("accept"), "|",
          h.get("content-type"), "|", json.dumps(body, sort_keys=True))
PY
}

# forge_durations LOG: the numbers of "after N s" in the descriptions.
forge_durations() {
  /usr/bin/python3 - "$1" <<'PY'
import json, re, sys
for line in open(sys.argv[1]):
    m = re.search(r"after (\d+) s$", json.loads(line)["body"].get("description", ""))
    if m:
        print(m.group(1))
PY
}

# forge_user_agents LOG: the User-Agent of each request.
forge_user_agents() {
  /usr/bin/python3 -c 'import json, sys
for line in open(sys.argv[1]):
    print(json.loads(line)["headers"].get("user-agent"))' "$1"
}

# write_tokens LINE...: the statusTokens file, mode 0600; sets TOKENS.
write_tokens() {
  TOKENS=$HOME/status-tokens
  printf '%s\n' "$@" >"$TOKENS"
  chmod 600 "$TOKENS"
}

# gitea_payload FORGE-BASE [BRANCH] > FILE: the Gitea fixture as a push of
# BRANCH (main by default) at $SHA of acme/app, hosted at FORGE-BASE, its
# repository the test's remote.
gitea_payload() {
  /usr/bin/python3 - "$MM_FIXTURES/gitea-push.json" "$1" "$SHA" "$MM_GIT_REMOTE" \
    "${2:-main}" <<'PY'
import json, sys
fixture, base, commit, remote, branch = sys.argv[1:]
with open(fixture) as f:
    payload = json.load(f)
payload["ref"] = "refs/heads/" + branch
payload["after"] = commit
payload["repository"].update(full_name="acme/app", html_url=base + "/acme/app",
                             clone_url=remote, ssh_url=remote)
json.dump(payload, sys.stdout)
PY
}
