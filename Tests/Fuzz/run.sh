#!/usr/bin/env bash
# Builds the libFuzzer target over RumorWire's decode path, seeds a corpus
# from the real captures and runs it. Arguments go to libFuzzer as they are:
#
#   Tests/Fuzz/run.sh -max_total_time=600       # fuzz for ten minutes
#   Tests/Fuzz/run.sh fuzz-out/artifacts/crash-…  # replay one input
#
# Everything is written under fuzz-out/ (git-ignored). See docs/fuzzing.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

out="fuzz-out"
binary="$out/fuzz-decode"
corpus="$out/corpus"
artifacts="$out/artifacts"
fixtures="Tests/RumorWireTests/Fixtures"
mkdir -p "$out" "$corpus" "$artifacts"

# MARK: Build

mapfile -t sources < <(find Sources/RumorWire -name '*.swift' | LC_ALL=C sort)
sources+=("Tests/Fuzz/FuzzDecode.swift")

# Rebuilding takes half a minute; skip it when nothing changed.
stale=1
if [[ -x "$binary" && -z "$(find "${sources[@]}" Tests/Fuzz/run.sh -newer "$binary" -print -quit)" ]]; then
  stale=0
fi
if [[ "$stale" == 1 || "${FUZZ_REBUILD:-0}" == 1 ]]; then
  echo "building $binary (${#sources[@]} files)…"
  # One module from the library's files and the entry point, so no package
  # build or scratch path is involved. It keeps the library's name so stack
  # traces name RumorWire's symbols as usual.
  status=0
  swiftc -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 \
    -module-name RumorWire -I Sources/COpenSSL -lcrypto \
    "${sources[@]}" -o "$binary" >"$out/build.log" 2>&1 || status=$?
  # ld.gold warns once per sanitizer symbol it cannot export; that is
  # harmless noise that would bury real diagnostics.
  grep -v "Cannot export local symbol '__asan_" "$out/build.log" || true
  if [[ "$status" != 0 ]]; then
    # A half-written binary must not pass for an up-to-date one next time.
    rm -f "$binary"
    echo "build failed (full log: $out/build.log)" >&2
    exit "$status"
  fi
fi

# MARK: Seed corpus

# Writes the bytes of `prefix_hex payload_hex` to the corpus, named by
# content so seeding twice adds nothing.
seed() {
  local hex="$1$2" escaped name
  escaped="$(sed 's/../\\x&/g' <<<"$hex")"
  name="$(printf "$escaped" | sha1sum | cut -c1-40)"
  [[ -e "$corpus/$name" ]] || printf "$escaped" >"$corpus/$name"
}

# The mode byte is the first byte of every input; FuzzDecode.swift and
# docs/fuzzing.md list the modes. "f404" + hex("prod") is the label header.
label_prod="f40470726f64"

seed_plain_packet() {
  local mode
  for mode in 00 01 05 06 07 0e 15 16; do seed "$mode" "$1"; done
  seed 02 "$label_prod$1"
}
seed_encrypted_packet() {
  local mode
  for mode in 03 04 13 14; do seed "$mode" "$1"; done
}
seed_plain_stream() {
  local mode
  for mode in 08 09 0c 0d 1c 1d; do seed "$mode" "$1"; done
  seed 0a "$label_prod$1"
}
seed_encrypted_stream() {
  local mode
  for mode in 0b 0f 1b 1f; do seed "$mode" "$1"; done
}

# Prints the values of one hex field of a .jsonl capture, one a line.
json_hex() {
  grep -o "\"$1\": \"[0-9a-f]*\"" "$2" | sed 's/.*: "\(.*\)"/\1/' || true
}
# Prints the hex of the UDP or TCP lines of a memberlist capture log.
log_hex() {
  grep "^$1 " "$2" | sed 's/.*: //' || true
}

if [[ -z "$(find "$corpus" -type f -print -quit)" ]]; then
  echo "seeding $corpus from $fixtures…"
  while read -r hex; do seed_plain_packet "$hex"; done < <(
    json_hex payload_hex "$fixtures/serf-2node-plain.jsonl"
    json_hex plaintext_hex "$fixtures/serf-2node-encrypted.jsonl"
    json_hex decompressed_hex "$fixtures/serf-2node-plain.jsonl"
    log_hex UDP "$fixtures/captures-ml022.txt"
    log_hex UDP "$fixtures/captures-ml022-compress.txt"
  )
  while read -r hex; do seed_encrypted_packet "$hex"; done < <(
    json_hex payload_hex "$fixtures/serf-2node-encrypted.jsonl"
    log_hex UDP "$fixtures/captures-ml022-encrypt.txt"
  )
  while read -r hex; do seed_plain_stream "$hex"; done < <(
    json_hex stream_hex "$fixtures/serf-2node-plain.jsonl"
    log_hex TCP "$fixtures/captures-ml022.txt"
    log_hex TCP "$fixtures/captures-ml022-compress.txt"
  )
  while read -r hex; do seed_encrypted_stream "$hex"; done < <(
    json_hex stream_hex "$fixtures/serf-2node-encrypted.jsonl"
    log_hex TCP "$fixtures/captures-ml022-encrypt.txt"
  )
  echo "$(find "$corpus" -type f | wc -l) seed inputs"
fi

# MARK: Run

# Defaults first: libFuzzer lets a later flag override an earlier one.
flags=(-timeout=5 -rss_limit_mb=2048 -artifact_prefix="$artifacts/")
inputs=()
for argument in "$@"; do
  [[ "$argument" == -* ]] || inputs+=("$argument")
done
# With input files given, libFuzzer replays them; otherwise it fuzzes the
# corpus (adding what it finds there).
if [[ ${#inputs[@]} == 0 ]]; then
  exec "$binary" "${flags[@]}" "$@" "$corpus"
fi
exec "$binary" "${flags[@]}" "$@"
