#!/usr/bin/env bash
# compare_serf.sh -- Rumor and HashiCorp Serf side by side on loopback, in one run.
#
# For each cluster size N and each system (rumor with its default preset, serf,
# and rumor-memberlist: --preset memberlist, memberlist's behaviour exactly, when
# the agent has that flag), interleaved, this script
#   1. starts N agents on 127.0.0.1 (node-0 first; once it accepts connections,
#      node-1 .. node-(N-1), each joining node-0), on a fresh port range;
#   2. converge: time from just before node-0's launch until EVERY agent lists all
#      N members alive (polled every 100 ms per agent);
#   3. waits SETTLE seconds, then an idle window of IDLE seconds with no polling:
#      CPU = utime+stime (/proc/PID/stat) over the window, RSS = VmRSS at its end,
#      UDP/TCP packets and payload bytes on the gossip ports (tcpdump on lo), all
#      per agent (and per second);
#   4. kill -9 of node-(N-1): time until every other agent reports it failed;
#   5. graceful leave of node-(N/2) (SIGINT for rumor, `serf leave` for serf): time
#      until every remaining agent reports it left, and how many agents showed it
#      failed before left;
#   6. a final check of every remaining agent's full member list, one `rumor members`
#      / `serf members` CLI cross-check, and a count of false deaths in the agent
#      logs (failures logged about members that were never killed);
#   7. kills every agent it started, by PID, and checks none is left.
# Then it prints, per N, a table: metric, rumor, serf, ratio, target, met?, and
# writes every raw number as JSON lines.
#
# Polling: Rumor agents are asked with memberlist's read-only push-pull on their
# gossip port (what `rumor members --json` does), Serf agents with their RPC (what
# `serf members` does), both by Simulations/serf-compare/members_poll.py, one request per pending
# agent per 100 ms round. Same method as ../shared/reference/serf-bench/.
#
# Usage: Simulations/serf-compare/compare_serf.sh [options]
#   --sizes "8 16 32 64"   cluster sizes (default 8 16 32 64)
#   --profile lan          lan | wan | local, for both systems (default lan)
#   --repeat K             run the whole interleaved matrix K times (default 1)
#   --systems "rumor serf rumor-memberlist"   which systems (default: all three;
#                          rumor-memberlist only if `rumor agent --help` lists --preset);
#                          also rumor-guarded: --preset memberlist --guarded-accusations
#                          --suspicion-multiplier 2 (not in the default set)
#   --out DIR              output folder (default bench-out/, relative to the package)
#   --settle S / --idle S  settle time and idle window (defaults 5 and 30 s)
#   --port-base P          first port (default 24000; each run takes 2N fresh ports
#                          above the previous run's; must stay below 32768)
#   --link MODE            how rumor is linked: static (default: the Swift libraries
#                          linked in, --static-swift-stdlib), fully-static (a
#                          static executable, libc and libcrypto too, as serf is
#                          built) or dynamic (shared Swift libraries)
#   --skip-build           use the existing build for the --link mode
#   --poll S               poll interval (default 0.1)
# Environment: SERF (serf binary), PY (python3).
#
# Needs: swift, serf, python3, root + tcpdump for the packet counts (otherwise
# falls back to /proc/net/snmp deltas, which are system-wide, and says so).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SERF=${SERF:-serf}
PY=${PY:-python3}
POLLER="$HERE/members_poll.py"
REPORT="$HERE/compare_report.py"
HOST=127.0.0.1

SIZES="8 16 32 64"
PROFILE=lan
REPEAT=1
SYSTEMS=""
OUT="$ROOT/bench-out"
SETTLE_S=5
IDLE_S=30
PORT_BASE=24000
SKIP_BUILD=0
LINK=static
POLL_S=0.1
CONVERGE_TIMEOUT_S=120
DETECT_TIMEOUT_S=120

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --sizes) SIZES=$2; shift 2 ;;
    --profile) PROFILE=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --systems) SYSTEMS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --settle) SETTLE_S=$2; shift 2 ;;
    --idle) IDLE_S=$2; shift 2 ;;
    --port-base) PORT_BASE=$2; shift 2 ;;
    --poll) POLL_S=$2; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --link) LINK=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 64 ;;
  esac
done
for n in $SIZES; do
  [[ "$n" =~ ^[0-9]+$ ]] && ((n >= 4 && n <= 256)) || { echo "bad size '$n' (4..256)" >&2; exit 64; }
done
case $PROFILE in lan | wan | local) ;; *) echo "bad profile '$PROFILE'" >&2; exit 64 ;; esac
case $LINK in
  static) LINK_FLAGS=(--static-swift-stdlib) ;;
  fully-static) LINK_FLAGS=(-Xswiftc -static-executable) ;;
  dynamic) LINK_FLAGS=() ;;
  *) echo "bad --link '$LINK' (static, fully-static or dynamic)" >&2; exit 64 ;;
esac
SCRATCH=.build-bench-$LINK

now() { printf '%s\n' "$EPOCHREALTIME"; }
fcalc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
nap() { sleep "$1" & local p=$!; STARTED+=("$p"); wait "$p" || true; }  # a sleep a trapped signal interrupts
as_json() { if [[ "$1" == \{* ]]; then printf '%s' "$1"; else printf '{"error":"helper failed"}'; fi; }

# ---- process bookkeeping and cleanup ------------------------------------------
declare -a STARTED=()    # every PID this script started, over the whole run
declare -a PIDS=()       # agents of the current cluster, by index
TCPDUMP_PID=""

is_running() { # pid -> 0 if it exists and is not a zombie
  local st
  [[ -r /proc/$1/stat ]] || return 1
  st=$(awk '{sub(/.*\) /, ""); print $1}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n "$st" && "$st" != Z ]]
}

wait_gone() { # pid timeout_s -> 0 if gone in time
  local pid=$1 end
  end=$(fcalc "$(now) + $2")
  while is_running "$pid"; do
    awk "BEGIN{exit !($(now) > $end)}" && return 1
    sleep 0.05
  done
  return 0
}

kill_all() { # SIGKILL every process started here that still runs; reap them
  local pid
  for pid in "${STARTED[@]}"; do
    if is_running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  for pid in "${STARTED[@]}"; do wait_gone "$pid" 5 || true; done
  wait 2>/dev/null || true
}

check_none_left() {
  local pid left=0
  for pid in "${STARTED[@]}"; do
    if is_running "$pid"; then
      log "STILL RUNNING: pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null))"
      left=$((left + 1))
    fi
  done
  return "$left"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  kill_all
  if check_none_left; then
    log "cleanup: all ${#STARTED[@]} processes started by this run are gone"
  else
    log "cleanup: some processes are still running (listed above)"
    rc=1
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---- preflight -------------------------------------------------------------------
command -v "$SERF" >/dev/null || { echo "serf not found (apt-get install -y serf)" >&2; exit 69; }
command -v "$PY" >/dev/null || { echo "python3 not found" >&2; exit 69; }
CAPTURE=0
if [[ $(id -u) == 0 ]]; then
  if ! command -v tcpdump >/dev/null; then
    log "tcpdump missing; installing it with apt-get"
    apt-get install -y tcpdump >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y tcpdump >/dev/null 2>&1; } || true
  fi
  command -v tcpdump >/dev/null && CAPTURE=1
fi
((CAPTURE)) || log "NOTE: no tcpdump (or not root): UDP figures come from /proc/net/snmp, which is system-wide"

cd "$ROOT"
if ((SKIP_BUILD == 0)); then
  # Statically linked by default, as Rumor is deployed (k8s/Dockerfile)
  # and as serf ships: shared Swift libraries add several MB of resident
  # memory per process (docs/benchmarks.md has the figure for each mode).
  log "building rumor (release, --link $LINK: ${LINK_FLAGS[*]:-shared libraries}, --scratch-path $SCRATCH)"
  swift build -c release "${LINK_FLAGS[@]}" --product rumor --scratch-path "$SCRATCH" >&2
fi
RUMOR="$ROOT/$SCRATCH/release/rumor"
[[ -x "$RUMOR" ]] || { echo "no $RUMOR (drop --skip-build)" >&2; exit 69; }

HAS_PRESET=0
if "$RUMOR" agent --help 2>&1 | grep -q -- '--preset'; then HAS_PRESET=1; fi
if [[ -z "$SYSTEMS" ]]; then
  SYSTEMS="rumor serf"
  ((HAS_PRESET)) && SYSTEMS+=" rumor-memberlist"
fi
if [[ " $SYSTEMS " == *" rumor-memberlist "* ]] && ((HAS_PRESET == 0)); then
  echo "rumor agent has no --preset flag; drop rumor-memberlist" >&2; exit 64
fi
((HAS_PRESET)) || log "NOTE: rumor agent has no --preset flag; no rumor-memberlist runs"

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUNDIR="$OUT/$STAMP"
JSONL="$OUT/compare-$STAMP.jsonl"
mkdir -p "$RUNDIR"
CLK_TCK=$(getconf CLK_TCK)
SERF_VER="$("$SERF" version 2>/dev/null | head -1) (dpkg $(dpkg-query -W -f='${Version}' serf 2>/dev/null || echo '?'))"
RUMOR_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
if [[ -n "$(git -C "$ROOT" status --porcelain -- Sources 2>/dev/null)" ]]; then RUMOR_REV+="+dirty"; fi
MACHINE="$(nproc) CPUs, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
log "output: $JSONL (logs in $RUNDIR)"
log "sizes: $SIZES  profile: $PROFILE  systems: $SYSTEMS  repeat: $REPEAT  idle: ${IDLE_S}s  rumor $RUMOR_REV  serf $SERF_VER"

NEXT_PORT=$PORT_BASE

# ---- one cluster -----------------------------------------------------------------
# Globals for the current run
SYS="" N=0 GBASE=0 RBASE=0 WD=""

gossip_addr() { echo "$HOST:$((GBASE + $1))"; }
rpc_addr() { echo "$HOST:$((RBASE + $1))"; }
poll_addr() { if [[ $SYS == serf ]]; then rpc_addr "$1"; else gossip_addr "$1"; fi; }
poll_system() { if [[ $SYS == serf ]]; then echo serf; else echo rumor; fi; }
addr_list() { local i s=""; for i in "$@"; do s+="$(poll_addr "$i"),"; done; echo "$s"; }

start_agent() { # i [join-addr]
  local i=$1 join=${2:-}
  case $SYS in
    serf)
      "$SERF" agent -node="node-$i" -bind="$(gossip_addr "$i")" -rpc-addr="$(rpc_addr "$i")" \
        -profile="$PROFILE" -log-level=info ${join:+-join="$join"} \
        >"$WD/node-$i.log" 2>&1 </dev/null &
      ;;
    rumor | rumor-memberlist | rumor-guarded)
      local -a extra=()
      [[ $SYS == rumor-memberlist ]] && extra+=(--preset memberlist)
      [[ $SYS == rumor-guarded ]] && extra+=(--preset memberlist --guarded-accusations --suspicion-multiplier 2)
      [[ -n "$join" ]] && extra+=(--join "$join")
      "$RUMOR" agent --name "node-$i" --bind "$(gossip_addr "$i")" --profile "$PROFILE" "${extra[@]}" \
        >"$WD/node-$i.log" 2>&1 </dev/null &
      ;;
  esac
  PIDS[$i]=$!
  STARTED+=("$!")
  disown "$!" # no "Killed" notices; liveness is read from /proc
}

ports_free() { # lo hi -> 0 if no listener/bound socket in [lo, hi]
  local busy
  busy=$(ss -Hantu 2>/dev/null | awk '{n=split($5,a,":"); print a[n]}' |
    awk -v lo="$1" -v hi="$2" '$1>=lo && $1<=hi' | head -1)
  [[ -z "$busy" ]]
}

cpu_ticks() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat" 2>/dev/null || echo 0; }
snmp_udp_out() { awk '/^Udp:/ {if (!h) {for (i = 1; i <= NF; i++) c[$i] = i; h = 1} else print $c["OutDatagrams"]}' /proc/net/snmp; }
status_kb() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
pss_kb() { awk '$1=="Pss:" {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
jnum() { # key json -> value of a top-level key from one JSON object
  "$PY" -c 'import json,sys; v=json.loads(sys.argv[2]).get(sys.argv[1]); print("null" if v is None else json.dumps(v))' "$1" "$2"
}

# run_one SYSTEM N REPEAT_INDEX -> appends one JSON line to $JSONL
run_one() {
  SYS=$1 N=$2
  local rep=$3 i
  GBASE=$NEXT_PORT
  RBASE=$((NEXT_PORT + N))
  NEXT_PORT=$((NEXT_PORT + 2 * N))
  if ((NEXT_PORT > 32767)); then echo "port range exhausted (use --port-base)" >&2; exit 1; fi
  if ! ports_free "$GBASE" "$((RBASE + N - 1))"; then
    log "ports $GBASE-$((RBASE + N - 1)) busy; skipping ahead"
    run_one "$SYS" "$N" "$rep"
    return
  fi
  WD="$RUNDIR/n$N-$SYS-r$rep"
  mkdir -p "$WD"
  PIDS=()
  local KILL_IDX=$((N - 1)) LEAVE_IDX=$((N / 2))
  local PS; PS=$(poll_system)
  log "== N=$N $SYS (repeat $rep): gossip ports $GBASE-$((GBASE + N - 1)), serf rpc $RBASE-$((RBASE + N - 1))"

  # -- launch and converge
  local load_start; read -r load_start _ </proc/loadavg
  local t_start t_seed t_launched ready=0 probe_port conv_pid
  local all; all=$(seq 0 $((N - 1)) | tr '\n' ' ')
  probe_port=$([[ $SYS == serf ]] && echo "$RBASE" || echo "$GBASE")
  # The convergence poller starts first and polls every 100 ms (refused until the
  # agents listen); t0 is taken once it is up, so Python's start-up is not counted.
  "$PY" "$POLLER" wait --system "$PS" --addrs "$(addr_list $all)" \
    --ready-file "$WD/poller.ready" --t0-file "$WD/t0" \
    --interval "$POLL_S" --timeout "$CONVERGE_TIMEOUT_S" --all-alive "$N" \
    --detail "$WD/wait-converge.txt" >"$WD/converge.json" 2>"$WD/converge.err" &
  conv_pid=$!
  STARTED+=("$conv_pid")
  for _ in $(seq 1 500); do [[ -s "$WD/poller.ready" ]] && break; sleep 0.02; done
  t_start=$(now)
  echo "$t_start" >"$WD/t0"
  start_agent 0
  for _ in $(seq 1 400); do # node-0 accepts TCP (serf: its RPC; rumor: its gossip port), <= 20 s
    if (exec 3<>"/dev/tcp/$HOST/$probe_port") 2>/dev/null; then ready=1; break; fi
    is_running "${PIDS[0]}" || break
    sleep 0.05
  done
  if ((ready == 0)); then
    log "node-0 did not come up; log: $WD/node-0.log"; tail -20 "$WD/node-0.log" >&2
    kill -KILL "$conv_pid" 2>/dev/null || true; exit 1
  fi
  t_seed=$(now)
  for ((i = 1; i < N; i++)); do start_agent "$i" "$(gossip_addr 0)"; done
  t_launched=$(now)
  local conv rc=0
  wait "$conv_pid" || rc=$?
  conv=$(as_json "$(cat "$WD/converge.json")")
  log "converge: $conv"
  if ((rc != 0)); then
    local dead=0
    for i in $all; do is_running "${PIDS[$i]}" || dead=$((dead + 1)); done
    log "NOT CONVERGED ($dead agents exited); logs kept in $WD"
    printf '{"system":"%s","n":%d,"repeat":%d,"error":"no convergence","agents_exited":%d,"converge":%s}\n' \
      "$SYS" "$N" "$rep" "$dead" "$conv" >>"$JSONL"
    kill_all
    return
  fi

  # -- idle window (no polling)
  nap "$SETTLE_S"
  local pcap="$WD/idle.pcap"
  if ((CAPTURE)); then
    tcpdump -i lo -nn -U -s 96 -w "$pcap" "portrange $GBASE-$((GBASE + N - 1))" 2>"$WD/tcpdump.err" </dev/null &
    TCPDUMP_PID=$!
    STARTED+=("$TCPDUMP_PID")
    for _ in $(seq 1 100); do grep -q 'listening on' "$WD/tcpdump.err" 2>/dev/null && break; sleep 0.05; done
  fi
  declare -a c0=() c1=() s0=() s1=()
  local plist=""; for i in $all; do plist+="${PIDS[$i]} "; done
  read -ra s0 < <("$PY" "$POLLER" cputime $plist)
  for i in $all; do c0[$i]=$(cpu_ticks "${PIDS[$i]}"); done
  local udp0 udp1 t_i0 t_i1 load_idle
  udp0=$(snmp_udp_out)
  t_i0=$(now)
  nap "$IDLE_S"
  t_i1=$(now)
  read -r load_idle _ </proc/loadavg
  udp1=$(snmp_udp_out)
  read -ra s1 < <("$PY" "$POLLER" cputime $plist)
  local rss_list="" anon_list="" file_list="" pss_list="" thr_list="" cpu_list="" sched_list=""
  for i in $all; do
    c1[$i]=$(cpu_ticks "${PIDS[$i]}")
    rss_list+="$(status_kb "${PIDS[$i]}" VmRSS),"
    anon_list+="$(status_kb "${PIDS[$i]}" RssAnon),"
    file_list+="$(status_kb "${PIDS[$i]}" RssFile),"
    thr_list+="$(status_kb "${PIDS[$i]}" Threads),"
    pss_list+="$(pss_kb "${PIDS[$i]}"),"
    cpu_list+="$((c1[i] - c0[i])),"
    sched_list+="$((s1[i] - s0[i])),"
  done
  local win; win=$(fcalc "$t_i1 - $t_i0")
  local up=null ub=null tp=null tb=null drops=null
  if ((CAPTURE)); then
    kill -TERM "$TCPDUMP_PID" 2>/dev/null || true
    wait_gone "$TCPDUMP_PID" 5 || kill -KILL "$TCPDUMP_PID" 2>/dev/null || true
    wait "$TCPDUMP_PID" 2>/dev/null || true
    TCPDUMP_PID=""
    drops=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$WD/tcpdump.err")
    [[ -n "$drops" ]] || drops=null
    # -q: "... UDP, length L" (UDP payload) or "... tcp L" (TCP payload);
    # -tt: the epoch time first. The capture starts before the window and
    # ends after the CPU and memory reads that follow it, which take a
    # second or two on a loaded machine: only packets inside the window
    # count, so that the figures per second divide by the right time.
    read -r up ub tp tb < <(tcpdump -r "$pcap" -tt -nn -q 2>/dev/null |
      awk -v t0="$t_i0" -v t1="$t_i1" '
      $1 + 0 < t0 + 0 || $1 + 0 >= t1 + 0 {next}
      / UDP, length / {up++; ub += $NF} / tcp [0-9]+$/ {tp++; tb += $NF}
      END {printf "%d %d %d %d\n", up, ub, tp, tb}')
  fi
  log "idle ${win}s: cpu ticks [${cpu_list%,}] rss kB [${rss_list%,}] udp pkts $up bytes $ub"

  # -- kill -9 the last agent -> all others see it failed
  local remain_k="" remain_l=""
  for i in $all; do ((i != KILL_IDX)) && remain_k+="$i "; done
  for i in $remain_k; do ((i != LEAVE_IDX)) && remain_l+="$i "; done
  local fail; rc=0
  fail=$("$PY" "$POLLER" wait --system "$PS" --addrs "$(addr_list $remain_k)" --t0 0 \
    --signal-pid "${PIDS[$KILL_IDX]}:KILL" --interval "$POLL_S" --timeout "$DETECT_TIMEOUT_S" \
    --node "node-$KILL_IDX" --status failed --detail "$WD/wait-fail.txt") || rc=$?
  fail=$(as_json "$fail")
  log "kill -9 node-$KILL_IDX: $fail"

  # -- graceful leave of node-(N/2) -> all remaining see it left
  local left; rc=0
  local -a how
  if [[ $SYS == serf ]]; then
    how=(--spawn "exec $SERF leave -rpc-addr=$(rpc_addr "$LEAVE_IDX")")
  else
    how=(--signal-pid "${PIDS[$LEAVE_IDX]}:INT")
  fi
  left=$("$PY" "$POLLER" wait --system "$PS" --addrs "$(addr_list $remain_l)" --t0 0 "${how[@]}" \
    --interval "$POLL_S" --timeout "$DETECT_TIMEOUT_S" --node "node-$LEAVE_IDX" --status left \
    --detail "$WD/wait-leave.txt") || rc=$?
  left=$(as_json "$left")
  log "leave node-$LEAVE_IDX: $left"
  local t_leave0 leaver_exit=null
  t_leave0=$(jnum t0 "$left")
  if wait_gone "${PIDS[$LEAVE_IDX]}" 20 && [[ $t_leave0 != null ]]; then leaver_exit=$(fcalc "$(now) - $t_leave0"); fi

  # -- final checks: every remaining agent's full view; one CLI call; the logs
  local check; rc=0
  check=$("$PY" "$POLLER" check --system "$PS" --addrs "$(addr_list $remain_l)" \
    --expect "alive=$((N - 2)),failed=1,left=1" --name-status "node-$KILL_IDX=failed,node-$LEAVE_IDX=left") || rc=$?
  check=$(as_json "$check")
  local cli_ok=false out
  if [[ $SYS == serf ]]; then
    out=$(timeout 10 "$SERF" members -rpc-addr="$(rpc_addr 1)" -format=json 2>&1 || true)
  else
    out=$(timeout 10 "$RUMOR" members --peer "$(gossip_addr 1)" --json 2>&1 || true)
  fi
  printf '%s\n' "$out" >"$WD/cli-members.json"
  if "$PY" "$HERE/compare_report.py" --check-cli "$WD/cli-members.json" "$N" "node-$KILL_IDX" "node-$LEAVE_IDX" >/dev/null 2>&1; then
    cli_ok=true
  fi
  local logs
  logs=$("$PY" "$HERE/compare_report.py" --scan-logs "$WD" "$SYS" "node-$KILL_IDX" "node-$LEAVE_IDX" || true)
  logs=$(as_json "$logs")
  log "final check: $check cli_ok=$cli_ok logs: $logs"

  # -- stop everything of this cluster
  kill_all
  for i in $all; do
    if is_running "${PIDS[$i]}"; then log "agent node-$i (pid ${PIDS[$i]}) survived SIGKILL?"; fi
  done

  {
    printf '{"system":"%s","n":%d,"repeat":%d,"profile":"%s","stamp":"%s"' "$SYS" "$N" "$rep" "$PROFILE" "$STAMP"
    printf ',"gossip_port_base":%d,"rumor_rev":"%s","serf_version":"%s","machine":"%s"' "$GBASE" "$RUMOR_REV" "$SERF_VER" "$MACHINE"
    printf ',"launch_s":%s,"seed_ready_s":%s' "$(fcalc "$t_launched - $t_start")" "$(fcalc "$t_seed - $t_start")"
    printf ',"converge":%s' "$conv"
    printf ',"idle_window_s":%s,"clk_tck":%d' "$win" "$CLK_TCK"
    printf ',"cpu_ticks":[%s],"cpu_ns":[%s]' "${cpu_list%,}" "${sched_list%,}"
    printf ',"rss_kb":[%s],"rss_anon_kb":[%s],"rss_file_kb":[%s],"pss_kb":[%s],"threads":[%s]' \
      "${rss_list%,}" "${anon_list%,}" "${file_list%,}" "${pss_list%,}" "${thr_list%,}"
    printf ',"capture":%s,"udp_pkts":%s,"udp_bytes":%s,"tcp_pkts":%s,"tcp_bytes":%s,"capture_drops":%s' \
      "$([[ $CAPTURE == 1 ]] && echo true || echo false)" "$up" "$ub" "$tp" "$tb" "$drops"
    printf ',"snmp_udp_out":%d' "$((udp1 - udp0))"
    printf ',"load1_start":%s,"load1_idle":%s' "$load_start" "$load_idle"
    printf ',"kill_idx":%d,"fail":%s' "$KILL_IDX" "$fail"
    printf ',"leave_idx":%d,"leave":%s,"leaver_exit_s":%s' "$LEAVE_IDX" "$left" "$leaver_exit"
    printf ',"final_check":%s,"cli_check_ok":%s,"logs":%s}\n' "$check" "$cli_ok" "$logs"
  } >>"$JSONL"
  sleep 2
}

# ---- the matrix: for each repeat, for each N, every system back to back ---------------
for ((rep = 1; rep <= REPEAT; rep++)); do
  for n in $SIZES; do
    for sys in $SYSTEMS; do
      run_one "$sys" "$n" "$rep"
    done
  done
done

"$PY" "$REPORT" "$JSONL"
log "raw numbers: $JSONL"
