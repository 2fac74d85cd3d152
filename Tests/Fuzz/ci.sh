#!/usr/bin/env bash
# CI's fuzz step (called by .ci/run before the tests): builds every fuzz
# target (without optimization, which compiles several times faster than
# -O with the sanitizers) and runs each for a few seconds, so that the
# targets cannot rot. It fails when a build fails or a target finds a
# crash, a leak or a slow input; it skips, saying why, when the toolchain
# has no libFuzzer runtime. See docs/fuzzing.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
seconds="${FUZZ_CI_SECONDS:-4}"

probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
cat >"$probe/probe.swift" <<'SWIFT'
@_cdecl("LLVMFuzzerTestOneInput")
public func probe(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 { 0 }
SWIFT
if ! command -v swiftc >/dev/null 2>&1; then
  echo "fuzz: skipped, no swiftc on PATH"
  exit 0
fi
if ! swiftc -sanitize=fuzzer,address -parse-as-library "$probe/probe.swift" \
  -o "$probe/probe" >"$probe/log" 2>&1; then
  echo "fuzz: skipped, swiftc cannot link a libFuzzer target here (no fuzzer runtime?):"
  grep -v "Cannot export local symbol" "$probe/log" | head -5 || true
  exit 0
fi

start=$SECONDS
export FUZZ_OPT=-Onone
# Unoptimized code runs several times slower; the limit stays tight
# enough to catch amplification.
export RUMOR_FUZZ_MAX_MS="${RUMOR_FUZZ_MAX_MS:-500}"
Tests/Fuzz/run.sh build
echo "fuzz: built in $((SECONDS - start)) s"
for target in $(Tests/Fuzz/run.sh list | sed 's/^targets: //; s/ (or: build)$//'); do
  set +e
  Tests/Fuzz/run.sh "$target" -max_total_time="$seconds" -print_final_stats=1 2>&1 \
    | grep -E "^stat::number_of_executed_units|^==[0-9]+==|^SUMMARY|Fatal error|ERROR" \
    | sed "s/^/fuzz $target: /"
  status=${PIPESTATUS[0]}
  set -e
  if [[ "$status" != 0 ]]; then
    echo "fuzz $target: FAILED (exit $status); the input is in fuzz-out/artifacts/$target/" >&2
    exit "$status"
  fi
done
echo "fuzz: done in $((SECONDS - start)) s"
