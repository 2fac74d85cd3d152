#!/usr/bin/env python3
"""Tables for Simulations/serf-compare/compare_serf.sh, and its two small helpers.

  compare_report.py FILE.jsonl [...]            one table per N (and repeat):
                                                metric, rumor, serf, ratio, target, met?
                                                (+ rumor-memberlist, --preset memberlist, and its ratio, if run)
  compare_report.py --markdown FILE.jsonl [...] the same figures as Markdown, one table
                                                per N, repeats side by side
  compare_report.py --scan-logs DIR SYSTEM KILLED LEAVER
                                                count failure/suspicion events in the
                                                agent logs of one cluster (JSON)
  compare_report.py --check-cli FILE N KILLED LEAVER
                                                check one `rumor members --json` /
                                                `serf members -format=json` output
Standard library only.
"""
import glob
import json
import os
import re
import statistics
import sys

# ------------------------------------------------------------------ metrics ---


def _mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def metrics(r):
    """One JSON line -> {metric key: value}."""
    n = r["n"]
    m = {}
    conv = r.get("converge") or {}
    m["converge_s"] = conv.get("max_s")
    m["converge_median_s"] = conv.get("median_s")
    m["launch_s"] = r.get("launch_s")
    if conv.get("max_s") is not None and r.get("launch_s") is not None:
        m["converge_after_launch_s"] = round(conv["max_s"] - r["launch_s"], 3)
    if r.get("error"):
        return m
    win = r["idle_window_s"]
    clk = r["clk_tck"]
    m["cpu_ms"] = sum(r["cpu_ticks"]) * 1000.0 / clk / n / win
    m["cpu_ms_max"] = max(r["cpu_ticks"]) * 1000.0 / clk / win
    m["cpu_ns_ms"] = sum(r["cpu_ns"]) / 1e6 / n / win
    m["rss_mib"] = _mean(r["rss_kb"]) / 1024.0
    m["rss_mib_max"] = max(r["rss_kb"]) / 1024.0
    m["rss_anon_mib"] = _mean(r["rss_anon_kb"]) / 1024.0
    m["rss_file_mib"] = _mean(r["rss_file_kb"]) / 1024.0
    m["pss_mib"] = _mean(r["pss_kb"]) / 1024.0
    m["threads"] = _mean(r["threads"])
    if r.get("capture"):
        m["udp_pps"] = r["udp_pkts"] / n / win
        m["udp_bps"] = r["udp_bytes"] / n / win
        m["tcp_bps"] = r["tcp_bytes"] / n / win
        m["all_bps"] = (r["udp_bytes"] + r["tcp_bytes"]) / n / win
        m["udp_bytes_per_pkt"] = r["udp_bytes"] / r["udp_pkts"] if r["udp_pkts"] else None
    m["snmp_udp_pps"] = r["snmp_udp_out"] / n / win
    f = r.get("fail") or {}
    m["fail_s"] = f.get("max_s") if f.get("ok") else None
    m["fail_median_s"] = f.get("median_s")
    m["fail_ok"] = bool(f.get("ok"))
    lv = r.get("leave") or {}
    m["leave_s"] = lv.get("max_s") if lv.get("ok") else None
    m["leave_median_s"] = lv.get("median_s")
    m["leave_ok"] = bool(lv.get("ok"))
    logs = r.get("logs") or {}
    # agents that showed the leaver failed before left: seen by the poller, or in the logs
    m["leave_failed_first"] = max(lv.get("failed_before", 0) or 0, logs.get("leaver_failed_agents", 0))
    m["false_deaths"] = logs.get("false_failed", 0)
    m["suspicions_of_live"] = logs.get("suspect_of_live", 0)
    m["leaver_exit_s"] = r.get("leaver_exit_s")
    m["leave_cli_s"] = lv.get("spawn_s")
    fc = r.get("final_check") or {}
    m["final_bad"] = fc.get("bad")
    m["cli_ok"] = r.get("cli_check_ok")
    m["crashes"] = logs.get("crash_lines", 0)
    m["poll_errors"] = sum((r.get(k) or {}).get("poll_errors", 0) for k in ("fail", "leave"))
    m["load1"] = "%s/%s" % (r.get("load1_start"), r.get("load1_idle"))
    return m


# (key, label, format, target ratio or None, extra check)
ROWS = [
    ("converge_s", "converge: all see N alive (s, max agent)", "%.2f", 0.8),
    ("converge_median_s", "  converge, median agent (s)", "%.2f", None),
    ("launch_s", "  launch of the N processes (s)", "%.2f", None),
    ("converge_after_launch_s", "  converge after the last launch (s)", "%.2f", None),
    ("fail_s", "kill -9 -> all see failed (s, max)", "%.2f", 0.5),
    ("fail_median_s", "  kill -9 -> failed, median agent (s)", "%.2f", None),
    ("false_deaths", "false deaths (failed events about live members)", "%d", "zero"),
    ("suspicions_of_live", "  suspicions of live members (log events)", "%d", None),
    ("leave_s", "leave -> all see left (s, max)", "%.2f", None),
    ("leave_median_s", "  leave -> left, median agent (s)", "%.2f", None),
    ("leave_failed_first", "agents that saw the leaver failed first", "%d", "zero"),
    ("leaver_exit_s", "  leaving process gone after (s, <=)", "%.2f", None),
    ("rss_mib", "RSS per agent, idle (MiB, VmRSS)", "%.1f", 0.8),
    ("rss_anon_mib", "  of it anonymous (MiB)", "%.1f", None),
    ("rss_file_mib", "  of it file-backed (MiB)", "%.1f", None),
    ("pss_mib", "  PSS per agent (MiB)", "%.1f", None),
    ("threads", "  threads per agent", "%.0f", None),
    ("cpu_ms", "CPU per agent, idle (ms/s, utime+stime)", "%.2f", 0.5),
    ("cpu_ns_ms", "  CPU per agent, idle (ms/s, process CPU clock, ns)", "%.2f", None),
    ("udp_pps", "UDP packets per agent per s", "%.2f", None),
    ("udp_bps", "UDP payload bytes per agent per s", "%.0f", 1.0),
    ("udp_bytes_per_pkt", "  bytes per UDP packet", "%.0f", None),
    ("tcp_bps", "  TCP payload bytes per agent per s", "%.0f", None),
    ("all_bps", "UDP+TCP payload bytes per agent per s", "%.0f", 1.0),
    ("snmp_udp_pps", "  /proc/net/snmp UdpOut per agent per s (system-wide)", "%.2f", None),
    ("final_bad", "final check: agents with a wrong view", "%d", "zero"),
    ("poll_errors", "  poll errors (kill and leave phases)", "%d", None),
    ("load1", "  load average 1 min (start/idle end)", "%s", None),
]


def fmt(f, v):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    try:
        return f % v
    except TypeError:
        return str(v)


def ratio(a, b):
    if a is None or b is None or isinstance(a, str) or b == 0:
        return None
    return a / b


def verdict(key, target, rv, sv, rat):
    if target is None:
        return "", ""
    if target == "zero":
        if rv is None:
            return "= 0", "-"
        return "= 0", "yes" if rv == 0 else "NO"
    if rat is None:
        if key == "fail_s" and rv is None:
            return "<= %.1fx" % target, "NO (timeout)"
        return "<= %.1fx" % target, "-"
    return "<= %.1fx" % target, "yes" if rat <= target + 1e-9 else "NO"


def load(paths):
    rows = []
    for p in paths:
        with open(p) as fh:
            for line in fh:
                line = line.strip()
                if line:
                    rows.append(json.loads(line))
    return rows


def group(rows):
    g = {}
    for r in rows:
        g.setdefault((r["n"], r.get("stamp", ""), r.get("repeat", 1)), {})[r["system"]] = r
    return g


def print_tables(paths):
    rows = load(paths)
    for (n, stamp, rep), by in sorted(group(rows).items()):
        ms = {s: metrics(r) for s, r in by.items()}
        rm, sm, fm = ms.get("rumor", {}), ms.get("serf", {}), ms.get("rumor-memberlist")
        any_r = by.get("rumor") or by.get("serf") or by.get("rumor-memberlist")
        print("\n=== N=%d  profile=%s  run %s repeat %s  (rumor %s, serf %s)" % (
            n, any_r.get("profile"), stamp, rep, any_r.get("rumor_rev"), any_r.get("serf_version")))
        for s, r in sorted(by.items()):
            if r.get("error"):
                print("  !! %s: %s" % (s, r["error"]))
        head = ["metric", "rumor", "serf", "ratio", "target", "met?"]
        if fm is not None:
            head += ["rumor-memberlist", "ratio", "met?"]
        table = [head]
        for key, label, f, target in ROWS:
            rv, sv = rm.get(key), sm.get(key)
            rat = ratio(rv, sv)
            tgt, met = verdict(key, target, rv, sv, rat)
            row = [label, fmt(f, rv), fmt(f, sv), fmt("%.2fx", rat), tgt, met]
            if fm is not None:
                fv = fm.get(key)
                frat = ratio(fv, sv)
                _, fmet = verdict(key, target, fv, sv, frat)
                row += [fmt(f, fv), fmt("%.2fx", frat), fmet]
            table.append(row)
        widths = [max(len(r[i]) for r in table) for i in range(len(head))]
        for i, r in enumerate(table):
            print("  " + "  ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j])
                                   for j, c in enumerate(r)))
            if i == 0:
                print("  " + "  ".join("-" * w for w in widths))


MD_ROWS = ["converge_s", "fail_s", "fail_median_s", "false_deaths", "leave_s", "leave_failed_first",
           "rss_mib", "pss_mib", "cpu_ms", "cpu_ns_ms", "udp_pps", "udp_bps", "tcp_bps", "all_bps"]


def print_markdown(paths):
    rows = load(paths)
    by_n = {}
    for (n, stamp, rep), by in sorted(group(rows).items()):
        by_n.setdefault(n, []).append(({s: metrics(r) for s, r in by.items()}, "%s/%s" % (stamp, rep)))
    labels = {k: (l.strip(), f, t) for k, l, f, t in ROWS}
    for n, runs in sorted(by_n.items()):
        has_fast = any("rumor-memberlist" in ms for ms, _ in runs)
        print("\n**N = %d** (%d run%s: %s)\n" % (n, len(runs), "" if len(runs) == 1 else "s",
                                                 ", ".join(t for _, t in runs)))
        hdr = "| metric | rumor | serf | ratio | target | met |" + (" rumor-memberlist | ratio | met |" if has_fast else "")
        print(hdr)
        print("|" + "---|" * (hdr.count("|") - 1))
        for key in MD_ROWS:
            label, f, target = labels[key]

            def cell(sys_):
                return " / ".join(fmt(f, ms.get(sys_, {}).get(key)) for ms, _ in runs)

            def rcell(sys_):
                return " / ".join(fmt("%.2fx", ratio(ms.get(sys_, {}).get(key), ms.get("serf", {}).get(key)))
                                  for ms, _ in runs)

            def mcell(sys_):
                out = []
                for ms, _ in runs:
                    v, s = ms.get(sys_, {}).get(key), ms.get("serf", {}).get(key)
                    out.append(verdict(key, target, v, s, ratio(v, s))[1] or "")
                return " / ".join(out) if any(out) else ""

            tgt = verdict(key, target, 0, 1, 0)[0]
            line = "| %s | %s | %s | %s | %s | %s |" % (
                label, cell("rumor"), cell("serf"), rcell("rumor"), tgt, mcell("rumor"))
            if has_fast:
                line += " %s | %s | %s |" % (cell("rumor-memberlist"), rcell("rumor-memberlist"), mcell("rumor-memberlist"))
            print(line)


# ---------------------------------------------------------------- helpers ---

RUMOR_EVENT = re.compile(r"^\S+ (failed|suspect|left|recovered|joined) (\S+) ")
SERF_FAILED = re.compile(r"EventMemberFailed: (\S+)")
SERF_LEAVE = re.compile(r"EventMemberLeave(?: \(forced\))?: (\S+)")
SERF_SUSPECT = re.compile(r"memberlist: Suspect (\S+) has failed")
CRASH = re.compile(r"Fatal error|panic:|Segmentation fault|Illegal instruction|Trace/breakpoint|Aborted")


def scan_logs(d, system, killed, leaver):
    out = {"false_failed": 0, "false_failed_detail": [], "leaver_failed_agents": 0,
           "suspect_of_live": 0, "suspect_of_killed": 0, "crash_lines": 0, "crash_detail": []}
    for path in sorted(glob.glob(os.path.join(d, "node-*.log"))):
        me = os.path.basename(path)[:-4]
        leaver_failed = False
        with open(path, errors="replace") as fh:
            for line in fh:
                if CRASH.search(line):
                    out["crash_lines"] += 1
                    if len(out["crash_detail"]) < 3:
                        out["crash_detail"].append("%s: %s" % (me, line.strip()[:200]))
                kind = who = None
                if system == "serf":
                    mt = SERF_FAILED.search(line)
                    if mt:
                        kind, who = "failed", mt.group(1)
                    else:
                        mt = SERF_SUSPECT.search(line)
                        if mt:
                            kind, who = "suspect", mt.group(1)
                else:
                    mt = RUMOR_EVENT.match(line)
                    if mt:
                        kind, who = mt.group(1), mt.group(2)
                if kind == "failed":
                    if who == leaver:
                        leaver_failed = True
                    elif who != killed:
                        out["false_failed"] += 1
                        if len(out["false_failed_detail"]) < 5:
                            out["false_failed_detail"].append("%s: %s" % (me, line.strip()[:160]))
                elif kind == "suspect":
                    if who == killed:
                        out["suspect_of_killed"] += 1
                    else:
                        out["suspect_of_live"] += 1
        if leaver_failed and me != leaver:
            out["leaver_failed_agents"] += 1
    return out


def check_cli(path, n, killed, leaver):
    with open(path) as fh:
        data = json.load(fh)
    members = data["members"] if isinstance(data, dict) else data
    st = {m["name"]: m["status"] for m in members}
    alive = sum(1 for s in st.values() if s == "alive")
    ok = len(st) == n and alive == n - 2 and st.get(killed) == "failed" and st.get(leaver) == "left"
    print(json.dumps({"ok": ok, "members": len(st), "alive": alive,
                      killed: st.get(killed), leaver: st.get(leaver)}))
    return 0 if ok else 1


def main(argv):
    if len(argv) >= 2 and argv[1] == "--scan-logs":
        print(json.dumps(scan_logs(*argv[2:6]), sort_keys=True))
        return 0
    if len(argv) >= 2 and argv[1] == "--check-cli":
        return check_cli(argv[2], int(argv[3]), argv[4], argv[5])
    if len(argv) >= 2 and argv[1] == "--markdown":
        print_markdown(argv[2:])
        return 0
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    print_tables(argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
