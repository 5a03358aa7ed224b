#!/usr/bin/env bash
# The Debian package as a lab's admin gets it: builds it with `cpack -G DEB` from the build directory into
# a temporary directory, then checks its files and control fields, validates the desktop entry, the
# AppStream metainfo and the man pages as Debian's tools do, checks the copyright file and the changelog,
# runs lintian on the package, checks that each man page lists exactly the options its program's --help
# lists, and runs the packaged programs unpacked into a temporary root.
# Usage: tests/test_package.sh BUILD_DIR VERSION APP_ID   (CTest passes them; see tests/CMakeLists.txt)
set -euo pipefail
build="$1" version="$2" appId="$3"

failures=0
oneLine() { tr '\n' ' ' <<<"$1"; }
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

for tool in cpack dpkg-deb dpkg-shlibdeps dpkg-parsechangelog desktop-file-validate appstreamcli groff readelf \
  lintian; do
  command -v "$tool" >/dev/null || {
    echo "test_package: $tool is missing (scripts/install-deps.sh --test installs it)" >&2
    exit 1
  }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# -B keeps the package and cpack's staging out of the build directory.
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log" >&2
  echo "test_package: cpack -G DEB failed" >&2
  exit 1
fi
arch=$(dpkg --print-architecture)
deb="$work/out/ntkviz_${version}_${arch}.deb"
[[ -f "$deb" ]] || {
  ls "$work/out" >&2
  echo "test_package: no $deb" >&2
  exit 1
}

# ---- control fields
field() { dpkg-deb -f "$deb" "$1"; }
[[ "$(field Package)" == ntkviz ]] || fail "Package is '$(field Package)', not ntkviz"
[[ "$(field Version)" == "$version" ]] || fail "Version is '$(field Version)', not the project's $version"
[[ "$(field Architecture)" == "$arch" ]] || fail "Architecture is '$(field Architecture)', not $arch"
[[ "$(field Maintainer)" =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] ||
  fail "Maintainer '$(field Maintainer)' is not Name <email>"
depends=$(field Depends)
[[ -n "$depends" ]] || fail "Depends is empty"
for package in libqt6widgets6 libqcustomplot2.1-qt6 liblapacke; do
  [[ "$depends" =~ (^|[ ,|])$package([ ,|]|$) ]] || fail "Depends does not name $package: $depends"
done

# ---- files
dpkg-deb -c "$deb" >"$work/contents"
for path in usr/bin/ntkviz usr/bin/ntkviz-cli "usr/share/applications/$appId.desktop" \
  usr/share/icons/hicolor/scalable/apps/ntkviz.svg "usr/share/metainfo/$appId.metainfo.xml" \
  usr/share/man/man1/ntkviz.1.gz usr/share/man/man1/ntkviz-cli.1.gz usr/share/doc/ntkviz/copyright \
  usr/share/doc/ntkviz/changelog.gz; do
  grep -q " \./$path\$" "$work/contents" || fail "the package has no /$path"
done
# Everything under /usr (not /usr/local, not a path of the build machine), owned by root.
awk '{ print $6 }' "$work/contents" | grep -v -e '^\./usr/' -e '^\./$' && fail "files outside /usr (above)"
awk '$2 != "root/root" { print }' "$work/contents" | grep . && fail "files not owned by root (above)"

root="$work/root"
dpkg-deb -x "$deb" "$root"
usr="$root/usr"

# Debian ships programs stripped and without a run path into the build tree.
for program in ntkviz ntkviz-cli; do
  [[ "$(readelf -S "$usr/bin/$program")" == *.symtab* ]] && fail "/usr/bin/$program is not stripped"
  readelf -d "$usr/bin/$program" | grep -E 'R(UN)?PATH' && fail "/usr/bin/$program has a run path (above)"
done

# ---- desktop entry, icon, AppStream: the validators' output must be empty (no hints either)
desktop="$usr/share/applications/$appId.desktop"
report=$(desktop-file-validate "$desktop" 2>&1) || fail "desktop-file-validate failed"
if [[ -n "$report" ]]; then
  fail "desktop-file-validate: $report"
else
  echo "desktop-file-validate: clean"
fi
entry() { sed -n "s/^$1=//p" "$desktop"; }
[[ -x "$usr/bin/$(entry Exec | cut -d' ' -f1)" ]] ||
  fail "desktop Exec '$(entry Exec)' is not a packaged program"
[[ -f "$usr/share/icons/hicolor/scalable/apps/$(entry Icon).svg" ]] ||
  fail "desktop Icon '$(entry Icon)' is not packaged"
metainfo="$usr/share/metainfo/$appId.metainfo.xml"
report=$(appstreamcli validate --no-net --pedantic "$metainfo" 2>&1) || fail "appstreamcli validate: $report"
grep -E '^[EWIP]: ' <<<"$report" && fail "appstreamcli validate reports issues (above)"
echo "appstreamcli validate: $(tail -1 <<<"$report")"
grep -q "<id>$appId</id>" "$metainfo" || fail "metainfo id is not $appId"
grep -q "<launchable type=\"desktop-id\">$appId.desktop</launchable>" "$metainfo" ||
  fail "metainfo does not launch $appId.desktop"
grep -q "<release version=\"$version\"" "$metainfo" || fail "metainfo has no release $version"

# ---- licence and changelog, as Debian policy asks for them
copyright="$usr/share/doc/ntkviz/copyright"
[[ "$(head -1 "$copyright")" == "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" ]] ||
  fail "/usr/share/doc/ntkviz/copyright is not machine-readable (DEP-5): $(head -1 "$copyright")"
if ! grep -qx 'Files: \*' "$copyright" || ! grep -qx 'License: GPL-3+' "$copyright"; then
  fail "/usr/share/doc/ntkviz/copyright does not license every file GPL-3+"
fi
grep -q '/usr/share/common-licenses/GPL-3' "$copyright" ||
  fail "/usr/share/doc/ntkviz/copyright does not point to /usr/share/common-licenses/GPL-3"
grep -q '<project_license>GPL-3.0-or-later</project_license>' "$metainfo" ||
  fail "metainfo does not name the project licence GPL-3.0-or-later"
changelog="$work/changelog"
gzip -dc "$usr/share/doc/ntkviz/changelog.gz" >"$changelog" || fail "changelog.gz is not gzip"
[[ "$(dpkg-parsechangelog -l "$changelog" -S Version 2>&1)" == "$version" ]] ||
  fail "the changelog's version is '$(dpkg-parsechangelog -l "$changelog" -S Version 2>&1)', not $version"
# Dated as the release the metainfo names.
released=$(sed -n "s/.*<release version=\"$version\" date=\"\([0-9-]*\)\".*/\1/p" "$metainfo")
changedOn=$(dpkg-parsechangelog -l "$changelog" -S Date 2>/dev/null || true)
changed=""
if [[ -n "$changedOn" ]]; then
  changed=$(date -u -d "$changedOn" +%F 2>/dev/null || true)
fi
[[ -n "$released" && "$changed" == "$released" ]] ||
  fail "the changelog is dated '$changed', the metainfo's release $version '$released'"

# ---- lintian, Debian's package checker: neither errors nor warnings. (A warning that cannot be fixed would
# go in --suppress-tags here, with the reason beside it; there is none.)
lintianStatus=0
lintian --no-cfg --tag-display-limit 0 "$deb" >"$work/lintian.log" 2>&1 || lintianStatus=$?
grep -E '^[EW]: ' "$work/lintian.log" && fail "lintian reports errors or warnings (above)"
((lintianStatus == 0)) || grep -qE '^E: ' "$work/lintian.log" ||
  fail "lintian failed (exit status $lintianStatus): $(cat "$work/lintian.log")"
grep -qE '^[EW]: ' "$work/lintian.log" || echo "lintian: no errors or warnings"

# ---- the packaged programs run from the unpacked root, without a display
noDisplay=(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM XDG_CONFIG_HOME="$work/config"
  XDG_DATA_HOME="$work/data" XDG_RUNTIME_DIR="$work/runtime")
mkdir -p "$work/runtime" && chmod 700 "$work/runtime"
helpOf() { "${noDisplay[@]}" "$@" 2>/dev/null; }
# (Outputs are read whole, not piped into grep -q: its early exit would fail the pipe under pipefail.)
for flag in --help -h --help-all; do
  [[ "$(helpOf "$usr/bin/ntkviz" "$flag")" == *--export-figures* ]] ||
    fail "ntkviz $flag does not show the options"
  [[ "$(helpOf "$usr/bin/ntkviz-cli" train "$flag")" == *--out* ]] ||
    fail "ntkviz-cli train $flag does not show the options"
done
[[ "$(helpOf "$usr/bin/ntkviz-cli" --help)" == "Usage: ntkviz-cli train"* ]] ||
  fail "ntkviz-cli --help shows no usage"
for flag in --version -v; do
  for program in ntkviz ntkviz-cli; do
    [[ "$(helpOf "$usr/bin/$program" "$flag")" == "$program $version" ]] ||
      fail "$program $flag does not say $version"
  done
done
# The built-in scenes are compiled in: the packaged CLI lists one for each shipped scene file.
listed=$(helpOf "$usr/bin/ntkviz-cli" scene --list | wc -l)
shipped=$(find "$usr/share/ntkviz/scenes" -name '*.json' | wc -l)
((listed > 0 && listed == shipped)) ||
  fail "ntkviz-cli scene --list lists $listed scenes, the package ships $shipped"
# One small run of each program: the CLI's numbers and the app's figures (its plots and fonts).
"${noDisplay[@]}" "$usr/bin/ntkviz-cli" train --dataset circles --n 30 --width 8 --epochs 5 --quiet \
  --out "$work/run" || fail "the packaged ntkviz-cli train failed"
[[ -s "$work/run/spectra.csv" ]] || fail "the packaged ntkviz-cli train wrote no spectra.csv"
"${noDisplay[@]}" "$usr/bin/ntkviz" --export-figures "$work/figures" --dataset circles --n 30 --width 8 \
  --epochs 5 --figure-size 640x400 --figure-scale 1 >"$work/figures.txt" 2>"$work/figures.log" ||
  fail "the packaged ntkviz --export-figures failed: $(cat "$work/figures.log")"
pngs=$(find "$work/figures" -name '*.png' -size +1k | wc -l)
((pngs > 0)) || fail "the packaged ntkviz --export-figures wrote no figures"

# ---- man pages
# Option names from a --help text: the first column of the lines that start with an option.
helpOptions() {
  grep -E '^  -' | sed -E 's/^  //; s/  .*//; s/ <.*//' | tr ',' '\n' | sed -E 's/^ *-+//' | sort -u
}
# Option names of the .TP items in the given sections (.SH titles) of a man page's source.
manOptions() {
  local page="$1"
  shift
  awk -v wanted="$(printf '%s\n' "$@")" '
    BEGIN { n = split(wanted, list, "\n"); for (i = 1; i <= n; i++) want[list[i]] = 1 }
    /^\.SH/ { title = $0; sub(/^\.SH +/, "", title); gsub(/"/, "", title); inside = (title in want); next }
    inside && /^\.TP/ { getline header; print header }' "$page" |
    sed -E 's/\\-/-/g; s/\\f[BIRP]//g' | grep -oE '(^|[ ",(])--?[A-Za-z][A-Za-z0-9-]*' |
    sed -E 's/^[ ",(]*-+//' | sort -u
}
# Compares one command's --help with the man page sections that document it. -h, --help and --help-all
# come with every command and are documented once.
common=$'h\nhelp\nhelp-all'
compareOptions() {
  local what="$1" helpList="$2" manList="$3"
  local missing extra
  missing=$(comm -23 <(sort -u <<<"$helpList") <(sort -u <<<"$manList"$'\n'"$common"))
  extra=$(comm -13 <(sort -u <<<"$helpList"$'\n'"$common") <(sort -u <<<"$manList"))
  [[ -z "$missing" ]] || fail "$what: in --help but not in the man page: $(oneLine "$missing")"
  [[ -z "$extra" ]] || fail "$what: in the man page but not in --help: $(oneLine "$extra")"
  [[ -n "$helpList" ]] || fail "$what: --help lists no options"
}
man1="$work/man1"
mkdir "$man1"
for page in ntkviz ntkviz-cli; do
  gzip -dc "$usr/share/man/man1/$page.1.gz" >"$man1/$page.1" || fail "$page.1.gz is not gzip"
  warnings=$(groff -man -ww -z "$man1/$page.1" 2>&1)
  [[ -z "$warnings" ]] || fail "$page.1: groff warnings: $warnings"
  grep -q '@' "$man1/$page.1" && fail "$page.1 has an unfilled @VARIABLE@"
  grep -q "^\.TH .*\"ntkviz $version\"" "$man1/$page.1" || fail "$page.1 does not name version $version"
done
compareOptions "ntkviz" "$(helpOf "$usr/bin/ntkviz" --help | helpOptions)" \
  "$(manOptions "$man1/ntkviz.1" OPTIONS "SETTING OPTIONS")"
compareOptions "ntkviz-cli train" "$(helpOf "$usr/bin/ntkviz-cli" train --help | helpOptions)" \
  "$(manOptions "$man1/ntkviz-cli.1" "TRAIN OPTIONS" "SETTING OPTIONS")"
compareOptions "ntkviz-cli scene" "$(helpOf "$usr/bin/ntkviz-cli" scene --help | helpOptions)" \
  "$(manOptions "$man1/ntkviz-cli.1" "SCENE OPTIONS")"
compareOptions "ntkviz-cli merge" "$(helpOf "$usr/bin/ntkviz-cli" merge --help | helpOptions)" \
  "$(manOptions "$man1/ntkviz-cli.1" "MERGE OPTIONS")"
compareOptions "ntkviz-cli spectrum" "$(helpOf "$usr/bin/ntkviz-cli" spectrum --help | helpOptions)" \
  "$(manOptions "$man1/ntkviz-cli.1" "SPECTRUM OPTIONS" "SETTING OPTIONS")"
# The commands of ntkviz-cli's usage, each with an item under COMMANDS.
commands=$(helpOf "$usr/bin/ntkviz-cli" --help | grep -oE 'ntkviz-cli [a-z]+' | cut -d' ' -f2 | sort -u)
documented=$(awk '/^\.SH/ { inside = ($0 ~ /COMMANDS/); next }
  inside && /^\.TP/ { getline header; sub(/^\.B +/, "", header); print header }' "$man1/ntkviz-cli.1" |
  sort -u)
[[ -n "$commands" && "$commands" == "$documented" ]] ||
  fail "ntkviz-cli commands: usage has $(oneLine "$commands"), the man page $(oneLine "$documented")"
# Every long option the pages mention anywhere exists in one of the programs (with Qt's own options).
known=$({
  helpOf "$usr/bin/ntkviz" --help-all
  for command in train scene merge spectrum; do helpOf "$usr/bin/ntkviz-cli" "$command" --help-all; done
} | helpOptions)
for page in ntkviz ntkviz-cli; do
  mentioned=$(sed -E 's/\\-/-/g; s/\\f[BIRP]//g' "$man1/$page.1" |
    grep -oE '(^|[^A-Za-z0-9-])--[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[^-]*--//' | sort -u)
  unknown=$(comm -23 <(echo "$mentioned") <(echo "$known"))
  [[ -z "$unknown" ]] || fail "$page.1 mentions options no program has: $(oneLine "$unknown")"
done

if ((failures > 0)); then
  echo "test_package: $failures check(s) failed" >&2
  exit 1
fi
echo "test_package: $(basename "$deb") passed every check"
