# bench/net.py: bench/run's network workloads (echo, http, conns; tls-handshake, tls-echo, tls-conns): servers pinned to CPU 0, load on CPU 1.
"""The network workloads of bench/run; see bench/README.md.

Every server is a script (or, for the plain C floor, a program built at the
start of the run) that listens on 127.0.0.1 on the port given as its first
argument; the runner picks a free port, starts the server pinned to CPU 0,
waits until the port accepts, loads it from CPU 1, and stops it with SIGTERM.

- echo: bench/echo/load.c, 50 connections of request/response ping-pong at
  100 B and 16 KiB; it reads the server's CPU time at both ends of its
  counted window.
- http: wrk -t1 -c50 against a keep-alive hello server; the runner reads the
  server's CPU time around the measured wrk run (after a 1 s warm-up run).
- conns: 10,000 connections each echo one message, then stay open idle;
  (server's peak RSS - its RSS before) / 10,000.
- tls-handshake, tls-echo, tls-conns: the TLS echo servers of bench/tls_echo/
  and its OpenSSL load client (load.c): full handshakes, 50 at a time, each
  echoing 100 B; 50 connections of 16 KiB ping-pong; 5,000 idle TLS
  connections beside as many plaintext ones. One certificate (EC P-256,
  tests/tls/mkcerts.sh) for every server; every server must negotiate TLS 1.3
  with TLS_AES_256_GCM_SHA384.
"""
import os
import re
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time

from report import fmt_x, log, table

BENCH = os.path.dirname(os.path.abspath(__file__))
TLS_WORKLOADS = ("tls-handshake", "tls-echo", "tls-conns")
WORKLOADS = ("echo", "http", "conns") + TLS_WORKLOADS
HOST = "127.0.0.1"
ECHO_CONNS, ECHO_SIZES = 50, (100, 16384)
# Issue 16's bounds on aiod's CPU per request against plain C's: short messages and http are mostly
# the loop and the scheduler, where aiod must stay close to C; 16 KiB adds a Lua string per read.
ECHO_FACTOR = {100: 1.1, 16384: 1.2}
HTTP_FACTOR = 1.1
CONNS_TARGET = 1536  # bytes an idle connection may cost aiod (1.5 KB)
HTTP_CONNS = 50
WARMUP = 1.0  # seconds of load before each measured window
SERVER_CPU, LOAD_CPU = 0, 1
# The fixed MALLOC_MMAP_THRESHOLD_ of the other workloads (128 KiB) would turn each of asyncio's 256 KiB
# recv() buffers into an mmap/mremap/munmap triple per request (126 us instead of 13 per echo). Servers
# keep a fixed, non-adaptive malloc, with the threshold above what any peer allocates per read; the
# trim threshold is twice it, as glibc's adaptive rule would set it.
SERVER_MALLOC_ENV = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": "1048576",
                     "MALLOC_TRIM_THRESHOLD_": "2097152"}
HTTP_RESPONSE_BODY = b"Hello, world!"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- helpers


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """utime + stime of pid (all its threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15, counted from 3 after ')'


class Others:
    """How much CPU processes other than the server and the load take while the load runs.

    Server and load fill the two cores, so anything else (a build, a test run)
    takes its time from one of them and skews the figures. Busy time of the
    whole machine (/proc/stat) minus the server's and the reaped children's
    (the load) over the span, as a fraction of one CPU. A span over DISTURBED
    is measured again (up to RETRIES times, after a pause, and at most BUDGET
    times per workload, so a machine busy throughout does not triple the run);
    the worst span kept goes under the workload's table."""

    DISTURBED, RETRIES, PAUSE, BUDGET = 0.10, 2, 3.0, 8

    def __init__(self):
        self.worst, self.where, self.retried = 0.0, None, 0

    @staticmethod
    def _sample(pid):
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / CLK_TCK  # all but idle and iowait
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.monotonic(), busy, cpu_seconds(pid), ru.ru_utime + ru.ru_stime

    def measure(self, pid, where, fn):
        """fn() while watching the machine; again while others took more than DISTURBED."""
        for attempt in range(self.RETRIES + 1):
            begin = self._sample(pid)
            result = fn()
            wall, busy, server, load = (e - b for e, b in zip(self._sample(pid), begin))
            frac = max(0.0, busy - server - load) / wall if wall > 0 else 0.0
            if frac <= self.DISTURBED or attempt == self.RETRIES or self.retried >= self.BUDGET:
                break
            self.retried += 1
            log(f"bench: {where}: other processes took {frac:.0%} of a CPU; measuring again")
            time.sleep(self.PAUSE)
        if frac > self.worst:
            self.worst, self.where = frac, where
        return result

    def note(self):
        text = f"other processes took at most {self.worst:.0%} of a CPU while the load ran"
        if self.where:
            text += f" (worst: {self.where})"
        if self.retried:
            text += (f"; {self.retried} window{'s were' if self.retried > 1 else ' was'} measured again"
                     f" because they took more than {self.DISTURBED:.0%}")
        if self.worst > self.DISTURBED:
            text += "; the machine was not quiet, so these figures are disturbed"
        return f"_{text}_"


OTHERS = Others()


def status_kib(pid, key):
    """A 'kB' line of /proc/PID/status (VmRSS, VmHWM), in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise ValueError(f"no {key} in /proc/{pid}/status")


class Pinning:
    """Prefixes a command with taskset to pin it to one CPU, when there are two CPUs to pin to."""

    def __init__(self):
        self.taskset = shutil.which("taskset")
        cpus = os.sched_getaffinity(0)
        self.ok = bool(self.taskset) and {SERVER_CPU, LOAD_CPU} <= cpus
        self.why = None if self.ok else ("taskset not installed" if not self.taskset
                                         else f"CPUs {SERVER_CPU} and {LOAD_CPU} not both available")

    def __call__(self, cpu, argv):
        return [self.taskset, "-c", str(cpu)] + argv if self.ok else argv


class Server:
    """One running server process, pinned to SERVER_CPU; it listens on a TCP port (sock_type)."""

    sock_type = socket.SOCK_STREAM

    def __init__(self, entry, pin, tmp):
        self.port = free_port(self.sock_type)
        argv = entry.cmd + [str(self.port)] + entry.flags
        self.errfile = tempfile.TemporaryFile(dir=tmp)
        env = dict(os.environ, **SERVER_MALLOC_ENV)
        # taskset execs the server, so the pid is the server's own.
        self.proc = subprocess.Popen(pin(SERVER_CPU, argv), stdin=subprocess.DEVNULL,
                                     stdout=self.errfile, stderr=self.errfile, env=env, start_new_session=True)
        self.pid = self.proc.pid

    def wait_ready(self, timeout=15):
        """Until the port accepts a connection; returns None, or why it did not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return f"exit {self.proc.returncode}"
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return None
            except OSError:
                time.sleep(0.05)
        return f"not listening after {timeout}s"

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                self.proc.wait()
        else:
            # The server's children, if any, go with it.
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.errfile.close()

    def stderr_tail(self, n=3):
        self.errfile.seek(0)
        return self.errfile.read().decode(errors="replace").strip().splitlines()[-n:]


class Entry:
    """A server of a network workload: label, command (the port is appended to it, then flags), why it
    cannot run (or None)."""

    def __init__(self, label, cmd, flags=(), missing=None, aiod=False, floor=False):
        self.label, self.cmd, self.flags, self.missing = label, cmd, list(flags), missing
        self.aiod, self.floor = aiod, floor
        self.plain = None  # tls-conns: the same peer's plaintext echo server


def build_c(tmp, name, src, libs=()):
    """Compile bench/<src> into tmp; returns (path, None) or (None, why)."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None, "no C compiler"
    exe = os.path.join(tmp, name)
    r = subprocess.run([cc, "-O2", "-o", exe, os.path.join(BENCH, src)] + list(libs), capture_output=True, text=True)
    if r.returncode != 0:
        log(f"bench: cannot build bench/{src}:", r.stderr.strip()[-500:])
        hint = (" (is libssl-dev installed?)" if "openssl/" in r.stderr
                else " (is libev-dev installed?)" if "ev.h" in r.stderr else "")
        return None, "does not build" + hint
    return exe, None


def entries(workload, peers, tmp):
    """The servers of a workload from bench/run's peers (aiod first), plus the plain C floor last.
    conns runs the echo servers."""
    kind = {}
    for p in peers:
        kind.setdefault(p.kind, []).append(p)
    d = os.path.join(BENCH, "http" if workload == "http" else "echo")
    aiod, (asyncio_p, uvloop_p), luv, cq, node = kind["aiod"][0], kind["python"], kind["luv"][0], \
        kind["cqueues"][0], kind["node"][0]
    out = [Entry(aiod.label if workload == "http" else f"{aiod.label} streams",
                 [aiod.interp, os.path.join(d, "aiod.lua")], missing=aiod.missing, aiod=True)]
    for p, flags in ((asyncio_p, ()), (uvloop_p, ("--uvloop",))):
        out.append(Entry(f"{p.label} streams", [p.interp, os.path.join(d, "python.py")], flags, p.missing))
        if workload == "echo":
            out.append(Entry(f"{p.label} Protocol", [p.interp, os.path.join(d, "python.py")],
                             flags + ("--protocol",), p.missing))
    for p in (luv, cq):
        out.append(Entry(p.label, [p.interp, os.path.join(d, p.kind + ".lua")], missing=p.missing))
    out.append(Entry(f"{node.label} {'http' if workload == 'http' else 'net'}",
                     [node.interp, os.path.join(d, "node.js")], missing=node.missing))
    exe, why = build_c(tmp, f"{os.path.basename(d)}-libev", os.path.join(os.path.basename(d), "libev.c"), ["-lev"])
    out.append(Entry("plain C on libev", [exe], missing=why, floor=True))
    return out


# ---------------------------------------------------------------- measuring


def failed_cell(entry, why):
    return f"n/a ({entry.missing or why})"


def cpu_target(fig, entries, what, factor=1.2, noun="request"):
    """The target line under a CPU-per-request table: aiod below every peer and within factor of plain C."""
    aiod = next(e for e in entries if e.aiod)
    floor = next((e for e in entries if e.floor), None)
    peers = {e.label: fig[e.label][1] for e in entries if not e.aiod and not e.floor and e.label in fig}
    note = f"target ({what}): aiod's CPU per {noun} below every peer's and within {factor:g}x of plain C's"
    parts = []
    c = fig.get(floor.label, (None, None))[1] if floor else None
    if c:
        parts.append(f"plain C {c:.1f} µs")
    if peers:
        best = min(peers, key=peers.get)
        parts.append(f"lowest peer {best} {peers[best]:.1f} µs")
    if parts:
        note += " (" + ", ".join(parts) + ")"
    a = fig.get(aiod.label, (None, None))[1]
    if a is None:
        return note + " — aiod n/a: not measured"
    ok = all(a < v for v in peers.values()) and (c is None or a <= factor * c)
    note += f" — now {a:.1f} µs" + (f", {fmt_x(a / c)} plain C's" if c else "") + f": {'met' if ok else 'not met'}"
    if c is None:
        note += " (no plain C figure to compare with)"
    return note


def cpu_table(fig, fails, entries, unit="req"):
    """Rows of a requests/s + CPU-per-request table; fig[label] = (requests/s, µs of CPU per request).
    unit names a request in the cells ("req", "handshake")."""
    aiod = next(e for e in entries if e.aiod)
    a = fig.get(aiod.label)
    rows = []
    for e in entries:
        if e.label not in fig:
            rows.append((e.label, failed_cell(e, fails.get(e.label, "failed")), "—" if e.aiod else "n/a"))
            continue
        rps, us = fig[e.label]
        cell = f"{rps:,.0f} {unit}/s, {us:.1f} µs CPU/{unit}"
        if e.aiod:
            ratio = "—"
        elif a:
            ratio = f"{fmt_x(a[1] / us)} the CPU/{unit}, {fmt_x(a[0] / rps)} the {unit}/s"
        else:
            ratio = "n/a"
        rows.append((e.label, cell, ratio))
    return table(rows)


def median_fig(samples):
    return {label: (statistics.median(r for r, _ in s), statistics.median(u for _, u in s))
            for label, s in samples.items() if s}


def run_servers(entries, pin, tmp, rounds, what, measure, server=Server):
    """Start each server (a server class instance) in turn (round after round), call measure(entry,
    server), stop it. measure returns a dict key -> (req/s, µs) or raises RuntimeError(why). Returns
    ({key: {label: [samples]}}, {label: why})."""
    samples, fails = {}, {}
    for r in range(rounds):
        for e in entries:
            if e.missing or e.label in fails:
                continue
            log(f"bench: {what}: {e.label}" + (f" (round {r + 1}/{rounds})" if rounds > 1 else ""))
            srv = server(e, pin, tmp)
            try:
                why = srv.wait_ready()
                if why:
                    raise RuntimeError(why)
                for key, value in measure(e, srv).items():
                    samples.setdefault(key, {}).setdefault(e.label, []).append(value)
                if not srv.alive():
                    raise RuntimeError(f"server exit {srv.proc.returncode}")
            except RuntimeError as err:
                fails[e.label] = str(err)
                log(f"bench: {e.label} failed ({err}):", *("\n    " + ln for ln in srv.stderr_tail()))
            finally:
                srv.stop()
    for key in samples:  # a server that failed in a later round has no figure
        for label in fails:
            samples[key].pop(label, None)
    return samples, fails


def run_load(cmd, pid, where, timeout, timed_out="load timed out", prefix=""):
    """Runs a load client (cmd) under OTHERS' watch of server pid; returns the key=value fields of its
    stdout, or raises RuntimeError (prefix + the last line of its stderr; timed_out after timeout s)."""

    def one_run():
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError(timed_out)

    r = OTHERS.measure(pid, where, one_run)
    if r.returncode != 0:
        raise RuntimeError(prefix + (r.stderr.strip().splitlines() or [f"load exit {r.returncode}"])[-1])
    return dict(kv.split("=", 1) for kv in r.stdout.split())


def bench_echo(entries, pin, tmp, secs, rounds):
    load, why = build_c(tmp, "load", "echo/load.c")
    if not load:
        return f"### echo\n\n_n/a: the load client bench/echo/load.c {why}_\n"

    def measure(e, srv):
        out = {}
        for size in ECHO_SIZES:
            cmd = pin(LOAD_CPU, [load, HOST, str(srv.port), str(ECHO_CONNS), str(size), str(WARMUP), str(secs),
                                 str(srv.pid)])
            f = run_load(cmd, srv.pid, f"{e.label}, {size} B", WARMUP + secs + 60,
                         timed_out=f"load timed out at {size} B", prefix=f"{size} B: ")
            n, t, cpu = int(f["requests"]), float(f["seconds"]), float(f["server_cpu"])
            if n == 0:
                raise RuntimeError(f"no request answered at {size} B")
            out[size] = (n / t, cpu * 1e6 / n)
        return out

    samples, fails = run_servers(entries, pin, tmp, rounds, "echo", measure)
    text = []
    for size in ECHO_SIZES:
        fig = median_fig(samples.get(size, {}))
        name = f"{size // 1024} KiB" if size >= 1024 else f"{size} B"
        text.append(f"### echo, {name} messages: {ECHO_CONNS} connections of request/response ping-pong, "
                    f"{secs:g} s after {WARMUP:g} s warm-up; server CPU (user+sys) per request"
                    + (f" (median of {rounds} rounds)" if rounds > 1 else "") + "\n\n"
                    + cpu_table(fig, fails, entries)
                    + f"\n\n_{cpu_target(fig, entries, f'echo {name}', ECHO_FACTOR[size])}_\n")
    return "\n".join(text)


def http_check(port):
    """Two requests on one connection; returns None when both answers are right, else what is wrong."""
    req = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    try:
        with socket.create_connection((HOST, port), timeout=5) as s:
            for _ in range(2):
                s.sendall(req)
                data = b""
                while b"\r\n\r\n" not in data or not data.endswith(HTTP_RESPONSE_BODY):
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                if not (data.startswith(b"HTTP/1.1 200") and data.endswith(HTTP_RESPONSE_BODY)):
                    return f"wrong answer {data[:60]!r}"
    except OSError as err:
        return f"check request: {err}"
    return None


def wrk(pin, port, secs):
    """Runs wrk; returns (requests, requests/s) or raises RuntimeError."""
    cmd = pin(LOAD_CPU, ["wrk", "-t1", f"-c{HTTP_CONNS}", f"-d{secs}s", f"http://{HOST}:{port}/"])
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=secs + 60)
    except subprocess.TimeoutExpired:
        raise RuntimeError("wrk timed out")
    total = re.search(r"(\d+) requests in", r.stdout)
    rate = re.search(r"Requests/sec:\s*([\d.]+)", r.stdout)
    if r.returncode != 0 or not total or not rate:
        raise RuntimeError("wrk: " + (r.stderr.strip() or r.stdout.strip())[-200:])
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", r.stdout)
    if bad:
        raise RuntimeError(f"{bad.group(1)} non-2xx answers")
    errors = re.search(r"Socket errors: (.*)", r.stdout)
    if errors:
        log(f"bench: wrk socket errors: {errors.group(1)}")
    return int(total.group(1)), float(rate.group(1))


def bench_http(entries, pin, tmp, secs, rounds):
    if not shutil.which("wrk"):
        return "### http\n\n_n/a: wrk is not installed (Debian package `wrk`)_\n"

    def measure(e, srv):
        why = http_check(srv.port)
        if why:
            raise RuntimeError(why)
        wrk(pin, srv.port, int(WARMUP))

        def one_run():
            cpu0 = cpu_seconds(srv.pid)
            n, rps = wrk(pin, srv.port, secs)
            return n, rps, cpu_seconds(srv.pid) - cpu0

        n, rps, cpu = OTHERS.measure(srv.pid, e.label, one_run)
        if n == 0:
            raise RuntimeError("no request answered")
        return {"http": (rps, cpu * 1e6 / n)}

    samples, fails = run_servers(entries, pin, tmp, rounds, "http", measure)
    fig = median_fig(samples.get("http", {}))
    return (f"### http: keep-alive HTTP/1.1 hello world, `wrk -t1 -c{HTTP_CONNS} -d{secs}s` after a "
            f"{WARMUP:g} s warm-up run; server CPU (user+sys) per request"
            + (f" (median of {rounds} rounds)" if rounds > 1 else "") + "\n\n"
            + cpu_table(fig, fails, entries) + f"\n\n_{cpu_target(fig, entries, 'http', HTTP_FACTOR)}_\n")


def hold_connections(port, n, batch=100):
    """Opens n connections that each echo one message; returns the open sockets, or raises RuntimeError."""
    socks = []
    msg = b"hello\n"
    try:
        while len(socks) < n:
            group = []
            for _ in range(min(batch, n - len(socks))):
                s = socket.create_connection((HOST, port), timeout=10)
                group.append(s)
                socks.append(s)
            for s in group:
                s.sendall(msg)
            for s in group:
                got = b""
                while len(got) < len(msg):
                    chunk = s.recv(len(msg) - len(got))
                    if not chunk:
                        raise RuntimeError(f"connection {len(socks)} closed by the server")
                    got += chunk
                if got != msg:
                    raise RuntimeError(f"wrong echo {got!r}")
    except OSError as err:
        for s in socks:
            s.close()
        raise RuntimeError(f"after {len(socks)} connections: {err}")
    except RuntimeError:
        for s in socks:
            s.close()
        raise
    return socks


def raised_nofile(n):
    """Raises this process's RLIMIT_NOFILE soft limit to the hard one (children inherit it); returns
    (n, note, restore): n lowered, with a note for the title, when the hard limit is too low for n."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = hard if hard != resource.RLIM_INFINITY else 1 << 20
    note = ""
    if limit < n + 100:
        n = max(100, limit - 100)
        note = f" (lowered to fit RLIMIT_NOFILE's hard limit {limit})"
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    return n, note, lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def idle_memory(e, pin, tmp, hold):
    """Starts server e, reads its VmRSS, opens the idle connections with hold(port) (which returns what
    closes them), 0.5 s later reads VmHWM; returns (bytes per connection, peak KiB, before KiB, seconds to
    open them) or raises RuntimeError."""
    srv = Server(e, pin, tmp)
    close = None
    try:
        why = srv.wait_ready()
        if why:
            raise RuntimeError(why)
        time.sleep(0.3)
        before = status_kib(srv.pid, "VmRSS")
        t0 = time.monotonic()
        close, n = hold(srv.port)
        took = time.monotonic() - t0
        time.sleep(0.5)
        if not srv.alive():
            raise RuntimeError(f"server exit {srv.proc.returncode}")
        peak = status_kib(srv.pid, "VmHWM")
        return (peak - before) * 1024 / n, peak, before, took
    except (RuntimeError, OSError, ValueError) as err:
        log(f"bench: {e.label} failed ({err}):", *("\n    " + ln for ln in srv.stderr_tail()))
        raise RuntimeError(str(err))
    finally:
        srv.stop()  # first, so the server side holds the TIME_WAITs, not the client's ports
        if close:
            close()


def hold_plain(pin, n):
    """hold() for idle_memory: n plaintext connections from this process, pinned to LOAD_CPU meanwhile."""

    def hold(port):
        affinity = os.sched_getaffinity(0)
        if pin.ok:
            os.sched_setaffinity(0, {LOAD_CPU})
        try:
            socks = hold_connections(port, n)
        finally:
            os.sched_setaffinity(0, affinity)

        def close():
            for s in socks:
                s.close()

        return close, n

    return hold


def mem_cell(per, peak, before):
    return f"{per / 1024:.2f} KiB/conn ({per:,.0f} B; peak {peak / 1024:.1f} MiB − before {before / 1024:.1f} MiB)"


def bench_conns(entries, pin, tmp, n):
    n, note, restore = raised_nofile(n)
    fig, fails = {}, {}
    try:
        for e in entries:
            if e.missing:
                continue
            log(f"bench: conns: {e.label}")
            try:
                fig[e.label] = idle_memory(e, pin, tmp, hold_plain(pin, n))
            except RuntimeError as err:
                fails[e.label] = str(err)
    finally:
        restore()
    aiod = next(e for e in entries if e.aiod)
    a = fig.get(aiod.label)
    rows = []
    for e in entries:
        if e.label not in fig:
            rows.append((e.label, failed_cell(e, fails.get(e.label, "failed")), "—" if e.aiod else "n/a"))
            continue
        per, peak, before, took = fig[e.label]
        ratio = "—" if e.aiod else (f"{fmt_x(a[0] / per)} the memory" if a and per > 0 else "n/a")
        rows.append((e.label, mem_cell(per, peak, before), ratio))
    return (f"### conns: {n:,} idle connections{note}, each after one echoed message: "
            f"(server's peak RSS − its RSS before) / {n:,}\n\n" + table(rows) + "\n\n_"
            + conns_target(a[0] if a else None, {e.label: fig[e.label][0] for e in entries
                                                  if not e.aiod and not e.floor and e.label in fig}) + "_\n")


def conns_target(aiod_per, peers):
    """The target line under the conns table: aiod within CONNS_TARGET bytes a connection."""
    note = f"target (conns): aiod's memory per idle connection at most {CONNS_TARGET:,} B (1.5 KB)"
    if aiod_per is None:
        return note + " — aiod n/a: not measured"
    below = [label for label, per in peers.items() if per < aiod_per]
    note += f" — now {aiod_per:,.0f} B: {'met' if aiod_per <= CONNS_TARGET else 'not met'}"
    if below:
        note += "; peers below it: " + ", ".join(below)
    return note


# ---------------------------------------------------------------- TLS


TLS_HANDSHAKE_SIZE = 100  # the message each handshake's connection echoes
TLS_ECHO_SIZE = 16384
TLS_CONNS = 50
TLS_FACTOR = 1.15  # aiod within this of plain C on libev + OpenSSL
TLS_VERSION, TLS_CIPHER = "TLSv1.3", "TLS_AES_256_GCM_SHA384"  # OpenSSL's default first suite
TLS_SRC = "tls_echo"
_certs = {}


def tls_certs(tmp):
    """(server.pem, server.key) made by tests/tls/mkcerts.sh into tmp once per run; raises RuntimeError."""
    if tmp not in _certs:
        d = os.path.join(tmp, "certs")
        mk = os.path.join(os.path.dirname(BENCH), "tests", "tls", "mkcerts.sh")
        try:
            r = subprocess.run(["bash", mk, d], capture_output=True, text=True, timeout=60)
            _certs[tmp] = None if r.returncode == 0 else f"mkcerts.sh failed: {r.stderr.strip()[-200:]}"
        except (OSError, subprocess.TimeoutExpired) as err:
            _certs[tmp] = f"mkcerts.sh: {err}"
        if _certs[tmp] is None:
            _certs[tmp] = (os.path.join(d, "server.pem"), os.path.join(d, "server.key"))
    if isinstance(_certs[tmp], str):
        raise RuntimeError(_certs[tmp])
    return _certs[tmp]


def tls_entries(peers, tmp, cert, key, with_plain=False):
    """The TLS servers (bench/tls_echo/: one per peer serves all three TLS workloads), aiod first, plain C
    last; with_plain, each has .plain, its plaintext counterpart among the echo servers (Protocol rows
    included)."""
    kind = {p.kind: [] for p in peers}
    for p in peers:
        kind[p.kind].append(p)
    d = os.path.join(BENCH, TLS_SRC)
    aiod, (asyncio_p, uvloop_p), node = kind["aiod"][0], kind["python"], kind["node"][0]
    files = (cert, key)
    out = [Entry(f"{aiod.label} streams", [aiod.interp, os.path.join(d, "aiod.lua")], files,
                 missing=aiod.missing, aiod=True)]
    for p, flags in ((asyncio_p, ()), (uvloop_p, ("--uvloop",))):
        for api in ("streams", "Protocol"):
            out.append(Entry(f"{p.label} {api}", [p.interp, os.path.join(d, "python.py")],
                             files + flags + (("--protocol",) if api == "Protocol" else ()), p.missing))
    out.append(Entry(f"{node.label} tls", [node.interp, os.path.join(d, "node.js")], files, node.missing))
    exe, why = build_c(tmp, "tls-libev", os.path.join(TLS_SRC, "libev.c"), ["-lev", "-lssl", "-lcrypto"])
    out.append(Entry("plain C on libev + OpenSSL", [exe], files, missing=why, floor=True))
    if with_plain:
        plain = {e.label: e for e in entries("echo", peers, tmp)}
        for e in out:
            e.plain = plain.get({f"{node.label} tls": f"{node.label} net",
                                 "plain C on libev + OpenSSL": "plain C on libev"}.get(e.label, e.label))
    return out


def negotiated(fields, where):
    """The version, cipher and key-exchange group the load client reports; RuntimeError unless TLS 1.3
    with TLS_CIPHER."""
    v, c, g = fields.get("version"), fields.get("cipher"), fields.get("group")
    if (v, c) != (TLS_VERSION, TLS_CIPHER):
        raise RuntimeError(f"{where}: negotiated {v} {c}, not {TLS_VERSION} {TLS_CIPHER}")
    return v, c, g


def negotiated_note(seen):
    """The line under a TLS table saying what every server negotiated (the load client checks that every
    connection negotiates what its first did)."""
    if not seen:
        return "_no server was measured, so no negotiated suite to show_"
    groups = sorted(set(g for _, _, g in seen.values()))
    text = (f"_every server measured negotiated {TLS_VERSION} with {TLS_CIPHER} (the load client offers "
            f"OpenSSL's default suites and checks every connection against its first); key exchange ")
    if len(groups) == 1:
        return text + f"{groups[0]} everywhere_"
    return text + ", ".join(f"{label}: {g}" for label, (_, _, g) in seen.items()) + "_"


def bench_tls_cpu(workload, entries, pin, tmp, secs, rounds):
    """tls-handshake or tls-echo: the TLS load client against each server; CPU per handshake or request."""
    load, why = build_c(tmp, "tls-load", os.path.join(TLS_SRC, "load.c"), ["-lssl", "-lcrypto"])
    if not load:
        return f"### {workload}\n\n_n/a: the load client bench/{TLS_SRC}/load.c {why}_\n"
    handshake = workload == "tls-handshake"
    mode, size = ("handshake", TLS_HANDSHAKE_SIZE) if handshake else ("echo", TLS_ECHO_SIZE)
    seen = {}

    def measure(e, srv):
        cmd = pin(LOAD_CPU, [load, mode, HOST, str(srv.port), str(TLS_CONNS), str(size), str(WARMUP), str(secs),
                             str(srv.pid)])
        f = run_load(cmd, srv.pid, e.label, WARMUP + secs + 60)
        n, t, cpu = int(f["requests"]), float(f["seconds"]), float(f["server_cpu"])
        if n == 0:
            raise RuntimeError("nothing completed")
        seen[e.label] = negotiated(f, e.label)
        return {workload: (n / t, cpu * 1e6 / n)}

    samples, fails = run_servers(entries, pin, tmp, rounds, workload, measure)
    for label in fails:
        seen.pop(label, None)
    fig = median_fig(samples.get(workload, {}))
    rounds_note = f" (median of {rounds} rounds)" if rounds > 1 else ""
    if handshake:
        title = (f"### tls-handshake: full TLS 1.3 handshakes, {TLS_CONNS} at a time, each a new connection that "
                 f"echoes {TLS_HANDSHAKE_SIZE} B and closes, no resumption; {secs:g} s after {WARMUP:g} s warm-up; "
                 f"server CPU (user+sys) per handshake" + rounds_note)
        unit, noun, what = "handshake", "handshake", "tls-handshake"
    else:
        title = (f"### tls-echo, {TLS_ECHO_SIZE // 1024} KiB messages: {TLS_CONNS} TLS connections of "
                 f"request/response ping-pong, {secs:g} s after {WARMUP:g} s warm-up; server CPU (user+sys) "
                 f"per request" + rounds_note)
        unit, noun, what = "req", "request", f"tls-echo {TLS_ECHO_SIZE // 1024} KiB"
    return (title + "\n\n" + cpu_table(fig, fails, entries, unit)
            + f"\n\n_{cpu_target(fig, entries, what, TLS_FACTOR, noun)}_\n\n" + negotiated_note(seen) + "\n")


def hold_tls(load, pin, tmp, n, seen, label):
    """hold() for idle_memory: the TLS load client opens n connections and keeps them until its stdin
    closes."""

    def hold(port):
        with tempfile.TemporaryFile(dir=tmp) as err:
            p = subprocess.Popen(pin(LOAD_CPU, [load, "hold", HOST, str(port), str(n), "6"]), stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=err, text=True)

            def close():
                p.stdin.close()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

            deadline = time.monotonic() + 120
            line = ""
            while time.monotonic() < deadline and p.poll() is None:
                ready, _, _ = select.select([p.stdout], [], [], 0.5)
                if ready:
                    line = p.stdout.readline()
                    break
            if not line:
                close()
                err.seek(0)
                tail = err.read().decode(errors="replace").strip().splitlines()
                raise RuntimeError(tail[-1] if tail else "load client: no connections held")
        f = dict(kv.split("=", 1) for kv in line.split())
        seen[label] = negotiated(f, label)
        return close, int(f["held"])

    return hold


def bench_tls_conns(entries, pin, tmp, n):
    """Memory per idle TLS connection, and per plaintext connection of the same peer's echo server."""
    load, why = build_c(tmp, "tls-load", os.path.join(TLS_SRC, "load.c"), ["-lssl", "-lcrypto"])
    if not load:
        return f"### tls-conns\n\n_n/a: the load client bench/{TLS_SRC}/load.c {why}_\n"
    n, note, restore = raised_nofile(n)
    fig, plain, fails, seen = {}, {}, {}, {}
    try:
        for e in entries:
            if e.missing:
                continue
            log(f"bench: tls-conns: {e.label}")
            try:
                fig[e.label] = idle_memory(e, pin, tmp, hold_tls(load, pin, tmp, n, seen, e.label))
            except RuntimeError as err:
                fails[e.label] = str(err)
                continue
            if e.plain and not e.plain.missing:
                log(f"bench: tls-conns: {e.plain.label} (plaintext)")
                try:
                    plain[e.label] = idle_memory(e.plain, pin, tmp, hold_plain(pin, n))[0]
                except RuntimeError as err:
                    plain[e.label] = f"n/a ({err})"
    finally:
        restore()
    aiod = next(e for e in entries if e.aiod)
    a = fig.get(aiod.label)
    rows = []
    for e in entries:
        if e.label not in fig:
            rows.append((e.label, failed_cell(e, fails.get(e.label, "failed")), "n/a", "n/a",
                         "—" if e.aiod else "n/a"))
            continue
        per, peak, before, _ = fig[e.label]
        p = plain.get(e.label, "n/a")
        if isinstance(p, str):
            pcell, extra = p, "n/a"
        else:
            pcell, extra = f"{p / 1024:.2f} KiB/conn ({p:,.0f} B)", f"{(per - p) / 1024:.2f} KiB"
        ratio = "—" if e.aiod else (f"{fmt_x(a[0] / per)} the memory" if a and per > 0 else "n/a")
        rows.append((e.label, mem_cell(per, peak, before), pcell, extra, ratio))
    head = ("peer", "TLS", "plaintext (same peer's echo server)", "TLS adds", "aiod vs peer (TLS)")
    return (f"### tls-conns: {n:,} idle TLS connections{note}, each after one echoed message: "
            f"(server's peak RSS − its RSS before) / {n:,}; beside it the same for plaintext\n\n"
            + table(rows, head) + "\n\n" + negotiated_note(seen) + "\n")


def mtime(path):
    return os.stat(path).st_mtime if os.path.exists(path) else None


def watched(es, pin, body):
    """body()'s markdown, run under a fresh OTHERS watch, with a line after it if the aiod binary (es[0])
    changed meanwhile and one if nothing could be pinned."""
    OTHERS.__init__()
    aiod_before = mtime(es[0].cmd[0])
    text = body()
    if mtime(es[0].cmd[0]) != aiod_before:
        text += f"\n_{es[0].cmd[0]} changed while this workload ran (rebuilt?): its rows may mix two builds_\n"
    if not pin.ok:
        text += f"\n_not pinned: {pin.why}; server and load share the CPUs_\n"
    return text


def run(workload, peers, tmp, secs=5, rounds=1, conns=10_000, tls_conns=5_000):
    """One network workload's markdown; peers as bench/run's make_peers gives them."""
    pin = Pinning()
    if not pin.ok:
        log(f"bench: {workload}: not pinned to CPUs ({pin.why})")
    if workload in TLS_WORKLOADS:
        try:
            cert, key = tls_certs(tmp)
        except RuntimeError as err:
            return f"### {workload}\n\n_n/a: no certificate: {err}_\n"
        es = tls_entries(peers, tmp, cert, key, with_plain=workload == "tls-conns")
    else:
        es = entries(workload, peers, tmp)

    def body():
        if workload == "echo":
            return bench_echo(es, pin, tmp, secs, rounds) + "\n" + OTHERS.note() + "\n"
        if workload == "http":
            return bench_http(es, pin, tmp, secs, rounds) + "\n" + OTHERS.note() + "\n"
        if workload in ("tls-handshake", "tls-echo"):
            return bench_tls_cpu(workload, es, pin, tmp, secs, rounds) + "\n" + OTHERS.note() + "\n"
        if workload == "tls-conns":
            return bench_tls_conns(es, pin, tmp, tls_conns)
        return bench_conns(es, pin, tmp, conns)

    return watched(es, pin, body)
