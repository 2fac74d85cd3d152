#!/usr/bin/env bash
# Builds the libFuzzer targets (one binary, fuzz-out/rumor-fuzz, holding
# every target), seeds a corpus per target and runs one of them:
#
#   Tests/Fuzz/run.sh receive -max_total_time=60         # fuzz one target
#   Tests/Fuzz/run.sh decode fuzz-out/artifacts/decode/crash-…  # replay
#   Tests/Fuzz/run.sh list                               # the targets
#   Tests/Fuzz/run.sh build                              # only build
#
# Arguments after the target go to libFuzzer as they are. Environment:
#   FUZZ_OPT=-Onone     build without optimization (CI: compiles faster)
#   FUZZ_REBUILD=1      rebuild even when nothing changed
#   RUMOR_FUZZ_MAX_MS   per-input time limit in milliseconds (default 100)
#
# Everything is written under fuzz-out/ (git-ignored). See docs/fuzzing.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

targets=(decode receive stream serf http yaml json dns)
target="${1:-}"
if [[ -z "$target" || "$target" == list ]]; then
  echo "targets: ${targets[*]} (or: build)"
  [[ -n "$target" ]] && exit 0
  exit 2
fi
shift
if [[ "$target" != build && ! " ${targets[*]} " =~ " $target " ]]; then
  echo "unknown target '$target'; targets: ${targets[*]}" >&2
  exit 2
fi

out="fuzz-out"
opt="${FUZZ_OPT:--O}"
binary="$out/rumor-fuzz$([[ "$opt" == -O ]] || echo "$opt")"
build="$out/build$opt"
fixtures="Tests/RumorWireTests/Fixtures"
mkdir -p "$out" "$build/modules"

# MARK: Build

# Each library module is compiled on its own (whole-module, instrumented,
# -enable-testing so that the targets reach internal API through
# @testable import) into one object file and a .swiftmodule, in dependency
# order; the targets in Tests/Fuzz are one more module linked with them.
# No SwiftPM and no scratch path is involved.
modules=(RumorWire RumorCore RumorDiscovery Rumor)
mapfile -t fuzz_sources < <(find Tests/Fuzz -name '*.swift' | LC_ALL=C sort)
flags=(-sanitize=fuzzer,address -parse-as-library "$opt" -g -swift-version 6
  -I Sources/COpenSSL -I "$build/modules")

# Runs swiftc, keeping its log; ld.gold warns once per sanitizer symbol it
# cannot export, which is harmless noise that would bury real diagnostics.
compile() {
  local log="$1" status=0
  shift
  # One package name for every module, as SwiftPM gives: `package` access
  # (OwnerThread) needs it.
  swiftc -package-name rumor "$@" >"$log" 2>&1 || status=$?
  grep -v "Cannot export local symbol '__asan_" "$log" || true
  return "$status"
}

# A module is rebuilt when one of its files is newer than its object, and
# then every module after it too (they import it).
stale=0
[[ "${FUZZ_REBUILD:-0}" == 1 ]] && stale=1
objects=()
for module in "${modules[@]}"; do
  mapfile -t sources < <(find "Sources/$module" -name '*.swift' | LC_ALL=C sort)
  object="$build/$module.o"
  objects+=("$object")
  if [[ "$stale" == 1 || ! -e "$object" \
    || -n "$(find "${sources[@]}" -newer "$object" -print -quit)" ]]; then
    stale=1
    echo "compiling $module (${#sources[@]} files, $opt)…"
    rm -f "$object"
    compile "$build/$module.log" "${flags[@]}" -c -wmo -enable-testing -module-name "$module" \
      -emit-module -emit-module-path "$build/modules/$module.swiftmodule" \
      "${sources[@]}" -o "$object" || {
      echo "build failed (log: $build/$module.log)" >&2
      exit 1
    }
  fi
done
if [[ "$stale" == 1 || ! -x "$binary" \
  || -n "$(find "${fuzz_sources[@]}" Tests/Fuzz/run.sh -newer "$binary" -print -quit)" ]]; then
  echo "linking $binary (${#fuzz_sources[@]} target files)…"
  rm -f "$binary"
  compile "$build/link.log" "${flags[@]}" -module-name RumorFuzz "${fuzz_sources[@]}" \
    "${objects[@]}" -lcrypto -o "$binary" || {
    echo "build failed (log: $build/link.log)" >&2
    exit 1
  }
fi
[[ "$target" == build ]] && exit 0

corpus="$out/corpus-$target"
artifacts="$out/artifacts/$target"
mkdir -p "$corpus" "$artifacts"

# MARK: Seed corpus

# The decode target is seeded from the real captures.

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

if [[ "$target" == decode && -z "$(find "$corpus" -type f -print -quit)" ]]; then
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
# The other targets write their own seeds (real messages about their
# fixtures' members, see Tests/Fuzz/*.swift); the YAML target also gets
# the shipped configuration files.
if [[ -z "$(find "$corpus" -type f -print -quit)" ]]; then
  RUMOR_FUZZ_TARGET="$target" RUMOR_FUZZ_WRITE_SEEDS="$corpus" "$binary" >/dev/null 2>&1 \
    || echo "note: $target wrote no seeds" >&2
  if [[ "$target" == yaml ]]; then
    for file in config/deployment/*.yml k8s/10-rumor-config.yml; do
      [[ -e "$file" ]] && cp "$file" "$corpus/seed-$(basename "$file")"
    done
  fi
  echo "$(find "$corpus" -type f | wc -l) seed inputs in $corpus"
fi

# MARK: Run

# Defaults first: libFuzzer lets a later flag override an earlier one. The
# target itself traps when one input takes longer than RUMOR_FUZZ_MAX_MS
# (libFuzzer's -timeout counts whole seconds only). ASan's quarantine is
# kept small so that the 256 MB RSS limit measures the target, not ASan.
export RUMOR_FUZZ_TARGET="$target"
# Swift's own backtracer is turned off: libFuzzer prints the stack and
# saves the input, and the backtracer would only slow every crash down.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=16:malloc_context_size=10}"
# -timeout (wall clock, whole seconds) is only a backstop for a real hang:
# under nice on a loaded shared machine an input of 12 ms of CPU once
# waited 4 s for the CPU.
flags=(-timeout=10 -rss_limit_mb=256 -artifact_prefix="$artifacts/")
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
