#!/usr/bin/env bash
# Issue 5's performance harness: installs what is missing (PyTorch from Debian among it), builds
# ntkviz-bench and the GEMM probes without the GUI or the tests, then runs ntkviz and the PyTorch peers one
# after the other on the same shapes and prints the table of ratios against the targets (PASS/FAIL).
#
# Usage: bench/run_bench.sh [--shapes small|large|all] [--reps N] [--threads N] [--out DIR] [--skip-peers]
#                           [--skip-gui | --gui-only] [--gui-seconds S] [--skip-cli-scale] [--skip-matrix-free]
#                           [--peer-timeout S] [--only cli_scale|first_frame|matrix_free|curvature ...]
#   measured 7 min for the default `--shapes all --reps 9` on 2 cores (13 min with a core rebuild on a
#   busy machine); `--shapes small` about 2. The n = 10,000 ntkviz-cli run adds 1-5 min (about 2 GB of
#   memory and 1.6 GB of files, deleted afterwards). The GUI benchmark (ntkviz-gui-bench: the real window
#   offscreen, settings change to first frame, event-loop stalls while training and memory over 10,000
#   epochs) adds about 3 min; `--gui-only` runs it alone, and its first build compiles the widgets (about
#   10 min on 2 busy cores). `--only NAME` (repeatable) builds and runs just those rows: cli_scale (the
#   ntkviz-cli run), first_frame (ntkviz-gui-bench --only first-frame, about 2 min) or matrix_free (issue 12:
#   ntkviz-cli spectrum --method lanczos top-32 at n = 2000 and 10,000 against the PyTorch vjp+jvp
#   LinearOperator + ARPACK peer bench/peers/torch_ntk_vp_peer.py on the same initial network, then the whole
#   Fashion-MNIST training set, n = 60,000: top-32, peak memory, operator throughput against the GEMM peak
#   SLQ with 10 probes x 60 steps, and the top-32 under mpirun -np 2: memory per process). matrix_free also runs in the full bench (--skip-matrix-free leaves it
#   out, --skip-peers drops its peer). Measured 2026-12-07: n = 2000 about 1 min, n = 10,000 about 3 min (the
#   peer's ARPACK solve 2.2 min, plus a `train --out` writing 1.6 GB of kernels, deleted at once); the n = 60,000
#   runs were not timed here: estimated 1 min for the top-32 and 3-4 min for SLQ, under 1 GB of memory.
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
# OpenMPI for the matrix-free rows' `mpirun -np 2` (the build finds it at configure time, below).
for p in python3-torch python3-scipy libopenblas0 libopenmpi-dev openmpi-bin; do
  installed "$p" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  echo "Installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ntkviz-bench links ntkviz_core only, and is built on its own first, so a half-edited ui/ or tests/ cannot
# break it; the GUI benchmark is built afterwards and skipped (with a warning) when the widgets do not build.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DNTKVIZ_BUILD_GUI=ON -DNTKVIZ_BUILD_TESTS=OFF >&2
targets=(ntkviz-bench)
# The probes exist only where the compiler takes -march=native (and OpenMP); read the list once, since
# `grep -q` closing the pipe early would fail the pipeline under pipefail.
available_targets=$(cmake --build "$build_dir" --target help)
for probe in ntkviz-gemm-probe ntkviz-gemm-probe-omp; do
  if grep -qx "\.\.\. $probe" <<<"$available_targets"; then
    targets+=("$probe")
  fi
done
gui_only=0
only=()
previous=""
for arg in "$@"; do
  if [[ $arg == --gui-only ]]; then gui_only=1; fi
  if [[ $previous == --only ]]; then only+=("$arg"); fi
  if [[ $arg == --only=* ]]; then only+=("${arg#--only=}"); fi
  previous=$arg
done
want_gui=1
if [[ " $* " == *" --skip-gui "* ]]; then want_gui=0; fi
if ((${#only[@]} > 0)); then
  # Just what the named rows run.
  targets=()
  want_gui=0
  for name in "${only[@]}"; do
    case $name in
      cli_scale) targets+=(ntkviz-cli) ;;
      first_frame) want_gui=1 ;;
      matrix_free) targets+=(ntkviz-cli ntkviz-bench) ;;
      curvature) targets+=(ntkviz-bench) ;;
    esac
  done
  gui_only=$((${#targets[@]} == 0))
elif [[ " $* " != *" --skip-cli-scale "* || " $* " != *" --skip-matrix-free "* ]]; then
  targets+=(ntkviz-cli)
fi
# Build logs to stderr: stdout is the table alone.
((gui_only)) || cmake --build "$build_dir" --parallel "$(nproc)" --target "${targets[@]}" >&2
gui_args=()
if ((want_gui)) &&
  ! nice -n 5 cmake --build "$build_dir" --parallel "$(nproc)" --target ntkviz-gui-bench >&2; then
  if ((${#only[@]} > 0)); then
    echo "run_bench: ntkviz-gui-bench did not build (see above)" >&2
    exit 1
  fi
  echo "run_bench: ntkviz-gui-bench did not build (see above); the GUI rows are left out" >&2
  gui_args=(--skip-gui)
fi

# Debian's interpreter on purpose: a pyenv python3 earlier on PATH has no torch.
exec /usr/bin/python3 bench/run_bench.py --build-dir "$build_dir" "$@" "${gui_args[@]}"
