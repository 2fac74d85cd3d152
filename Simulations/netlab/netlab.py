#!/usr/bin/env python3
"""The namespace lab: real Rumor and Serf agents on a real kernel network, under faults.

Standard library only; needs root, `ip` (iproute2) and `iptables` (the nft backend's
`-m statistic --mode random` drops packets; the kernel here has no netem). Each run:

  1. creates a bridge rnlK-br with the root namespace at 10.213.K.254/24 on it (K is
     --lab-id, default 0; ids 90-99 are kept for `swift test`; the range is used only
     on this bridge and in the lab's namespaces), and N namespaces rnlK-nI, each with one veth (eth0, 10.213.K.(I+1))
     on the bridge and its own iptables rules:
        INPUT:  from 10.213.K.254 ACCEPT | lo ACCEPT | jump NLFAULT_IN  | udp ACCEPT | tcp ACCEPT
        OUTPUT: to 10.213.K.254 ACCEPT   | lo ACCEPT | jump NLFAULT_OUT | udp ACCEPT | tcp ACCEPT
     so faults (rules in the NLFAULT_* chains) touch only agent-to-agent traffic, the
     poller in the root namespace is never cut off, and the last ACCEPT rules count the
     packets and bytes each node sent and received (what got past the faults). Every
     fault drops on the RECEIVER's INPUT: a DROP in OUTPUT makes sendto() fail with
     EPERM, which the agent sees (memberlist then skips the probe: "Failed to send
     ping ... operation not permitted") where a lossy network is silent; so a packet
     is dropped once, where it arrives, as in the simulator's network model;
  2. starts one agent per namespace with `ip netns exec` (node-0 first; once it answers
     a poll, the others, each joining node-0): `rumor agent --bind 10.213.K.(I+1):7946`
     or `serf agent` with its RPC on 10.213.K.(I+1):7373;
  3. polls every agent's own view every --interval seconds from the root namespace
     (Rumor: memberlist's read-only push-pull on the gossip port, what `rumor members`
     does; Serf: its `members` RPC, what `serf members` does; both clients come from
     ../serf-compare/members_poll.py): converge = every agent lists all N members alive;
  4. applies the scenario's fault from inside the namespaces, measures, removes it;
  5. asks node-0 once with the systems' own CLIs (`rumor members --peer IP:7946 --json`,
     `serf members -format=json`) and records whether they list the same members alive
     as the poller (cli_check); then
  6. kills every agent by PID and deletes the namespaces and the bridge (the rules go
     with their namespace), however the run ends (finally + signal handlers; and
     `netlab.py cleanup` removes whatever a killed run left behind).

Scenarios (each on a fresh cluster; "false" means about a member the fault did not
make unreachable, counted from the agents' logs between the fault's start and the end
of the measurement, as distinct observer->subject pairs):
  converge    time from node-0's launch until every agent lists all N alive
  crash       kill -9 of node-(N-1): first and full detection (every other agent
              lists it failed), false deaths of others
  leave       graceful leave of node-(N-1) (SIGINT for rumor, `serf leave` for serf):
              time until every other agent lists it left; agents that showed it
              failed first
  loss        every node drops --loss of the packets it receives (UDP and TCP), for
              --duration s: false suspicions and false deaths; loss10 / loss20 are
              the same with 10 % / 20 %
  linkloss    only the link node-0 <-> node-1 drops --loss (both ways), --duration s
  partition   two-way split: the first N/2 nodes and the others drop each other's
              packets for --partition-seconds (default 60, past memberlist's 30 s
              gossip-to-the-dead window), then heal: time from the heal until every
              agent lists all N alive (heal), and how long each side took to see the
              other failed
  oneway      one-way split: the first N/2 nodes do not hear the others (INPUT drop
              by source) for --partition-seconds, then heal; heal time as above
  pause       SIGSTOP of node-(N-1) for --pause-seconds (default 10), then SIGCONT:
              false deaths of the others, whether the paused node was declared
              failed, and time from SIGCONT until every agent lists all alive
  gray        node-(N-1) drops 80 % of its packets both ways for --duration s:
              healthy members declared dead (false), and the gray node's detection
  flap        the link node-0 <-> node-1 is cut for 20 s, up for 20 s, ... for
              --duration s (default for flap: 80): false deaths (both stay reachable
              through the others)
False suspicions are not counted alike: a Rumor agent logs `suspect` for every
suspicion it learns (its own and gossiped ones), memberlist under Serf logs only the
suspicions it raises itself ("Suspect X has failed"); the comparable figure is the
number of distinct healthy members suspected. After a partition heals, a member
merging the other side's state takes its `dead` entries for own-side members as
suspicions until they refute (memberlist does the same, silently): those logged after
the heal are counted apart ("at the heal"). Deaths are logged alike (Rumor `failed`,
Serf `EventMemberFailed`), so false-death pairs compare directly.
Every fault begins --settle s (2) after convergence, and with --fault-after S no sooner
than S s after node-0's launch: memberlist (Serf) makes its first anti-entropy push-pull
after a random stagger plus one interval (30-60 s on the LAN profile), Rumor within the
first interval, so a fault 3 s into the run meets the two in different phases; 65 puts
it past both (rumor-sim --fault-after is the same for the simulator).
Packets and bytes: UDP and TCP sent per node per second over the fault window (for
converge: the 10 s after convergence; for a partition until one view, and apart, while
split: a system that heals later spends the rest of that window with half its peers),
from the iptables counters.

Usage:
  netlab.py run [--systems rumor,serf,mix] [--scenarios converge,crash,...|all] [--nodes 4]
                [--rumor PATH] [--rumor-args "..."] [--serf PATH] [--serf-args "..."] [--profile lan]
                [--loss 0.1] [--duration 30] [--partition-seconds 60] [--pause-seconds 10]
                [--settle 2] [--fault-after 0]
                [--heal-timeout 120] [--interval 0.25] [--lab-id 0] [--out DIR] [--json FILE]
  netlab.py report FILE.jsonl...   Markdown tables (Rumor, Serf, ratio) of earlier runs
  netlab.py check           say whether the lab can run here (exit 0) or why not (exit 1)
  netlab.py cleanup [--lab-id K | --all]   remove what a run left (agents, namespaces, links)

Prints, per scenario, a table with Rumor / Serf ratios, and writes one JSON object per
(system, scenario) to --json (default OUT/netlab-STAMP.jsonl). Exit status: 0 when every
run completed, 1 when one failed to converge or to heal in time (it is still reported),
2 for bad arguments, 3 when the lab cannot run here. A cluster that did not converge
leaves, beside its agents' logs, diag-node-I.txt per agent: its sockets, the kernel's
counters (nstat), its neighbours, the fault rules' counters and a Rumor agent's /v1/agent.
"""
import argparse
import calendar
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "serf-compare"))
import members_poll as mp  # noqa: E402  (the shared push-pull and Serf RPC clients)

GOSSIP_PORT = 7946
RPC_PORT = 7373
PREFIX = "rnl"
ALL_SCENARIOS = ["converge", "crash", "leave", "loss10", "loss20", "linkloss", "partition",
                 "oneway", "pause", "gray", "flap"]


def log(msg):
    sys.stderr.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def sh(args, check=True, input=None):
    """Run a command; return its stdout. Raises on failure when check."""
    p = subprocess.run(args, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=30)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    return p.stdout


# ------------------------------------------------------------------ preflight ---


def preflight():
    """None if the lab can run here, otherwise the reason why not."""
    if os.geteuid() != 0:
        return "not root (network namespaces and iptables need root)"
    for tool in ("ip", "iptables", "iptables-restore", "iptables-save"):
        if shutil.which(tool) is None:
            return "%s not found (apt-get install -y iproute2 iptables)" % tool
    name = "%sprobe%d" % (PREFIX, os.getpid() % 10000)
    try:
        sh(["ip", "netns", "add", name])
    except (RuntimeError, OSError) as e:
        return "cannot create a network namespace: %s" % e
    try:
        sh(["ip", "netns", "exec", name, "iptables", "-w", "-A", "OUTPUT", "-m", "statistic",
            "--mode", "random", "--probability", "0.5", "-j", "DROP"])
    except (RuntimeError, OSError) as e:
        return "iptables cannot drop at random inside a namespace: %s" % e
    finally:
        sh(["ip", "netns", "del", name], check=False)
    return None


# ---------------------------------------------------------------------- cleanup ---


def namespaces(prefix):
    out = sh(["ip", "netns", "list"], check=False)
    return [ln.split()[0] for ln in out.splitlines() if ln.split() and ln.split()[0].startswith(prefix)]


def links(prefix):
    out = sh(["ip", "-o", "link", "show"], check=False)
    names = []
    for ln in out.splitlines():
        parts = ln.split(":")
        if len(parts) > 1:
            name = parts[1].strip().split("@")[0]
            if name.startswith(prefix):
                names.append(name)
    return names


def cleanup(prefix):
    """Kill the processes in the namespaces (by PID), delete them and the links. Returns
    what it removed."""
    removed = []
    for ns in namespaces(prefix):
        for pid in sh(["ip", "netns", "pids", ns], check=False).split():
            try:
                os.kill(int(pid), signal.SIGKILL)
                removed.append("pid %s" % pid)
            except (OSError, ValueError):
                pass
        sh(["ip", "netns", "del", ns], check=False)
        removed.append("netns %s" % ns)
    for name in links(prefix):
        sh(["ip", "link", "del", name], check=False)
        removed.append("link %s" % name)
    return removed


# -------------------------------------------------------------------------- lab ---


class Agent:
    def __init__(self, i, ns, ip, logpath):
        self.i, self.ns, self.ip, self.logpath = i, ns, ip, logpath
        self.name = "node-%d" % i
        self.proc = None
        self.gone = False  # killed or left: no longer polled
        self.paused = False
        self.peer = None

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None


class Lab:
    def __init__(self, lab_id, n, system, wd, rumor, rumor_args, serf, serf_args, profile="lan"):
        if not 0 <= lab_id <= 99:
            raise ValueError("--lab-id must be 0..99")
        self.prefix = "%s%d-" % (PREFIX, lab_id)  # every namespace and link name starts so
        self.bridge = self.prefix + "br"
        self.net = "10.213.%d" % lab_id
        self.root_ip = self.net + ".254"
        self.n, self.system, self.wd, self.profile = n, system, wd, profile
        self.rumor, self.rumor_args, self.serf, self.serf_args = rumor, rumor_args, serf, serf_args
        self.agents = [Agent(i, "%sn%d" % (self.prefix, i), "%s.%d" % (self.net, i + 1),
                             os.path.join(wd, "node-%d.log" % i)) for i in range(n)]
        for a in self.agents:
            # a mixed cluster: even nodes (node-0, the seed, among them) Rumor, odd ones Serf
            a.system = system if system != "mix" else ("rumor" if a.i % 2 == 0 else "serf")

    # -- network
    def up(self):
        if namespaces(self.prefix) or links(self.prefix):
            raise RuntimeError("lab %s already exists (another run, or run `netlab.py cleanup`)"
                               % self.prefix)
        sh(["ip", "link", "add", self.bridge, "type", "bridge"])
        sh(["ip", "addr", "add", self.root_ip + "/24", "dev", self.bridge])
        sh(["ip", "link", "set", self.bridge, "up"])
        for a in self.agents:
            host, peer = "%sv%d" % (self.prefix, a.i), "%sp%d" % (self.prefix, a.i)
            sh(["ip", "netns", "add", a.ns])
            sh(["ip", "link", "add", host, "type", "veth", "peer", "name", peer])
            sh(["ip", "link", "set", host, "master", self.bridge])
            sh(["ip", "link", "set", host, "up"])
            sh(["ip", "link", "set", peer, "netns", a.ns])
            ex = ["ip", "netns", "exec", a.ns]
            sh(ex + ["ip", "link", "set", peer, "name", "eth0"])
            sh(ex + ["ip", "addr", "add", a.ip + "/24", "dev", "eth0"])
            sh(ex + ["ip", "link", "set", "eth0", "up"])
            sh(ex + ["ip", "link", "set", "lo", "up"])
            rules = "\n".join([
                "*filter",
                ":NLFAULT_IN - [0:0]",
                ":NLFAULT_OUT - [0:0]",
                "-A INPUT -s %s -j ACCEPT" % self.root_ip,
                "-A INPUT -i lo -j ACCEPT",
                "-A INPUT -j NLFAULT_IN",
                "-A INPUT -p udp -j ACCEPT",
                "-A INPUT -p tcp -j ACCEPT",
                "-A OUTPUT -d %s -j ACCEPT" % self.root_ip,
                "-A OUTPUT -o lo -j ACCEPT",
                "-A OUTPUT -j NLFAULT_OUT",
                "-A OUTPUT -p udp -j ACCEPT",
                "-A OUTPUT -p tcp -j ACCEPT",
                "COMMIT", ""])
            sh(ex + ["iptables-restore"], input=rules)

    def down(self):
        for a in self.agents:
            if a.proc is not None and a.proc.poll() is None:
                try:
                    os.kill(a.proc.pid, signal.SIGKILL)
                except OSError:
                    pass
        for a in self.agents:
            if a.proc is not None:
                try:
                    a.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    log("agent %s (pid %d) did not exit" % (a.name, a.proc.pid))
            if a.peer is not None:
                a.peer.close()
        return cleanup(self.prefix)

    def faults(self, i, inbound=(), outbound=()):
        """Replace node i's fault rules (lists of iptables match strings that DROP)."""
        lines = ["*filter", "-F NLFAULT_IN", "-F NLFAULT_OUT"]
        lines += ["-A NLFAULT_IN %s -j DROP" % m for m in inbound]
        lines += ["-A NLFAULT_OUT %s -j DROP" % m for m in outbound]
        lines += ["COMMIT", ""]
        sh(["ip", "netns", "exec", self.agents[i].ns, "iptables-restore", "--noflush"],
           input="\n".join(lines))

    def clear_faults(self):
        for a in self.agents:
            self.faults(a.i)

    def counters(self):
        """{i: {"udp_out": [pkts, bytes], "tcp_out": ..., "udp_in": ..., "tcp_in": ...}}"""
        res = {}
        pat = re.compile(r"^\[(\d+):(\d+)\] -A (INPUT|OUTPUT) -p (udp|tcp) -j ACCEPT$")
        for a in self.agents:
            c = {}
            for ln in sh(["ip", "netns", "exec", a.ns, "iptables-save", "-c", "-t", "filter"],
                         check=False).splitlines():
                m = pat.match(ln.strip())
                if m:
                    key = "%s_%s" % (m.group(4), "in" if m.group(3) == "INPUT" else "out")
                    c[key] = [int(m.group(1)), int(m.group(2))]
            res[a.i] = c
        return res

    # -- agents
    def start(self, i, join=None):
        a = self.agents[i]
        bind = "%s:%d" % (a.ip, GOSSIP_PORT)
        if a.system == "rumor":
            cmd = [self.rumor, "agent", "--name", a.name, "--bind", bind,
                   "--profile", self.profile] + self.rumor_args
            if join:
                cmd += ["--join", join]
        else:
            cmd = [self.serf, "agent", "-node=" + a.name, "-bind=" + bind,
                   "-rpc-addr=%s:%d" % (a.ip, RPC_PORT), "-profile=" + self.profile,
                   "-log-level=info"] + self.serf_args
            if join:
                cmd.append("-join=" + join)
        fh = open(a.logpath, "ab")
        # `ip netns exec` execs the command: the PID is the agent's.
        a.proc = subprocess.Popen(["ip", "netns", "exec", a.ns] + cmd, stdin=subprocess.DEVNULL,
                                  stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        fh.close()

    def diagnose(self, wd):
        """Write what each namespace's kernel and agent say (sockets, TCP and UDP
        counters, neighbours, the fault rules' counters, a Rumor agent's /v1/agent)
        to WD/diag-node-I.txt: a cluster that did not converge leaves this to read.
        Bounded: every command has a 5 s timeout; nothing here can fail the run."""
        agent_json = ("import urllib.request;"
                      "print(urllib.request.urlopen('http://127.0.0.1:7947/v1/agent', timeout=3)"
                      ".read().decode())")
        for a in self.agents:
            ex = ["ip", "netns", "exec", a.ns]
            commands = [ex + ["ss", "-tanpi"], ex + ["ss", "-uanpm"], ex + ["nstat", "-asz"],
                        ex + ["ip", "-s", "link", "show", "eth0"], ex + ["ip", "neigh"],
                        ex + ["iptables-save", "-c"]]
            if a.system == "rumor":
                commands.append(ex + [sys.executable, "-c", agent_json])
            try:
                with open(os.path.join(wd, "diag-node-%d.txt" % a.i), "w") as fh:
                    fh.write("%s (%s), pid %s, running %s\n" % (
                        a.name, a.system, a.proc.pid if a.proc else None,
                        a.proc is not None and a.proc.poll() is None))
                    for cmd in commands:
                        fh.write("\n$ %s\n" % " ".join(cmd[4:]))
                        try:
                            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                               text=True, timeout=5)
                            fh.write(p.stdout)
                        except (OSError, subprocess.SubprocessError) as e:
                            fh.write("(failed: %s)\n" % e)
            except OSError as e:
                log("diagnostics for %s not written: %s" % (a.name, e))

    def poll_addr(self, a):
        return (a.ip, GOSSIP_PORT if a.system == "rumor" else RPC_PORT)

    def new_peer(self, a):
        p = mp.peer(a.system, "127.0.0.1:1")  # the shared client; then point it here
        p.hostport = self.poll_addr(a)
        p.addr = "%s:%d" % p.hostport
        p.timeout = 1.0
        return p

    def leave(self, i):
        a = self.agents[i]
        if a.system == "rumor":
            os.kill(a.proc.pid, signal.SIGINT)
        else:
            subprocess.run(["ip", "netns", "exec", a.ns, self.serf, "leave",
                            "-rpc-addr=%s:%d" % (a.ip, RPC_PORT)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30)


# ---------------------------------------------------------------------- monitor ---


class Monitor(threading.Thread):
    """Polls every watched agent's view each interval; keeps (t, {i: view}) rounds."""

    def __init__(self, lab, interval):
        super().__init__(daemon=True)
        self.lab, self.interval = lab, interval
        self.rounds = []
        self.lock = threading.Lock()
        self.stop_flag = threading.Event()
        self.errors = 0

    def run(self):
        while not self.stop_flag.is_set():
            start = time.time()
            watched = [a for a in self.lab.agents if not a.gone and not a.paused and a.running]
            sent, views = [], {}
            for a in watched:
                try:
                    if a.peer is None:
                        a.peer = self.lab.new_peer(a)
                    a.peer.send()
                    sent.append(a)
                except OSError:
                    self.errors += 1
                    if a.peer is not None:
                        a.peer.close()
                        a.peer = None
            for a in sent:
                try:
                    views[a.i] = a.peer.recv()
                except (OSError, ValueError, IndexError, KeyError):
                    self.errors += 1
                    a.peer.close()
                    a.peer = None
            with self.lock:
                self.rounds.append((time.time(), views))
            left = self.interval - (time.time() - start)
            if left > 0:
                self.stop_flag.wait(left)

    def stop(self):
        self.stop_flag.set()
        self.join(timeout=10)

    def since(self, t0):
        with self.lock:
            return [r for r in self.rounds if r[0] >= t0]

    def wait_all(self, t0, observers, ok, timeout):
        """Wait until every observer (index) has answered with a view ok(view) at or after
        t0. Returns ({i: first seconds after t0}, pending set)."""
        first, deadline, seen = {}, time.time() + timeout, 0
        while True:
            with self.lock:
                rounds = self.rounds[seen:]
                seen = len(self.rounds)
            for t, views in rounds:
                if t < t0:
                    continue
                for i, v in views.items():
                    if i in observers and i not in first and ok(v):
                        first[i] = t - t0
            pending = set(observers) - set(first)
            if not pending or time.time() > deadline:
                return first, pending
            time.sleep(self.interval / 2)

    def wait_together(self, t0, observers, ok, timeout):
        """Seconds after t0 of the first round in which every observer answered ok (one
        view everywhere at once), or None on timeout."""
        deadline, seen = time.time() + timeout, 0
        while True:
            with self.lock:
                rounds = self.rounds[seen:]
                seen = len(self.rounds)
            for t, views in rounds:
                if t >= t0 and all(i in views and ok(views[i]) for i in observers):
                    return t - t0
            if time.time() > deadline:
                return None
            time.sleep(self.interval / 2)

    def last_views(self):
        with self.lock:
            for t, views in reversed(self.rounds):
                if views:
                    return views
        return {}


def all_alive(n):
    return lambda v: len(v) == n and all(s == "alive" for s in v.values())


# ------------------------------------------------------------------------- logs ---

RUMOR_EVENT = re.compile(r"^(\S+)Z (suspect|failed|left|joined|recovered) (\S+) ")
SERF_TIME = re.compile(r"(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)")
SERF_SUSPECT = re.compile(r"memberlist: Suspect (\S+) has failed")
SERF_FAILED = re.compile(r"serf: EventMemberFailed: (\S+) ")
SERF_LEFT = re.compile(r"serf: EventMemberLeave: (\S+) ")


def log_time(text, pattern):
    """Seconds since the epoch of a log line's timestamp, or None. Rumor's are UTC with
    milliseconds; Serf's are local time cut to the second, so they are taken as the end
    of their second (the latest the line can have been written)."""
    try:
        if pattern == "rumor":
            return calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")) + float(
                "0" + text[19:] if text[19:20] == "." else 0)
        return time.mktime(time.strptime(text, "%Y/%m/%d %H:%M:%S")) + 0.999
    except ValueError:
        return None


def log_events(lab, marks):
    """[(observer, kind, subject, when)] logged since the byte offsets in marks; when is
    seconds since the epoch, or None if the line has no readable time."""
    out = []
    for a in lab.agents:
        try:
            with open(a.logpath, "rb") as fh:
                fh.seek(marks.get(a.i, 0))
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            continue
        for ln in text.splitlines():
            if a.system == "rumor":
                m = RUMOR_EVENT.match(ln)
                if m:
                    out.append((a.name, m.group(2), m.group(3), log_time(m.group(1), "rumor")))
            else:
                for kind, pat in (("suspect", SERF_SUSPECT), ("failed", SERF_FAILED),
                                  ("left", SERF_LEFT)):
                    m = pat.search(ln)
                    if m:
                        t = SERF_TIME.search(ln)
                        out.append((a.name, kind, m.group(1),
                                    log_time(t.group(1), "serf") if t else None))
    return out


def log_marks(lab):
    return {a.i: (os.path.getsize(a.logpath) if os.path.exists(a.logpath) else 0)
            for a in lab.agents}


def false_counts(events, is_false):
    """Distinct observer->subject pairs suspected / declared failed where is_false, and
    the distinct members (subjects) among them."""
    sus = {(o, s) for o, k, s, _ in events if k == "suspect" and is_false(o, s)}
    dead = {(o, s) for o, k, s, _ in events if k == "failed" and is_false(o, s)}
    return len(sus), len(dead), len({s for _, s in sus}), len({s for _, s in dead})


def cli_check(lab, mon, args):
    """Ask node-0 once with the systems' own CLIs (`rumor members --peer ... --json`, `serf
    members -format=json`) from the root namespace: whether the members it lists alive
    are the ones the poller's last round saw alive."""
    a = lab.agents[0]
    if not a.running:
        return None
    if a.system == "rumor":
        cmd = [args.rumor, "members", "--peer", "%s:%d" % (a.ip, GOSSIP_PORT), "--json"]
    else:
        cmd = [args.serf, "members", "-rpc-addr=%s:%d" % (a.ip, RPC_PORT), "-format=json"]
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             timeout=10).stdout
        data = json.loads(out)
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        return {"error": str(e)}
    members = data if isinstance(data, list) else data.get("members", [])
    cli_alive = sorted(m.get("name") for m in members if m.get("status") == "alive")
    polled = mon.last_views().get(0, {})
    poll_alive = sorted(k for k, v in polled.items() if v == "alive")
    return {"alive": len(cli_alive), "agrees_with_poller": cli_alive == poll_alive}


# -------------------------------------------------------------------- scenarios ---


def traffic(lab, before, after, seconds):
    """Mean per node per second sent (and received) over a window."""
    res = {}
    for key in ("udp_out", "tcp_out", "udp_in", "tcp_in"):
        pk = by = 0
        for i in after:
            a, b = after[i].get(key, [0, 0]), before.get(i, {}).get(key, [0, 0])
            pk += a[0] - b[0]
            by += a[1] - b[1]
        res[key + "_pkts_per_node_s"] = round(pk / lab.n / max(seconds, 1e-6), 2)
        res[key + "_bytes_per_node_s"] = round(by / lab.n / max(seconds, 1e-6), 1)
    return res


def run_scenario(args, system, scenario, wd):
    n = args.nodes
    lab = Lab(args.lab_id, n, system, wd, args.rumor, shlex.split(args.rumor_args),
              args.serf, shlex.split(args.serf_args), args.profile)
    res = {"system": system, "scenario": scenario, "n": n, "ok": True}
    if namespaces(lab.prefix) or links(lab.prefix):
        # Another run owns this lab id: report, and leave its namespaces alone.
        res["ok"] = False
        res["error"] = "lab %s is in use (another run, or `netlab.py cleanup --lab-id %d`)" % (
            lab.prefix, args.lab_id)
        return res
    mon = None
    try:
        lab.up()
        mon = Monitor(lab, args.interval)
        mon.start()
        everyone = set(range(n))
        t0 = time.time()
        lab.start(0)
        seed = "%s:%d" % (lab.agents[0].ip, GOSSIP_PORT)
        # The others join node-0 once it answers (as compare_serf.sh does), <= 20 s.
        mon.wait_all(t0, {0}, lambda v: True, 20)
        for i in range(1, n):
            lab.start(i, seed)
        conv = mon.wait_together(t0, everyone, all_alive(n), args.converge_timeout)
        res["converge_s"] = round(conv, 2) if conv is not None else None
        if conv is None:
            res["ok"] = False
            res["error"] = "no convergence in %ss" % args.converge_timeout
            lab.diagnose(wd)
            res["diagnostics"] = "diag-node-*.txt in the logs folder"
            return res
        time.sleep(args.settle)
        # --fault-after: no fault (and no measured window) sooner than that many seconds
        # after node-0's launch, so that both systems are past their first anti-entropy
        # push-pull (memberlist's comes after a random stagger plus one interval, 30-60 s
        # on the LAN profile) and the fault meets a cluster in its steady state.
        wait = t0 + args.fault_after - time.time()
        if wait > 0:
            time.sleep(wait)
        res["fault_at_s"] = round(time.time() - t0, 2)
        marks = log_marks(lab)
        c0, tc0 = lab.counters(), time.time()
        last = n - 1
        half = set(range(n // 2))
        other = everyone - half
        loss = {"loss10": 0.1, "loss20": 0.2}.get(scenario, args.loss)
        expected = set()  # subjects a failure of which is not false (by observer)
        same_side = None
        healed_at = None  # when a partition's rules went

        if scenario == "converge":
            time.sleep(10)
        elif scenario == "crash":
            tk = time.time()
            lab.agents[last].proc.kill()
            lab.agents[last].gone = True
            expected = {lab.agents[last].name}
            first, pending = mon.wait_all(tk, everyone - {last},
                                          lambda v: v.get("node-%d" % last) == "failed",
                                          args.detect_timeout)
            ts = sorted(first.values())
            res["detect_first_s"] = round(ts[0], 2) if ts else None
            res["detect_full_s"] = round(ts[-1], 2) if ts and not pending else None
            if pending:
                res["ok"] = False
                res["error"] = "%d agents never saw the crash" % len(pending)
        elif scenario == "leave":
            tl = time.time()
            lab.leave(last)
            expected = {lab.agents[last].name}
            first, pending = mon.wait_all(tl, everyone - {last},
                                          lambda v: v.get("node-%d" % last) == "left",
                                          args.detect_timeout)
            lab.agents[last].gone = True
            ts = sorted(first.values())
            res["leave_full_s"] = round(ts[-1], 2) if ts and not pending else None
            ev = log_events(lab, marks)
            res["failed_before_left"] = len({o for o, k, s, _ in ev
                                             if k == "failed" and s == lab.agents[last].name})
            if pending:
                res["ok"] = False
                res["error"] = "%d agents never saw the leave" % len(pending)
        elif scenario in ("loss", "loss10", "loss20"):
            res["loss"] = loss
            for a in lab.agents:
                lab.faults(a.i, inbound=["-m statistic --mode random --probability %g" % loss])
            time.sleep(args.duration)
        elif scenario == "linkloss":
            res["loss"] = loss
            st = "-m statistic --mode random --probability %g" % loss
            lab.faults(0, inbound=["-s %s %s" % (lab.agents[1].ip, st)])
            lab.faults(1, inbound=["-s %s %s" % (lab.agents[0].ip, st)])
            time.sleep(args.duration)
        elif scenario in ("partition", "oneway"):
            res["partition_s"] = args.partition_seconds
            for i in half:
                lab.faults(i, inbound=["-s %s" % lab.agents[j].ip for j in other])
            if scenario == "partition":
                for i in other:
                    lab.faults(i, inbound=["-s %s" % lab.agents[j].ip for j in half])
            tp = time.time()

            def side(i):
                return half if i in half else other

            same_side = side
            names = {j: lab.agents[j].name for j in everyone}

            def split_seen(v, i):
                return all(v.get(names[j], "absent") in ("failed", "absent") for j in everyone - side(i))

            # how long until each agent's view shows the other side failed or gone
            seen = {}
            end = tp + args.partition_seconds
            while time.time() < end:
                for t, views in mon.since(tp):
                    for i, v in views.items():
                        if i not in seen and split_seen(v, i):
                            seen[i] = t - tp
                time.sleep(min(1.0, max(0.0, end - time.time())))
            ts = sorted(seen.values())
            res["split_seen_full_s"] = round(ts[-1], 2) if len(ts) == n else None
            # Traffic while split, apart: the window below runs on until one view, which
            # a system that heals later spends with half its peers (fewer packets/s).
            split_counters = lab.counters()
            lab.clear_faults()
            th = healed_at = time.time()
            res.update({"split_" + k: v for k, v in traffic(
                lab, c0, split_counters, th - tc0).items() if "_out_" in k})
            heal = mon.wait_together(th, everyone, all_alive(n), args.heal_timeout)
            res["heal_s"] = round(heal, 2) if heal is not None else None
            if heal is None:
                res["ok"] = False
                res["error"] = "not one view %ss after the heal" % args.heal_timeout
                res["views_at_end"] = {lab.agents[i].name: sorted(v.items())
                                       for i, v in mon.last_views().items()}
        elif scenario == "pause":
            res["pause_s"] = args.pause_seconds
            a = lab.agents[last]
            a.paused = True
            os.kill(a.proc.pid, signal.SIGSTOP)
            expected = {a.name}
            time.sleep(args.pause_seconds)
            os.kill(a.proc.pid, signal.SIGCONT)
            a.paused = False
            tc = time.time()
            back = mon.wait_together(tc, everyone, all_alive(n), args.heal_timeout)
            res["back_s"] = round(back, 2) if back is not None else None
            ev = log_events(lab, marks)
            res["paused_declared_failed_by"] = len({o for o, k, s, _ in ev if k == "failed" and s == a.name})
            if back is None:
                res["ok"] = False
                res["error"] = "not all alive %ss after SIGCONT" % args.heal_timeout
        elif scenario == "gray":
            g = lab.agents[last]
            st = "-m statistic --mode random --probability 0.8"
            lab.faults(last, inbound=[st])
            for i in everyone - {last}:
                lab.faults(i, inbound=["-s %s %s" % (g.ip, st)])
            expected = {g.name}
            tg = time.time()
            time.sleep(args.duration)
            ev = log_events(lab, marks)
            res["gray_declared_failed_by"] = len({o for o, k, s, _ in ev if k == "failed" and s == g.name})
            first, _ = mon.wait_all(tg, everyone - {last},
                                    lambda v: v.get(g.name) == "failed", 0)
            ts = sorted(first.values())
            res["gray_detect_first_s"] = round(ts[0], 2) if ts else None
            res["gray_detect_full_s"] = round(ts[-1], 2) if len(ts) == n - 1 else None
            # What a user routing by the view sees: the share of the healthy agents'
            # polls during the fault that list the gray member alive (Rumor's view has
            # suspect, which its resolver skips; Serf's members have no suspect state).
            seen = [v.get(g.name) for t, views in mon.since(tg) if t <= tg + args.duration
                    for i, v in views.items() if i != last]
            res["gray_listed_alive_share"] = (
                round(sum(1 for x in seen if x == "alive") / len(seen), 3) if seen else None)
        elif scenario == "flap":
            duration = args.duration if args.duration_given else 80
            res["flap_period_s"] = 20
            a0, a1 = lab.agents[0], lab.agents[1]
            end, cut = time.time() + duration, True
            while time.time() < end:
                if cut:
                    lab.faults(0, inbound=["-s " + a1.ip])
                    lab.faults(1, inbound=["-s " + a0.ip])
                else:
                    lab.faults(0)
                    lab.faults(1)
                cut = not cut
                time.sleep(min(20, max(0.0, end - time.time())))
        else:
            raise ValueError("unknown scenario %r" % scenario)

        res["cli_check"] = cli_check(lab, mon, args)
        c1, tc1 = lab.counters(), time.time()
        res.update(traffic(lab, c0, c1, tc1 - tc0))
        res["window_s"] = round(tc1 - tc0, 1)
        lab.clear_faults()
        events = log_events(lab, marks)

        def is_false(observer, subject):
            if subject in expected or observer == subject:
                return False
            if same_side is not None:
                oi = int(observer.split("-")[1])
                si = int(subject.split("-")[1])
                return si in same_side(oi)
            return True

        res["suspect_events"] = sum(1 for e in events if e[1] == "suspect")
        if healed_at is not None:
            # A suspicion of a member of one's own side logged after the heal is mostly
            # learned from the other side's state (memberlist's merge turns a remote
            # `dead` into `suspect` until the member refutes it): the other side's
            # accusations, made while it could not reach us. Rumor logs what it learns,
            # memberlist only what it raises, so these are counted apart.
            def after_heal(e):
                return e[1] == "suspect" and e[3] is not None and e[3] >= healed_at

            res["suspicions_at_heal"], _, res["suspected_members_at_heal"], _ = false_counts(
                [e for e in events if after_heal(e)], is_false)
            events = [e for e in events if not after_heal(e)]
        (res["false_suspicions"], res["false_deaths"], res["false_suspected_members"],
         res["false_dead_members"]) = false_counts(events, is_false)
        # FP- in the simulator's terms: false deaths raised by members the fault left healthy
        res["false_deaths_by_healthy"] = false_counts(
            events, lambda o, s: o not in expected and is_false(o, s))[1]
        res["failed_events"] = sum(1 for e in events if e[1] == "failed")
        return res
    except Exception as e:  # a broken run is reported, and the lab still comes down
        res["ok"] = False
        res["error"] = "%s: %s" % (type(e).__name__, e)
        return res
    finally:
        if mon is not None:
            mon.stop()
            res["poll_errors"] = mon.errors
        res["removed"] = len(lab.down())
        left = namespaces(lab.prefix) + links(lab.prefix)
        if left:
            res["ok"] = False
            res["error"] = (res.get("error", "") + " cleanup left: %s" % left).strip()


# ------------------------------------------------------------------------ table ---

ROWS = [
    ("converge_s", "converge (s)"),
    ("fault_at_s", "fault began (s after node-0's launch)"),
    ("detect_first_s", "kill -9: first detection (s)"),
    ("detect_full_s", "kill -9: full detection (s)"),
    ("leave_full_s", "leave: seen left everywhere (s)"),
    ("failed_before_left", "leave: agents that saw failed first"),
    ("split_seen_full_s", "split: other side failed everywhere (s)"),
    ("heal_s", "heal: one view after the heal (s)"),
    ("back_s", "pause: all alive after SIGCONT (s)"),
    ("paused_declared_failed_by", "pause: agents that declared it failed"),
    ("gray_detect_first_s", "gray: first detection (s)"),
    ("gray_detect_full_s", "gray: full detection (s)"),
    ("gray_listed_alive_share", "gray: healthy polls listing it alive"),
    ("false_suspected_members", "healthy members suspected"),
    ("suspected_members_at_heal", "  besides: own side, at the heal"),
    ("false_suspicions", "false suspicions (pairs, see README)"),
    ("false_dead_members", "healthy members declared dead"),
    ("false_deaths", "false deaths (observer->member pairs)"),
    ("false_deaths_by_healthy", "  of which raised by healthy observers"),
    ("udp_out_pkts_per_node_s", "UDP packets sent / node / s"),
    ("split_udp_out_pkts_per_node_s", "  while split"),
    ("udp_out_bytes_per_node_s", "UDP bytes sent / node / s"),
    ("tcp_out_bytes_per_node_s", "TCP bytes sent / node / s"),
    ("split_tcp_out_bytes_per_node_s", "  while split"),
]


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return "%.2f" % v if v < 100 else "%.0f" % v
    return str(v)


def table(results, scenario):
    by = {r["system"]: r for r in results if r["scenario"] == scenario}
    systems = [s for s in ("rumor", "serf", "mix") if s in by]
    ratio = "rumor" in by and "serf" in by
    n = next(iter(by.values()))["n"]
    lines = ["", "== %s (N=%d)" % (scenario, n)]
    head = "%-42s" % "metric" + "".join("%12s" % s for s in systems)
    if ratio:
        head += "%14s" % "rumor/serf"
    lines.append(head)
    for key, label in ROWS:
        vals = [by[s].get(key) for s in systems]
        if all(v is None for v in vals):
            continue
        row = "%-42s" % label + "".join("%12s" % fmt(v) for v in vals)
        if ratio:
            a, b = by["rumor"].get(key), by["serf"].get(key)
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
                row += "%14s" % ("%.2fx" % (a / b))
            else:
                row += "%14s" % "-"
        lines.append(row)
    for s in systems:
        if not by[s]["ok"]:
            lines.append("  %s FAILED: %s" % (s, by[s].get("error")))
    return "\n".join(lines)


def markdown(results):
    """One Markdown table per N: a row per (scenario, metric), columns rumor, serf, ratio."""
    out = []
    for n in sorted({r["n"] for r in results}):
        rs = [r for r in results if r["n"] == n]
        out += ["", "N = %d" % n, "",
                "| scenario | metric | Rumor | Serf | Rumor / Serf |", "|---|---|---:|---:|---:|"]
        for sc in [s for s in ALL_SCENARIOS + ["loss"] if any(r["scenario"] == s for r in rs)]:
            by = {r["system"]: r for r in rs if r["scenario"] == sc}
            for key, label in ROWS:
                if key == "converge_s" and sc != "converge":
                    continue
                vals = [by.get(s, {}).get(key) for s in ("rumor", "serf")]
                if all(v is None for v in vals):
                    continue
                a, b = vals
                ratio = ("%.2fx" % (a / b) if isinstance(a, (int, float)) and isinstance(b, (int, float))
                         and b else "-")
                out.append("| %s | %s | %s | %s | %s |" % (sc, label.strip(), fmt(a), fmt(b), ratio))
            for s in ("rumor", "serf"):
                if s in by and not by[s]["ok"]:
                    out.append("| %s | %s FAILED | %s | | |" % (sc, s, by[s].get("error")))
    return "\n".join(out)


# ------------------------------------------------------------------------- main ---


def main():
    ap = argparse.ArgumentParser(description="Rumor and Serf agents in network namespaces, under faults.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--systems", default="rumor,serf",
                   help="rumor, serf and/or mix (even nodes Rumor, odd ones Serf, one cluster)")
    r.add_argument("--scenarios", default="converge,crash,leave,loss10,loss20,partition,pause,gray")
    r.add_argument("--nodes", type=int, default=4)
    r.add_argument("--rumor", default=os.path.join(HERE, "..", "..", ".build", "release", "rumor"))
    r.add_argument("--rumor-args", default="", help="extra `rumor agent` flags")
    r.add_argument("--serf", default="serf")
    r.add_argument("--serf-args", default="", help="extra `serf agent` flags")
    r.add_argument("--profile", default="lan", choices=["lan", "wan", "local"],
                   help="both systems' timings (memberlist's profiles; default lan)")
    r.add_argument("--loss", type=float, default=0.1)
    r.add_argument("--duration", type=float, default=None,
                   help="seconds a loss, gray or flap fault lasts (default 30; flap 80)")
    r.add_argument("--partition-seconds", type=float, default=60)
    r.add_argument("--pause-seconds", type=float, default=10)
    r.add_argument("--settle", type=float, default=2,
                   help="seconds between convergence and the fault (default 2)")
    r.add_argument("--fault-after", type=float, default=0,
                   help="start the fault (and the measured window) no sooner than this many "
                        "seconds after node-0's launch (default 0: only --settle); 65 puts "
                        "it past both systems' first push-pull, as rumor-sim --fault-after")
    r.add_argument("--converge-timeout", type=float, default=60)
    r.add_argument("--detect-timeout", type=float, default=60)
    r.add_argument("--heal-timeout", type=float, default=120)
    r.add_argument("--interval", type=float, default=0.25)
    r.add_argument("--lab-id", type=int, default=0)
    r.add_argument("--out", default=os.path.join(HERE, "..", "..", "netlab-out"))
    r.add_argument("--json", help="JSON lines file (default OUT/netlab-STAMP.jsonl)")
    sub.add_parser("check")
    m = sub.add_parser("report")
    m.add_argument("jsonl", nargs="+")
    c = sub.add_parser("cleanup")
    c.add_argument("--lab-id", type=int)
    c.add_argument("--all", action="store_true")
    a = ap.parse_args()

    if a.cmd == "check":
        why = preflight()
        print("ok" if why is None else "cannot run: " + why)
        return 0 if why is None else 3
    if a.cmd == "report":
        results = []
        for path in a.jsonl:
            with open(path) as fh:
                results += [json.loads(ln) for ln in fh if ln.strip()]
        print(markdown(results))
        return 0
    if a.cmd == "cleanup":
        if a.all == (a.lab_id is not None):
            ap.error("cleanup needs --lab-id K or --all")
        removed = cleanup(PREFIX if a.all else "%s%d-" % (PREFIX, a.lab_id))
        print("removed: %s" % (", ".join(removed) or "nothing"))
        return 0

    systems = [s for s in a.systems.split(",") if s]
    scenarios = ALL_SCENARIOS if a.scenarios == "all" else [s for s in a.scenarios.split(",") if s]
    for s in systems:
        if s not in ("rumor", "serf", "mix"):
            ap.error("unknown system %r" % s)
    for s in scenarios:
        if s not in ALL_SCENARIOS + ["loss"]:
            ap.error("unknown scenario %r (one of %s)" % (s, ", ".join(ALL_SCENARIOS + ["loss"])))
    if not 2 <= a.nodes <= 64:
        ap.error("--nodes must be 2..64")
    if a.fault_after < 0 or a.settle < 0:
        ap.error("--fault-after and --settle must be >= 0")
    if not 0 <= a.loss < 1:
        ap.error("--loss must be in [0, 1)")
    a.duration_given = a.duration is not None
    if a.duration is None:
        a.duration = 30
    why = preflight()
    if why is not None:
        print("cannot run: " + why)
        return 3
    if ("rumor" in systems or "mix" in systems) and not os.access(a.rumor, os.X_OK):
        print("no rumor binary at %s (swift build -c release --product rumor, or --rumor PATH)" % a.rumor)
        return 3
    if ("serf" in systems or "mix" in systems) and shutil.which(a.serf) is None:
        print("serf not found (apt-get install -y serf, or --serf PATH)")
        return 3
    a.rumor = os.path.abspath(a.rumor)

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    rundir = os.path.join(a.out, stamp)
    os.makedirs(rundir, exist_ok=True)
    jsonl = a.json or os.path.join(a.out, "netlab-%s.jsonl" % stamp)
    rev = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout.strip() or "?"

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    results, failed = [], False
    log("lab %s%d, N=%d, systems %s, scenarios %s, commit %s, logs in %s"
        % (PREFIX, a.lab_id, a.nodes, systems, scenarios, rev, rundir))
    try:
        for sc in scenarios:
            for system in systems:
                wd = os.path.join(rundir, "%s-%s" % (sc, system))
                os.makedirs(wd, exist_ok=True)
                log("%s %s ..." % (system, sc))
                t = time.time()
                res = run_scenario(a, system, sc, wd)
                res["commit"] = rev
                res["rumor_args"] = a.rumor_args if system == "rumor" else a.serf_args
                res["run_s"] = round(time.time() - t, 1)
                res["logs"] = wd
                log("%s %s: %s" % (system, sc, json.dumps({k: v for k, v in res.items()
                                                            if k not in ("views_at_end", "logs")})))
                results.append(res)
                failed = failed or not res["ok"]
                with open(jsonl, "a") as fh:
                    fh.write(json.dumps(res, sort_keys=True) + "\n")
            print(table(results, sc), flush=True)
    except KeyboardInterrupt:
        log("interrupted; removing the lab")
        cleanup("%s%d-" % (PREFIX, a.lab_id))
        return 130
    print("\nJSON lines: %s" % jsonl)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
