#!/usr/bin/env bash
# Runs the simulator experiments behind docs/simulation.md, one table per
# command, and prints each table as Markdown.
#
#   Simulations/experiments.sh TABLE [OUT]
#
# TABLE is one of:
#   stall        Lifeguard's Interval grid, members cut off (--stall-mode isolate)
#   stall-pause  the same grid, members frozen (--stall-mode pause)
#   gray         Rapid's gray failures at 1,000 members, Lifeguard on and off
#   joinstorm    1,000, 1,500 and 2,000 members joining through one seed
#   scaling      first detection, dissemination and load at 10, 100, 1,000 members
#   stall-guard  the stall grid again with --guarded-accusations (Lifeguard on),
#                against the stall table's runs (run `stall` first)
#   gray-guard   the gray runs again with --guarded-accusations, alone, with
#                --flap-quarantine 60, and with --stand-down 30 too, against `gray`'s
#   crash-guard  crash detection at 100 and 1,000 members, guard on and off
#   tradeoff     detection time against false deaths and load at 200 members under
#                0 / 1 / 5 % loss: memberlist's defaults, adaptive probe timeouts,
#                the guard, and the guard with a lower suspicion multiplier
#   tradeoff-loss  the same without TCP fallback pings at 10 % (10 seeds) and 20 % loss
#   presets     the memberlist and rumor presets side by side: crash under 0/10/20 %
#                loss, the cut-off stall, gray failures, a pause and a 60 s partition
#   gray-small  the gray member at 4 and 8 members, Rapid's scenario and the namespace
#                lab's (the lossy member alone, --no-flip-flop), memberlist, rumor and
#                rumor without the guard; GRAY_SEEDS (environment) seeds (default 256)
#   all          every table above, in that order
# OUT is the output folder (default sim-out). Every run writes one JSON line
# to OUT/TABLE/NAME.json; a run whose file exists is not run again, so an
# interrupted table resumes where it stopped (delete the folder to start
# afresh). The table goes to OUT/TABLE.md and to standard output.
#
# JOBS (environment) sets how many runs go in parallel (default: nproc).
# PRESET_VARIANTS (environment) limits the presets table to some of its
# variants (default: "memberlist rumor rumorq").
# Needs bash, jq and a Swift 6 toolchain. Run from anywhere in the package.
set -euo pipefail

usage() {
  sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
table=$1
out=${2:-sim-out}
case $table in
  stall | stall-pause | gray | joinstorm | scaling | stall-guard | gray-guard | crash-guard | \
    tradeoff | tradeoff-loss | presets | gray-small | all) ;;
  *) usage ;;
esac
command -v jq >/dev/null || {
  echo "experiments.sh: jq is needed to build the tables" >&2
  exit 1
}

root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-$(nproc)}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# One release build for all runs, in its own scratch folder so that it does
# not disturb a development build in .build.
echo "building rumor-sim (release)…" >&2
swift build -c release --package-path "$root" --scratch-path "$root/.build-exp" \
  --product rumor-sim >&2
# Every run of this invocation uses this copy, so a rebuild meanwhile
# cannot mix two builds in one table.
sim="$out/.rumor-sim"
cp "$root/.build-exp/release/rumor-sim" "$sim"

# run_grid DIR < lines of "NAME ARGS…": runs each line not yet done, JOBS at
# a time, writing DIR/NAME.json.
run_grid() {
  local dir=$1
  mkdir -p "$dir"
  local pending="$dir/.pending"
  : >"$pending"
  local total=0
  while read -r name args; do
    [[ -z $name ]] && continue
    total=$((total + 1))
    [[ -s "$dir/$name.json" ]] || printf '%s %s\n' "$name" "$args" >>"$pending"
  done
  local todo
  todo=$(wc -l <"$pending")
  echo "$(basename "$dir"): $todo of $total runs to do, $jobs at a time" >&2
  # xargs gives each line to a fresh bash; a run writes to a temporary file
  # first so that an interrupted run leaves nothing behind.
  # A run that names no preset gets the settings every table was first
  # measured with: memberlist's behaviour, three join follow-up syncs (the
  # default before presets existed), the first push-pull within the
  # first interval, quiet merges and direct announcements (every
  # preset's before the memberlist preset took memberlist's behaviour).
  SIM=$sim DIR=$dir xargs -r -P "$jobs" -L 1 bash -c '
    name=$0
    base=(--preset memberlist --join-follow-up-syncs 3 --early-first-push-pull --quiet-merges
      --direct-announcements)
    [[ " $* " == *" --preset "* ]] && base=()
    "$SIM" "${base[@]}" "$@" --json >"$DIR/$name.tmp" && mv "$DIR/$name.tmp" "$DIR/$name.json"
  ' <"$pending"
  rm -f "$pending"
}

# all_runs DIR: every run of DIR as one JSON array.
all_runs() { cat "$1"/*.json | jq -s '.'; }

# jq helpers shared by the tables.
jq_lib='
  def median: sort | if length == 0 then null
    elif length % 2 == 1 then .[length / 2 | floor]
    else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def fmt($digits): if . == null then "–"
    else (. * pow(10; $digits) | round) / pow(10; $digits) | tostring end;
  def spread($digits): . as $all | map(select(. != null)) as $v
    | (if ($v | length) == 0 then "never"
       else "\($v | median | fmt($digits)) (\($v | min | fmt($digits))–\($v | max | fmt($digits)))" end)
      + (if ($v | length) > 0 and ($v | length) < ($all | length)
         then "; never in \(($all | length) - ($v | length)) of \($all | length)" else "" end);
  def ratios: map(select(. != null)) | if length == 0 then "–"
    else "\(median | fmt(2)) % (\(min | fmt(2))–\(max | fmt(2)))" end;
  def pct($part; $whole): if $whole == 0 then "–" else ($part / $whole * 100 | fmt(2)) + " %" end;
'

# The figures of the gray tables, one row each: [text, JSON key, digits].
jq_gray='
  def gray_figures: [
          ["healthy members declared dead by a healthy member", "healthy_declared_dead_by_healthy", 0],
          ["healthy members declared dead by anyone (faulty observers included)", "healthy_declared_dead", 0],
          ["FP- events (failure events about healthy members at healthy members)", "false_deaths_at_healthy", 0],
          ["false suspicions (suspicion events about healthy members)", "false_suspicions", 0],
          ["lossy members ever declared dead by a healthy member (of 10)", "lossy_declared_dead_by_healthy", 0],
          ["first lossy member declared dead (s)", "lossy_first_dead_s", 1],
          ["all lossy members out of every healthy view (s)", "lossy_removed_s", 1],
          ["lossy re-admissions at healthy members", "lossy_readmissions_at_healthy", 0],
          ["most re-admissions of one lossy member at one healthy member", "lossy_most_readmissions_in_one_view", 0],
          ["(healthy member, lossy member) pairs in view at the end (of 9,800)", "lossy_in_healthy_views_end", 0],
          ["flip-floppers ever declared dead by a healthy member (of 10)", "flipflop_declared_dead_by_healthy", 0],
          ["first flip-flopper declared dead (s)", "flipflop_first_dead_s", 1],
          ["all flip-floppers out of every healthy view (s)", "flipflop_removed_s", 1],
          ["flip-flopper re-admissions at healthy members", "flipflop_readmissions_at_healthy", 0],
          ["most re-admissions of one flip-flopper at one healthy member", "flipflop_most_readmissions_in_one_view", 0],
          ["(healthy member, flip-flopper) pairs in view at the end (of 9,800)", "flipflop_in_healthy_views_end", 0],
          ["all 20 faulty members out of every healthy view (s)", "faulty_removed_s", 1],
          ["view changes per healthy member during the run", "view_changes_per_healthy_node", 1],
          ["view changes per healthy member after all faulty members were out", "view_changes_after_removal_per_healthy_node", 1],
          ["packets sent per member per second", "window_msgs_per_node_per_s", 2],
          ["bytes sent per member per second", "window_bytes_per_node_per_s", 0]
  ];
  # One table row per figure: median (min-max) of each column, a list of
  # run groups.
  def gray_rows($columns): gray_figures[] as [$figure, $key, $digits]
    | "| \($figure) | \($columns | map(map(.[$key]) | spread($digits)) | join(" | ")) |";
'

stall_grid() {
  local mode=$1 intervals=$2
  local seed c d i lg
  for seed in 1 2 3; do
    for c in 1 2 4 8 16 32; do
      for d in 0.128 0.512 2.048 8.192 16.384 32.768; do
        for i in $intervals; do
          for lg in on off; do
            local flag=""
            [[ $lg == off ]] && flag="--no-lifeguard"
            echo "c${c}-d${d}-i${i}-lg${lg}-s${seed} --nodes 128 --scenario stall" \
              "--stall-mode $mode --affected $c --fault-seconds $d --interval-seconds $i" \
              "--duration 120 --seed $seed $flag"
          done
        done
      done
    done
  done
}

stall_table() {
  local dir=$1 title=$2
  all_runs "$dir" | jq -r "$jq_lib"'
    def totals: {
      fp: (map(.false_deaths) | add), fpm: (map(.false_deaths_at_healthy) | add),
      fpf: ((map(.false_deaths) | add) - (map(.false_deaths_at_healthy) | add)),
      out: (map(.faulty_alive_declared_dead) | add), sus: (map(.suspicion_events) | add),
      dead: (map(.healthy_declared_dead_by_healthy) | add), runs: length };
    # One row per value of $key: SWIM against Lifeguard, summed over the rest.
    def breakdown($key; $heading):
      "| \($heading) | SWIM FP | Lifeguard FP | % | SWIM FP- | Lifeguard FP- | % |",
      "|---|---|---|---|---|---|---|",
      (group_by(.[$key])[] | (map(select(.lifeguard | not)) | totals) as $s
        | (map(select(.lifeguard)) | totals) as $l
        | "| \(.[0][$key]) | \($s.fp) | \($l.fp) | \(pct($l.fp; $s.fp)) | \($s.fpm) | \($l.fpm) | \(pct($l.fpm; $s.fpm)) |");
    (map(select(.lifeguard | not)) | totals) as $swim
    | (map(select(.lifeguard)) | totals) as $lg
    | (group_by(.seed) | map(
        (map(select(.lifeguard | not)) | totals) as $s | (map(select(.lifeguard)) | totals) as $l
        | { fp: (if $s.fp == 0 then null else $l.fp / $s.fp * 100 end),
            fpm: (if $s.fpm == 0 then null else $l.fpm / $s.fpm * 100 end) })) as $seeds
    | "### '"$title"'",
      "",
      "\(length) runs: \($seeds | length) seeds × C ∈ \(map(.affected) | unique) × D ∈ \(map(.fault_s) | unique) s × I ∈ \(map(.interval_s) | unique) s × Lifeguard on/off; \(.[0].nodes) members, \(.[0].duration_s) s of cycles each.",
      "",
      "| config | FP events | FP- events | FP % SWIM | FP- % SWIM | FP raised at stalled members | stalled members declared dead (not FP) | suspicion events | healthy members declared dead by healthy (sum over runs) |",
      "|---|---|---|---|---|---|---|---|---|",
      "| SWIM (`--no-lifeguard`) | \($swim.fp) | \($swim.fpm) | 100 % | 100 % | \($swim.fpf) | \($swim.out) | \($swim.sus) | \($swim.dead) |",
      "| Lifeguard | \($lg.fp) | \($lg.fpm) | \(pct($lg.fp; $swim.fp)) | \(pct($lg.fpm; $swim.fpm)) | \($lg.fpf) | \($lg.out) | \($lg.sus) | \($lg.dead) |",
      "",
      "Lifeguard as % of SWIM per seed, median (min–max): FP \($seeds | map(.fp) | ratios), FP- \($seeds | map(.fpm) | ratios) (– where SWIM had none).",
      "",
      breakdown("affected"; "C stalled"),
      "",
      breakdown("fault_s"; "D (s)"),
      "",
      breakdown("interval_s"; "I (s)")
  '
}

gray_grid() {
  local seed lg
  for seed in 1 2 3; do
    for lg in on off; do
      local flag=""
      [[ $lg == off ]] && flag="--no-lifeguard"
      echo "n1000-lg${lg}-s${seed} --nodes 1000 --scenario gray --duration 240 --seed $seed $flag"
    done
  done
}

gray_table() {
  all_runs "$1" | jq -r "$jq_lib$jq_gray"'
    "### Gray failures, 1,000 members",
    "",
    "Median (min–max) over \(map(.seed) | unique | length) seeds; 10 lossy and 10 flip-flopping members; 240 s after the faults begin. Times in seconds from the start of the faults.",
    "",
    "| figure | Lifeguard | SWIM (`--no-lifeguard`) |",
    "|---|---|---|",
    ((group_by(.lifeguard) | reverse) as [$on, $off]
    | gray_rows([$on, $off]))
  '
}

joinstorm_grid() {
  local seed n
  for seed in 1 2 3; do
    for n in 1000 1500 2000; do
      echo "n${n}-s${seed} --nodes $n --scenario converge --duration 30 --view-sizes --seed $seed"
    done
  done
}

joinstorm_table() {
  all_runs "$1" | jq -r "$jq_lib"'
    "### Join storm: every member joins through one seed within 100 ms",
    "",
    "Median (min–max) over \(map(.seed) | unique | length) seeds.",
    "",
    "| members | all see all (s) | distinct view sizes per member, mean | most distinct sizes at one member | packets/member/s after | peak RSS (MB) |",
    "|---|---|---|---|---|---|",
    (group_by(.nodes)[]
      | "| \(.[0].nodes) | \(map(.converge_s) | spread(2)) | \(map(.distinct_view_sizes_mean) | spread(1)) | \(map(.distinct_view_sizes_max) | spread(0)) | \(map(.window_msgs_per_node_per_s) | spread(2)) | \(map(.peak_rss_mb) | spread(0)) |")
  '
}

scaling_grid() {
  local n seeds seed
  for n in 10 100 1000; do
    seeds=20
    [[ $n == 1000 ]] && seeds=3
    for ((seed = 1; seed <= seeds; seed++)); do
      echo "crash-n${n}-s${seed} --nodes $n --scenario crash --duration 60 --seed $seed"
      echo "leave-n${n}-s${seed} --nodes $n --scenario leave --duration 30 --seed $seed"
    done
    for ((seed = 1; seed <= 3; seed++)); do
      echo "converge-n${n}-s${seed} --nodes $n --scenario converge --duration 240 --seed $seed"
    done
  done
}

scaling_table() {
  all_runs "$1" | jq -r "$jq_lib"'
    def pooled($key): map(.[$key][]) | map(select(. != null));
    def periods: map(.probe_interval_s as $period
      | .suspect_first_each_s[] | select(. != null) / $period);
    def mean: if length == 0 then null else add / length end;
    "### First detection, dissemination and load against n",
    "",
    "crash: 1 % of members (at least 1) killed 1 s after convergence; leave: the same number leave gracefully; quiet: a converge run of 240 s, load over its second half. First-detection and dissemination figures pool every departure of every seed; loads are median (min–max) over seeds.",
    "",
    "| n | crash runs / departures | first suspicion, mean (periods) | median | p90 | max | first failure notice, median (s) | failure known to all, median (s) | failure: first notice to all (s) | leave: first notice to all (s) | ln n |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    (group_by(.nodes)[] | . as $runs
      | ($runs | map(select(.scenario == "crash"))) as $crash
      | ($runs | map(select(.scenario == "leave"))) as $leave
      | ($crash | periods | sort) as $first
      | "| \($runs[0].nodes) | \($crash | length) / \($first | length) | \($first | mean | fmt(2)) | \($first | median | fmt(2)) | \($first[(($first | length) * 0.9 | floor)] | fmt(2)) | \($first | max | fmt(2)) | \($crash | map(.detect_first_s) | median | fmt(2)) | \($crash | map(.detect_all_s) | median | fmt(2)) | \($crash | pooled("disseminate_each_s") | median | fmt(2)) | \($leave | pooled("disseminate_each_s") | median | fmt(2)) | \($runs[0].nodes | log | fmt(2)) |"),
    "",
    "| n | quiet: packets sent/member/s | quiet: bytes sent/member/s | quiet: p99 / max bytes/s over members | quiet: TCP streams/member/s | after 1 % crashes: packets/member/s | after 1 % crashes: bytes/member/s |",
    "|---|---|---|---|---|---|---|",
    (group_by(.nodes)[] | . as $runs
      | ($runs | map(select(.scenario == "converge"))) as $quiet
      | ($runs | map(select(.scenario == "crash"))) as $crash
      | "| \($runs[0].nodes) | \($quiet | map(.window_msgs_per_node_per_s) | spread(2)) | \($quiet | map(.window_bytes_per_node_per_s) | spread(0)) | \($quiet | map(.window_bytes_per_node_per_s_p99) | median | fmt(0)) / \($quiet | map(.window_bytes_per_node_per_s_max) | median | fmt(0)) | \($quiet | map(.window_streams_per_node_per_s) | spread(3)) | \($crash | map(.window_msgs_per_node_per_s) | spread(2)) | \($crash | map(.window_bytes_per_node_per_s) | spread(0)) |")
  '
}

# The stall grid with guarded accusations, Lifeguard on; same names as the
# stall grid's, with "lgguard" for "lgon", so that every run has a twin.
stall_guard_grid() {
  local seed c d i
  for seed in 1 2 3; do
    for c in 1 2 4 8 16 32; do
      for d in 0.128 0.512 2.048 8.192 16.384 32.768; do
        for i in 0.016 1.024 16.384; do
          echo "c${c}-d${d}-i${i}-lgguard-s${seed} --nodes 128 --scenario stall" \
            "--stall-mode isolate --affected $c --fault-seconds $d --interval-seconds $i" \
            "--duration 120 --seed $seed --guarded-accusations"
        done
      done
    done
  done
}

# stall_guard_table GUARD_DIR BASE_DIR: the guarded runs against their SWIM
# and Lifeguard twins (only cells with all three runs count).
stall_guard_table() {
  local guard=$1 base=$2
  { cat "$guard"/*.json; cat "$base"/*.json; } | jq -s -r "$jq_lib"'
    def cell: "\(.affected)-\(.fault_s)-\(.interval_s)-\(.seed)";
    def variant: if .guarded_accusations then "guard" elif .lifeguard then "lg" else "swim" end;
    def totals: {
      fp: (map(.false_deaths) | add // 0), fpm: (map(.false_deaths_at_healthy) | add // 0),
      fpf: ((map(.false_deaths) | add // 0) - (map(.false_deaths_at_healthy) | add // 0)),
      out: (map(.faulty_alive_declared_dead) | add // 0), sus: (map(.suspicion_events) | add // 0),
      fs: (map(.false_suspicions) | add // 0),
      dead: (map(.healthy_declared_dead_by_healthy) | add // 0),
      deadruns: (map(select(.healthy_declared_dead_by_healthy > 0)) | length), runs: length };
    # One row per value of $key of the runs given: Lifeguard against the guard.
    def guarded($key; $heading):
      "| \($heading) | Lifeguard FP | guarded FP | Lifeguard FP- | guarded FP- |",
      "|---|---|---|---|---|",
      (group_by(.[$key])[] | (map(select(variant == "lg")) | totals) as $l
        | (map(select(variant == "guard")) | totals) as $x
        | "| \(.[0][$key]) | \($l.fp) | \($x.fp) | \($l.fpm) | \($x.fpm) |");
    (group_by(cell) | map(select(length == 3)) | flatten) as $runs
    | ($runs | map(select(variant == "swim")) | totals) as $swim
    | ($runs | map(select(variant == "lg")) | totals) as $lg
    | ($runs | map(select(variant == "guard")) | totals) as $g
    | def row($name; $t): "| \($name) | \($t.fp) | \($t.fpm) | \(pct($t.fp; $swim.fp)) | \(pct($t.fpm; $swim.fpm)) | \($t.fpf) | \($t.out) | \($t.fs) | \(pct($t.fs; $swim.fs)) | \($t.dead) | \($t.deadruns) of \($t.runs) |";
      "### Stalled members cut off, guarded accusations",
      "",
      "\($runs | length / 3) cells (\($runs | map(.seed) | unique | length) seeds × C ∈ \($runs | map(.affected) | unique) × D ∈ \($runs | map(.fault_s) | unique) s × I ∈ \($runs | map(.interval_s) | unique) s), each run three ways; 128 members, 120 s of cycles each.",
      "",
      "| config | FP events | FP- events | FP % SWIM | FP- % SWIM | FP raised at stalled members | stalled members declared dead (not FP) | false suspicions | false suspicions % SWIM | healthy members declared dead by healthy (sum over runs) | runs with any |",
      "|---|---|---|---|---|---|---|---|---|---|---|",
      row("SWIM (`--no-lifeguard`)"; $swim),
      row("Lifeguard"; $lg),
      row("Lifeguard + `--guarded-accusations`"; $g),
      "",
      ($runs | guarded("affected"; "C stalled")),
      "",
      ($runs | guarded("fault_s"; "D (s)")),
      "",
      ($runs | guarded("interval_s"; "I (s)"))
  '
}

gray_guard_grid() {
  local seed
  for seed in 1 2 3; do
    echo "n1000-lgguard-s${seed} --nodes 1000 --scenario gray --duration 240 --seed $seed" \
      "--guarded-accusations"
    echo "n1000-lgguardq-s${seed} --nodes 1000 --scenario gray --duration 240 --seed $seed" \
      "--guarded-accusations --flap-quarantine 60"
    echo "n1000-lgguardqs-s${seed} --nodes 1000 --scenario gray --duration 240 --seed $seed" \
      "--guarded-accusations --flap-quarantine 60 --stand-down 30"
  done
}

# gray_guard_table GUARD_DIR BASE_DIR
gray_guard_table() {
  { cat "$1"/*.json; cat "$2"/*.json; } | jq -s -r "$jq_lib$jq_gray"'
    "### Gray failures, 1,000 members, guarded accusations",
    "",
    "Median (min–max) over seeds \(map(.seed) | unique); 10 lossy and 10 flip-flopping members; 240 s after the faults begin. Times in seconds from the start of the faults.",
    "",
    "| figure | guard + quarantine + `--stand-down 30` | guard + `--flap-quarantine 60` | Lifeguard + `--guarded-accusations` | Lifeguard | SWIM (`--no-lifeguard`) |",
    "|---|---|---|---|---|---|",
    (map(select(.guarded_accusations and (.stand_down_s // 0) > 0)) as $s
    | map(select(.guarded_accusations and (.flap_quarantine_s // 0) > 0 and (.stand_down_s // 0) == 0)) as $q
    | map(select(.guarded_accusations and (.flap_quarantine_s // 0) == 0)) as $g
    | map(select(.lifeguard and (.guarded_accusations | not))) as $on
    | map(select(.lifeguard | not)) as $off
    | gray_rows([$s, $q, $g, $on, $off]))
  '
}

crash_guard_grid() {
  local n seed g
  for n in 100 1000; do
    for seed in 1 2 3; do
      for g in off on; do
        local flag=""
        [[ $g == on ]] && flag="--guarded-accusations"
        echo "crash-n${n}-g${g}-s${seed} --nodes $n --scenario crash --duration 60 --seed $seed $flag"
      done
    done
  done
}

crash_guard_table() {
  all_runs "$1" | jq -r "$jq_lib"'
    def mean: if length == 0 then null else add / length end;
    "### Crash detection with the guard on and off",
    "",
    "1 % of the members (at least one) killed 1 s after convergence; seeds \(map(.seed) | unique); every departure pooled. Times in seconds from the kill.",
    "",
    "| n | guard | departures | first suspicion, median | first failure notice, median (per run) | failure known to all, median (per run) | failure known to all, max | false suspicions | false deaths | packets/member/s |",
    "|---|---|---|---|---|---|---|---|---|---|",
    (group_by(.nodes)[] | group_by(.guarded_accusations)[]
      | (map(.suspect_first_each_s[]) | map(select(. != null))) as $first
      | "| \(.[0].nodes) | \(if .[0].guarded_accusations then "on" else "off" end) | \($first | length) | \($first | median | fmt(2)) | \(map(.detect_first_s) | spread(2)) | \(map(.detect_all_s) | spread(2)) | \(map(.detect_all_s) | max | fmt(2)) | \(map(.false_suspicions) | add) | \(map(.false_deaths) | add) | \(map(.window_msgs_per_node_per_s) | spread(2)) |")
  '
}

# Variants for the trade-off: NAME and rumor-sim flags. With TCP fallback
# pings on (memberlist's default), the simulator's lossless streams rescue
# every probe that packet loss alone would fail, so the variants are run
# with them off too.
tradeoff_variants() {
  cat <<'VARIANTS'
default
alpha3 --suspicion-multiplier 3
alpha2 --suspicion-multiplier 2
guard --guarded-accusations
guard-alpha3 --guarded-accusations --suspicion-multiplier 3
guard-alpha2 --guarded-accusations --suspicion-multiplier 2
VARIANTS
}

tradeoff_grid() {
  local loss seed name flags
  for seed in 1 2 3; do
    for loss in 0 0.01 0.05; do
      while read -r name flags; do
        echo "tcp-${name}-l${loss}-s${seed} --nodes 200 --scenario crash --affected 4" \
          "--loss $loss --duration 60 --seed $seed $flags"
      done < <(tradeoff_variants; printf '%s\n' "refused --fast-crash-detection" \
        "guard-refused --guarded-accusations --fast-crash-detection")
    done
    for loss in 0 0.01 0.05 0.1; do
      while read -r name flags; do
        echo "notcp-${name}-l${loss}-s${seed} --nodes 200 --scenario crash --affected 4" \
          "--loss $loss --duration 60 --seed $seed --no-tcp-pings $flags"
      done < <(tradeoff_variants)
    done
  done
}

# More seeds and more loss for the variants that differ in false deaths:
# TCP fallback pings off, 10 % loss with seeds 1 to 10 and 20 % loss with
# seeds 1 to 3 (a 20 % run takes about 40 s).
tradeoff_loss_grid() {
  local loss seed name flags
  for seed in 1 2 3 4 5 6 7 8 9 10; do
    for loss in 0.1 0.2; do
      [[ $loss == 0.2 && $seed -gt 3 ]] && continue
      while read -r name flags; do
        echo "notcp-${name}-l${loss}-s${seed} --nodes 200 --scenario crash --affected 4" \
          "--loss $loss --duration 60 --seed $seed --no-tcp-pings $flags"
      done < <(tradeoff_variants)
    done
  done
}

tradeoff_table() {
  all_runs "$1" | jq -r "$jq_lib"'
    def variant: [if .guarded_accusations then "guard" else null end,
      if .fast_crash_detection then "refused = dead" else null end,
      if .suspicion_multiplier != 4 then "α = \(.suspicion_multiplier)" else null end]
      | map(select(. != null)) | if length == 0 then "memberlist defaults (α = 4)" else join(" + ") end;
    "### Detection time against false positives and load, 200 members",
    "",
    "crash: 4 members killed 1 s after convergence, 60 s; uniform loss on every datagram; seeds \(map(.seed) | unique) per cell, departures pooled. Detection times in seconds from the kill; false suspicions and false deaths summed over the seeds; load over the 60 s after the kill, median over seeds.",
    ((group_by(.tcp_pings) | reverse)[] | "",
    "TCP fallback pings \(if .[0].tcp_pings then "on (memberlist'"'"'s default)" else "off (`--no-tcp-pings`)" end):",
    "",
    "| loss | variant | first suspicion, median | first failure notice, median | known to all, median | known to all, max | false suspicions | false deaths | FP- (healthy at healthy) | packets/member/s | bytes/member/s |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    (group_by(.loss)[] | group_by(variant)
      | sort_by([.[0].fast_crash_detection, .[0].guarded_accusations,
          -.[0].suspicion_multiplier])[]
      | (map(.suspect_first_each_s[]) | map(select(. != null))) as $sus
      | "| \(.[0].loss * 100 | fmt(0)) % | \(.[0] | variant) | \($sus | median | fmt(2)) | \(map(.detect_first_s) | median | fmt(2)) | \(map(.detect_all_s) | median | fmt(2)) | \(map(.detect_all_s) | max | fmt(2)) | \(map(.false_suspicions) | add) | \(map(.false_deaths) | add) | \(map(.false_deaths_at_healthy) | add) | \(map(.window_msgs_per_node_per_s) | median | fmt(2)) | \(map(.window_bytes_per_node_per_s) | median | fmt(0)) |"))
  '
}

# The two presets on the scenarios the default was decided by (issue 15,
# docs/simulation.md "Presets"): crash under loss (streams lossy too), the
# cut-off stall, gray failures, a frozen member and a 60 s partition.
presets_grid() {
  local seed preset variant loss c d
  # rumorq: the rumor preset with the flap quarantine on (60 s), which the
  # first version of the preset had. Every fault starts 160 s into the run
  # (--fault-after), when every preset has converged: the rumor preset's
  # join follow-up syncs converge in seconds where memberlist, which makes
  # its first push-pull a random stagger and a whole scaled interval after
  # the start, takes up to 150 s at 200 members; a fault one second after
  # convergence would meet the rumor preset's cluster younger, with the
  # whole-run averages over a shorter quiet join. (Tables before the
  # memberlist preset took memberlist's first push-pull used 40 s.)
  # rumorm: the rumor preset with memberlist's merges (--quiet-merges=false).
  for variant in ${PRESET_VARIANTS:-memberlist rumor rumorq}; do
    preset=$variant
    [[ $variant == rumorq ]] && preset="rumor --flap-quarantine 60"
    [[ $variant == rumorm ]] && preset="rumor --quiet-merges=false"
    for seed in 1 2 3; do
      for loss in 0 0.1 0.2; do
        echo "crash-l${loss}-${variant}-s${seed} --preset $preset --fault-after 160 --nodes 200 --scenario crash" \
          "--affected 4 --loss $loss --stream-loss --duration 60 --seed $seed"
      done
      for c in 1 8 32; do
        for d in 0.512 8.192 32.768; do
          echo "stall-c${c}-d${d}-${variant}-s${seed} --preset $preset --fault-after 160 --nodes 128 --scenario stall" \
            "--stall-mode isolate --affected $c --fault-seconds $d --interval-seconds 16.384" \
            "--duration 120 --seed $seed"
        done
      done
      echo "gray-${variant}-s${seed} --preset $preset --fault-after 160 --nodes 200 --scenario gray --duration 120" \
        "--seed $seed"
      echo "pause-${variant}-s${seed} --preset $preset --fault-after 160 --nodes 100 --scenario pause --loss 0.02" \
        "--fault-seconds 10 --duration 60 --seed $seed"
      echo "partition-${variant}-s${seed} --preset $preset --fault-after 160 --nodes 20 --scenario partition" \
        "--fault-seconds 60 --duration 150 --seed $seed"
    done
  done
}

presets_table() {
  all_runs "$1" | jq -r "$jq_lib"'
    def preset: if .fast_crash_detection and .guarded_accusations and .flap_quarantine_s > 0
        then "rumor + flap quarantine \(.flap_quarantine_s) s"
      elif .fast_crash_detection and .guarded_accusations and .quiet_merges == false
        then "rumor, memberlist'"'"'s merges"
      elif .fast_crash_detection and .guarded_accusations then "rumor"
      elif (.fast_crash_detection or .guarded_accusations) | not then "memberlist" else "mixed" end;
    def case: if .scenario == "crash" then "crash, \(.loss * 100 | fmt(0)) % loss"
      elif .scenario == "stall" then "cut-off stall, \(.affected) × \(.fault_s) s"
      else .scenario end;
    def sum(f): map(f // 0) | add;
    "| case | preset | runs | first notice (s), median | known to all (s), median / max | false suspicions | false deaths (FP) | FP- (healthy at healthy) | healthy declared dead | back to one view (s), median | packets/member/s | bytes/member/s |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    (group_by([.scenario, .loss, .affected, .fault_s])[] | group_by(preset) | sort_by(.[0] | preset)[]
      | "| \(.[0] | case) | \(.[0] | preset) | \(length) | \(map(.detect_first_s) | map(select(. != null)) | median | fmt(2)) | \(map(.detect_all_s) | map(select(. != null)) | median | fmt(2)) / \(map(.detect_all_s) | map(select(. != null)) | max | fmt(2)) | \(sum(.false_suspicions)) | \(sum(.false_deaths)) | \(sum(.false_deaths_at_healthy)) | \(sum(.healthy_declared_dead)) | \(map(.remerge_s) | map(select(. != null)) | median | fmt(2)) | \(map(.msgs_per_node_per_s) | median | fmt(2)) | \(map(.bytes_per_node_per_s) | median | fmt(0)) |")
  '
}

# The gray member in small clusters, in Rapid's scenario (a flip-flopper
# beside the lossy member) and in the namespace lab's (the lossy member
# alone), with the lab's measure beside the simulator's (docs/simulation.md,
# "The gray member in the lab's own scenario, and the guard's trade-off").
gray_small_grid() {
  local seed n scenario variant
  for variant in memberlist rumor guardoff; do
    local preset=$variant
    [[ $variant == guardoff ]] && preset="rumor --guarded-accusations=false"
    for n in 4 8; do
      for scenario in rapid lab; do
        local extra=""
        [[ $scenario == lab ]] && extra="--no-flip-flop"
        for seed in $(seq 1 "${GRAY_SEEDS:-256}"); do
          echo "gray-n${n}-${scenario}-${variant}-s${seed} --preset $preset --nodes $n --scenario gray" \
            "--duration 60 --fault-after 40 --seed $seed $extra"
        done
      done
    done
  done
}

gray_small_table() {
  all_runs "$1" | jq -r "$jq_lib"'
    def preset: if .fast_crash_detection and .guarded_accusations then "rumor"
      elif .fast_crash_detection then "rumor, guard off" else "memberlist" end;
    def scenario: if (.flipflop_members | length) > 0 then "Rapid'"'"'s (lossy + flip-flopper)"
      else "the lab'"'"'s (lossy alone)" end;
    "| N | scenario | preset | runs | out of every view (s), median | each declared it failed (s), median | packets/member/s | healthy dead at healthy |",
    "|---|---|---|---|---|---|---|---|",
    (group_by([.nodes, (.flipflop_members | length)])[] | group_by(preset) | sort_by(.[0] | preset)[]
      | "| \(.[0].nodes) | \(.[0] | scenario) | \(.[0] | preset) | \(length) | \(map(.lossy_removed_s // 1e9) | median | fmt(2)) | \(map(.lossy_failed_everywhere_s // 1e9) | median | fmt(2)) | \(map(.msgs_per_node_per_s) | median | fmt(2)) | \(map(.healthy_declared_dead_by_healthy) | add) |")
  '
}

# run_table NAME: runs NAME's grid and writes and prints its table.
run_table() {
  local name=$1 dir="$out/$1"
  case $name in
    stall)
      stall_grid isolate "0.016 1.024 16.384" | run_grid "$dir"
      stall_table "$dir" "Lifeguard Interval grid, stalled members cut off (--stall-mode isolate)" \
        >"$out/$name.md"
      ;;
    stall-pause)
      stall_grid pause "1.024" | run_grid "$dir"
      stall_table "$dir" "Lifeguard Interval grid, stalled members frozen (--stall-mode pause)" \
        >"$out/$name.md"
      ;;
    presets)
      presets_grid | run_grid "$dir"
      presets_table "$dir" >"$out/$name.md"
      ;;
    gray-small)
      gray_small_grid | run_grid "$dir"
      gray_small_table "$dir" >"$out/$name.md"
      ;;
    gray)
      gray_grid | run_grid "$dir"
      gray_table "$dir" >"$out/$name.md"
      ;;
    joinstorm)
      joinstorm_grid | run_grid "$dir"
      joinstorm_table "$dir" >"$out/$name.md"
      ;;
    scaling)
      scaling_grid | run_grid "$dir"
      scaling_table "$dir" >"$out/$name.md"
      ;;
    stall-guard)
      stall_guard_grid | run_grid "$dir"
      stall_guard_table "$dir" "$out/stall" >"$out/$name.md"
      ;;
    gray-guard)
      gray_guard_grid | run_grid "$dir"
      gray_guard_table "$dir" "$out/gray" >"$out/$name.md"
      ;;
    crash-guard)
      crash_guard_grid | run_grid "$dir"
      crash_guard_table "$dir" >"$out/$name.md"
      ;;
    tradeoff)
      tradeoff_grid | run_grid "$dir"
      tradeoff_table "$dir" >"$out/$name.md"
      ;;
    tradeoff-loss)
      tradeoff_loss_grid | run_grid "$dir"
      tradeoff_table "$dir" >"$out/$name.md"
      ;;
  esac
  cat "$out/$name.md"
  echo
}

if [[ $table == all ]]; then
  for name in stall stall-pause gray joinstorm scaling stall-guard gray-guard crash-guard \
    tradeoff tradeoff-loss presets; do run_table "$name"; done
else
  run_table "$table"
fi
