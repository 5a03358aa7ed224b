#!/usr/bin/env bash
# Quick start (2): install what is missing, build, and run everything CI checks. Exits non-zero on any
# failure, sanitizer report or fuzzer finding. Stages, in order:
#   1. the whole test suite on the Release build (build/)
#   2. the test suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), but for the
#      plot-layout ("drawing") tests, which stage 1 runs
#   3. the worker and app tests under ThreadSanitizer (build-tsan/)
#   4. every libFuzzer target for 60 s (build-fuzz/)
# NTKVIZ_TEST_STAGES picks stages for a quicker local run, e.g. NTKVIZ_TEST_STAGES="suite" or
# "suite tsan"; CI sets nothing and runs all four.
set -euo pipefail
cd "$(dirname "$0")/.."
stages="${NTKVIZ_TEST_STAGES:-suite asan tsan fuzz}"
for stage in $stages; do
  case "$stage" in
  suite | asan | tsan | fuzz) ;;
  *)
    echo "test.sh: unknown stage \"$stage\" in NTKVIZ_TEST_STAGES (expected suite, asan, tsan, fuzz)" >&2
    exit 2
    ;;
  esac
done
wanted() { [[ " $stages " == *" $1 "* ]]; }

elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
timings=()
failed=()
# Runs one stage, records its wall time, and goes on to the next one even if it fails, so a single run
# shows every problem; the script fails at the end if any stage did.
run_stage() {
  local name="$1"
  shift
  local start=$SECONDS status=0
  echo "==== $name" >&2
  "$@" || status=$?
  timings+=("$(printf '%-28s %s' "$name" "$(elapsed $((SECONDS - start)))")$( ((status == 0)) || echo "  FAILED")")
  ((status == 0)) || failed+=("$name")
}

# Explicit returns: set -e does not apply inside a function called from run_stage's "||".
suite() {
  scripts/build.sh || return 1
  # Two at a time on 2 cores: many tests wait on a window, a child process or the disk (measured: 439 s of
  # test time in 152 s of wall).
  (cd build && QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 900 --parallel "$(nproc)")
}

total=$SECONDS
sanitizeOption=()
if wanted asan || wanted tsan || wanted fuzz; then
  sanitizeOption=(--sanitize)
fi
run_stage "install dependencies" scripts/install-deps.sh --test "${sanitizeOption[@]}"
wanted suite && run_stage "build and test suite" suite
wanted asan && run_stage "ASan+UBSan: tests" scripts/sanitize.sh address
wanted tsan && run_stage "TSan: worker and app tests" scripts/sanitize.sh thread
wanted fuzz && run_stage "fuzz: 60 s per target" scripts/fuzz.sh 60

echo "==== stage timings" >&2
printf '%s\n' "${timings[@]}" "$(printf '%-28s %s' total "$(elapsed $((SECONDS - total)))")" >&2
if ((${#failed[@]} > 0)); then
  echo "test.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test.sh: all stages passed" >&2
