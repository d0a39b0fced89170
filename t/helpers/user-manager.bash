# A real `systemd --user` manager for end-to-end tests, with its own HOME,
# XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_RUNTIME_DIR, and Mixmaster installed
# into it with `make install`.
#
# The home lives under /home, not /tmp or /var/tmp: the bridge unit has
# PrivateTmp=yes (which hides both) and ProtectHome=read-only with the spool
# writable, and that is what a real user's home looks like to it.
#
# Use: `mm_user_manager_skip_reason || skip "$MM_SKIP_REASON"` in setup, then
# mm_user_manager_start, mm_install; mm_user_manager_stop in teardown.

MM_SYSTEMD=${MM_SYSTEMD:-/lib/systemd/systemd}

# Sets MM_SKIP_REASON and returns 1 when no user manager can be run here.
mm_user_manager_skip_reason() {
  MM_SKIP_REASON=
  local cgroups
  cgroups=$(_mm_tracking_cgroups)
  if [ ! -x "$MM_SYSTEMD" ] || ! command -v systemctl >/dev/null; then
    MM_SKIP_REASON="no systemd here ($MM_SYSTEMD, systemctl)"
  elif [ ! -d /run/systemd/system ] && [ "$(id -u)" != 0 ]; then
    MM_SKIP_REASON="not booted with systemd and not root: systemd --user refuses to run"
  elif [ -z "$cgroups" ]; then
    # A chroot that bind-mounts /sys without its submounts (as
    # tools/fresh-machine-check does) sees an empty /sys/fs/cgroup.
    MM_SKIP_REASON="no cgroup hierarchy mounted under /sys/fs/cgroup: systemd --user cannot track its units"
  elif ! unshare --user true 2>/dev/null; then
    # The bridge's sandbox (PrivateUsers=yes) needs a user namespace, which
    # the kernel refuses inside a chroot or when they are turned off.
    MM_SKIP_REASON="cannot create a user namespace (in a chroot, or turned off): the bridge's sandbox needs one"
  elif [ ! -d /home ] || [ ! -w /home ]; then
    MM_SKIP_REASON="/home is not writable for a test home"
  else
    local mount path
    while read -r mount path; do
      if [ ! -w "$mount$path" ]; then
        MM_SKIP_REASON="cannot make a cgroup of its own for the manager under $mount$path"
      fi
    done <<<"$cgroups"
  fi
  [ -z "$MM_SKIP_REASON" ]
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
# v2 one. Prints "MOUNT PATH" lines, PATH being this process's cgroup there.
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
  done </proc/self/cgroup
}

# Starts the manager; exports HOME, XDG_*, MM_E2E (the test's root dir).
mm_user_manager_start() {
  # systemd --user only runs on a machine booted with systemd, which it tells
  # by this directory; as root on a machine that was not, make it.
  MM_MADE_RUN_SYSTEMD=
  if [ ! -d /run/systemd/system ]; then
    mkdir -p /run/systemd/system
    MM_MADE_RUN_SYSTEMD=1
  fi
  MM_E2E=$(mktemp -d /home/mm-e2e.XXXXXX)
  export HOME=$MM_E2E/home
  export XDG_CONFIG_HOME=$HOME/.config
  export XDG_DATA_HOME=$HOME/.local/share
  export XDG_RUNTIME_DIR=$MM_E2E/run
  unset MIXMASTER_CONFIG DBUS_SESSION_BUS_ADDRESS
  mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
  mkdir -m 0700 "$XDG_RUNTIME_DIR"
  MM_CONFIG=$XDG_CONFIG_HOME/mixmaster.ini

  # A manager takes the cgroup it starts in as its root, and moves every
  # process it finds there into <root>/init.scope. Started where this shell
  # is, on a machine whose PID 1 is not systemd, that would be every process
  # on the machine; so it gets a child cgroup of its own, and the rest of the
  # machine is left where it was.
  MM_CGROUPS=()
  MM_CGROUP_PATHS=()
  local mount path
  while read -r mount path; do
    mkdir "$mount$path/${MM_E2E##*/}" || return 1
    MM_CGROUPS+=("$mount$path/${MM_E2E##*/}")
    MM_CGROUP_PATHS+=("$path/${MM_E2E##*/}")
  done < <(_mm_tracking_cgroups)
  local cgroup_before
  cgroup_before=$(cat /proc/self/cgroup)

  # A clean environment, as a login would give the manager.
  (
    for cgroup in "${MM_CGROUPS[@]}"; do
      echo "$BASHPID" >"$cgroup/cgroup.procs" || exit 1
    done
    exec env -i HOME="$HOME" USER="$(id -un)" LOGNAME="$(id -un)" \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      LANG=C.UTF-8 XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
      XDG_DATA_HOME="$XDG_DATA_HOME" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
      setsid "$MM_SYSTEMD" --user
  ) </dev/null >"$MM_E2E/manager.log" 2>&1 3>&- &
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
}

_mm_manager_gone() { ! kill -0 "$MM_MANAGER_PID" 2>/dev/null; }

# Stops the manager (and with it every unit it runs) and removes the test
# root. Only ever signals the manager this helper started, by its pid.
mm_user_manager_stop() {
  [ -n "${MM_E2E:-}" ] || return 0
  if [ -n "${MM_MANAGER_PID:-}" ] && kill -0 "$MM_MANAGER_PID" 2>/dev/null; then
    systemctl --user exit >/dev/null 2>&1 || kill -TERM "$MM_MANAGER_PID"
    if ! mm_bounded_poll 30 _mm_manager_gone; then
      kill -KILL "$MM_MANAGER_PID" 2>/dev/null
    fi
    wait "$MM_MANAGER_PID" 2>/dev/null || true
  fi
  # Its cgroups, once empty, in every hierarchy: systemd makes them in the
  # controllers' hierarchies too, under the same path.
  local mount path
  for mount in $(findmnt -n -t cgroup,cgroup2 -o TARGET); do
    for path in "${MM_CGROUP_PATHS[@]}"; do
      [ -d "$mount$path" ] && { find "$mount$path" -depth -type d -exec rmdir {} + 2>/dev/null || true; }
    done
  done
  rm -rf "$MM_E2E"
  MM_E2E=
  # Leave the machine as it was: other programs take this directory to mean
  # that systemd is PID 1.
  if [ -n "${MM_MADE_RUN_SYSTEMD:-}" ]; then
    rmdir /run/systemd/system 2>/dev/null || true
  fi
}

# Installs Mixmaster the way a user would for themselves (programs under a
# prefix, units where the user manager finds them), through a staged
# DESTDIR as a package would: the stage is copied into place and removed, so
# a unit that named a staged path would fail.
mm_install() {
  MM_PREFIX=$MM_E2E/prefix
  MM_UNITDIR=$XDG_DATA_HOME/systemd/user
  local stage=$MM_E2E/stage
  make -s -C "$MM_ROOT" install DESTDIR="$stage" PREFIX="$MM_PREFIX" \
    UNITDIR="$MM_UNITDIR" >/dev/null || return 1
  mkdir -p "$MM_PREFIX" "$MM_UNITDIR"
  cp -a "$stage$MM_PREFIX/." "$MM_PREFIX/" || return 1
  cp -a "$stage$MM_UNITDIR/." "$MM_UNITDIR/" || return 1
  rm -rf "$stage"
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
