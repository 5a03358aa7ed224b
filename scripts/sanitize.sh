#!/usr/bin/env bash
# Sanitizer runs. (1) ASan + UBSan + LeakSanitizer: builds into build-asan and runs the test suite but for
# the README launch and the "drawing" tests (tests/CMakeLists.txt says why).
# (2) ThreadSanitizer: builds into build-tsan and runs the threaded tests (test_worker, test_app).
# Exits non-zero on any failing test or any sanitizer report, also one from a child process (the CLI
# and app the tests start) whose exit code a test might not look at: every report goes to a log file
# under build-*/sanitizer-logs/, and any such file fails the run.
# Usage: scripts/sanitize.sh [address|thread]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
which="${1:-both}"

scripts/install-deps.sh --test
export QT_QPA_PLATFORM=offscreen

elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
timings=()

# Builds into $1 with NTKVIZ_SANITIZE=$2 the targets $3... (or, for the single target "selected", the test
# executables that ctest selects with the arguments after "--": each test is named after its executable, and
# those depend on the programs they start), runs ctest with those arguments, then fails if any report was
# logged. Building only what runs leaves out the tests another stage covers, which took a third of the
# sanitizer build.
build_and_test() {
  local dir="$1" sanitizer="$2"
  shift 2
  local targets=()
  while (($# > 0)) && [[ "$1" != "--" ]]; do
    targets+=(--target "$1")
    shift
  done
  shift # the "--"
  local start=$SECONDS
  # -O1 with line tables only (-g1): both sanitizers' documented setting, about half the compile time
  # of -O2 -g, and still a file:line for every frame of a report.
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DNTKVIZ_SANITIZE="$sanitizer" >/dev/null
  if [[ "${targets[*]}" == "--target selected" ]]; then
    targets=()
    local test
    for test in $(cd "$dir" && ctest -N "$@" | sed -n 's/^ *Test *#[0-9]*: *//p'); do
      targets+=(--target "$test")
    done
  fi
  cmake --build "$dir" --parallel "$(nproc)" "${targets[@]}"
  local built=$SECONDS
  timings+=("$sanitizer build: $(elapsed $((built - start)))")
  rm -rf "$dir/sanitizer-logs"
  mkdir -p "$dir/sanitizer-logs"
  local status=0
  (cd "$dir" && ctest --output-on-failure --timeout 3600 --parallel "$(nproc)" "$@") || status=$?
  if ((${#extraCommand[@]} > 0)); then
    "${extraCommand[@]}" || status=$?
  fi
  timings+=("$sanitizer tests: $(elapsed $((SECONDS - built)))")
  local reports
  reports=$(find "$dir/sanitizer-logs" -type f | sort)
  if [[ -n "$reports" ]]; then
    echo "Sanitizer reports ($sanitizer):" >&2
    for report in $reports; do
      echo "---- $report" >&2
      cat "$report" >&2
    done
    status=1
  fi
  return "$status"
}

# Run after ctest in the same build, with the same sanitizer options (none by default).
extraCommand=()
failed=0
if [[ "$which" == both || "$which" == address ]]; then
  logs="$root/build-asan/sanitizer-logs"
  # halt_on_error/abort_on_error make a report fail the test that triggered it; the log file catches
  # reports in child processes too. Leak checking runs when each process exits; tests/lsan.supp is for
  # one-time allocations inside Qt and its libraries that are never freed by design (none needed yet).
  export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$logs/asan"
  export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan"
  # The README launch test builds and opens the Release app itself: nothing of it runs sanitized here.
  # Tests labelled "drawing" (plot layout measured at many sizes) and "mpi" (OpenMPI start-up allocations
  # that LeakSanitizer reports) are left out: see tests/CMakeLists.txt.
  build_and_test build-asan address selected -- -E '^test_readme_launch$' -LE '^(drawing|mpi)$' || failed=1
  unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
fi
if [[ "$which" == both || "$which" == thread ]]; then
  logs="$root/build-tsan/sanitizer-logs"
  # OpenBLAS (behind Eigen's products) hands work to its own thread pool, synchronized by spinning on
  # flags in its uninstrumented code, which TSan reports as races inside OpenBLAS. One BLAS thread removes
  # that pool instead of suppressing reports, and leaves every thread of ours in view.
  # tests/tsan.supp: races that TSan attributes to Qt's own (uninstrumented) code; none in ours.
  export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
  # history_size=7 (the maximum) keeps enough of each thread's past accesses to print the earlier side
  # of a race: with the default, a race whose earlier access lies a few milliseconds of training back
  # comes out as "[failed to restore the stack]", which no suppression can match, and those runs failed
  # about one time in three on Qt's copies of queued signal arguments (the app no longer queues any
  # across threads: see runtime/run/thread_inbox.h and tests/tsan.supp).
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:history_size=7:suppressions=$root/tests/tsan.supp:log_path=$logs/tsan"
  # test_app skips its headless-export test under TSan (a child started by QProcess confuses TSan in
  # the parent, see there), so the export it would start runs here, directly under TSan.
  figures=$(mktemp -d)
  extraCommand=(env QT_QPA_PLATFORM=offscreen build-tsan/app/ntkviz --export-figures "$figures" --dataset circles
                --n 30 --width 8 --epochs 10 --figure-size 640x400 --figure-scale 1)
  build_and_test build-tsan thread test_worker test_app -- -R "test_worker|test_app" || failed=1
  extraCommand=()
  rm -rf "$figures"
  unset TSAN_OPTIONS OPENBLAS_NUM_THREADS OMP_NUM_THREADS
fi

printf '%s\n' "${timings[@]}" >&2
if ((failed)); then
  echo "sanitize.sh: FAILED" >&2
else
  echo "sanitize.sh: no sanitizer reports, all tests passed" >&2
fi
exit "$failed"
