#!/usr/bin/env bash
# key_queries_under_load.sh -- how often one member's answer to a Serf key query
# is missing, in a three-member cluster on loopback: a serf agent (the asker)
# and two Rumor agents (or, with KIND=serf, two more serf agents), all with the
# local profile and an encryption key, on a loaded core.
#
# It runs `serf keys -list` COUNT times against the serf agent (no retries) and
# counts the runs that fail ("2/3 nodes reported success": a member's answer did
# not come within serf's 1.6 s); each failure's time is written to fails.txt.
# With tcpdump installed the gossip ports are captured to cap.pcap; `rumor decode
# --key KEY --hex HEX` shows which member a datagram carried the query to.
#
# Load: with LOAD=N (default 3) the agents run at nice 19 pinned to CPU 1 beside
# N busy loops at nice 19 on the same core, so they compete with each other and
# yield to everything else on the machine. Every process this script starts is
# ended by its PID; the busy loops also stop by themselves after 15 minutes.
#
# Usage: key_queries_under_load.sh COUNT [OUTDIR]
#   KIND=rumor|serf   the two other members (default rumor)
#   RUMOR=PATH        the rumor executable (default .build/debug/rumor)
#   BASE=PORT         first of the ports used (default 21000; BASE..BASE+6)
#   LOAD=N            busy loops beside the agents (default 3; 0 for none)
#
# docs/protocol.md ("A re-gossiped query is not sent back to its asker") has
# what it found.
set -u
count=${1:?usage: key_queries_under_load.sh COUNT [OUTDIR]}
dir=${2:-$(mktemp -d /tmp/key-queries.XXXXXX)}
kind=${KIND:-rumor}
rumor=${RUMOR:-$(cd "$(dirname "$0")/../.." && pwd)/.build/debug/rumor}
base=${BASE:-21000}
load=${LOAD:-3}
key="R4Mb1OwXrycAedNJxIEYPerlJhXMkHXBHme5iEkdL/Y="
command -v serf >/dev/null || { echo "serf is not installed" >&2; exit 2; }
[ "$kind" = serf ] || [ -x "$rumor" ] || { echo "no rumor executable at $rumor" >&2; exit 2; }
mkdir -p "$dir"
asker=$base; rpc=$((base + 1)); first=$((base + 2)); second=$((base + 3))

pids=()
loops=()
cleanup() {
  # SIGTERM for the busy loops: `timeout` passes it on to its shell.
  for pid in "${loops[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap cleanup EXIT

prefix=()
if [ "$load" -gt 0 ]; then
  prefix=(nice -n 19 taskset -c 1)
  for _ in $(seq "$load"); do
    timeout 900 "${prefix[@]}" sh -c 'while :; do :; done' &
    loops+=($!)
  done
fi
if command -v tcpdump >/dev/null; then
  tcpdump -i lo -n -U -w "$dir/cap.pcap" \
    "udp and (port $asker or port $first or port $second)" 2>/dev/null &
  pids+=($!)
  sleep 0.3
fi

"${prefix[@]}" serf agent -node=ks0 -bind=127.0.0.1:$asker -rpc-addr=127.0.0.1:$rpc \
  -profile=local -log-level=debug -encrypt=$key >"$dir/ks0.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -qs "Serf agent running" "$dir/ks0.log" && break; sleep 0.1; done
for index in 1 2; do
  port=$((base + 1 + index))
  if [ "$kind" = serf ]; then
    "${prefix[@]}" serf agent -node=ks$index -bind=127.0.0.1:$port \
      -rpc-addr=127.0.0.1:$((base + 4 + index)) -profile=local -log-level=debug \
      -encrypt=$key -join=127.0.0.1:$asker >"$dir/member$index.log" 2>&1 &
  else
    "${prefix[@]}" "$rumor" agent --name kr$index --bind 127.0.0.1:$port --profile local \
      --http off --join 127.0.0.1:$asker --encrypt $key >"$dir/member$index.log" 2>&1 &
  fi
  pids+=($!)
done
alive=0
for _ in $(seq 100); do
  if [ "$(serf members -rpc-addr=127.0.0.1:$rpc -status=alive 2>/dev/null | wc -l)" = 3 ]; then
    alive=1
    break
  fi
  sleep 0.2
done
[ $alive = 1 ] || { echo "the three members did not see each other alive" >&2; exit 1; }

missing=0
: >"$dir/fails.txt"
for run in $(seq "$count"); do
  start=$(date -u +%H:%M:%S.%3N)
  if ! serf keys -rpc-addr=127.0.0.1:$rpc -list >"$dir/last.txt" 2>&1; then
    missing=$((missing + 1))
    echo "$start..$(date -u +%H:%M:%S.%3N) run $run: $(grep -i error "$dir/last.txt" | head -1)" \
      >>"$dir/fails.txt"
  fi
done
echo "$kind: $missing/$count key queries missed an answer (output in $dir)"
