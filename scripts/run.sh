#!/usr/bin/env bash
# Quick start (1): install what is missing, build, and launch the app on its default scene.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
if [[ -x build/ui/ntkviz ]]; then
  exec build/ui/ntkviz "$@"
fi
exec build/app/ntkviz-cli train "$@"
