# A real `systemd --user` manager for the tests of the deployed units
# (t/units.bats, t/e2e.bats, t/load.bats), run by the account the tests run
# as, with its own HOME, XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_RUNTIME_DIR
# in a temporary directory, and Mixmaster installed into it as the README
# says (`make install PREFIX=$HOME/.local UNITDIR=$HOME/.local/share/
# systemd/user`). The account's own home, configuration and units are never
# touched.
#
# Those suites run as a normal account, as users deploy Mixmaster: a
# manager that is not root may do less than root's (it cannot shrink the
# capability bounding set, for one), and a root run would never show it.
# As root, `make check` runs them through t/helpers/as-test-user.
#
# A manager needs a cgroup it may write, in every hierarchy systemd tracks
# processes in (on a hybrid machine the named v1 `systemd` one and the v2
# one). The test's manager gets one of two ways:
# - `own`: this process's cgroup is writable by this account (as-test-user
#   made it and chowned it, as systemd's delegation does; or this is root);
#   the manager then gets a child cgroup of it, so that it does not take
#   the test's own processes as its own;
# - `scope`: this account's own user manager (a machine booted with
#   systemd, a login or lingering) delegates a scope to it
#   (`systemd-run --user --scope -p Delegate=yes`).
# Where neither can be had, no manager can run and the tests skip, saying
# why.
#
# Use: mm_deployed_setup in setup, mm_deployed_teardown in teardown (or
# the functions they call).

MM_SYSTEMD=${MM_SYSTEMD:-/lib/systemd/systemd}

# Fails, saying why, when run as root: the deployed units must be tested
# under a normal account's manager.
mm_require_normal_account() {
  [ "$(id -u)" != 0 ] && return 0
  echo "run as root: the deployed units are tested under a normal account's manager," \
    "as users run them; run this file through t/helpers/as-test-user (make check does)" >&2
  return 1
}

# What a test of the deployed units starts with: a normal account, a skip
# (saying why) where no manager can run, a manager of its own, Mixmaster
# installed into it.
mm_deployed_setup() {
  mm_require_normal_account || return 1
  mm_user_manager_skip_reason || skip "$MM_SKIP_REASON"
  mm_user_manager_start && mm_install
}

# mm_deployed_teardown [UNIT-PATTERN]: after a failed test, the manager's
# status of the units (default mixmaster*), which helps more than the
# assertion; then mm_user_manager_stop.
mm_deployed_teardown() {
  if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${MM_E2E:-}" ]; then
    systemctl --user status --no-pager "${1:-mixmaster*}" 2>&1 | sed 's/^/# /' >&3
  fi
  mm_user_manager_stop
}

# Sets MM_SKIP_REASON and returns 1 when no user manager can be run here;
# otherwise sets MM_MANAGER_MODE (own or scope, above).
mm_user_manager_skip_reason() {
  MM_SKIP_REASON=
  MM_MANAGER_MODE=
  local cgroups answer
  cgroups=$(_mm_tracking_cgroups)
  if [ ! -x "$MM_SYSTEMD" ] || ! command -v systemctl >/dev/null; then
    MM_SKIP_REASON="no systemd here ($MM_SYSTEMD, systemctl)"
  elif [ -z "$cgroups" ]; then
    # A chroot that bind-mounts /sys without its submounts (as a fresh
    # debootstrap does) sees an empty /sys/fs/cgroup.
    MM_SKIP_REASON="no cgroup hierarchy mounted under /sys/fs/cgroup: systemd --user cannot track its units"
  elif _mm_own_cgroups_writable "$cgroups"; then
    if [ ! -d /run/systemd/system ] && [ "$(id -u)" != 0 ]; then
      MM_SKIP_REASON="not booted with systemd (no /run/systemd/system, which only root may make): systemd --user refuses to run"
    else
      MM_MANAGER_MODE=own
    fi
  elif [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ]; then
    MM_SKIP_REASON="not booted with systemd (PID 1 is $(cat /proc/1/comm 2>/dev/null)): $(id -un) has no user manager to delegate a cgroup, and only root may make one (as root, make check runs these tests as a throwaway account)"
  elif answer=$(systemctl --user is-system-running 2>&1) ||
    [ "$answer" = degraded ] || [ "$answer" = starting ]; then
    MM_MANAGER_MODE=scope
  else
    MM_SKIP_REASON="no cgroup for a manager: $(id -un) may not write its cgroup ($(awk '{printf "%s%s%s", sep, $1, $2; sep=", "}' <<<"$cgroups")) and no user manager of its own answers to delegate one (systemctl --user is-system-running: ${answer:-no answer}; log in, or sudo loginctl enable-linger $(id -un), and set XDG_RUNTIME_DIR=/run/user/$(id -u))"
  fi
  [ -z "$MM_SKIP_REASON" ]
}

_mm_own_cgroups_writable() {
  local mount path
  while read -r mount path; do
    [ -w "$mount$path" ] && [ -w "$mount$path/cgroup.procs" ] || return 1
  done <<<"$1"
}

# mm_bounded_poll SECONDS COMMAND...: runs COMMAND every 0.1 s until it
# succeeds (returns 0) or SECONDS have passed (returns 1).
mm_bounded_poll() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  "$@"
}

_mm_manager_ready() {
  local state
  state=$(systemctl --user is-system-running 2>/dev/null)
  [ "$state" = running ] || [ "$state" = degraded ]
}

# The cgroup hierarchies systemd tracks processes in, where it looks for
# them (/sys/fs/cgroup): the named v1 `systemd` one (hybrid layout) and the
# v2 one. Prints "MOUNT PATH" lines, PATH being the cgroup there of the
# process PID (default: this one).
_mm_tracking_cgroups() {
  local id controllers path mount
  while IFS=: read -r id controllers path; do
    mount=
    if [ "$controllers" = name=systemd ]; then
      mount=$(findmnt -n -t cgroup -O name=systemd -o TARGET | grep -m 1 '^/sys/fs/cgroup')
    elif [ "$id" = 0 ] && [ -z "$controllers" ]; then
      mount=$(findmnt -n -t cgroup2 -o TARGET | grep -m 1 '^/sys/fs/cgroup')
    fi
    [ -n "$mount" ] && [ -d "$mount$path" ] && echo "$mount ${path%/}"
  done <"/proc/${1:-self}/cgroup"
}

# Starts the manager; exports HOME, XDG_*, MM_E2E (the test's root dir).
# Sets MM_MANAGER_PID and MM_CGROUPS (the manager's cgroup tree in each
# tracking hierarchy, the first one to look for its processes in).
mm_user_manager_start() {
  [ -n "$MM_MANAGER_MODE" ] || mm_user_manager_skip_reason || {
    echo "$MM_SKIP_REASON" >&2
    return 1
  }
  # systemd --user only runs on a machine booted with systemd, which it
  # tells by this directory; as root on a machine that was not, make it.
  MM_MADE_RUN_SYSTEMD=
  if [ ! -d /run/systemd/system ] && [ "$(id -u)" = 0 ]; then
    mkdir -p /run/systemd/system
    MM_MADE_RUN_SYSTEMD=1
  fi
  # In TMPDIR, not in BATS_TEST_TMPDIR: the manager's sockets live under
  # XDG_RUNTIME_DIR, and a socket's path must stay under 108 bytes. (Or in
  # MM_E2E_BASE: t/bench/deployed.sh runs units whose PrivateTmp= hides
  # /tmp.)
  MM_E2E=$(mktemp -d "${MM_E2E_BASE:-${TMPDIR:-/tmp}}/mm-e2e.XXXXXX")
  MM_OUTER_RUNTIME_DIR=${XDG_RUNTIME_DIR:-}
  export HOME=$MM_E2E/home
  export XDG_CONFIG_HOME=$HOME/.config
  export XDG_DATA_HOME=$HOME/.local/share
  export XDG_RUNTIME_DIR=$MM_E2E/run
  unset MIXMASTER_CONFIG DBUS_SESSION_BUS_ADDRESS
  mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
  mkdir -m 0700 "$XDG_RUNTIME_DIR"
  MM_CONFIG=$XDG_CONFIG_HOME/mixmaster.ini

  # A clean environment, as a login would give the manager; TMPDIR and the
  # marker of `make check` (t/helpers/no-leftovers) are passed on, so that
  # what its units leave behind is found.
  local manager=(env -i HOME="$HOME" USER="$(id -un)" LOGNAME="$(id -un)"
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    LANG=C.UTF-8 XDG_CONFIG_HOME="$XDG_CONFIG_HOME"
    XDG_DATA_HOME="$XDG_DATA_HOME" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR"
    ${TMPDIR:+TMPDIR="$TMPDIR"} ${MM_CHECK_RUN:+MM_CHECK_RUN="$MM_CHECK_RUN"}
    setsid "$MM_SYSTEMD" --user)
  local cgroup_before mount path
  cgroup_before=$(cat /proc/self/cgroup)
  MM_MADE_CGROUPS=()
  MM_SCOPE=
  if [ "$MM_MANAGER_MODE" = own ]; then
    # A manager takes the cgroup it starts in as its root, and moves every
    # process it finds there into <root>/init.scope: started where this
    # shell is, that would be the test itself (or, as root on a machine
    # whose PID 1 is not systemd, every process on it). So it gets a child
    # cgroup of its own.
    while read -r mount path; do
      mkdir "$mount$path/${MM_E2E##*/}" || return 1
      MM_MADE_CGROUPS+=("$mount$path/${MM_E2E##*/}")
    done < <(_mm_tracking_cgroups)
    (
      for cgroup in "${MM_MADE_CGROUPS[@]}"; do
        echo "$BASHPID" >"$cgroup/cgroup.procs" || exit 1
      done
      exec "${manager[@]}"
    ) </dev/null >"$MM_E2E/manager.log" 2>&1 3>&- &
  else
    # A scope of this account's own manager, delegated: the test's manager
    # is all there is in it, and the scope goes when it exits. systemd-run
    # execs the command, so $! is the manager's pid.
    MM_SCOPE=mm-e2e-${MM_CHECK_RUN:+$MM_CHECK_RUN-}${MM_E2E##*.}.scope
    XDG_RUNTIME_DIR=$MM_OUTER_RUNTIME_DIR systemd-run --user --scope --quiet --collect \
      -p Delegate=yes --unit="$MM_SCOPE" -- "${manager[@]}" \
      </dev/null >"$MM_E2E/manager.log" 2>&1 3>&- &
  fi
  MM_MANAGER_PID=$!
  echo "$MM_MANAGER_PID" >"$MM_E2E/manager.pid"
  if ! mm_bounded_poll 30 _mm_manager_ready; then
    echo "systemd --user did not come up; its log:" >&2
    cat "$MM_E2E/manager.log" >&2
    return 1
  fi
  if [ "$(cat /proc/self/cgroup)" != "$cgroup_before" ]; then
    echo "the user manager moved this test out of its cgroup" >&2
    return 1
  fi
  # The manager runs in <its root>/init.scope.
  MM_CGROUPS=()
  while read -r mount path; do
    MM_CGROUPS+=("$mount${path%/init.scope}")
  done < <(_mm_tracking_cgroups "$MM_MANAGER_PID")
  [ "${#MM_CGROUPS[@]}" -gt 0 ] && [[ ${MM_CGROUPS[0]} != */init.scope ]]
}

_mm_manager_gone() { ! kill -0 "$MM_MANAGER_PID" 2>/dev/null; }

# Stops the manager (and with it every unit it runs) and removes the test
# root. Only ever signals the manager this helper started, by its pid, and
# what is left in its cgroups.
mm_user_manager_stop() {
  [ -n "${MM_E2E:-}" ] || return 0
  if [ -n "${MM_MANAGER_PID:-}" ] && kill -0 "$MM_MANAGER_PID" 2>/dev/null; then
    systemctl --user exit >/dev/null 2>&1 || kill -TERM "$MM_MANAGER_PID"
    if ! mm_bounded_poll 30 _mm_manager_gone; then
      kill -KILL "$MM_MANAGER_PID" 2>/dev/null
    fi
    wait "$MM_MANAGER_PID" 2>/dev/null || true
  fi
  if [ -n "${MM_SCOPE:-}" ]; then
    # Whatever is left in the scope goes with it.
    XDG_RUNTIME_DIR=$MM_OUTER_RUNTIME_DIR systemctl --user stop "$MM_SCOPE" 2>/dev/null || true
  else
    _mm_kill_cgroup_processes
  fi
  # Its cgroups, once empty, in every hierarchy.
  local cgroup
  for cgroup in "${MM_MADE_CGROUPS[@]}"; do
    [ -d "$cgroup" ] && { find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true; }
  done
  rm -rf "$MM_E2E"
  MM_E2E=
  export XDG_RUNTIME_DIR=$MM_OUTER_RUNTIME_DIR
  # Leave the machine as it was: other programs take this directory to mean
  # that systemd is PID 1.
  if [ -n "${MM_MADE_RUN_SYSTEMD:-}" ]; then
    rmdir /run/systemd/system 2>/dev/null || true
  fi
}

# KILL to every process left in the cgroups this helper made (a unit's
# process the manager did not stop before it was killed).
_mm_kill_cgroup_processes() {
  local cgroup pids i
  for ((i = 0; i < 50; i++)); do
    pids=
    for cgroup in "${MM_MADE_CGROUPS[@]}"; do
      [ -d "$cgroup" ] && pids+=" $(find "$cgroup" -name cgroup.procs -exec cat {} + 2>/dev/null)"
    done
    [ -n "${pids// /}" ] || return 0
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null
    sleep 0.1
  done
}

# Installs Mixmaster the way the README says a user installs it for
# themselves: programs under ~/.local, units where the user manager finds
# them. With --staged, the way a package would instead: through a staged
# DESTDIR, the stage copied into place and removed, so that a unit that
# named a staged path would fail. The programs are those of MM_BIN (the
# sanitizer build of `make check SANITIZE=...` too), never built here.
mm_install() {
  MM_PREFIX=$HOME/.local
  MM_UNITDIR=$HOME/.local/share/systemd/user
  local make=(make -s -C "$MM_ROOT" install PREFIX="$MM_PREFIX" UNITDIR="$MM_UNITDIR"
    SANITIZE="${MM_SANITIZE:-}")
  if [ "${1:-}" = --staged ]; then
    local stage=$MM_E2E/stage
    "${make[@]}" DESTDIR="$stage" >/dev/null || return 1
    mkdir -p "$MM_PREFIX" "$MM_UNITDIR"
    cp -a "$stage$MM_PREFIX/." "$MM_PREFIX/" || return 1
    cp -a "$stage$MM_UNITDIR/." "$MM_UNITDIR/" || return 1
    rm -rf "$stage"
  else
    "${make[@]}" >/dev/null || return 1
  fi
  systemctl --user daemon-reload
}

# mm_unit_prop UNIT PROPERTY: the property's value.
mm_unit_prop() {
  systemctl --user show -P "$2" "$1"
}

# True when no Mixmaster process is resident: mixmaster.service not running
# and no bridge instance left.
mm_nothing_running() {
  local state instances
  state=$(mm_unit_prop mixmaster.service ActiveState)
  [ "$state" = inactive ] || [ "$state" = failed ] || return 1
  instances=$(systemctl --user list-units --plain --no-legend \
    --state=active,activating,deactivating 'mixmaster-bridge@*')
  [ -z "$instances" ]
}

# The processes in the manager's cgroup tree other than the manager itself,
# one "PID NAME" line each: what stays resident. A line saying so when the
# manager is not found there, so that a wrong tree never looks empty.
mm_manager_processes() {
  local pids pid
  pids=$(find "${MM_CGROUPS[0]}" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un)
  if ! grep -qx "$MM_MANAGER_PID" <<<"$pids"; then
    echo "the manager ($MM_MANAGER_PID) is not in ${MM_CGROUPS[0]}"
    return
  fi
  for pid in $pids; do
    [ "$pid" = "$MM_MANAGER_PID" ] && continue
    echo "$pid $(cat "/proc/$pid/comm" 2>/dev/null)"
  done
}

_mm_no_process_but_the_manager() { [ -z "$(mm_manager_processes)" ]; }
