# A one-node Slurm cluster for the cluster tests, sourced by them:
# slurm_start FOLDER starts munged, slurmctld and slurmd with a fresh munge
# key, a generated slurm.conf and their state, logs and spool in FOLDER (free
# ports, so that several runs and a site's own Slurm do not meet), and
# exports SLURM_CONF; slurm_stop cancels what is left and stops them.
# slurm_wait JOB... waits until the jobs have left the queue; slurm_state
# JOB [TASK] is the state sacct reports for a job or an array task.
#
# Needs root (slurmd starts jobs as their users) and Debian's slurmctld,
# slurmd, slurm-client and munge (scripts/install-deps.sh installs them).

slurm_missing() {
  local p
  for p in munged mungekey slurmctld slurmd sbatch squeue scancel sacct sinfo; do
    command -v "$p" > /dev/null || { echo "$p"; return; }
  done
  [[ $(id -u) == 0 ]] || echo "root (slurmd starts jobs as their users)"
}

# A TCP port nobody listens on (from /proc/net/tcp*, no tools needed).
slurm_free_port() {
  local port used
  used=$(for f in /proc/net/tcp /proc/net/tcp6; do [[ -r $f ]] && tail -n +2 "$f"; done |
    while read -r _ local _; do echo $((16#${local##*:})); done | sort -u)
  for ((port = 20000 + RANDOM % 20000; ; port++)); do
    grep -qx "$port" <<< "$used" || { echo "$port"; return; }
  done
}

slurm_start() {
  SLURM_DIR=$1
  mkdir -p "$SLURM_DIR"/{munge,state,spool,log}
  chmod 700 "$SLURM_DIR/munge"
  mungekey --create --keyfile="$SLURM_DIR/munge/munge.key"
  chmod 400 "$SLURM_DIR/munge/munge.key"
  local socket="$SLURM_DIR/munge/munge.socket"
  munged --force --socket="$socket" --key-file="$SLURM_DIR/munge/munge.key" --log-file="$SLURM_DIR/log/munged.log" \
    --pid-file="$SLURM_DIR/munge/munged.pid" --seed-file="$SLURM_DIR/munge/munged.seed"
  local ctld_port d_port cpus memory
  ctld_port=$(slurm_free_port)
  d_port=$((ctld_port + 1))
  cpus=$(nproc)
  memory=$(($(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024 / 2))
  cat > "$SLURM_DIR/slurm.conf" << CONF
ClusterName=lvsitest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$SLURM_DIR/log/jobcomp.txt
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=lvsinode NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=lvsi Nodes=lvsinode Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$SLURM_DIR/slurm.conf"
  slurmctld -c -f "$SLURM_CONF"
  slurmd -N lvsinode -f "$SLURM_CONF"
  local i
  for ((i = 0; i < 300; i++)); do
    [[ $(sinfo -h -o %t 2> /dev/null) == idle ]] && return 0
    sleep 0.1
  done
  echo "slurm_start: the node did not become idle; logs:" >&2
  tail -20 "$SLURM_DIR"/log/*.log >&2
  return 1
}

slurm_stop() {
  [[ -n ${SLURM_DIR:-} && -f $SLURM_DIR/slurm.conf ]] || return 0
  scancel --full --quiet --partition=lvsi 2> /dev/null || true
  local f pids=()
  for f in "$SLURM_DIR/slurmd.pid" "$SLURM_DIR/slurmctld.pid" "$SLURM_DIR/munge/munged.pid"; do
    [[ -f $f ]] && pids+=("$(cat "$f")")
  done
  ((${#pids[@]})) && kill "${pids[@]}" 2> /dev/null || true
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 "${pids[@]}" 2> /dev/null || return 0
    sleep 0.1
  done
  kill -9 "${pids[@]}" 2> /dev/null || true
}

# Waits until the jobs (ids as sbatch --parsable prints them) have left the
# queue; fails after SLURM_WAIT seconds (default 600).
slurm_wait() {
  local deadline=$((SECONDS + ${SLURM_WAIT:-600}))
  while [[ -n $(squeue -h -j "$(IFS=,; echo "$*")" 2> /dev/null) ]]; do
    ((SECONDS < deadline)) || { echo "slurm_wait: jobs $* still queued" >&2; squeue >&2; return 1; }
    sleep 0.5
  done
}

# The state sacct reports for a job, or for task TASK of array JOB
# (COMPLETED, FAILED, CANCELLED, ...).  Without slurmdbd, sacct reads the job
# completion log (--completion); it names array tasks by their own job ids,
# which the log maps to the array's.
slurm_state() {
  local raw=$1
  if [[ -n ${2:-} ]]; then
    raw=$(grep -E "ArrayJobId=$1 ArrayTaskId=$2( |$)" "$SLURM_DIR/log/jobcomp.txt" | tail -1 | sed -E 's/^JobId=([0-9]+).*/\1/')
  fi
  sacct --completion --noheader --parsable2 --format=JobIDRaw,State 2> /dev/null |
    awk -F'|' -v id="$raw" '$1 == id { state = $2 } END { print state }'
}

# The start of every cluster test: slurm_test_begin BIN_DIR SOURCE_DIR
# WORK_DIR sets bin, src and work (emptied), ends the test as skipped (exit
# 77) when Slurm, munge or root is missing, starts the cluster in work/slurm
# (stopped on exit) and exports LVSI_BIN_DIR for the shipped scripts.
slurm_test_begin() {
  bin=$(realpath "$1") src=$(realpath "$2") work=$3
  local missing
  missing=$(slurm_missing)
  if [[ -n $missing ]]; then
    echo "SKIPPED: the cluster tests need $missing (scripts/install-deps.sh installs Slurm and munge)"
    exit 77
  fi
  rm -rf "$work"
  mkdir -p "$work"
  work=$(realpath "$work")
  trap slurm_stop EXIT
  slurm_start "$work/slurm"
  export LVSI_BIN_DIR=$bin
}

fail() { echo "FAILED: $*" >&2; exit 1; }

# Seconds since $1 (a `date +%s%N` stamp), with milliseconds.
seconds_since() {
  local ms=$((($(date +%s%N) - $1) / 1000000))
  printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}
