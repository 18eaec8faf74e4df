#!/usr/bin/env bash
# The reliability checks of docs/reliability.md, each in its own build folder:
#   asan  AddressSanitizer + UndefinedBehaviorSanitizer build (deep features
#         off): every test but the consumer and architecture ones (those build
#         other projects or inspect the libraries' loads); any report fails
#   tsan  ThreadSanitizer build: the tests of ParallelFor and its users (the
#         cohort extractor, SVM grid search, LASSO cross-validation, the
#         batch command line with -j, concurrent NIfTI reads)
#   fuzz  clang build with libFuzzer: every fuzzer for LVSI_FUZZ_SECONDS
#         (default 60) from its seed corpus (tests/fuzz/corpus); the .npy and
#         study-configuration fuzzers only with LVSI_FUZZ_DEEP=1
# Usage: scripts/run-checks.sh [asan] [tsan] [fuzz]   (default: all three)
# Installs what it needs (scripts/install-deps.sh --with-checks).
set -euo pipefail
cd "$(dirname "$0")/.."
checks=("$@")
[[ ${#checks[@]} -eq 0 ]] && checks=(asan tsan fuzz)
jobs=$(nproc)
./scripts/install-deps.sh --with-checks

step() { printf '\nrun-checks: ===== %s (%s)\n' "$1" "$(date +%T)"; }
common=(-DCMAKE_BUILD_TYPE=Release -DLVSI_BUILD_BENCHMARKS=OFF)

for check in "${checks[@]}"; do
  case "$check" in
    asan)
      step "ASan + UBSan"
      cmake -S . -B build-asan "${common[@]}" -DLVSI_WITH_DEEPFEATURES=OFF -DLVSI_SANITIZE=address,undefined > /dev/null
      cmake --build build-asan -j "$jobs" > build-asan/build.log 2>&1 || { tail -40 build-asan/build.log; exit 1; }
      # Leak detection is off: ITK's NRRD and NIfTI readers leak on their
      # error paths, which the bad-input tests take on purpose.
      ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan -j "$jobs" --output-on-failure -E '^(consumer|architecture)\.'
      ;;
    tsan)
      step "TSan"
      # With LibTorch (when installed), the study's per-sequence workers too:
      # lvsi's code around LibTorch is instrumented, LibTorch is not.
      deep=OFF
      [[ -n $(find /usr/lib /usr/share -name TorchConfig.cmake -print -quit 2>/dev/null) ]] && deep=ON
      cmake -S . -B build-tsan "${common[@]}" -DLVSI_WITH_DEEPFEATURES=$deep -DLVSI_SANITIZE=thread > /dev/null
      targets=(lvsi_core_tests lvsi_io_tests lvsi_radiomics_integration_tests lvsi_models_tests lvsi_selection_tests
        lvsi_radiomics_cli)
      tests='^core\.Parallel|^io\.ImageIo\.(NiftiReadsFromSeveralThreads|DicomReaderCrash)|^radiomics\.(Cohort|Cli)\.|^models\.(GridSearch|Svm)|^selection\.Lasso'
      if [[ $deep == ON ]]; then
        targets+=(lvsi_study_tests)
        tests+='|^study\.StudyDeep\.'
      fi
      cmake --build build-tsan -j "$jobs" --target "${targets[@]}" > build-tsan/build.log 2>&1 || { tail -40 build-tsan/build.log; exit 1; }
      TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp \
        ctest --test-dir build-tsan -j "$jobs" --output-on-failure -R "$tests"
      ;;
    fuzz)
      step "fuzzers"
      # The deep-feature parsers (.npy, the study's configuration) fuzz with
      # LVSI_FUZZ_DEEP=1: LibTorch then compiles with clang too (slow).
      CC=clang CXX=clang++ cmake -S . -B build-fuzz "${common[@]}" -DLVSI_FUZZ=ON \
        -DLVSI_WITH_DEEPFEATURES="$([[ ${LVSI_FUZZ_DEEP:-0} == 1 ]] && echo ON || echo OFF)" \
        -DLVSI_FUZZ_SECONDS="${LVSI_FUZZ_SECONDS:-60}" > /dev/null
      targets=(fuzz_image fuzz_parameters fuzz_tables fuzz_models fuzz_rtstruct)
      grep -q '^LVSI_WITH_DEEPFEATURES:BOOL=ON' build-fuzz/CMakeCache.txt && targets+=(fuzz_npy fuzz_study_config)
      cmake --build build-fuzz -j "$jobs" --target "${targets[@]}" > build-fuzz/build.log 2>&1 || { tail -40 build-fuzz/build.log; exit 1; }
      ctest --test-dir build-fuzz -L fuzz -j "$jobs" --output-on-failure
      for log in build-fuzz/Testing/Temporary/LastTest.log; do
        grep -E '^Done [0-9]+ runs|stat::number_of_executed_units|cov: ' "$log" | tail -20 || true
      done
      ;;
    *) echo "run-checks: unknown check '$check' (asan, tsan, fuzz)" >&2; exit 2 ;;
  esac
done
step "all checks passed"
