# bench/httpc.py: bench/run's http-client workload: 20,000 keep-alive GETs, 50 at a time, against a plain C server; the client's CPU per request over HTTP and HTTPS.
"""The http-client workload of bench/run; see bench/README.md.

A plain C server on libev (bench/http_client/server.c, OpenSSL for HTTPS)
answers every GET with a fixed 1 KiB body, pinned to CPU 0. Each client runs
as the runner's child, pinned to CPU 1: CONC workers GET on one session (a
pool of keep-alive connections, at most CONC to the host) until N are done,
check every answer (status 200, 1024 body bytes) and print how many were
right. The figure is the client's whole CPU time (user + sys of the process
and its threads, from wait4's rusage) / N, and its wall time. Clients:
aiod's asyncio.http, Python asyncio with aiohttp and with httpx, Node.js
fetch (undici), and plain C on libcurl multi (the limit). The same again
over HTTPS with the test CA's certificate, which every client verifies.
"""
import os
import statistics
import subprocess
import tempfile
import threading
import time

import net
from report import fmt_x, log, table

BENCH = os.path.dirname(os.path.abspath(__file__))
SRC = "http_client"
WORKLOADS = ("http-client",)
N, CONC = 20_000, 50
TIMEOUT = 120
FACTOR = 1.2  # aiod within this of plain C on libcurl


class Client:
    """A row: label, command (URL, N, CONC and for HTTPS the CA file are appended), why it cannot run (or
    None); floor marks the plain libcurl program."""

    def __init__(self, label, cmd, missing=None, aiod=False, floor=False):
        self.label, self.cmd, self.missing, self.aiod, self.floor = label, cmd, missing, aiod, floor


def probe(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else None


def clients(peers, tmp):
    """The clients, aiod first and plain C on libcurl last, from bench/run's peers."""
    kind = {}
    for p in peers:
        kind.setdefault(p.kind, []).append(p)
    d = os.path.join(BENCH, SRC)
    aiod, py, node = kind["aiod"][0], kind["python"][0], kind["node"][0]
    out = [Client(f"{aiod.label} asyncio.http", [aiod.interp, os.path.join(d, "aiod.lua")], aiod.missing, aiod=True)]
    for lib in ("aiohttp", "httpx"):
        v = None if py.missing else probe([py.interp, "-I", "-c", f"import {lib}; print({lib}.__version__)"])
        out.append(Client(f"{py.label} + {lib} {v}" if v else f"Python asyncio + {lib}",
                          [py.interp, "-I", os.path.join(d, f"python_{lib}.py")],
                          py.missing or (None if v else "not installed")))
    uv = None if node.missing else probe([node.interp, "-e", "console.log(process.versions.undici || '')"])
    out.append(Client(f"{node.label} fetch" + (f" (undici {uv})" if uv else ""),
                      [node.interp, os.path.join(d, "node.js")], node.missing))
    ver = probe(["curl-config", "--version"])
    exe, why = net.build_c(tmp, "httpc-libcurl", os.path.join(SRC, "libcurl.c"), ["-lcurl"])
    out.append(Client(f"plain C on {ver or 'libcurl'} multi", [exe], why, floor=True))
    return out


def run_client(cmd, env, tmp):
    """Runs one client to its end; returns (CPU seconds, wall seconds, stdout) or raises RuntimeError."""
    with tempfile.TemporaryFile(dir=tmp) as out, tempfile.TemporaryFile(dir=tmp) as err:
        t0 = time.monotonic()
        try:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                 start_new_session=True)
        except OSError as e:
            raise RuntimeError(f"cannot start: {e.strerror}")
        timer = threading.Timer(TIMEOUT, p.kill)
        timer.start()
        # taskset execs the client, so this is the client's own rusage (all its threads).
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        timer.cancel()
        p.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, etext = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if code != 0:
        tail = etext.strip().splitlines()[-3:]
        log("bench: http-client: client failed:", *("\n    " + ln for ln in tail))
        raise RuntimeError(f"timeout {TIMEOUT}s" if code == -9 else f"exit {code}")
    return ru.ru_utime + ru.ru_stime, wall, text


def measure(c, srv, url, cafile, pin, runs, tmp, others):
    """One warm-up run of client c, then `runs` runs, each watched; returns (median µs CPU/request, median
    wall) or raises RuntimeError."""
    cmd = pin(net.LOAD_CPU, c.cmd + [url, str(N), str(CONC)] + ([cafile] if cafile else []))
    env = dict(os.environ, **({"NODE_EXTRA_CA_CERTS": cafile} if cafile else {}))
    cpus, walls = [], []
    for i in range(runs + 1):
        log(f"bench: http-client: {c.label} {url.split(':')[0]} " + (f"run {i}/{runs}" if i else "warm-up"))
        cpu, wall, text = (others.measure(srv.pid, f"{c.label}, {url.split(':')[0]}", lambda: run_client(cmd, env, tmp))
                           if i else run_client(cmd, env, tmp))
        got = (text.strip().splitlines() or [""])[-1].strip()
        if got != str(N):
            raise RuntimeError(f"WRONG: {got[-40:]!r} right answers of {N}")
        if not srv.alive():
            raise RuntimeError(f"server exit {srv.proc.returncode}")
        if i:
            cpus.append(cpu)
            walls.append(wall)
    return statistics.median(cpus) * 1e6 / N, statistics.median(walls)


def variant(scheme, cs, server, pin, runs, tmp, cafile):
    """One table: every client against one server process."""
    others = net.Others()
    fig, fails = {}, {}
    srv = net.Server(server, pin, tmp)
    try:
        why = srv.wait_ready()
        if why:
            raise RuntimeError(f"the server: {why}")
        url = f"{scheme}://{net.HOST}:{srv.port}/"
        for c in cs:
            if c.missing:
                continue
            try:
                fig[c.label] = measure(c, srv, url, cafile, pin, runs, tmp, others)
            except RuntimeError as err:
                fails[c.label] = str(err)
                log(f"bench: http-client: {c.label} failed ({err})")
    except RuntimeError as err:
        log(f"bench: http-client: {err}:", *("\n    " + ln for ln in srv.stderr_tail()))
        return f"### http-client, {scheme.upper()}\n\n_n/a: {err}_\n"
    finally:
        srv.stop()
    a = next(c for c in cs if c.aiod)
    af = fig.get(a.label)
    rows = []
    for c in cs:
        if c.label not in fig:
            rows.append((c.label, f"n/a ({c.missing or fails.get(c.label, 'failed')})", "—" if c.aiod else "n/a"))
            continue
        us, wall = fig[c.label]
        cell = f"{us:.1f} µs CPU/req, {wall:.2f} s wall ({N / wall:,.0f} req/s)"
        if c.aiod:
            ratio = "—"
        elif af:
            ratio = f"{fmt_x(af[0] / us)} the CPU/req, {fmt_x(af[1] / wall)} the wall time"
        else:
            ratio = "n/a"
        rows.append((c.label, cell, ratio))
    # net.cpu_target reads (requests/s, µs) pairs and the aiod / floor marks
    target = net.cpu_target({k: (N / w, us) for k, (us, w) in fig.items()}, cs, f"http-client {scheme.upper()}",
                            FACTOR).replace("plain C's", "plain libcurl's")
    what = "HTTP/1.1" if scheme == "http" else "HTTP/1.1 over TLS, the certificate verified against the test CA"
    return (f"### http-client, {scheme.upper()}: {N:,} GETs of a 1 KiB body, {CONC} at a time on one keep-alive "
            f"session, {what}; the client's CPU (user+sys, whole process) per request and its wall time "
            f"(median of {runs} run{'s' if runs > 1 else ''})\n\n" + table(rows)
            + f"\n\n_{target}_\n\n" + others.note() + "\n")


def run(peers, tmp, runs):
    """The workload's markdown: the HTTP table, then the HTTPS one."""
    pin = net.Pinning()
    if not pin.ok:
        log(f"bench: http-client: not pinned to CPUs ({pin.why})")
    cs = clients(peers, tmp)
    exe, why = net.build_c(tmp, "httpc-server", os.path.join(SRC, "server.c"), ["-lev", "-lssl", "-lcrypto"])
    if not exe:
        return f"### http-client\n\n_n/a: the server bench/{SRC}/server.c {why}_\n"
    text = variant("http", cs, net.Entry("server", [exe]), pin, runs, tmp, None)
    try:
        cert, key = net.tls_certs(tmp)
    except RuntimeError as err:
        text += f"\n### http-client, HTTPS\n\n_n/a: no certificate: {err}_\n"
    else:
        cafile = os.path.join(os.path.dirname(cert), "ca.pem")
        text += "\n" + variant("https", cs, net.Entry("server", [exe], (cert, key)), pin, runs, tmp, cafile)
    if not pin.ok:
        text += f"\n_not pinned: {pin.why}; server and clients share the CPUs_\n"
    return text
