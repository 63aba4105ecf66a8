#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench.py — the driver behind bench/run.sh: measures adit-cli -L against ssh -N -L.

For each cipher it starts one throwaway sshd that offers only that cipher (bench/sshd.sh), one
`adit-bench-tool serve` (sink/source, greeting and echo servers on loopback) and every client
(OpenSSH's ssh and each adit-cli build) with three local forwards to those servers. Then, RUNS
times, with the order of the clients rotated each run: a bulk upload and a bulk download
through each client (throughput, and the client's CPU time from /proc/PID/stat before and
after), 1000 sequential short connections (time to the greeting's first byte) and 1000
concurrent echo connections. Medians go into a markdown table with ratios to ssh; every sample
goes into a JSON file. Python only orchestrates: the bytes are moved by adit-bench-tool (C).
"""

import argparse
import datetime
import json
import os
import platform
import pwd
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time

MiB = 1 << 20
GiB = 1 << 30
CLK_TCK = os.sysconf("SC_CLK_TCK")
FD_LIMIT = 8192


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ------------------------------------------------------------------ system helpers

_taken = set()


def pick_port():
    """A free loopback port below the ephemeral range, so no outgoing connection takes it."""
    for _ in range(1000):
        port = random.randint(20000, 32000)
        if port in _taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port
    raise BenchError("no free port found")


def listening(port):
    want = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == want and fields[3] == "0A":
                return True
    return False


def cpu_seconds(pid):
    """utime + stime of the whole process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def tree_cpu_seconds(root):
    """utime + stime of every live process descended from root (sshd and its children: each
    connection's sshd starts a session of its own, so process groups do not find them)."""
    parent, ticks = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue                 # gone meanwhile
        fields = stat[stat.rindex(")") + 2:].split()
        parent[int(entry)] = int(fields[1])
        ticks[int(entry)] = int(fields[11]) + int(fields[12])
    total = 0
    for pid, t in ticks.items():
        p = pid
        while p > 1 and p != root:
            p = parent.get(p, 0)
        if p == root:
            total += t
    return total / CLK_TCK


def context_switches(pid):
    """Voluntary plus involuntary context switches of every thread of a process: each one is
    a wake-up (or a preemption) the client paid for."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except OSError:
            pass                     # the thread ended meanwhile
    return total


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < FD_LIMIT:
        raise BenchError(f"the open-files hard limit is {hard}; {FD_LIMIT} are needed")
    if soft < FD_LIMIT:
        resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, hard))


def parse_kv(text):
    out = {}
    for word in text.split():
        if "=" in word:
            key, value = word.split("=", 1)
            try:
                out[key] = float(value) if "." in value else int(value)
            except ValueError:
                out[key] = value
    return out


# ------------------------------------------------------------------ processes


class Servers:
    """adit-bench-tool serve: the far end of every forward."""

    def __init__(self, tool, logfile):
        self.proc = subprocess.Popen([tool, "serve"], stdout=subprocess.PIPE,
                                     stderr=logfile, stdin=subprocess.DEVNULL, text=True)
        words = self.proc.stdout.readline().split()
        if len(words) != 4 or words[0] != "ready":
            self.stop()
            raise BenchError("adit-bench-tool serve did not start")
        self.data, self.greet, self.echo = (int(w) for w in words[1:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Client:
    """One long-lived tunnel client (ssh or an adit-cli build) with three local forwards."""

    def __init__(self, name, kind, exe, workdir, extra=()):
        self.name, self.kind, self.exe, self.extra = name, kind, exe, list(extra)
        self.dir = os.path.join(workdir, "client-" + name.replace(" ", "_").replace("/", "_"))
        os.makedirs(os.path.join(self.dir, "home"), exist_ok=True)
        self.proc = None
        self.logfile = None

    def start(self, sshd_port, key, servers):
        self.ports = {"data": pick_port(), "greet": pick_port(), "echo": pick_port()}
        targets = {"data": servers.data, "greet": servers.greet, "echo": servers.echo}
        forwards = []
        for what, port in self.ports.items():
            forwards += ["-L", f"127.0.0.1:{port}:127.0.0.1:{targets[what]}"]
        known_hosts = os.path.join(self.dir, "known_hosts")
        if os.path.exists(known_hosts):
            os.unlink(known_hosts)       # each cipher run has a new sshd with a new host key
        common = ["-p", str(sshd_port), "-i", key,
                  "-o", f"UserKnownHostsFile={known_hosts}",
                  "-o", "StrictHostKeyChecking=accept-new"]
        user = f"{pwd.getpwuid(os.getuid()).pw_name}@127.0.0.1"
        if self.kind == "ssh":
            argv = (["ssh", "-N", "-F", "/dev/null", "-o", "BatchMode=yes",
                     "-o", "ExitOnForwardFailure=yes", "-o", "ControlMaster=no"]
                    + common + forwards + [user])
        else:
            argv = [self.exe, "-N"] + common + self.extra + forwards + [user]
        home = os.path.join(self.dir, "home")
        env = {k: v for k, v in os.environ.items()
               if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD", "ADIT_SSH_CIPHERS",
                            "SSH_AUTH_SOCK", "DISPLAY", "WAYLAND_DISPLAY")}
        env.update(HOME=home, XDG_DATA_HOME=os.path.join(home, ".local/share"),
                   XDG_CONFIG_HOME=os.path.join(home, ".config"),
                   XDG_CACHE_HOME=os.path.join(home, ".cache"), LC_ALL="C.UTF-8")
        self.logpath = os.path.join(self.dir, "client.log")
        self.logfile = open(self.logpath, "a")
        self.logfile.write(f"--- {' '.join(argv)}\n")
        self.logfile.flush()

        def limits():
            resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))

        self.proc = subprocess.Popen(argv, stdout=self.logfile, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env, preexec_fn=limits)
        self.wait_ready()

    def log_text(self):
        with open(self.logpath, errors="replace") as f:
            return f.read()

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited ({self.proc.returncode}):\n"
                                 + self.log_text()[-2000:])
            ready = all(listening(p) for p in self.ports.values())
            if self.kind != "ssh":
                ready = ready and "Connected:" in self.log_text()
            if ready:
                return
            time.sleep(0.05)
        raise BenchError(f"{self.name} not ready after {timeout} s:\n" + self.log_text()[-2000:])

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM, as a user's Ctrl-C would; returns (exit status, seconds, needed SIGKILL)."""
        if self.proc is None:
            return None
        t0 = time.monotonic()
        killed = False
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                killed = True
        result = (self.proc.returncode, round(time.monotonic() - t0, 3), killed)
        self.proc = None
        if self.logfile:
            self.logfile.close()
            self.logfile = None
        return result


# ------------------------------------------------------------------ measurements


def run_tool(tool, args, timeout):
    try:
        p = subprocess.run([tool] + [str(a) for a in args], capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    out = parse_kv(p.stdout)
    if p.returncode != 0:
        out["error"] = (p.stderr.strip() or p.stdout.strip() or f"exit {p.returncode}")[:300]
    return out


def measure_transfer(tool, client, direction, size, sshd_pid, verify=False):
    load = loadavg()
    c0 = cpu_seconds(client.proc.pid)
    s0 = tree_cpu_seconds(sshd_pid)
    x0 = context_switches(client.proc.pid)
    args = [direction, client.ports["data"], size] + (["verify"] if verify else [])
    r = run_tool(tool, args, timeout=max(300, size / MiB))
    c1 = cpu_seconds(client.proc.pid)
    s1 = tree_cpu_seconds(sshd_pid)
    x1 = context_switches(client.proc.pid)
    if "error" in r or not r.get("seconds"):
        return {"error": r.get("error", "no result"), "load": load}
    # The server's share of one core while it served this transfer: near 1.0, sshd itself
    # is the bottleneck and no client can go faster.
    return {"mibs": r["bytes"] / MiB / r["seconds"], "seconds": r["seconds"],
            "cpu_s": c1 - c0, "cpu_per_gib": (c1 - c0) / (r["bytes"] / GiB), "load": load,
            "server_busy": (s1 - s0) / r["seconds"],
            "switches_per_gib": (x1 - x0) / (r["bytes"] / GiB)}


def profile_download(tool, client, size, sshd_pid, workdir):
    """One download under `perf record`: the client's CPU split into the kernel (sockets,
    TCP, scheduling), libcrypto (the cipher) and everything else (the client's own code and
    libraries), in s/GiB. Sampling adds a little to every part."""
    data = os.path.join(client.dir, "perf.data")
    perf = subprocess.Popen(["perf", "record", "-q", "-F", "1999", "-o", data,
                             "-p", str(client.proc.pid)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)                  # let perf attach before the transfer starts
    r = measure_transfer(tool, client, "download", size, sshd_pid)
    perf.send_signal(signal.SIGINT)
    _, err = perf.communicate(timeout=60)
    if "error" in r or not os.path.exists(data):
        return {"error": r.get("error") or err.strip()[-300:] or "perf recorded nothing"}
    out = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso",
                          "--stdio", "-F", "period,dso", "-g", "none"],
                         capture_output=True, text=True).stdout
    parts = {"kernel": 0, "crypto": 0, "rest": 0}
    for line in out.splitlines():
        words = line.split()
        if len(words) < 2 or not words[0].isdigit():
            continue
        part = ("kernel" if words[1].startswith("[kernel") else
                "crypto" if words[1].startswith("libcrypto") else "rest")
        parts[part] += int(words[0]) / 1e9        # cpu-clock periods are nanoseconds
    gib = size / GiB
    return {k: v / gib for k, v in parts.items()} | {"cpu_per_gib": r["cpu_per_gib"]}


def measure_latency(tool, client, count):
    load = loadavg()
    c0 = cpu_seconds(client.proc.pid)
    r = run_tool(tool, ["latency", client.ports["greet"], count], timeout=600)
    c1 = cpu_seconds(client.proc.pid)
    r["cpu_ms_per_conn"] = (c1 - c0) * 1000 / count
    r["load"] = load
    return r


def measure_concurrent(tool, client, count, timeout):
    r = run_tool(tool, ["concurrent", client.ports["echo"], count, timeout],
                 timeout=timeout + 60)
    r["load"] = loadavg()
    return r


# ------------------------------------------------------------------ report


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=0):
    return "–" if value is None else f"{value:.{digits}f}"


def ratio(value, ref):
    return "" if value is None or not ref else f" ({value / ref:.2f})"


def summarise(samples):
    """Medians per client of one cipher's samples."""
    def field(kind, key):
        return [s.get(key) for s in samples[kind] if "error" not in s or key == "correct"]
    conc = samples["concurrent"]
    return {
        "up": median(field("upload", "mibs")),
        "down": median(field("download", "mibs")),
        "up_cpu": median(field("upload", "cpu_per_gib")),
        "down_cpu": median(field("download", "cpu_per_gib")),
        "p50": median(field("latency", "p50_ms")),
        "p99": median(field("latency", "p99_ms")),
        "lat_cpu": median(field("latency", "cpu_ms_per_conn")),
        "lat_mean": median(field("latency", "mean_ms")),
        "lat_slow": median(field("latency", "slow")),
        "conc_min": min((s.get("correct", 0) for s in conc), default=None),
        "conc_runs": len(conc),
        "conc_seconds": median([s.get("seconds") for s in conc]),
        "up_range": [f(field("upload", "mibs"), default=None) for f in (min, max)],
        "down_range": [f(field("download", "mibs"), default=None) for f in (min, max)],
        "up_cpu_range": [f(field("upload", "cpu_per_gib"), default=None) for f in (min, max)],
        "down_cpu_range": [f(field("download", "cpu_per_gib"), default=None) for f in (min, max)],
        "up_server": median(field("upload", "server_busy")),
        "down_server": median(field("download", "server_busy")),
        "up_switches": median(field("upload", "switches_per_gib")),
        "down_switches": median(field("download", "switches_per_gib")),
        "errors": sum(1 for kind in ("upload", "download", "latency", "concurrent")
                      for s in samples[kind] if "error" in s),
    }


def report(results, args):
    lines = []
    count = args.concurrent
    lines.append("| cipher | client | upload MiB/s (×ssh) | download MiB/s (×ssh) "
                 "| upload CPU s/GiB (×ssh) | download CPU s/GiB (×ssh) "
                 "| latency p50 / p99 ms (×ssh) | concurrent correct |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for cipher, per_client in results.items():
        ref = per_client.get("ssh", {}).get("summary", {})
        for name, data in per_client.items():
            s = data["summary"]
            latency = f"{fmt(s['p50'], 3)} / {fmt(s['p99'], 3)}"
            if s["p50"] is not None and ref.get("p50") and ref.get("p99"):
                latency += f" ({s['p50'] / ref['p50']:.2f} / {s['p99'] / ref['p99']:.2f})"
            lines.append(
                f"| {cipher.split('@')[0]} | {name} "
                f"| {fmt(s['up'])}{ratio(s['up'], ref.get('up'))} "
                f"| {fmt(s['down'])}{ratio(s['down'], ref.get('down'))} "
                f"| {fmt(s['up_cpu'], 2)}{ratio(s['up_cpu'], ref.get('up_cpu'))} "
                f"| {fmt(s['down_cpu'], 2)}{ratio(s['down_cpu'], ref.get('down_cpu'))} "
                f"| {latency} "
                f"| {s['conc_min']}/{count} (worst of {s['conc_runs']}) |")
    lines.append("")
    lines.append("Spread over the runs (min–max) and the other figures:")
    lines.append("")
    lines.append("| cipher | client | upload MiB/s | download MiB/s | upload CPU s/GiB "
                 "| download CPU s/GiB | sshd busy up / down "
                 "| context switches per GiB up / down "
                 "| short connections: mean ms, over 20 ms "
                 f"| CPU ms per short connection | {args.concurrent} concurrent: s "
                 "| failed samples |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for cipher, per_client in results.items():
        for name, data in per_client.items():
            s = data["summary"]

            def rng(r, d=0):
                return f"{fmt(r[0], d)}–{fmt(r[1], d)}"
            lines.append(
                f"| {cipher.split('@')[0]} | {name} | {rng(s['up_range'])} "
                f"| {rng(s['down_range'])} | {rng(s['up_cpu_range'], 2)} "
                f"| {rng(s['down_cpu_range'], 2)} "
                f"| {fmt(s['up_server'], 2)} / {fmt(s['down_server'], 2)} "
                f"| {fmt(s['up_switches'])} / {fmt(s['down_switches'])} "
                f"| {fmt(s['lat_mean'], 2)}, {fmt(s['lat_slow'])}/{args.latency_count} "
                f"| {fmt(s['lat_cpu'], 3)} "
                f"| {fmt(s['conc_seconds'], 2)} | {s['errors']} |")
    profiles = [(cipher, name, data["profile"]) for cipher, per_client in results.items()
                for name, data in per_client.items() if "profile" in data]
    if profiles:
        lines += ["", "Where the download CPU goes (`perf record`, one download each, s/GiB):",
                  "", "| cipher | client | kernel | libcrypto | the rest | all (perf) |",
                  "|---|---|---|---|---|---|"]
        for cipher, name, p in profiles:
            if "error" in p:
                lines.append(f"| {cipher.split('@')[0]} | {name} | {p['error']} | | | |")
                continue
            lines.append(f"| {cipher.split('@')[0]} | {name} | {p['kernel']:.3f} "
                         f"| {p['crypto']:.3f} | {p['rest']:.3f} "
                         f"| {p['kernel'] + p['crypto'] + p['rest']:.3f} |")
    return "\n".join(lines)


def machine_description():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    try:
        with open("/etc/os-release") as f:
            osr = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        osname = osr.get("PRETTY_NAME", "?").strip('"')
    except OSError:
        osname = "?"
    ssh_v = subprocess.run(["ssh", "-V"], capture_output=True, text=True).stderr.strip()
    return (f"{os.cpu_count()} × {model}, {mem_kib / (1 << 20):.0f} GiB RAM, {osname}, "
            f"Linux {platform.release()}, {ssh_v}")


# ------------------------------------------------------------------ main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tool", required=True)
    ap.add_argument("--sshd-script", required=True)
    ap.add_argument("--adit", action="append", default=[], metavar="NAME=PATH",
                    help="an adit-cli build to measure (repeatable)")
    ap.add_argument("--adit-args", default="",
                    help="extra options for every adit-cli, e.g. -o ServerAliveInterval=0")
    ap.add_argument("--ciphers", default="aes128-gcm@openssh.com,chacha20-poly1305@openssh.com")
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--latency-count", type=int, default=1000)
    ap.add_argument("--concurrent", type=int, default=1000)
    ap.add_argument("--concurrent-timeout", type=float, default=30,
                    help="seconds the concurrent connections get to finish")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--header", default="", help="text put above the table")
    ap.add_argument("--profile", action="store_true",
                    help="after the runs, one download per client under perf record")
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    raise_fd_limit()
    size = args.size_mb * MiB
    clients = [Client("ssh", "ssh", "ssh", args.workdir)]
    for spec in args.adit:
        name, path = spec.rsplit("=", 1)
        clients.append(Client(name, "adit", path, args.workdir, args.adit_args.split()))

    started = datetime.datetime.now().astimezone()
    results = {}
    events = []
    servers = None
    sshd_dir = None
    try:
        for cipher in args.ciphers.split(","):
            log(f"cipher {cipher}")
            sshd_dir = os.path.join(args.workdir, "sshd-" + cipher.split("@")[0])
            sshd_port = pick_port()
            sshd_started = subprocess.run([args.sshd_script, "start", sshd_dir, str(sshd_port),
                                      cipher], check=True, stdout=subprocess.PIPE, text=True)
            sshd_pid = int(sshd_started.stdout.split()[-1])
            key = os.path.join(sshd_dir, "client_ed25519")
            servers = Servers(args.tool, open(os.path.join(args.workdir, "servers.log"), "a"))
            per_client = {}
            for c in clients:
                c.start(sshd_port, key, servers)
                per_client[c.name] = {"samples": {"upload": [], "download": [], "latency": [],
                                                  "concurrent": []}}
            # Sanity and warm-up: every byte checked both ways, a few short connections.
            for c in clients:
                for direction in ("upload", "download"):
                    r = measure_transfer(args.tool, c, direction, 16 * MiB, sshd_pid,
                                         verify=True)
                    if "error" in r:
                        raise BenchError(f"{c.name}: 16 MiB {direction} with checks failed: "
                                         f"{r['error']}\n" + c.log_text()[-2000:])
                r = measure_latency(args.tool, c, 20)
                if "error" in r:
                    raise BenchError(f"{c.name}: short connections fail: {r['error']}")

            for run in range(args.runs):
                order = clients[run % len(clients):] + clients[:run % len(clients)]
                for kind in ("upload", "download", "latency", "concurrent"):
                    for c in order:
                        if not c.alive():
                            raise BenchError(f"{c.name} died:\n" + c.log_text()[-2000:])
                        if kind in ("upload", "download"):
                            r = measure_transfer(args.tool, c, kind, size, sshd_pid)
                        elif kind == "latency":
                            r = measure_latency(args.tool, c, args.latency_count)
                        else:
                            r = measure_concurrent(args.tool, c, args.concurrent,
                                                   args.concurrent_timeout)
                        r["run"] = run
                        per_client[c.name]["samples"][kind].append(r)
                        brief = {k: (round(v, 3) if isinstance(v, float) else v)
                                 for k, v in r.items() if k not in ("run",)}
                        log(f"{cipher.split('@')[0]} run {run + 1}/{args.runs} {kind:10} "
                            f"{c.name}: {brief}")
                        if "error" in r or (kind == "concurrent"
                                            and r.get("correct") != args.concurrent):
                            events.append(f"{cipher} run {run + 1} {kind} {c.name}: {brief}")

            if args.profile:
                for c in clients:
                    p = profile_download(args.tool, c, size, sshd_pid, args.workdir)
                    per_client[c.name]["profile"] = p
                    log(f"{cipher.split('@')[0]} profile {c.name}: {p}")

            for c in clients:
                status = c.stop()
                per_client[c.name]["stop"] = status
                if c.kind != "ssh" and (status[0] != 0 or status[2]):
                    events.append(f"{cipher} {c.name}: stop on SIGTERM gave exit {status[0]}"
                                  f"{' (needed SIGKILL)' if status[2] else ''}")
            servers.stop()
            servers = None
            subprocess.run([args.sshd_script, "stop", sshd_dir], check=False)
            sshd_dir = None
            for name, data in per_client.items():
                data["summary"] = summarise(data["samples"])
            results[cipher] = per_client
    finally:
        for c in clients:
            c.stop()
        if servers:
            servers.stop()
        if sshd_dir:
            subprocess.run([args.sshd_script, "stop", sshd_dir], check=False)

    finished = datetime.datetime.now().astimezone()
    loads = [s["load"] for per_client in results.values() for d in per_client.values()
             for kind in d["samples"].values() for s in kind if "load" in s]
    text = [
        f"Run {started:%Y-%m-%d %H:%M}–{finished:%H:%M %Z}; {args.size_mb} MiB per transfer, "
        f"{args.runs} alternated runs, medians; {args.latency_count} sequential and "
        f"{args.concurrent} concurrent connections per run "
        f"(given {args.concurrent_timeout:g} s to finish)"
        + (f"; adit-cli run with `{args.adit_args}`." if args.adit_args else "."),
        f"Machine: {machine_description()}.",
        f"1-minute load average before the samples: {min(loads):.2f}–{max(loads):.2f} "
        f"(a rough sign of other work on the machine: the measurements themselves are short)."
        if loads else "",
        "",
    ]
    if args.header:
        text += [args.header.rstrip(), ""]
    text += [
        report(results, args),
        "",
    ]
    if events:
        text += ["Events:", ""] + [f"- {e}" for e in events] + [""]
    stops = [f"{cipher.split('@')[0]} {name}: exit {d['stop'][0]} after {d['stop'][1]} s"
             for cipher, pc in results.items() for name, d in pc.items() if d.get("stop")]
    text += ["Stopped with SIGTERM: " + "; ".join(stops) + ".", ""]
    output = "\n".join(text)
    os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
    with open(args.results, "w") as f:
        f.write(output)
    with open(os.path.splitext(args.results)[0] + ".json", "w") as f:
        json.dump({"started": started.isoformat(), "finished": finished.isoformat(),
                   "args": vars(args), "results": results, "events": events}, f, indent=1)
    print(output)
    return 1 if events else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        log(f"error: {e}")
        sys.exit(1)
