#!/bin/bash
# The documented Slurm workflow (docs/cohort.md), run on a real one-node
# Slurm that this test starts and stops (slurm_fixture.sh), with the shipped
# scripts of examples/slurm:
#   1. a synthetic cohort (3 sequences, two readers) extracted as a job array
#      plus a --merge-only job (--dependency=afterok): the merged tables equal
#      a single-process run byte for byte; wall times of both are printed;
#   2. one array task cancelled (scancel) while it runs, the array submitted
#      again: only the missing cases are extracted (finished case files are
#      untouched), and the tables again equal the single-process run;
#   3. a case that fails (a corrupt mask): its task is FAILED in sacct, the
#      others COMPLETED, and the case is in errors.csv.
# Usage: slurm_cohort_test.sh BIN_DIR SOURCE_DIR WORK_DIR.  Exit 77 (ctest:
# skipped) without Slurm, munge or root.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/slurm_fixture.sh"
slurm_test_begin "$@"  # sets bin, src and work; a cluster of its own in work/slurm
submit="$src/examples/slurm/submit_cohort.sh"
params="$src/examples/params"
held() {  # a job Slurm holds for ever because its afterok dependency failed
  local deadline=$((SECONDS + 60))
  until [[ $(squeue -h -j "$1" -o %r) == DependencyNeverSatisfied ]]; do
    ((SECONDS < deadline)) || fail "job $1 is not held: $(squeue -h -j "$1")"
    sleep 0.2
  done
}
same_tables() {  # $1 = a run's folder, compared with the single-process run
  local f
  for f in features_reader1.csv features_reader2.csv errors.csv; do
    cmp -s "$work/single/$f" "$1/$f" || fail "$1/$f differs from the single-process run's"
  done
}

"$bin/lvsi_cohort_demo" --generate-only --patients 24 --seed 11 -o "$work/cohort" > /dev/null
manifest="$work/cohort/cohort.csv"

# The reference: one process on every core of this machine.
start=$(date +%s%N)
"$bin/lvsi_extract_cohort" --manifest "$manifest" -o "$work/single" --params-dir "$params" --jobs "$(nproc)" > /dev/null 2>&1
single_s=$(seconds_since "$start")

# 1. Array (one task per core, one core each) and merge after it.
start=$(date +%s%N)
read -r array merge < <("$submit" "$manifest" "$work/array" "$params" "$(nproc)" 1)
slurm_wait "$array" "$merge"
array_s=$(seconds_since "$start")
[[ $(slurm_state "$merge") == COMPLETED ]] || fail "the merge job is $(slurm_state "$merge")"
for ((t = 1; t <= $(nproc); t++)); do
  [[ $(slurm_state "$array" "$t") == COMPLETED ]] || fail "array task $t is $(slurm_state "$array" "$t")"
done
same_tables "$work/array"
echo "array of $(nproc) tasks + merge: ${array_s} s; single process with --jobs $(nproc): ${single_s} s (24 patients, 3 sequences, 2 readers, $(head -1 "$work/single/features_reader1.csv" | tr ',' '\n' | wc -l) columns)"

# 2. Cancel a running task, then submit the array again.
read -r array merge < <("$submit" "$manifest" "$work/resume" "$params" 2 1)
deadline=$((SECONDS + 300))
until (( $(ls "$work/resume/cases"/P*.reader1.csv 2> /dev/null | wc -l) >= 2 )); do
  ((SECONDS < deadline)) || fail "no case finished in the array"
  sleep 0.05
done
scancel "${array}_1"
slurm_wait "$array"
[[ $(slurm_state "$array" 1) == CANCELLED ]] || fail "the cancelled task is $(slurm_state "$array" 1)"
# afterok: the merge waits for ever (DependencyNeverSatisfied); cancelled.
held "$merge"
scancel "$merge"
slurm_wait "$merge"
done_before=$(ls "$work/resume/cases"/*.reader1.csv | wc -l)
((done_before < 24)) || fail "the cancelled task had finished all its cases; nothing to resume"
[[ ! -f $work/resume/features_reader1.csv ]] || fail "the merge ran although a task was cancelled"
stamps() { for f in "$work/resume/cases"/*.reader1.csv; do echo "$f $(stat -c '%y %i' "$f")"; done; }
stamps | sort > "$work/before.txt"
read -r array2 merge2 < <("$submit" "$manifest" "$work/resume" "$params" 2 1)
slurm_wait "$array2" "$merge2"
[[ $(slurm_state "$merge2") == COMPLETED ]] || fail "the merge after resubmission is $(slurm_state "$merge2")"
# Every case finished before the resubmission is the same file, unchanged.
stamps | sort > "$work/after.txt"
join "$work/before.txt" "$work/after.txt" > "$work/joined.txt" || true
[[ $(wc -l < "$work/joined.txt") == "$done_before" ]] || fail "cases finished before the resubmission were rewritten"
grep -q "already done" "$work/resume/slurm/extract-${array2}_"*.out || fail "the resubmitted tasks report no reused case"
same_tables "$work/resume"
echo "cancelled task 1 after $done_before of 24 cases; the resubmitted array extracted $((24 - done_before)), reused $done_before; tables equal"

# 3. A case that fails: its task FAILED in sacct, the case in errors.csv.
cp -r "$work/cohort" "$work/broken"
printf 'not an image' > "$work/broken/images/P003_adc_mask.nii.gz"
read -r array merge < <("$submit" "$work/broken/cohort.csv" "$work/failing" "$params" 3 1)
slurm_wait "$array"
# P003 is the 4th case: shard 1 of 3 (cases 1, 4, 7, ...).
[[ $(slurm_state "$array" 1) == FAILED ]] || fail "the task with the broken case is $(slurm_state "$array" 1)"
[[ $(slurm_state "$array" 2) == COMPLETED && $(slurm_state "$array" 3) == COMPLETED ]] ||
  fail "tasks 2 and 3 are $(slurm_state "$array" 2) and $(slurm_state "$array" 3)"
# afterok: the merge never runs; it is cancelled, and the merge is run by hand.
held "$merge"
scancel "$merge"
slurm_wait "$merge"
code=0
"$bin/lvsi_extract_cohort" --manifest "$work/broken/cohort.csv" -o "$work/failing" --merge-only > /dev/null 2>&1 || code=$?
[[ $code == 4 ]] || fail "--merge-only with a failed case exited $code, not 4"
grep -q '^P003,' "$work/failing/errors.csv" || fail "P003 is not in errors.csv"
echo "a broken case: task 1 FAILED in sacct, tasks 2-3 COMPLETED, P003 in errors.csv"
