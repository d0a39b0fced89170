#!/usr/bin/env bats
# The installed units' options under the manager they are written for: a
# normal account's own `systemd --user` (t/helpers/user-manager.bash). Such
# a manager cannot do all that root's can (shrink the capability bounding
# set, for one), and an option it refuses makes every start of the unit
# fail (218/CAPABILITIES and the like) however well the file reads
# (t/helpers/verify-units, `make lint`).
load helpers/common
load helpers/user-manager

setup() {
  mm_deployed_setup
}

teardown() {
  mm_deployed_teardown
}

# service_options UNIT: the KEY=VALUE lines of the installed UNIT's [Unit]
# and [Service] sections that `systemd-run -p` can start a process with.
# Left out, and started by t/e2e.bats through the installed units instead:
# ExecStart= and ExecStopPost= (the programs), StandardInput= and
# StandardOutput= (`socket`: a connection, which only the socket can give);
# and Description= and Documentation=, which are for people.
service_options() {
  awk '/^\[/ { keep = ($0 == "[Unit]" || $0 == "[Service]"); next }
    keep && /^[A-Za-z]+=/ && !/^(ExecStart|ExecStopPost|StandardInput|StandardOutput|Description|Documentation)=/' \
    "$MM_UNITDIR/$1"
}

# run_with_options OPTION...: the PROBE below, started by this manager
# with the options and waited for; sets STARTED to the way it ended.
run_with_options() {
  local props=() option
  for option in "$@"; do props+=(-p "$option"); done
  STARTED=$(systemd-run --user --wait --collect "${props[@]}" /bin/sh -c "$(probe)" 2>&1 |
    sed -n 's/^Main processes terminated with: //p')
}

# What each option does, as the process started with it sees it, into
# $MM_E2E/probe.out (named in full: systemd would expand a variable).
probe() {
  cat <<SH
exec >'$MM_E2E/probe.out' 2>&1
grep -E '^(NoNewPrivs|CapBnd):' /proc/self/status
echo "umask \$(umask)"
echo "files \$(ulimit -n)"
echo "nice \$(cut -d' ' -f19 /proc/self/stat)"
cgroup=\$(sed -n 's/^0:://p' /proc/self/cgroup)
for mount in \$(findmnt -n -t cgroup2 -o TARGET); do
  for limit in memory.max pids.max; do
    [ -r "\$mount\$cgroup/\$limit" ] && echo "\$limit \$(cat "\$mount\$cgroup/\$limit")"
  done
done
true
SH
}

# options_start UNIT: every option of UNIT together, then (when that
# failed) one at a time, so that the one the manager refuses is named.
options_start() {
  local options=() option refused=()
  mapfile -t options < <(service_options "$1")
  [ "${#options[@]}" -gt 3 ]
  echo "# $1: ${options[*]}" >&3
  run_with_options "${options[@]}"
  if [ "$STARTED" != "code=exited/status=0" ]; then
    for option in "${options[@]}"; do
      run_with_options "$option"
      [ "$STARTED" = "code=exited/status=0" ] || refused+=("$option: $STARTED")
    done
    local IFS=';'
    echo "$1: the manager of $(id -un) refuses ${refused[*]:-(none alone)}" >&2
    return 1
  fi
  run cat "$MM_E2E/probe.out"
}

@test "every option of the bridge service starts it under a normal account's manager, and holds" {
  options_start mixmaster-bridge@.service
  assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
  assert_line "umask 0077"
  assert_line "files 64"
  # MemoryMax= and TasksMax= bound the instance's cgroup where the manager
  # has the memory and pids controllers (user@.service delegates them on a
  # machine with the unified hierarchy); with none, systemd sets nothing.
  local limits
  limits=$(grep -E '^(memory|pids)\.max ' "$MM_E2E/probe.out" || true)
  echo "# cgroup limits: ${limits:-none (no memory or pids controller here)}" | tr '\n' ' ' >&3
  echo >&3
  if grep -q '^memory\.max ' <<<"$limits"; then assert_line "memory.max 67108864"; fi
  if grep -q '^pids\.max ' <<<"$limits"; then assert_line "pids.max 4"; fi
}

@test "every option of the build service starts it under a normal account's manager, and holds" {
  options_start mixmaster.service
  # Builds must be able to use sudo and setuid programs (the unit's
  # comment): no NoNewPrivileges there.
  assert_line --regexp '^NoNewPrivs:[[:space:]]+0$'
  assert_line "nice 10"
}

@test "the installed socket and path units start under a normal account's manager and serve" {
  # The shipped port, 8585, may be taken on a shared machine: the socket's
  # own options on a free one.
  local port
  port=$(mm_free_port)
  mkdir -p "$XDG_CONFIG_HOME/systemd/user/mixmaster-bridge.socket.d"
  printf '[Socket]\nListenStream=\nListenStream=127.0.0.1:%s\n' "$port" \
    >"$XDG_CONFIG_HOME/systemd/user/mixmaster-bridge.socket.d/port.conf"
  printf '[_]\n' >"$MM_CONFIG"
  systemctl --user daemon-reload
  run systemctl --user start mixmaster-bridge.socket mixmaster.path
  assert_success
  assert_equal "$(mm_unit_prop mixmaster-bridge.socket SubState)" listening
  assert_equal "$(mm_unit_prop mixmaster.path SubState)" waiting
  # A connection starts an instance with the unit's every option, and
  # mmbridge in it answers.
  assert_equal "$(curl -sS --max-time 20 "http://127.0.0.1:$port/version")" \
    "$("$MM_PREFIX/bin/mmbridge" --version)"
  assert_equal "$(mm_unit_prop mixmaster-bridge.socket NAccepted)" 1
  # The path unit starts the build service, whose every option holds, and
  # mmbuild and mmcleanup in it run.
  echo 'not a job' >"$HOME/Builds/INBOX/note.txt"
  moved() { [ -f "$HOME/Builds/REJECTED/note.txt" ]; }
  mm_bounded_poll 60 moved
  mm_bounded_poll 30 mm_nothing_running
  assert_equal "$(mm_unit_prop mixmaster.service Result)" success
  assert_equal "$(mm_unit_prop mixmaster.service ExecMainStatus)" 0
}
