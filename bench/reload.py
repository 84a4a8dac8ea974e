# bench/reload.py: bench/run's reload workload: 10 SIGHUPs to aiod serving 10 ports under 1,000 busy connections.
"""The reload workload of bench/run (aiod only: hot reload is its own feature); see bench/README.md.

aiod runs bench/reload/aiod.lua (copied into the run's temporary folder) with
--grace 5 and 10 ports, pinned to CPU 0, its stderr on a pipe. The client,
bench/reload/load.c pinned to CPU 1, keeps 1,000 connections in line-echo
ping-pong spread over the ports, opens new ones all the time, counts answers
in 100 ms buckets, reads aiod's stderr from the pipe, and sends the SIGHUPs:
before each one it renames the next version of the script (the runner wrote
them all beforehand, VERSION = 2, 3, ...) onto the script, so each reload
loads a new version, whose tag new connections must see.
"""
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import time

import net
from proc import Watch
from report import log, table

BENCH = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ("reload",)
HOST = net.HOST
PORTS, CONNS, CHURN, RELOADS = 10, 1000, 20, 10
GRACE = 5
# seconds: load before counting; counted before the first SIGHUP; from a reload's log line to the next
# SIGHUP; counted after the last line. When the reloads take long, GRACE runs out for the first
# generations' connections before the end: the client counts what that cuts apart (grace_cut).
WARMUP, BEFORE, INTERVAL, AFTER = 1.0, 2.0, 0.1, 0.5
TARGET_MS = 10.0


def free_ports(n):
    """n distinct free ports (held open together while picking, so none comes twice)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((HOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def versions(tmp, count=RELOADS):
    """Writes reload.lua (VERSION = 1) and reload.lua.v2 ... .v<count + 1>; returns the script's path."""
    with open(os.path.join(BENCH, "reload", "aiod.lua")) as f:
        src = f.read()
    if not re.search(r"^local VERSION = 1$", src, re.M):
        raise RuntimeError("bench/reload/aiod.lua has no line `local VERSION = 1`")
    script = os.path.join(tmp, "reload.lua")
    for v in range(1, count + 2):
        with open(script if v == 1 else f"{script}.v{v}", "w") as f:
            f.write(re.sub(r"^local VERSION = 1$", f"local VERSION = {v}", src, flags=re.M))
    return script


def read_all(fd):
    """What is left in the pipe (non-blocking)."""
    os.set_blocking(fd, False)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        out += chunk
    return out.decode(errors="replace")


def hangup_default():
    """In the child: SIGHUP back to its default. aiod keeps a signal ignored at its start ignored (as
    under nohup), so a runner started with nohup would hand it a SIGHUP that reloads nothing."""
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


class Daemon:
    """aiod running a fresh reload.lua (VERSION = 1) on PORTS free ports, pinned to the server CPU, its stderr on
    a pipe (`rfd`) for the client; a context manager that stops it (SIGTERM) and keeps the rest of its stderr in
    `err`. Raises RuntimeError when a port does not listen within 15 s."""

    def __init__(self, aiod, pin, tmp, grace=GRACE):
        self.ports = free_ports(PORTS)
        self.script = versions(tmp, 0)
        self.rfd, wfd = os.pipe()
        env = dict(os.environ, **net.SERVER_MALLOC_ENV)
        self.proc = subprocess.Popen(pin(net.SERVER_CPU, [aiod, "--grace", str(grace), self.script] +
                                         [str(p) for p in self.ports]),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=wfd, env=env,
                                     start_new_session=True, preexec_fn=hangup_default)
        os.close(wfd)
        self.err = ""

    def __enter__(self):
        try:
            deadline = time.monotonic() + 15
            waiting = list(self.ports)
            while waiting:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"aiod exit {self.proc.returncode}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"port {waiting[0]} not listening after 15 s")
                try:
                    socket.create_connection((HOST, waiting[0]), timeout=1).close()
                    waiting.pop(0)
                except OSError:
                    time.sleep(0.05)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.err += read_all(self.rfd)
        os.close(self.rfd)

    def load(self, load, pin, tmp, conns=CONNS, churn=CHURN, warmup=WARMUP, before=BEFORE, reloads=RELOADS,
             interval=INTERVAL, grace=GRACE):
        """Writes the next `reloads` versions and runs the client once; returns its figures as a dict (its
        stderr, with aiod's copied in, under "stderr"), or raises RuntimeError."""
        versions(tmp, reloads)
        cmd = pin(net.LOAD_CPU, [load, HOST, ",".join(map(str, self.ports)), str(conns), str(churn),
                                 str(self.proc.pid), str(self.rfd), self.script, str(reloads), str(warmup),
                                 str(before), str(interval), str(AFTER), str(grace)])
        try:
            r = subprocess.run(cmd, pass_fds=(self.rfd,), capture_output=True, text=True,
                               timeout=warmup + before + reloads * (interval + 15) + AFTER + 30)
        except subprocess.TimeoutExpired:
            raise RuntimeError("the load client timed out")
        if r.returncode != 0:
            raise RuntimeError((r.stderr.strip().splitlines() or [f"load exit {r.returncode}"])[-1])
        if self.proc.poll() is not None:
            raise RuntimeError(f"aiod exit {self.proc.returncode} during the run")
        res = {"reloads": [], "stderr": r.stderr}
        for line in r.stdout.splitlines():
            m = re.match(r"reload (\d+) observed_ms=([\d.-]+) reported_ms=([\d.-]+)", line)
            if m:
                res["reloads"].append((float(m.group(2)), float(m.group(3))))
                continue
            for kv in line.split():
                k, _, v = kv.partition("=")
                res[k] = [int(x) for x in v.split(",") if x] if k in ("buckets", "before", "during") else float(v)
        return res


def one_run(aiod, load, pin, tmp, conns=CONNS, churn=CHURN, warmup=WARMUP, before=BEFORE):
    """Starts aiod, runs the client, stops aiod; returns the client's figures as a dict, or raises RuntimeError."""
    d = Daemon(aiod, pin, tmp)
    with d:
        res = d.load(load, pin, tmp, conns, churn, warmup, before)
    res["stderr"] += d.err
    res["exit"] = d.proc.returncode
    return res


def dip(res):
    """(median bucket before the reloads, min bucket during them), answers per 100 ms."""
    b = res["buckets"]
    return statistics.median(b[res["before"][0]:res["before"][1]]), min(b[res["during"][0]:res["during"][1]])


def run(peers, pin, tmp, runs):
    """The reload workload's markdown; peers[0] is aiod (bench/run's make_peers)."""
    aiod = peers[0]
    title = (f"### reload: {RELOADS} SIGHUPs in a row to aiod `--grace {GRACE}` serving {PORTS} ports, under "
             f"{CONNS:,} busy connections plus {CHURN} slots opening new ones; each reload loads a new version "
             f"({runs} run{'s' if runs > 1 else ''} of {RELOADS} reloads)\n\n")
    if aiod.missing:
        return title + f"_aiod n/a ({aiod.missing})_\n"
    load, why = net.build_c(tmp, "reload-load", os.path.join("reload", "load.c"), ["-pthread"])
    if not load:
        return title + f"_n/a: the load client bench/reload/load.c {why}_\n"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = CONNS + CHURN + 200
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard) if hard != resource.RLIM_INFINITY else want, hard))
    watch = Watch()
    results, fails, idle = [], [], None
    aiod_before = os.stat(aiod.interp).st_mtime

    def attempt(**kw):
        try:
            return one_run(aiod.interp, load, pin, tmp, **kw)
        except RuntimeError as e:
            return e

    try:
        log("bench: reload: no load (the same reloads with no connection)")
        idle = attempt(conns=0, churn=0, warmup=0.1, before=0.3)
        if isinstance(idle, RuntimeError):
            log(f"bench: reload without load failed ({idle})")
            idle = None
        for i in range(runs):
            log(f"bench: reload: run {i + 1}/{runs}")
            res = watch.measure(f"run {i + 1}", attempt, lambda r: not isinstance(r, RuntimeError))
            if isinstance(res, RuntimeError):
                fails.append(str(res))
                log(f"bench: reload run {i + 1} failed ({res})")
            else:
                results.append(res)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    if not results:
        return title + f"_aiod n/a: {fails[0] if fails else 'no run'}_\n"
    text = title + report(results, fails, idle) + "\n" + watch.note() + "\n"
    if os.stat(aiod.interp).st_mtime != aiod_before:
        text += f"\n_{aiod.interp} changed while this workload ran (rebuilt?): its runs may mix two builds_\n"
    if not pin.ok:
        text += f"\n_not pinned: {pin.why}; aiod and the load share the CPUs_\n"
    return text


def spread(values):
    return f"median {statistics.median(values):.1f} ms, max {max(values):.1f} ms" if values else "n/a"


def report(results, fails, idle):
    obs = [o for r in results for o, _ in r["reloads"]]
    rep = [x for r in results for _, x in r["reloads"] if x >= 0]
    total = lambda k: int(sum(r.get(k, 0) for r in results))  # noqa: E731
    dips = [dip(r) for r in results]
    ratios = [d / b for b, d in dips if b > 0]
    rps = lambda x: f"{x * 10:,.0f}"  # noqa: E731  (a 100 ms bucket's count, per second)
    failed_reloads = total("failed_reloads") + sum(RELOADS - len(r["reloads"]) for r in results)
    no_newest = sum(1 for r in results if r.get("newest") != RELOADS + 1)
    cpu = statistics.median(r["aiod_cpu"] / r["seconds"] for r in results if r.get("seconds"))
    rate = statistics.median(r["requests"] / r["seconds"] for r in results if r.get("seconds"))
    rows = [
        ("(a) SIGHUP to its log line, as the client sees it (kill() to the line on aiod's stderr)", spread(obs)),
        ("(a) the reload's time as aiod logs it (`ok in X ms`)", spread(rep)),
    ]
    if idle:
        rows.append(("(a) the same, with no connection at all (one run): seen / logged",
                     f"{spread([o for o, _ in idle['reloads']])} / {spread([x for _, x in idle['reloads']])}"))
    rows += [
        ("reloads failed or not logged", str(failed_reloads)),
        ("(b) requests answered / lost / answered wrong", f"{total('requests'):,} / {total('lost')} / {total('bad')}"),
        ("(b) new connections / connect failures", f"{total('new_conns'):,} / {total('connect_failures')}"),
        ("connections closed by aiod (other than by --grace)", str(total("closed"))),
        (f"connections cut when `--grace {GRACE}` ran out for their generation / requests lost with them",
         f"{total('grace_cut')} / {total('grace_lost')}"),
        ("new connections answered by a version older than the committed one", str(total("stale"))),
        ("connections whose version changed midway", str(total("switched"))),
        (f"runs where no new connection got the last version (v{RELOADS + 1})", str(no_newest)),
        ("(c) req/s in 100 ms buckets: median before the reloads → min during them, per run",
         "; ".join(f"{rps(b)} → {rps(d)}" for b, d in dips)),
        ("(c) dip: min bucket during / median before", f"median {statistics.median(ratios):.0%}, worst "
         f"{min(ratios):.0%}" if ratios else "n/a"),
        ("aiod's CPU / req/s over the counted window (median)",
         f"{cpu:.0%} of a core / {rate:,.0f} (a connection's round trip: {CONNS + CHURN} / req/s = "
         f"{(CONNS + CHURN) / rate * 1000:.1f} ms)" if rate else "n/a"),
    ]
    if fails:
        rows.append(("failed runs", "; ".join(fails)))
    text = table(rows, head=("figure", f"{len(results)} runs × {RELOADS} reloads"))
    ok_time = bool(obs and rep) and max(obs) < TARGET_MS and max(rep) < TARGET_MS
    zero = not any(total(k) for k in ("lost", "bad", "connect_failures", "stale", "switched", "grace_lost")) \
        and failed_reloads == 0 and not no_newest and not fails
    text += (f"\n\n_target: every reload under {TARGET_MS:g} ms from SIGHUP to its log line, as seen and as logged "
             f"— {'met' if ok_time else 'not met'}"
             + (f" (max {max(obs):.1f} / {max(rep):.1f} ms)" if obs and rep else "")
             + f"; no request lost or wrong, no connect failure, new connections on the new version — "
             f"{'met' if zero else 'not met'}_\n")
    errs = [ln for r in results for ln in r["stderr"].splitlines()
            if " error " in ln or " warn " in ln or "Traceback" in ln or "rror:" in ln]
    if errs:
        text += f"\n_aiod logged {len(errs)} warning/error line(s), e.g. `{errs[0].strip()[:160]}`_\n"
    bad_exit = [int(r["exit"]) for r in results if r["exit"] not in (0, None)]
    if bad_exit:
        text += f"\n_aiod exited with {bad_exit} after SIGTERM (0 expected)_\n"
    return text
