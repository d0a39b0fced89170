# A real mmbridge behind a real loopback socket, as systemd runs it (one
# process per connection, socket on stdin and stdout), and clients for it.
# Load after helpers/common: `load helpers/bridge`.

# The program under test; a bats file may point it at a copy (see
# t/mmbridge.bats) so that a rebuild during the run cannot pull it away.
BRIDGE_BIN=${BRIDGE_BIN:-$MM_BIN/mmbridge}

# bridge_listening PORT: something listens on 127.0.0.1:PORT. Read from
# /proc rather than by connecting, which would start a bridge and log a line.
bridge_listening() {
  grep -q "^ *[0-9]*: 0100007F:$(printf '%04X' "$1") 00000000:0000 0A " /proc/net/tcp
}

# bridge_start: starts the bridge on a free port, in BRIDGE_PORT; its stderr
# (one line per request, plus systemd-socket-activate's own) goes to
# BRIDGE_LOG. HOME, XDG_CONFIG_HOME and, when set, MIXMASTER_CONFIG and
# MIXMASTER_READ_TIMEOUT reach the bridge.
bridge_start() {
  BRIDGE_LOG=${BRIDGE_LOG:-$BATS_TEST_TMPDIR/bridge.log}
  local env=(-E HOME -E XDG_CONFIG_HOME) attempt i
  [ -n "${MIXMASTER_CONFIG:-}" ] && env+=(-E MIXMASTER_CONFIG)
  [ -n "${MIXMASTER_READ_TIMEOUT:-}" ] && env+=(-E MIXMASTER_READ_TIMEOUT)
  # Its stderr stands for the journal, as under systemd (StandardError=
  # journal): the bridge then prefixes each line with its priority.
  touch "$BRIDGE_LOG"
  env+=(-E "JOURNAL_STREAM=$(stat -c %d:%i "$BRIDGE_LOG")")
  for attempt in 1 2 3; do
    BRIDGE_PORT=$(mm_free_port)
    # fd 3 is bats' own: a background process holding it would hang bats.
    systemd-socket-activate --inetd -a -l "127.0.0.1:$BRIDGE_PORT" "${env[@]}" \
      "$BRIDGE_BIN" </dev/null >/dev/null 2>>"$BRIDGE_LOG" 3>&- &
    BRIDGE_PID=$!
    for i in $(seq 100); do
      if bridge_listening "$BRIDGE_PORT"; then return 0; fi
      kill -0 "$BRIDGE_PID" 2>/dev/null || break  # lost the port race
      sleep 0.05
    done
    bridge_stop
  done
  echo "bridge did not start; log:" >&2
  cat "$BRIDGE_LOG" >&2
  return 1
}

bridge_stop() {
  if [ -n "${BRIDGE_PID:-}" ]; then
    kill "$BRIDGE_PID" 2>/dev/null || true
    wait "$BRIDGE_PID" 2>/dev/null || true
    BRIDGE_PID=
  fi
}

# bridge_curl METHOD PATH [curl args...]: one request with curl. Sets
# HTTP_STATUS, HTTP_BODY (without its final newline) and HTTP_HEADERS.
bridge_curl() {
  local method=$1 path=$2 dir=$BATS_TEST_TMPDIR/client
  shift 2
  mkdir -p "$dir"
  HTTP_STATUS=$(curl -sS --max-time 60 -X "$method" -o "$dir/body" \
    -D "$dir/headers" -w '%{http_code}' "$@" \
    "http://127.0.0.1:$BRIDGE_PORT$path")
  HTTP_BODY=$(cat "$dir/body")
  HTTP_HEADERS=$(tr -d '\r' <"$dir/headers")
}

# bridge_post PATH FILE [curl args...]: POSTs FILE as JSON.
bridge_post() {
  local path=$1 file=$2
  shift 2
  bridge_curl POST "$path" -H 'Content-Type: application/json' \
    --data-binary "@$file" "$@"
}

# bridge_raw [--half-close] [--wait-continue] <FILE: sends its stdin as it is over a
# new connection (from a thread, so a refusal can be read while sending)
# and reads until the bridge closes. --half-close ends the sending side
# after the data; --wait-continue sends the head, waits for the interim
# response, then sends the body. Sets RAW_RESPONSE, HTTP_STATUS and
# HTTP_BODY (without its final newline), so feed it with a redirection, not
# a pipe, which would run it in a subshell: bridge_raw < <(printf ...).
bridge_raw() {
  local dir=$BATS_TEST_TMPDIR/client
  mkdir -p "$dir"
  /usr/bin/python3 - "$BRIDGE_PORT" "$@" >"$dir/raw" 3<&0 <<'PY'
import os, socket, sys, threading
port, flags = int(sys.argv[1]), sys.argv[2:]
data = os.fdopen(3, "rb").read()
s = socket.create_connection(("127.0.0.1", port), timeout=60)
received = bytearray()

def send():
    try:
        if "--wait-continue" in flags:
            head, sep, body = data.partition(b"\r\n\r\n")
            s.sendall(head + sep)
            while b"\r\n\r\n" not in received:
                chunk = s.recv(65536)
                if not chunk:
                    return
                received.extend(chunk)
            s.sendall(body)
        else:
            s.sendall(data)
        if "--half-close" in flags:
            s.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the bridge refused before taking it all

sender = threading.Thread(target=send)
sender.start()
if "--wait-continue" in flags:
    sender.join()
while True:
    try:
        chunk = s.recv(65536)
    except OSError:
        break
    if not chunk:
        break
    received.extend(chunk)
sender.join()
sys.stdout.buffer.write(bytes(received))
PY
  RAW_RESPONSE=$(tr -d '\r' <"$dir/raw")
  # The final response is the last one (after any 100 Continue).
  local final=${RAW_RESPONSE##*HTTP/1.1 }
  HTTP_STATUS=${final%% *}
  HTTP_BODY=${final#*$'\n\n'}
}

# bridge_jobs: the job files in $SPOOL, one per line.
bridge_jobs() {
  find "$SPOOL" -mindepth 1 -maxdepth 1 | sort
}

# bridge_assert_no_job: the spool holds nothing at all.
bridge_assert_no_job() {
  local left
  left=$(find "$SPOOL" -mindepth 1)
  [ -z "$left" ] || { echo "spool not empty: $left" >&2; return 1; }
}

# bridge_assert_one_job: the spool holds exactly one complete job, whose id
# is the one in "queued <id>"; sets JOB to its path.
bridge_assert_one_job() {
  local jobs
  jobs=$(bridge_jobs)
  [ "$(printf '%s\n' "$jobs" | grep -c .)" = 1 ] ||
    { echo "expected one job, spool holds: $jobs" >&2; return 1; }
  JOB=$jobs
  [ "$JOB" = "$SPOOL/${HTTP_BODY#queued }.ini" ] ||
    { echo "job $JOB does not match answer $HTTP_BODY" >&2; return 1; }
}

# bridge_job_matches FILE JSON: decodes job FILE (undoing \\ \n \r \t \s)
# and checks that every key of the JSON object has exactly that value;
# prints each difference.
bridge_job_matches() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
path, expected = sys.argv[1], json.loads(sys.argv[2])
ESC = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t", "s": " "}

def unescape(v):
    out, i = [], 0
    while i < len(v):
        if v[i] == "\\":
            out.append(ESC[v[i + 1]])
            i += 2
        else:
            out.append(v[i])
            i += 1
    return "".join(out)

lines = open(path, encoding="utf-8", newline="\n").read().split("\n")
assert lines[0] == "[job]", lines[0]
job = {}
for line in lines[1:]:
    if line:
        key, _, value = line.partition("=")
        job[key.strip(" \t\r")] = unescape(value.strip(" \t\r"))
bad = [(k, v, job.get(k)) for k, v in expected.items() if job.get(k) != v]
for key, want, got in bad:
    print("%s: want %r, got %r" % (key, want, got))
sys.exit(1 if bad else 0)
PY
}

# bridge_log_lines: the bridge's journal line for each request (priorities 3,
# 4, 6); a notice about the machine (<5>, e.g. no Landlock) is left out.
bridge_log_lines() {
  grep -a '^<[346]>' "$BRIDGE_LOG" || true
}

# bridge_wait_log COUNT: waits (bounded) until the log holds COUNT lines;
# the bridge logs after it has answered.
bridge_wait_log() {
  local i
  for i in $(seq 100); do
    [ "$(bridge_log_lines | wc -l)" -ge "$1" ] && return 0
    sleep 0.05
  done
  echo "expected $1 log lines, have: $(bridge_log_lines)" >&2
  return 1
}
