#!/bin/bash
# The whole study on a real one-node Slurm (slurm_fixture.sh) with the
# shipped examples/slurm/submit_study.sh: the radiomics stage as a job array,
# the deep stage as an array of one task per sequence, then the models and
# report from the features those left in the output folder.  The
# predictions equal a single-process lvsi_study run's byte for byte; the
# model step reuses every patient's radiomics and every network; wall times
# of both are printed.  A small configuration (32-pixel slices, one epoch)
# keeps it short.
# Usage: slurm_study_test.sh BIN_DIR SOURCE_DIR WORK_DIR.  Exit 77 (ctest:
# skipped) without Slurm, munge or root.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/slurm_fixture.sh"
slurm_test_begin "$@"  # sets bin, src and work; a cluster of its own in work/slurm

"$bin/lvsi_cohort_demo" --generate-only --patients 30 --seed 3 -o "$work/cohort" > /dev/null 2>&1
manifest="$work/cohort/cohort.csv"
cat > "$work/study.yaml" << 'YAML'
selection:
  lasso_folds: 3
svm:
  folds: 3
deep:
  slice_size: 32
  epochs: 1
  batch_size: 8
  gradcam_cases: 1
evaluation:
  bootstrap: 50
YAML

start=$(date +%s%N)
"$bin/lvsi_study" --manifest "$manifest" -o "$work/single" --config "$work/study.yaml" --jobs "$(nproc)" > "$work/single.log" 2>&1 ||
  fail "the single-process study failed: $(tail -5 "$work/single.log")"
single_s=$(seconds_since "$start")

start=$(date +%s%N)
read -r radiomics deep models < <("$src/examples/slurm/submit_study.sh" "$manifest" "$work/staged" "$(nproc)" 1 -- \
  --config "$work/study.yaml")
slurm_wait "$radiomics" "$deep" "$models"
staged_s=$(seconds_since "$start")
for ((t = 1; t <= $(nproc); t++)); do
  [[ $(slurm_state "$radiomics" "$t") == COMPLETED ]] || fail "radiomics task $t is $(slurm_state "$radiomics" "$t")"
done
for t in 1 2 3; do
  [[ $(slurm_state "$deep" "$t") == COMPLETED ]] || fail "deep task $t is $(slurm_state "$deep" "$t")"
done
[[ $(slurm_state "$models") == COMPLETED ]] || fail "the model job is $(slurm_state "$models")"
log=$(ls "$work/staged/slurm"/models-*.out)
grep -q "30 patients x 4227 features (30 reused)" "$log" || fail "the model step did not reuse the radiomics: $(grep radiomics "$log")"
for q in t2w adc cet1; do
  grep -q "$q: reusing the fine-tuned network and features" "$log" || fail "the model step did not reuse the $q network"
done
cmp -s "$work/single/predictions.csv" "$work/staged/predictions.csv" ||
  fail "predictions.csv differs from the single-process study's"
cmp -s "$work/single/split.csv" "$work/staged/split.csv" || fail "split.csv differs"
echo "study of 30 patients: single process with --jobs $(nproc) ${single_s} s; on Slurm (radiomics array of $(nproc), deep array of 3, models) ${staged_s} s; predictions equal"
