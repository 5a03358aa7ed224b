#!/usr/bin/env bash
# Quick start (1): install what is missing, build, and open the ntkviz window on its default.
# tests/test_readme_launch.cpp runs this very script (the README's first command) under Xvfb and waits
# for the window, so the path below cannot drift from what the build produces.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/app/ntkviz "$@"
