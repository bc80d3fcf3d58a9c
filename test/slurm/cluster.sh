#!/usr/bin/env bash
# A single-node Slurm cluster on localhost for the tests: munged, slurmctld and slurmd, all state in one folder.
#   bash test/slurm/cluster.sh start DIR   → prints "SLURM_CONF=DIR/slurm.conf" once the node is idle (exit 0)
#   bash test/slurm/cluster.sh stop DIR    → stops the three daemons
# Needs Debian's slurm-wlm and munge (.ci/run installs them) and root (slurmd starts jobs as their user). Ports are
# picked at random in 20000–39999 so that two runs on one machine do not meet. Proven with Slurm 22.05 (Debian 12).
set -euo pipefail
cmd=${1:?start or stop}; dir=${2:?folder}
if [ "$cmd" = stop ]; then
  export SLURM_CONF="$dir/slurm.conf"
  scontrol shutdown >/dev/null 2>&1 || true
  # The daemons were started with this folder's paths on their command lines: whatever is left of them goes.
  for _ in $(seq 1 20); do pgrep -f -- "$dir/slurm.conf" >/dev/null || break; sleep 0.25; done
  pkill -f -- "$dir/slurm.conf" 2>/dev/null || true
  pkill -f -- "$dir/munge/" 2>/dev/null || true
  # A job still running when the daemons stop leaves its slurmstepd (and the job's processes) behind; they all carry
  # this cluster's SLURM_CONF in their environment.
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = $$ ] && continue
    grep -qzx -- "SLURM_CONF=$dir/slurm.conf" "$p/environ" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  done
  exit 0
fi
for tool in munged slurmctld slurmd sbatch sinfo; do command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install slurm-wlm munge)" >&2; exit 3; }; done
[ "$(id -u)" = 0 ] || { echo "needs root (slurmd runs jobs as their owner)" >&2; exit 3; }
mkdir -p "$dir"/{state,spool,log,munge,run}
chmod 700 "$dir/munge"
# munge authenticates every Slurm message with a key shared by all daemons (here: one machine, one key).
head -c 1024 /dev/urandom > "$dir/munge/munge.key"
chmod 400 "$dir/munge/munge.key"
munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.sock" --pid-file="$dir/munge/munged.pid" \
  --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/seed" --force
host=$(uname -n | cut -d. -f1)
port=$((20000 + RANDOM % 20000))
mem=$(( $(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024 - 512 ))
cat > "$dir/slurm.conf" <<CONF
ClusterName=systolab-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No cgroups in a container: track processes by their parent, bind no tasks.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# Finished jobs stay visible to scontrol for 10 minutes; there is no accounting database (no sacct).
MinJobAge=600
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qx idle; then echo "SLURM_CONF=$SLURM_CONF"; exit 0; fi
  sleep 0.5
done
echo "the node did not become idle in 30 s; logs in $dir/log" >&2
exit 1
