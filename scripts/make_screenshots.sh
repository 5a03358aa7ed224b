#!/usr/bin/env bash
# Regenerates the README's window screenshots at a common projector size, 1366x768: the default run in
# normal mode and in presentation mode, about 12 s after launch (mid-run at the default pace).
# Usage: scripts/make_screenshots.sh   (needs xvfb, xdotool and imagemagick: apt-get install xvfb xdotool imagemagick)
set -euo pipefail
cd "$(dirname "$0")/.."
ntkviz="${NTKVIZ:-build/app/ntkviz}"
[[ -x "$ntkviz" ]] || { scripts/install-deps.sh && scripts/build.sh; }
out=docs/screenshots
mkdir -p "$out"
shoot() { # NAME [xdotool arguments run before the picture]
  local name="$1"
  shift
  local config data
  config=$(mktemp -d) data=$(mktemp -d)
  XDG_CONFIG_HOME="$config" XDG_DATA_HOME="$data" xvfb-run -a -s "-screen 0 1366x768x24" bash -c '
    "$0" --fresh -qwindowgeometry 1366x768+0+0 &
    app=$!
    sleep 3
    if (($# > 0)); then xdotool "$@"; fi
    sleep 9
    import -window root "'"$out/$name"'.png"
    kill $app' "$ntkviz" "$@"
  rm -rf "$config" "$data"
  echo "$out/$name.png" >&2
}
shoot window-1366x768
# The toolbar's "Presentation mode" button (F11 does not reach a window without a window manager).
shoot window-presentation-1366x768 mousemove 551 38 click 1
