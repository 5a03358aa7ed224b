#!/usr/bin/env bash
# Regenerates the README gallery: runs every built-in scene headless and keeps the plot its scene file
# names as its main view, as docs/gallery/<scene>.png; the numbers go to docs/gallery/<scene>/runs.csv (and,
# for the scenes in per_epoch_scenes, epochs.csv).
# Usage: scripts/make_gallery.sh [SCENE ...]   (scene file names without .json; default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
ntkviz="${NTKVIZ:-build/app/ntkviz}" # another build of the app may be given
[[ -x "$ntkviz" ]] || { scripts/install-deps.sh && scripts/build.sh; }
out=docs/gallery
mkdir -p "$out"
files=(resources/scenes/*.json)
per_epoch_scenes="17-edge-of-stability 18-catapult"
if (($# > 0)); then
  files=()
  for name in "$@"; do files+=("resources/scenes/$name.json"); done
fi
for file in "${files[@]}"; do
  name=$(basename "$file" .json)
  view=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('view',''))" "$file")
  case "$view" in
    strip) plot=scene_strip ;;
    spectra) plot=scene_spectra ;;
    summary*) plot=scene_summary ;;
    lambda_max | sharpness) plot=scene_lambda_max ;;
    loss) plot=scene_loss ;;
    *) plot=scene_trajectory ;;
  esac
  tmp=$(mktemp -d)
  echo "$name ($plot)" >&2
  QT_QPA_PLATFORM=offscreen "$ntkviz" --scene "$file" --export-figures "$tmp" \
      --figure-size 1200x750 --figure-scale 1 >/dev/null
  cp "$tmp/$plot.png" "$out/$name.png"
  mkdir -p "$out/$name"
  cp "$tmp/runs.csv" "$out/$name/runs.csv"
  # Scenes whose sentence quotes per-epoch numbers (the band of sharpness x lr/2, the catapult's spike) keep
  # them beside it.
  if [[ " $per_epoch_scenes " == *" $name "* ]]; then cp "$tmp/epochs.csv" "$out/$name/epochs.csv"; fi
  rm -rf "$tmp"
done
