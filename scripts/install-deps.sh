#!/usr/bin/env bash
# Installs what ntkviz needs from Debian 12 packages, skipping apt entirely when everything is present.
# Usage: scripts/install-deps.sh [--test] [--sanitize]
#   --test      adds what the test suite uses
#   --sanitize  adds clang and its runtimes for the libFuzzer targets (scripts/fuzz.sh); the ASan, UBSan and
#               TSan builds of scripts/sanitize.sh use gcc, whose sanitizer runtimes come with build-essential
set -euo pipefail

packages=(build-essential cmake qt6-base-dev libqcustomplot-dev libeigen3-dev zlib1g-dev libspectra-dev
          libopenblas-dev liblapacke-dev libgif-dev dataset-fashion-mnist)
for option in "$@"; do
  case "$option" in
  --test)
    # numpy checks that exported .npy files load; Xvfb, xdotool and ImageMagick serve the checks that
    # open the real window (the README launch test) and take screenshots. The package test
    # (tests/test_package.sh) builds the .deb (dpkg-dev: dpkg-shlibdeps, dpkg-parsechangelog) and validates
    # its desktop entry, AppStream metainfo and man pages, and the whole package with lintian.
    # OpenMPI: test_mpi runs `mpirun -np 2 ntkviz-cli spectrum` (CMake builds MPI in where it finds it).
    packages+=(python3-numpy xvfb xauth imagemagick xdotool dpkg-dev desktop-file-utils appstream groff-base
               lintian libopenmpi-dev openmpi-bin)
    ;;
  --sanitize)
    # Debian 12's clang is clang 14; libFuzzer's runtime is packaged apart from the compiler.
    packages+=(clang libclang-rt-14-dev)
    ;;
  *)
    echo "install-deps.sh: unknown option $option (expected --test or --sanitize)" >&2
    exit 2
    ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "Installing: ${missing[*]}" >&2
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
