#!/usr/bin/env bats
# Bursts and floods through the units `make install` and `mmsetup` put in
# place, under a real `systemd --user` manager of a normal account, over
# loopback: the socket never goes down, every request of a forge-sized burst
# is queued, and one address holding idle connections cannot lock the forge
# out (mixmaster-bridge.socket, mmbridge(1) SECURITY). Each test is bounded
# by curl's and the helpers' deadlines.
load helpers/common
load helpers/user-manager

setup() {
  mm_deployed_setup
  PORT=$(mm_free_port)
  run "$MM_PREFIX/bin/mmsetup" --yes --port "127.0.0.1:$PORT"
  assert_success
  SECRET=$(sed -n 's/^secret = //p' "$MM_CONFIG")
  printf '\n[o/r]\nmain = true\n' >>"$MM_CONFIG"
  PAYLOAD=$MM_E2E/light.json
  printf '{"scm":"git","repositoryUrl":"git@example.com:o/r.git","project":"o/r","target":"main"}' >"$PAYLOAD"
  SIGNATURE=$(openssl dgst -sha256 -hmac "$SECRET" -r <"$PAYLOAD" | cut -d' ' -f1)
}

teardown() {
  mm_deployed_teardown mixmaster-bridge.socket
}

# burst N P: N signed POSTs of the payload, P at a time; one status code a
# line in $MM_E2E/codes (000 when curl got no answer). A curl that got no
# answer makes xargs fail; the caller's check of the codes says how many.
burst() {
  seq "$1" | xargs -P "$2" -I{} curl -s -o /dev/null -w '%{http_code}\n' \
    --max-time 60 -H 'Content-Type: application/json' \
    -H "X-Hub-Signature-256: sha256=$SIGNATURE" --data-binary "@$PAYLOAD" \
    "http://127.0.0.1:$PORT/" >"$MM_E2E/codes" || true
}

# The socket is listening and has never failed.
socket_up() {
  assert_equal "$(mm_unit_prop mixmaster-bridge.socket ActiveState)" active
  assert_equal "$(mm_unit_prop mixmaster-bridge.socket Result)" success
  assert_equal "$(curl -sS --max-time 20 "http://127.0.0.1:$PORT/version")" \
    "$("$MM_PREFIX/bin/mmbridge" --version)"
}

@test "1,000 requests 50 at a time: 1,000 answers 202, 1,000 jobs, the socket up" {
  # mmbuild would take the jobs as they come; they are counted instead.
  systemctl --user stop mixmaster.path
  burst 1000 50
  run sort "$MM_E2E/codes"
  run uniq -c <<<"$output"
  assert_output --regexp '^ *1000 202$'
  assert_equal "$(mm_spool_count "$HOME/Builds/INBOX")" 1000
  socket_up
}

@test "2,000 connections 200 at a time: the socket stays up and answers after" {
  # 200 at a time is more than one address may hold (MaxConnectionsPerSource=
  # 128): on a slow machine the manager refuses, that is accepts and closes,
  # the connections over it, and curl exits non-zero for them, so xargs
  # exits 123. Any other status is a failure of the burst itself.
  local status=0
  seq 2000 | xargs -P 200 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
    --max-time 60 "http://127.0.0.1:$PORT/version" >"$MM_E2E/codes" || status=$?
  [ "$status" -eq 0 ] || [ "$status" -eq 123 ]
  assert_equal "$(wc -l <"$MM_E2E/codes")" 2000
  # What is served is served right, and every connection left unanswered
  # (000) is one the manager refused by the socket's limits: none timed
  # out or was dropped.
  run grep -cv -e '^200$' -e '^000$' "$MM_E2E/codes"
  assert_output 0
  local answered unanswered refused
  answered=$(grep -c '^200$' "$MM_E2E/codes" || true)
  unanswered=$(grep -c '^000$' "$MM_E2E/codes" || true)
  refused=$(mm_unit_prop mixmaster-bridge.socket NRefused)
  echo "# $answered of 2000 answered; refused by the socket: $refused" >&3
  assert_equal "$unanswered" "$refused"
  socket_up
}

@test "1,000 idle connections from 127.0.0.2: the forge on 127.0.0.1 still gets 202, memory bounded" {
  # `make check SANITIZE=address`: ASan's shadow memory and its leak
  # checker's helper process are not what this bounds.
  if ldd "$MM_PREFIX/bin/mmbridge" 2>/dev/null | grep -q libasan; then
    skip "memory and instance bounds do not apply to an ASan build of mmbridge"
  fi
  systemctl --user stop mixmaster.path
  run /usr/bin/python3 "$MM_ROOT/t/helpers/idle_flood.py" "$PORT" "${MM_CGROUPS[0]}" \
    "$PAYLOAD" "$SIGNATURE"
  assert_success
  echo "$output" | sed "s/^/# /" >&3
  assert_line "status 202"
  # One address holds at most MaxConnectionsPerSource= instances, and all
  # of them together, by the sum of their proportional sets (the pages of
  # the static binary they share counted once), stay under 64 MiB. (The sum
  # of their resident sets counts those pages once per instance: about
  # 2 MiB each.)
  local pss bridges
  pss=$(sed -n 's/^pss_kib //p' <<<"$output")
  bridges=$(sed -n 's/^bridges //p' <<<"$output")
  [ "$bridges" -ge 1 ]
  [ "$bridges" -le 128 ]
  [ "$pss" -lt $((64 * 1024)) ]
  assert_equal "$(mm_spool_count "$HOME/Builds/INBOX")" 1
  # The idle instances give up at the 10 s deadline; none stays behind.
  mm_bounded_poll 40 mm_nothing_running
  socket_up
}
