#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan) into build-fuzz/ and runs each one for
# SECONDS (default 60), seeded with the malformed-input corpus tests/data/bad plus a few valid files.
# Exits non-zero if any target finds something; the input that triggered it is left in
# build-fuzz/findings/. Inputs that reached new code are kept in build-fuzz/corpus/ for the next run.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
root="$PWD"
build="$root/build-fuzz"

scripts/install-deps.sh --sanitize

CC=clang CXX=clang++ cmake -S tests/fuzz -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --parallel "$(nproc)"

# Fresh seeds every run, so a changed corpus is picked up; the fuzzers' own corpus persists.
seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"/{csv,idx,npy,config} "$build/findings"
cp tests/data/bad/*.csv tests/data/tiny.csv "$seeds/csv/" 2>/dev/null || true
cp tests/data/bad/*.json "$seeds/config/"
/usr/bin/python3 - "$root/tests/data/bad" "$seeds" <<'EOF'
# fuzz_idx takes one input: 2 bytes (big-endian) image file length, the image file, the label file.
# fuzz_npy gets a few valid arrays of every supported dtype, and some broken ones.
import os, struct, sys
corpus, seeds = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(corpus)):
    directory = os.path.join(corpus, name)
    if not os.path.isdir(directory):
        continue
    files = sorted(os.listdir(directory))
    for split in ("train", "t10k"):
        images = [f for f in files if f.startswith(split + "-images")]
        labels = [f for f in files if f.startswith(split + "-labels")]
        if not images or not labels:
            continue
        image_bytes = open(os.path.join(directory, images[0]), "rb").read()
        label_bytes = open(os.path.join(directory, labels[0]), "rb").read()
        if len(image_bytes) < 65536:
            with open(os.path.join(seeds, "idx", f"{name}-{split}"), "wb") as out:
                out.write(struct.pack(">H", len(image_bytes)) + image_bytes + label_bytes)

def npy(descr, shape, payload, version=1, fortran=False):
    shape_text = "(" + "".join(f"{s}, " for s in shape).rstrip(" ") + ")" if len(shape) != 1 else f"({shape[0]},)"
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape_text}, }}"
    preamble = 10 if version == 1 else 12
    header += " " * ((64 - (preamble + len(header) + 1) % 64) % 64) + "\n"
    length = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + length + header.encode() + payload

arrays = {
    "f8-2x3": npy("<f8", (2, 3), struct.pack("<6d", 1, -2, 3.5, float("nan"), float("inf"), 0)),
    "f4-4": npy("<f4", (4,), struct.pack("<4f", 1, 2, 3, 4)),
    "i8-3": npy("<i8", (3,), struct.pack("<3q", -1, 0, 2**62)),
    "i4-2x2": npy("<i4", (2, 2), struct.pack("<4i", 1, 2, 3, 4)),
    "f8-scalar": npy("<f8", (), struct.pack("<d", 42)),
    "f8-empty": npy("<f8", (0, 5), b""),
    "v2-f8-2x2": npy("<f8", (2, 2), struct.pack("<4d", 1, 2, 3, 4), version=2),
    "fortran": npy("<f8", (2, 2), struct.pack("<4d", 1, 2, 3, 4), fortran=True),
    "big-endian": npy(">f8", (1,), struct.pack(">d", 1)),
    "truncated": npy("<f8", (100, 100), struct.pack("<2d", 1, 2)),
}
for name, data in arrays.items():
    with open(os.path.join(seeds, "npy", name), "wb") as out:
        out.write(data)
EOF

# target, seed folder, -max_len: enough for every seed and for the structure that matters (a few CSV
# lines, an IDX or gzip header plus some payload, a .npy header, a config), small enough to stay fast.
targets=(
  "fuzz_csv csv 4096"
  "fuzz_idx idx 16384"
  "fuzz_npy npy 4096"
  "fuzz_config config 4096"
  "fuzz_session config 4096"
)
# One target per core at a time: each is one process on one core, so running them side by side gives
# every target its full time at about the speed it would have alone, in a fraction of the wall time.
jobs="${FUZZ_JOBS:-$(nproc)}"
fuzz_one() {
  local target="$1" seedDir="$2" maxLen="$3"
  local corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  local status=0
  "$build/$target" "$corpus" "$seeds/$seedDir" -max_total_time="$seconds" -max_len="$maxLen" \
    -print_final_stats=1 -artifact_prefix="$build/findings/$target-" >"$build/$target.log" 2>&1 || status=$?
  echo "$status" >"$build/$target.status"
}
echo "== fuzzing ${#targets[@]} targets for ${seconds} s each, $jobs at a time" >&2
for entry in "${targets[@]}"; do
  read -r target seedDir maxLen <<<"$entry"
  while (($(jobs -rp | wc -l) >= jobs)); do
    wait -n || true
  done
  rm -f "$build/$target.status"
  fuzz_one "$target" "$seedDir" "$maxLen" &
done
wait

failed=0
summary=()
for entry in "${targets[@]}"; do
  read -r target _ _ <<<"$entry"
  log="$build/$target.log"
  status=$(cat "$build/$target.status" 2>/dev/null || echo "did not finish")
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  perSecond=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [[ "$status" != 0 ]]; then
    failed=1
    summary+=("$target: FINDING (exit $status) after ${executions:-?} executions; see $log and $build/findings/")
    grep -E "^(==[0-9]+==ERROR|SUMMARY|invariant broken|.*runtime error)" "$log" | head -5 >&2 || true
  else
    summary+=("$target: ok, ${executions:-?} executions in ${seconds} s (${perSecond:-?}/s)")
  fi
done
printf '%s\n' "${summary[@]}" >&2
exit "$failed"
