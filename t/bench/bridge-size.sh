#!/bin/bash
# Peak memory of mmbridge for the largest request the default maxRequestBytes
# (25 MiB) admits: a GitHub push of exactly 25 MiB (t/helpers/big_push.py)
# as JSON, the same payload cut to fit as a form (GitHub's default content
# type, about 1.4 times its JSON), each unsigned and signed, against `cat`
# reading the same request in the same run. Prints peak RSS per case and the
# ratio to the body's size; the bridge unit's MemoryMax= must stay above the
# largest, with room for the allocator (units/mixmaster-bridge@.service).
# Usage: t/bench/bridge-size.sh   (MMBRIDGE=path overrides build/mmbridge)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bridge=${MMBRIDGE:-$root/build/mmbridge}
[ -x "$bridge" ] || { echo "bridge-size.sh: $bridge not built" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bridge-size.sh: needs /usr/bin/time" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/spool"
max=26214400
config() {
  cat >"$tmp/mixmaster.ini" <<INI
[_]
buildRoot = $tmp
spool = $tmp/spool
$1
[Codertocat/Hello-World]
master = make
INI
}

# request NAME CONTENT-TYPE BODY-FILE [HEADER]: a whole POST /github.
request() {
  {
    printf 'POST /github HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: push\r\n'
    printf 'Content-Type: %s\r\nContent-Length: %d\r\n' "$2" "$(wc -c <"$3")"
    [ -n "${4:-}" ] && printf '%s\r\n' "$4"
    printf '\r\n'
    cat "$3"
  } >"$tmp/$1"
}

fixture=$root/t/fixtures/github-push.json
/usr/bin/python3 "$root/t/helpers/big_push.py" "$fixture" "$max" "$tmp/push.json"
# The largest payload whose form still fits, found by halving the gap.
/usr/bin/python3 - "$root" "$fixture" "$max" "$tmp" <<'PY'
import subprocess, sys, urllib.parse
root, fixture, limit, tmp = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
low, high = 1 << 20, limit
while high - low > 4096:
    mid = (low + high) // 2
    subprocess.run(["/usr/bin/python3", root + "/t/helpers/big_push.py",
                    fixture, str(mid), tmp + "/form.json"], check=True)
    form = urllib.parse.urlencode({"payload": open(tmp + "/form.json").read()})
    if len(form) <= limit:
        low = mid
        open(tmp + "/form.txt", "w").write(form)
    else:
        high = mid
PY
secret=0123456789abcdef
sig() {
  openssl dgst -sha256 -hmac "$secret" "$1" | sed 's/^.*= //'
}
request json application/json "$tmp/push.json"
request form application/x-www-form-urlencoded "$tmp/form.txt"
request json-signed application/json "$tmp/push.json" \
  "X-Hub-Signature-256: sha256=$(sig "$tmp/push.json")"
request form-signed application/x-www-form-urlencoded "$tmp/form.txt" \
  "X-Hub-Signature-256: sha256=$(sig "$tmp/form.txt")"

# peak_rss REQUEST PROGRAM...: the most of three runs, in KiB.
peak_rss() {
  local input=$1 i kib best=0
  shift
  for i in 1 2 3; do
    /usr/bin/time -o "$tmp/rss" -f %M "$@" <"$tmp/$input" >"$tmp/out" 2>/dev/null
    kib=$(tail -1 "$tmp/rss")
    [ "$kib" -gt "$best" ] && best=$kib
  done
  echo "$best"
}

printf '%-12s %10s %14s %14s %8s\n' case body-KiB "cat RSS KiB" "bridge RSS KiB" x-body
for case in json form json-signed form-signed; do
  if [[ $case == *-signed ]]; then config "secret = $secret"; else config ""; fi
  file=$tmp/push.json
  [[ $case == form* ]] && file=$tmp/form.txt
  body=$(($(wc -c <"$file") / 1024))
  cat_kib=$(peak_rss "$case" /bin/cat)
  bridge_kib=$(peak_rss "$case" "$bridge" --config "$tmp/mixmaster.ini")
  grep -q '^HTTP/1.1 202 ' "$tmp/out" || { echo "bridge-size.sh: $case not queued:" >&2; head -c 300 "$tmp/out" >&2; exit 1; }
  printf '%-12s %10d %14d %14d %7.2fx\n' "$case" "$body" "$cat_kib" "$bridge_kib" \
    "$(awk -v r="$bridge_kib" -v b="$body" 'BEGIN { print r / b }')"
  rm -f "$tmp"/spool/*
done
memory_max=$(sed -n 's/^MemoryMax=//p' "$root/units/mixmaster-bridge@.service")
echo "units/mixmaster-bridge@.service: MemoryMax=$memory_max"
