#!/bin/bash
# Submits a cohort's radiomics extraction as a Slurm job array and the merge
# as a job that waits for it (docs/cohort.md):
#
#   examples/slurm/submit_cohort.sh MANIFEST OUT PARAMS_DIR [TASKS [CPUS]]
#
# TASKS array tasks (default 10) of CPUS cores each (default 1).  Prints the
# two job ids ("ARRAY MERGE").  Rerun the same command after a cancelled or
# failed task: finished cases are kept, the rest are extracted.  Extra
# sbatch options (partition, account, time) go in SBATCH_* environment
# variables, e.g. SBATCH_PARTITION=short.  LVSI_BIN_DIR names the folder of
# the lvsi programs when they are not on PATH.
set -euo pipefail
if [[ $# -lt 3 || $# -gt 5 ]]; then
  echo "usage: $0 MANIFEST OUT PARAMS_DIR [TASKS [CPUS]]" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
manifest=$(realpath "$1") out=$(realpath -m "$2") params=$(realpath "$3")
tasks=${4:-10} cpus=${5:-1}
mkdir -p "$out/slurm"
array=$(sbatch --parsable --array="1-$tasks" --cpus-per-task="$cpus" \
  --output="$out/slurm/extract-%A_%a.out" "$here/extract_cohort.sbatch" "$manifest" "$out" "$params")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --output="$out/slurm/merge-%j.out" \
  "$here/merge_cohort.sbatch" "$manifest" "$out")
merge=${merge%%;*}
echo "$array $merge"
