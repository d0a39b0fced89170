# A real single-node Slurm for tests: `load helpers/slurm` after
# helpers/common. munged, slurmctld and slurmd run in the foreground as
# children of the test, with their own munge key and socket, a slurm.conf on
# free loopback ports and a private state directory, all in DIR. The node
# has one CPU, so a second job waits for the first; KillWait is 2 s and
# InactiveLimit 5 s. Jobs are tracked with proctrack/cgroup, as
# mm-run-slurm(1) asks of a cluster.
#
#   mm_slurm_start DIR   starts it, or skips with the reason where this
#                        machine cannot run it; exports SLURM_CONF (what
#                        srun, squeue and scancel read) and sets SLURM_NODE
#                        and SLURM_HIDDEN, a directory the node does not see
#                        (slurmd runs in a mount namespace of its own with
#                        an empty tmpfs over it), as a node without the
#                        shared file system would not; empty when this
#                        machine cannot make one
#   mm_slurm_stop        cancels every job, stops each daemon by its pid and
#                        removes the cgroups slurmd made; safe when nothing
#                        was started
#   mm_slurm_cancel_all  cancels every job and waits until Slurm has let go
#   mm_slurm_jobs        the names of the jobs Slurm knows, one a line
#                        (pending, running or completing)
#   mm_slurm_pending_reason NAME   why job NAME waits (squeue's %r), or ""

MM_SLURM_PIDS=()

mm_slurm_skip_reason() {
  local p
  for p in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/srun; do
    [ -x "$p" ] || { echo "no $p (Debian slurm-wlm and munge: make deps)"; return; }
  done
  # slurmd starts each job as its user and puts it in a cgroup of its own.
  [ "$(id -u)" = 0 ] || { echo "slurmd must run as root"; return; }
  if ! [ -w /sys/fs/cgroup/freezer ] &&
    [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ]; then
    echo "no cgroup freezer (v1) or cgroup2 at /sys/fs/cgroup for proctrack/cgroup"
    return
  fi
}

_mm_slurm_cgroups() { find /sys/fs/cgroup -maxdepth 3 -type d -name "*$SLURM_NODE*" 2>/dev/null; }

mm_slurm_start() {
  local dir=$1 reason host i ctld_port node_port
  reason=$(mm_slurm_skip_reason)
  [ -z "$reason" ] || skip "$reason"
  mkdir -p "$dir/state" "$dir/spool"
  MM_SLURM_DIR=$dir
  # A node name of its own names the cgroups slurmd makes (slurm_<node>).
  SLURM_NODE=mmtest$$
  [ -z "$(_mm_slurm_cgroups)" ] || { echo "cgroups of $SLURM_NODE exist already" >&2; return 1; }

  head -c 128 /dev/urandom >"$dir/munge.key"
  chmod 600 "$dir/munge.key"
  /usr/sbin/munged --foreground --force --key-file="$dir/munge.key" \
    --socket="$dir/munge.socket" --pid-file="$dir/munged.pid" \
    --seed-file="$dir/munged.seed" --log-file="$dir/munged.log" \
    >"$dir/munged.out" 2>&1 &
  MM_SLURM_PIDS+=($!)

  ctld_port=$(mm_free_port)
  node_port=$(mm_free_port)
  [ "$node_port" != "$ctld_port" ] || node_port=$(mm_free_port)
  host=$(hostname -s)
  cat >"$dir/slurm.conf" <<CONF
ClusterName=mmtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$node_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
PlugStackConfig=$dir/plugstack.conf
MailProg=/bin/true
ProctrackType=proctrack/cgroup
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# The node has the one CPU written here, whatever the machine has: the
# tests of a queue in Slurm need it full with one build.
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=2
InactiveLimit=5
NodeName=$SLURM_NODE NodeHostname=$host NodeAddr=127.0.0.1 CPUs=1 State=UNKNOWN
PartitionName=mm Nodes=$SLURM_NODE Default=YES MaxTime=INFINITE State=UP
CONF
  # slurmd runs outside any systemd unit: it makes its cgroups itself.
  cat >"$dir/cgroup.conf" <<CONF
CgroupPlugin=autodetect
IgnoreSystemd=yes
CONF
  : >"$dir/plugstack.conf"
  export SLURM_CONF=$dir/slurm.conf

  for i in $(seq 100); do [ -S "$dir/munge.socket" ] && break; sleep 0.1; done
  [ -S "$dir/munge.socket" ] || { echo "munged did not start:" >&2; cat "$dir/munged.out" >&2; return 1; }
  /usr/sbin/slurmctld -D -f "$SLURM_CONF" >"$dir/slurmctld.out" 2>&1 &
  MM_SLURM_PIDS+=($!)
  SLURM_HIDDEN=$dir/hidden
  mkdir -p "$SLURM_HIDDEN"
  if unshare --mount --propagation private true 2>/dev/null; then
    unshare --mount --propagation private -- /bin/sh -c \
      'mount -t tmpfs mm-hidden "$0" && exec "$@"' "$SLURM_HIDDEN" \
      /usr/sbin/slurmd -D -N "$SLURM_NODE" -f "$SLURM_CONF" >"$dir/slurmd.out" 2>&1 &
  else
    SLURM_HIDDEN=
    /usr/sbin/slurmd -D -N "$SLURM_NODE" -f "$SLURM_CONF" >"$dir/slurmd.out" 2>&1 &
  fi
  MM_SLURM_PIDS+=($!)
  for i in $(seq 300); do
    [ "$(sinfo --noheader --format=%t 2>/dev/null)" = idle ] && return 0
    sleep 0.1
  done
  echo "Slurm did not come up; sinfo: $(sinfo 2>&1)" >&2
  tail -n 5 "$dir"/slurmctld.out "$dir"/slurmd.out >&2
  return 1
}

mm_slurm_jobs() { squeue --noheader --format=%j 2>/dev/null; }

mm_slurm_pending_reason() {
  squeue --noheader --name="$1" --states=pending --format=%r 2>/dev/null
}

mm_slurm_cancel_all() {
  local i
  scancel --user="$(id -un)" 2>/dev/null || return 0
  for i in $(seq 300); do
    [ -z "$(mm_slurm_jobs)" ] && return 0
    sleep 0.1
  done
  echo "Slurm still has jobs: $(mm_slurm_jobs)" >&2
  return 1
}

mm_slurm_stop() {
  [ ${#MM_SLURM_PIDS[@]} -gt 0 ] || return 0
  mm_slurm_cancel_all || true
  local pid i
  # slurmd, slurmctld, then munged, which both need until they end.
  for ((i = ${#MM_SLURM_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${MM_SLURM_PIDS[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  MM_SLURM_PIDS=()
  # Deepest first; a cgroup of this node that is not empty stays.
  _mm_slurm_cgroups | sort -r | xargs -r rmdir 2>/dev/null || true
}
