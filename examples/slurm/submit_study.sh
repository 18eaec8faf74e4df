#!/bin/bash
# Submits the whole study to Slurm as three dependent steps (docs/study.md):
# the radiomics stage as an array of TASKS shares, the deep stage as an array
# of one task per sequence (after the radiomics), and the models and report
# (after the deep stage):
#
#   examples/slurm/submit_study.sh MANIFEST OUT [TASKS [CPUS]] [-- lvsi_study options]
#
# e.g. submit_study.sh cohort.csv out 20 4 -- --config study.yaml --weights resnet50.pt.
# Prints the three job ids.  Rerun the same command after a failed or
# cancelled task: finished patients and networks are reused.  Site options go
# in SBATCH_* environment variables; LVSI_BIN_DIR names the programs' folder
# when they are not on PATH.
set -euo pipefail
args=()
while [[ $# -gt 0 && $1 != -- ]]; do args+=("$1"); shift; done
[[ ${1:-} == -- ]] && shift
if [[ ${#args[@]} -lt 2 || ${#args[@]} -gt 4 ]]; then
  echo "usage: $0 MANIFEST OUT [TASKS [CPUS]] [-- lvsi_study options]" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
manifest=$(realpath "${args[0]}") out=$(realpath -m "${args[1]}")
tasks=${args[2]:-10} cpus=${args[3]:-1}
# The sequences: the manifest's <sequence>_image columns, in order.
sequences=$(head -1 "$manifest" | tr -d '\r' | tr ',' '\n' | sed -n 's/_image$//p' | paste -sd, -)
[[ -n $sequences ]] || { echo "$0: $manifest has no <sequence>_image columns" >&2; exit 2; }
count=$(tr ',' '\n' <<< "$sequences" | wc -l)
mkdir -p "$out/slurm"
submit() { local id; id=$(sbatch --parsable "$@"); echo "${id%%;*}"; }
radiomics=$(submit --array="1-$tasks" --cpus-per-task="$cpus" --output="$out/slurm/radiomics-%A_%a.out" \
  "$here/study_radiomics.sbatch" "$manifest" "$out" "$@")
deep=$(submit --array="1-$count" --cpus-per-task="$cpus" --dependency="afterok:$radiomics" \
  --output="$out/slurm/deep-%A_%a.out" "$here/study_deep.sbatch" "$manifest" "$out" "$sequences" "$@")
models=$(submit --cpus-per-task="$cpus" --dependency="afterok:$deep" --output="$out/slurm/models-%j.out" \
  "$here/study_models.sbatch" "$manifest" "$out" "$@")
echo "$radiomics $deep $models"
