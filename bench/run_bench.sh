#!/usr/bin/env bash
# Issue 5's performance harness: installs what is missing (PyTorch from Debian among it), builds
# ntkviz-bench and the GEMM probes without the GUI or the tests, then runs ntkviz and the PyTorch peers one
# after the other on the same shapes and prints the table of ratios against the targets (PASS/FAIL).
#
# Usage: bench/run_bench.sh [--shapes small|large|all] [--reps N] [--threads N] [--out DIR] [--skip-peers]
#   measured 7 min for the default `--shapes all --reps 9` on 2 cores (13 min with a core rebuild on a
#   busy machine); `--shapes small` about 2.
# Environment: NTKVIZ_BENCH_BUILD_DIR (default build-bench/ in the repository, ignored by git).
# Exits non-zero only when something fails to install, build or run; FAIL verdicts are results, not errors.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${NTKVIZ_BENCH_BUILD_DIR:-$PWD/build-bench}"

SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO=sudo
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

scripts/install-deps.sh >&2
# python3-torch is the peer. libtorch recommends an optimized BLAS; without one (an install with
# --no-install-recommends) torch falls back to the reference BLAS and every peer number would be several
# times too slow, so OpenBLAS is required here rather than left to chance.
missing=()
for p in python3-torch libopenblas0; do
  installed "$p" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  echo "Installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The bench links ntkviz_core only: no GUI, no tests, so a half-edited ui/ or tests/ cannot break it.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DNTKVIZ_BUILD_GUI=OFF -DNTKVIZ_BUILD_TESTS=OFF >&2
targets=(ntkviz-bench)
# The probes exist only where the compiler takes -march=native (and OpenMP); read the list once, since
# `grep -q` closing the pipe early would fail the pipeline under pipefail.
available_targets=$(cmake --build "$build_dir" --target help)
for probe in ntkviz-gemm-probe ntkviz-gemm-probe-omp; do
  if grep -qx "\.\.\. $probe" <<<"$available_targets"; then
    targets+=("$probe")
  fi
done
# Build logs to stderr: stdout is the table alone.
cmake --build "$build_dir" --parallel "$(nproc)" --target "${targets[@]}" >&2

# Debian's interpreter on purpose: a pyenv python3 earlier on PATH has no torch.
exec /usr/bin/python3 bench/run_bench.py --build-dir "$build_dir" "$@"
