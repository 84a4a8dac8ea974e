# bench/scale.py: bench/run's scale workload: aiod under many connections, churn, reloads and bad clients.
"""The scale workload of bench/run (aiod alone, against issue 16's targets); see bench/README.md.

Four parts, each on a fresh aiod pinned to CPU 0, the client (bench/scale/load.c,
or bench/reload/load.c for the reloads) pinned to CPU 1:

- idle: IDLE_CONNS connections, each echoing one message, then held; then
  BURST of them send at once and every echo is awaited.
- churn: CHURN_TOTAL short connections (connect, one echo, close), CHURN_AT at
  a time; the server's RSS and descriptors read before, at every tenth, after.
- reload: bench/reload's daemon and client: RELOAD_PASSES passes of RELOADS
  reloads RELOAD_INTERVAL s apart under RELOAD_CONNS busy connections; between
  passes, once the old generations are gone, a full collection (through
  `aiod attach`) and `aiod stats --json`: the Lua heap, RSS, descriptors.
- bad: LATENCY_CONNS ping-pong connections' latency alone, then beside
  BAD_SLOW slow readers and BAD_LORIS slowloris clients (alternating, ROUNDS
  each); p99 of each, medians over the rounds.

The servers are bench/echo/aiod.lua (an echo server on every port given)
and bench/reload/aiod.lua. The runner raises RLIMIT_NOFILE (soft and hard) for
its children as far as the connections need and /proc/sys/fs/nr_open allows;
where it may not (no CAP_SYS_RESOURCE), it uses the hard limit and lowers the
idle count to fit, saying so in the title.
"""
import json
import os
import resource
import socket
import statistics
import subprocess
import time

import net
import reload
from proc import Watch
from report import log, table

BENCH = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ("scale",)
HOST = net.HOST
IDLE_CONNS, BURST, IDLE_PORTS = 30_000, 10_000, 4
CHURN_TOTAL, CHURN_AT, CHURN_PORTS = 300_000, 100, 4
RELOADS, RELOAD_INTERVAL, RELOAD_CONNS, RELOAD_CHURN, RELOAD_PASSES, RELOAD_GRACE = 50, 0.2, 1000, 20, 2, 60
LATENCY_CONNS, BAD_SLOW, BAD_LORIS, LATENCY_WARMUP, LATENCY_SECS, ROUNDS = 50, 500, 500, 1.0, 4.0, 3
SPARE_FDS = 100  # descriptors a process needs beside its connections
RSS_FLAT_KIB = 1024  # "flat": RSS grows by less than this (or 2 %) from the first sample to the last
P99_FACTOR = 1.5  # bad clients beside: p99 within this of the p99 alone


class EchoServer(net.Server):
    """bench/echo/aiod.lua on `ports` free ports (net.Server picks the first and appends the rest)."""

    def __init__(self, aiod, pin, tmp, ports=1):
        entry = net.Entry("aiod", [aiod, os.path.join(BENCH, "echo", "aiod.lua")],
                          flags=[str(p) for p in reload.free_ports(ports - 1)])
        super().__init__(entry, pin, tmp)
        self.ports = [self.port] + [int(p) for p in entry.flags]

    def wait_ready(self, timeout=15):
        """Until every port accepts a connection; returns None, or why one did not."""
        first = self.port
        try:
            for self.port in self.ports:
                why = super().wait_ready(timeout)
                if why:
                    return why
            return None
        finally:
            self.port = first

    def fds(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def rss(self):
        return net.status_kib(self.pid, "VmRSS")


def raise_nofile(want):
    """Sets RLIMIT_NOFILE to want (soft and hard) for this process and its children, as far as allowed; returns
    (limit got, a note when it is below want, restore)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with open("/proc/sys/fs/nr_open") as f:
        want = min(want, int(f.read()))
    note = ""
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(want, soft), max(want, hard)))
        got = want
    except (ValueError, OSError):
        got = hard
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        note = (f"RLIMIT_NOFILE's hard limit is {hard:,} and raising it was refused "
                f"(no CAP_SYS_RESOURCE here)")
    return got, note, lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def kv(line):
    """key=value fields of a client's line; lists for comma-separated values."""
    out = {}
    for item in line.split():
        k, _, v = item.partition("=")
        out[k] = [float(x) for x in v.split(",")] if "," in v else float(v)
    return out


def run_client(pin, load, args, timeout):
    """Runs the load client pinned to the load CPU; returns its fields, or raises RuntimeError."""
    try:
        r = subprocess.run(pin(net.LOAD_CPU, [load] + [str(a) for a in args]), capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"the load client timed out ({args[0]})")
    if r.returncode != 0:
        raise RuntimeError((r.stderr.strip().splitlines() or [f"load exit {r.returncode}"])[-1])
    fields = {}
    for line in r.stdout.splitlines():
        fields.update(kv(line))
    return fields


class Served:
    """A started EchoServer as a context manager: waits until it listens, stops it at the end, and raises
    RuntimeError (with its stderr's tail) when it fails or dies."""

    def __init__(self, *args, **kw):
        self.srv = EchoServer(*args, **kw)

    def __enter__(self):
        why = self.srv.wait_ready()
        if why:
            self.srv.stop()
            raise RuntimeError(f"aiod: {why}")
        time.sleep(0.3)
        return self.srv

    def __exit__(self, *exc):
        if not self.srv.alive():
            tail = " / ".join(self.srv.stderr_tail())
            self.srv.stop()
            raise RuntimeError(f"aiod exit {self.srv.proc.returncode}: {tail}")
        self.srv.stop()


def part_idle(aiod, load, pin, tmp, n):
    with Served(aiod, pin, tmp, IDLE_PORTS) as srv:
        before, fds0 = srv.rss(), srv.fds()
        r = run_client(pin, load, ["idle", HOST, ",".join(map(str, srv.ports)), n, min(BURST, n), srv.pid], 300)
        r.update(rss_before=before, fds_before=fds0)
        return r


def part_churn(aiod, load, pin, tmp):
    with Served(aiod, pin, tmp, CHURN_PORTS) as srv:
        before, fds0 = srv.rss(), srv.fds()
        r = run_client(pin, load, ["churn", HOST, ",".join(map(str, srv.ports)), CHURN_TOTAL, CHURN_AT, srv.pid], 600)
        time.sleep(0.5)
        r.update(rss_before=before, fds_before=fds0, rss_after=srv.rss(), fds_after=srv.fds())
        return r


def part_latency(aiod, load, pin, tmp, slow, loris):
    with Served(aiod, pin, tmp) as srv:
        before = srv.rss()
        r = run_client(pin, load, ["latency", HOST, srv.port, LATENCY_CONNS, slow, loris, LATENCY_WARMUP,
                                   LATENCY_SECS, srv.pid], LATENCY_WARMUP + LATENCY_SECS + 60)
        time.sleep(0.5)
        r.update(rss_before=before, rss_after=srv.rss())
        return r


def aiod_cmd(aiod, *args, stdin=None):
    r = subprocess.run([aiod] + list(args), input=stdin, capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError(f"aiod {args[0]}: {(r.stderr.strip().splitlines() or ['exit %d' % r.returncode])[-1]}")
    return r.stdout


def settled(aiod, pid):
    """Once no old generation is left (up to 10 s), a full collection in the daemon, then its stats."""
    deadline = time.monotonic() + 10
    while True:
        st = json.loads(aiod_cmd(aiod, "stats", str(pid), "--json"))
        gens = st["tasks"]["by_generation"]
        if (not gens or set(map(str, gens)) <= {str(st["generation"]), "0"}) and st["connections"] == 0:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"old generations still there 10 s after the load: {gens}")
        time.sleep(0.2)
    aiod_cmd(aiod, "attach", str(pid), stdin="collectgarbage() collectgarbage()\n")
    st = json.loads(aiod_cmd(aiod, "stats", str(pid), "--json"))
    return {"rss": st["rss"] / 1024, "lua": st["lua_memory"] / 1024, "fds": st["fds"], "gen": st["generation"]}


def part_reload(aiod, rload, pin, tmp):
    d = reload.Daemon(aiod, pin, tmp, grace=RELOAD_GRACE)
    with d:
        time.sleep(0.5)  # the control socket
        probes, passes = [settled(aiod, d.proc.pid)], []
        for _ in range(RELOAD_PASSES):
            passes.append(d.load(rload, pin, tmp, conns=RELOAD_CONNS, churn=RELOAD_CHURN, reloads=RELOADS,
                                 interval=RELOAD_INTERVAL, grace=RELOAD_GRACE))
            probes.append(settled(aiod, d.proc.pid))
    return passes, probes, d.proc.returncode


def fmt_kib(k):
    return f"{k / 1024:.1f} MiB"


def flat(first, last):
    return last - first < max(RSS_FLAT_KIB, 0.02 * first)


def report_idle(r, n, note):
    rows = [
        ("connections held / open failures / seconds to open them",
         f"{r['held']:,.0f} / {r['open_failures']:.0f} / {r['open_seconds']:.1f} s"),
        ("server RSS before → with them held (per connection); descriptors",
         f"{fmt_kib(r['rss_before'])} → {fmt_kib(r['rss_held'])} "
         f"({(r['rss_held'] - r['rss_before']) * 1024 / max(r['held'], 1):,.0f} B); {r['fds_held']:,.0f}"),
        (f"burst: {min(BURST, n):,} of them send 100 B at once: echoed / failed / seconds",
         f"{r['burst_echoed']:,.0f} / {r['burst_failed']:.0f} / {r['burst_seconds']:.2f} s"),
        ("server RSS after the burst; connections the server closed", f"{fmt_kib(r['rss_burst'])}; "
         f"{r['closed_by_server']:.0f}"),
    ]
    ok = r["held"] == n and r["burst_echoed"] == min(BURST, n) and not (r["open_failures"] or r["burst_failed"]
                                                                        or r["closed_by_server"])
    target = f"{IDLE_CONNS:,} held, {BURST:,} echoed at once"
    verdict = ("met" if ok and n == IDLE_CONNS else
               f"not measurable here: {note}; {n:,} held and every burst echo came" if ok else "not met")
    return rows, f"{target} — {verdict}"


def report_churn(r):
    rss, fds = r["rss"], r["fds"]
    rows = [
        ("connections done / failed / seconds", f"{r['done']:,.0f} / {r['failures']:.0f} / {r['seconds']:.1f} s "
         f"({r['done'] / r['seconds']:,.0f} a second)"),
        ("server RSS before → at each tenth → after",
         f"{fmt_kib(r['rss_before'])} → " + ", ".join(f"{k / 1024:.1f}" for k in rss) +
         f" MiB → {fmt_kib(r['rss_after'])}"),
        ("server descriptors before → at each tenth → after",
         f"{r['fds_before']:.0f} → " + ", ".join(f"{k:.0f}" for k in fds) + f" → {r['fds_after']:.0f}"),
    ]
    ok = r["done"] == CHURN_TOTAL and not r["failures"] and flat(rss[0], r["rss_after"]) and \
        r["fds_after"] == r["fds_before"] and max(fds) <= r["fds_before"] + 2 * CHURN_AT
    return rows, (f"{CHURN_TOTAL:,} short connections all served, RSS flat from the first tenth to the end "
                  f"(under +{RSS_FLAT_KIB // 1024} MiB or 2 %), descriptors back to their count before — "
                  f"{'met' if ok else 'not met'}")


def report_reload(passes, probes, code):
    total = lambda k: int(sum(p.get(k, 0) for p in passes))  # noqa: E731
    failed = total("failed_reloads") + sum(RELOADS - len(p["reloads"]) for p in passes)
    seen = [o for p in passes for o, _ in p["reloads"]]
    logged = [x for p in passes for _, x in p["reloads"] if x >= 0]
    rows = [
        ("reloads done / failed or not logged", f"{sum(len(p['reloads']) for p in passes)} / {failed}"),
        ("SIGHUP to its log line, as the client sees it / as aiod logs it", f"{reload.spread(seen)} / "
         f"{reload.spread(logged)}"),
        ("requests answered / lost / wrong; new connections / connect failures / closed by aiod",
         f"{total('requests'):,} / {total('lost')} / {total('bad')}; {total('new_conns'):,} / "
         f"{total('connect_failures')} / {total('closed')}"),
        ("stale or switched versions", f"{total('stale')} / {total('switched')}"),
        ("generation; Lua heap after a full collection; RSS; descriptors: fresh, then after each pass",
         " → ".join(f"{p['gen']}: {p['lua']:.0f} KiB, {fmt_kib(p['rss'])}, {p['fds']}" for p in probes)),
    ]
    first, last = probes[1], probes[-1]
    ok = not (failed or any(total(k) for k in ("lost", "bad", "connect_failures", "closed", "stale", "switched"))) \
        and flat(first["rss"], last["rss"]) and last["lua"] <= first["lua"] + 64 and last["fds"] == probes[0]["fds"] \
        and code == 0
    errs = [ln for p in passes for ln in p["stderr"].splitlines() if " error " in ln or " warn " in ln]
    if errs:
        rows.append(("aiod's warning and error lines", f"{len(errs)}, e.g. `{errs[0].strip()[:120]}`"))
    return rows, (f"{RELOAD_PASSES} × {RELOADS} reloads every {RELOAD_INTERVAL * 1000:.0f} ms under "
                  f"{RELOAD_CONNS:,} busy connections: no request failed, and after the last pass the Lua heap "
                  f"(within 64 KiB), RSS (flat) and descriptors as after the first — {'met' if ok else 'not met'}")


def report_bad(alone, beside):
    med = lambda rs, k: statistics.median(r[k] for r in rs)  # noqa: E731
    p99a, p99b = med(alone, "p99_us"), med(beside, "p99_us")
    rows = [
        (f"{LATENCY_CONNS} ping-pong connections alone: requests, p50 / p99 / max",
         f"{med(alone, 'requests'):,.0f}; {med(alone, 'p50_us'):.0f} / {p99a:.0f} / {med(alone, 'max_us'):.0f} µs"),
        (f"the same beside {BAD_SLOW} slow readers and {BAD_LORIS} slowloris clients",
         f"{med(beside, 'requests'):,.0f}; {med(beside, 'p50_us'):.0f} / {p99b:.0f} / {med(beside, 'max_us'):.0f} µs"),
        ("p99s per round: alone / beside", "; ".join(f"{a['p99_us']:.0f} / {b['p99_us']:.0f} µs"
                                                      for a, b in zip(alone, beside))),
        ("slow readers: MiB written until the server's writes backed up, seconds it took; bad clients closed by aiod",
         f"{med(beside, 'slow_sent_kib') / 1024:,.0f}, {med(beside, 'fill_seconds'):.1f} s; "
         f"{med(beside, 'bad_closed'):.0f}"),
        ("server RSS before → with the bad clients → 0.5 s after they left (median)",
         f"{fmt_kib(med(beside, 'rss_before'))} → {fmt_kib(med(beside, 'rss'))} → "
         f"{fmt_kib(med(beside, 'rss_after'))}"),
    ]
    ok = p99b <= P99_FACTOR * p99a and not any(r["failures"] for r in alone + beside)
    return rows, (f"the ping-pong clients' p99 beside the bad clients within {P99_FACTOR}x of alone, none failing — "
                  f"{'met' if ok else 'not met'} ({p99b / p99a:.2f}x)")


def run(peers, pin, tmp):
    """The scale workload's markdown; peers[0] is aiod (bench/run's make_peers)."""
    aiod = peers[0]
    title = "### scale: aiod under many connections, churn, reloads and bad clients\n\n"
    if aiod.missing:
        return title + f"_aiod n/a ({aiod.missing})_\n"
    load, why = net.build_c(tmp, "scale-load", os.path.join("scale", "load.c"))
    rload, why2 = net.build_c(tmp, "reload-load", os.path.join("reload", "load.c"))
    if not (load and rload):
        return title + f"_n/a: a load client {why or why2}_\n"
    limit, note, restore = raise_nofile(IDLE_CONNS + SPARE_FDS)
    n = min(IDLE_CONNS, limit - SPARE_FDS)
    # The first three parts count and weigh, which other processes do not skew: they run once, watched only for
    # the note. The latency rounds are timed, and run again when disturbed.
    counted, timed = Watch(), Watch()
    counted.RETRIES = 0
    rows, targets, fails = [], [], []

    def part(name, fn, *args, watch=counted):
        log(f"bench: scale: {name}")
        try:
            return watch.measure(name, lambda: fn(*args), lambda r: r is not None)
        except (RuntimeError, OSError, ValueError, KeyError) as err:
            log(f"bench: scale: {name} failed ({err})")
            fails.append(f"{name}: {err}")
            return None

    try:
        r = part("idle", part_idle, aiod.interp, load, pin, tmp, n)
        if r:
            rw, t = report_idle(r, n, note)
            rows += [(f"idle: {a}", b) for a, b in rw]
            targets.append(t)
        r = part("churn", part_churn, aiod.interp, load, pin, tmp)
        if r:
            rw, t = report_churn(r)
            rows += [(f"churn: {a}", b) for a, b in rw]
            targets.append(t)
        r = part("reload", part_reload, aiod.interp, rload, pin, tmp)
        if r:
            rw, t = report_reload(*r)
            rows += [(f"reload: {a}", b) for a, b in rw]
            targets.append(t)
        alone, beside = [], []
        for i in range(ROUNDS):
            alone.append(part(f"bad clients, round {i + 1}: alone", part_latency, aiod.interp, load, pin, tmp, 0, 0,
                              watch=timed))
            beside.append(part(f"bad clients, round {i + 1}: beside", part_latency, aiod.interp, load, pin, tmp,
                               BAD_SLOW, BAD_LORIS, watch=timed))
        if all(alone) and all(beside):
            rw, t = report_bad(alone, beside)
            rows += [(f"bad clients: {a}", b) for a, b in rw]
            targets.append(t)
    finally:
        restore()
    text = title
    if note:
        text += f"_{note}: the idle part holds {n:,} connections, not {IDLE_CONNS:,}_\n\n"
    text += table(rows, head=("figure", "aiod")) + "\n\n"
    text += "".join(f"_target: {t}_\n\n" for t in targets)
    text += "".join(f"_failed: {f}_\n\n" for f in fails)
    text += counted.note("the idle, churn and reload parts") + "\n\n" + timed.note("the latency rounds") + "\n"
    if not pin.ok:
        text += f"\n_not pinned: {pin.why}; aiod and the load share the CPUs_\n"
    return text
