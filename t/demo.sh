#!/bin/bash
# make demo: one build from request to log, in a private temporary home.
# Makes a small git repository and a config for it, sends one lightweight
# request (mmbridge(1) Endpoints) through build/mmbridge on stdin, runs build/mmbuild,
# and prints the HTTP answer and the build log. Touches nothing outside the
# temporary directory it prints. Exits non-zero unless the build succeeded.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build
for program in mmbridge mmbuild; do
  [ -x "$bin/$program" ] || { echo "demo: $bin/$program is missing; run make all" >&2; exit 1; }
done

demo=$(mktemp -d "${TMPDIR:-/tmp}/mixmaster-demo.XXXXXX")
export HOME=$demo/home XDG_CONFIG_HOME=$demo/home/.config TMPDIR=$demo/tmp
unset MIXMASTER_CONFIG
# The spool exists before mmbridge writes to it (mmsetup and
# mixmaster.path's MakeDirectory=yes make it in real life).
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$TMPDIR" "$demo/Builds/INBOX"
config=$XDG_CONFIG_HOME/mixmaster.ini

# A repository to build: a Makefile whose `deploy` says hello.
git init -q --bare -b production "$demo/example-repo.git"
git init -q -b production "$demo/work"
printf 'deploy:\n\t@echo "Hello from $$MIXMASTER_PROJECT at $$(git rev-parse --short HEAD)"\n' \
  >"$demo/work/Makefile"
git -C "$demo/work" add Makefile
git -C "$demo/work" -c user.name=Demo -c user.email=demo@example.org \
  commit -q -m "A Makefile to build"
git -C "$demo/work" push -q "$demo/example-repo.git" production

cat >"$config" <<EOF
[_]
buildRoot = $demo/Builds

[example-org/example-repo]
production = make deploy
EOF

body=$(printf '{"scm":"git","repositoryUrl":"%s","project":"example-org/example-repo","target":"production","message":"A Makefile to build"}' \
  "$demo/example-repo.git")
echo "== request"
echo "POST / with $body"
echo
echo "== mmbridge answers"
printf 'POST / HTTP/1.1\r\nHost: 127.0.0.1:8585\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
  "${#body}" "$body" | "$bin/mmbridge" --config "$config" 2>"$demo/mmbridge.stderr" | tr -d '\r'
echo "(mmbridge logged: $(cat "$demo/mmbridge.stderr"))"
echo
# make passes its own settings down; the demo build runs as a fresh one would.
unset MAKEFLAGS MAKELEVEL MFLAGS
echo "== mmbuild runs the spool"
"$bin/mmbuild" --config "$config" 2>&1 | sed 's/^/  /'

log=$(find "$demo/Builds/example-org-example-repo/JOBS" -name '*.log' | head -n 1)
echo
echo "== build log $log"
cat "$log"
echo
echo "Everything is in $demo (remove it with: rm -rf $demo)"
grep -qx 'status = success' "$log" || { echo "demo: the build did not succeed" >&2; exit 1; }
