#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for condlab's sharding test (test/slurm.e2e.test.ts) and for trying the
# batch script in docs/cluster.md. Everything (config, state, logs, munge key and socket) lives in one directory, so
# it does not touch /etc/slurm or a system munged:
#
#   .ci/slurm-up.sh [DIR]          # default DIR: /tmp/condlab-slurm; prints `export SLURM_CONF=DIR/slurm.conf`
#   export SLURM_CONF=DIR/slurm.conf
#   sbatch …; squeue; …
#   .ci/slurm-down.sh [DIR]
#
# Needs Debian's slurm-wlm and munge (installed when missing and apt-get is there) and root: the daemons run as root
# with SlurmUser=root, which is fine for a throwaway test cluster and nothing else. No cgroups: proctrack/linuxproc,
# task/none, select/cons_tres with CPUs as the consumable, so an array of 1-CPU tasks runs one task per core.
set -euo pipefail
DIR="${1:-${CONDLAB_SLURM_DIR:-/tmp/condlab-slurm}}"
CTLD_PORT="${CONDLAB_SLURMCTLD_PORT:-6817}"
SLURMD_PORT="${CONDLAB_SLURMD_PORT:-6818}"
t0=$(date +%s.%N)

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    # another apt run (e.g. .ci/run's chromium install) may hold the lock: wait for it instead of failing
    (apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq slurm-wlm munge >/dev/null) \
      || { echo "slurm-up: could not install slurm-wlm and munge" >&2; exit 1; }
  else
    echo "slurm-up: slurmctld/slurmd/munged not found and no apt-get to install them" >&2
    exit 1
  fi
fi
t_installed=$(date +%s.%N)

# an earlier cluster in the same directory is stopped first, so the script can be rerun
"$(dirname "$0")/slurm-down.sh" "$DIR" >/dev/null 2>&1 || true
rm -rf "$DIR/state" "$DIR/spool" # a fresh cluster: no jobs recovered from an earlier one
t_stopped=$(date +%s.%N)
mkdir -p "$DIR"/{munge,state,spool,log}
chmod 700 "$DIR/munge"

# munge: our own key and socket (munged refuses keys and dirs that others can write)
if [ ! -s "$DIR/munge/munge.key" ]; then
  dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$DIR/munge/munge.key"
fi
munged --force --socket="$DIR/munge/munge.socket" --key-file="$DIR/munge/munge.key" --pid-file="$DIR/munge/munged.pid" \
  --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed"

host="$(hostname -s)"
cpus="$(nproc)"
mem_mb="$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)"
: >"$DIR/plugstack.conf"
cat >"$DIR/slurm.conf" <<CONF
# written by condlab's .ci/slurm-up.sh: a one-node test cluster, not for production
ClusterName=condlab
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${CTLD_PORT}
SlurmdPort=${SLURMD_PORT}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
PlugStackConfig=$DIR/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# a test cluster: be quick to schedule, to kill and to forget finished jobs
SchedulerParameters=sched_interval=1
KillWait=2
MinJobAge=300
SlurmdTimeout=30
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

export SLURM_CONF="$DIR/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

# ready when the node is idle (slurmd registered with slurmctld)
for _ in $(seq 1 300); do
  state="$(sinfo -h -N -o %t 2>/dev/null | head -1 || true)"
  [ "$state" = "idle" ] && break
  sleep 0.1
done
if [ "$state" != "idle" ]; then
  echo "slurm-up: node did not become idle (state '${state:-none}'); logs in $DIR/log" >&2
  tail -5 "$DIR"/log/*.log >&2 || true
  exit 1
fi
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t_installed" -v s="$t_stopped" -v c="$t1" 'BEGIN {
  printf "slurm-up: one-node cluster up in %.1f s (install/check %.1f s, stopping an earlier one %.1f s, munged+slurmctld+slurmd to an idle node %.1f s)\n", c - a, b - a, s - b, c - s }' >&2
echo "export SLURM_CONF=$SLURM_CONF"
