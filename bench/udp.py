# bench/udp.py: bench/run's udp-echo workload: UDP echo servers pinned to CPU 0, bench/udp_echo/load.c on CPU 1.
"""The udp-echo workload of bench/run; see bench/README.md.

Every server binds a UDP socket on 127.0.0.1 at the port given as its first
argument and sends each datagram back to its sender. The runner picks a free
UDP port, starts the server pinned to CPU 0, waits until it echoes a
datagram, and runs bench/udp_echo/load.c from CPU 1: 50 sockets of 100 B
datagram ping-pong, resending a datagram that has no echo after 200 ms (UDP
may lose it). The figure is the server's CPU time per datagram echoed, read
by the load client at both ends of its window, as for the TCP echo workload;
this module reuses net.py's servers, pinning and watch on other processes.
"""
import os
import socket
import time

import net
from net import HOST, LOAD_CPU, WARMUP, Entry

WORKLOADS = ("udp-echo",)
UDP_SOCKETS, UDP_SIZE = 50, 100
SRC = "udp_echo"
TIMEOUT_MS = 200  # load.c's TIMEOUT: a socket resends after this long without an echo


class UdpServer(net.Server):
    """A server of net.py's kind on a UDP port: ready once it echoes a datagram."""

    sock_type = socket.SOCK_DGRAM

    def wait_ready(self, timeout=15):
        """Until a datagram sent to the port comes back; returns None, or why it did not."""
        deadline = time.monotonic() + timeout
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((HOST, self.port))
            s.settimeout(0.1)
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    return f"exit {self.proc.returncode}"
                try:
                    s.send(b"ready?")
                    if s.recv(64) == b"ready?":
                        return None
                except OSError:  # refused: not bound yet; timed out: not answering yet
                    time.sleep(0.05)
        return f"no echo after {timeout}s"


def entries(peers, tmp):
    """The UDP echo servers from bench/run's peers (aiod first, cqueues left out), plain C on libev last."""
    kind = {}
    for p in peers:
        kind.setdefault(p.kind, []).append(p)
    d = os.path.join(net.BENCH, SRC)
    aiod, (asyncio_p, uvloop_p), luv, node = kind["aiod"][0], kind["python"], kind["luv"][0], kind["node"][0]
    out = [Entry(aiod.label, [aiod.interp, os.path.join(d, "aiod.lua")], missing=aiod.missing, aiod=True)]
    for p, flags in ((asyncio_p, ()), (uvloop_p, ("--uvloop",))):
        out.append(Entry(f"{p.label} DatagramProtocol", [p.interp, os.path.join(d, "python.py")], flags, p.missing))
    out.append(Entry(luv.label, [luv.interp, os.path.join(d, "luv.lua")], missing=luv.missing))
    out.append(Entry(f"{node.label} dgram", [node.interp, os.path.join(d, "node.js")], missing=node.missing))
    exe, why = net.build_c(tmp, "udp-libev", os.path.join(SRC, "libev.c"), ["-lev"])
    out.append(Entry("plain C on libev", [exe], missing=why, floor=True))
    return out


def loss_note(lost, stale, fig):
    """The line under the table: datagrams resent after a timeout, and late echoes dropped, per server."""
    hit = {label: (lost[label], stale[label]) for label in fig if lost.get(label) or stale.get(label)}
    if not hit:
        return f"_no datagram was lost: every socket got each echo within {TIMEOUT_MS} ms_"
    return (f"_datagrams resent after {TIMEOUT_MS} ms without an echo (lost) and late echoes dropped (stale), "
            "warm-up included: " + "; ".join(f"{label}: {n:,} lost, {m:,} stale" for label, (n, m) in hit.items())
            + "_")


def bench_udp_echo(es, pin, tmp, secs, rounds):
    load, why = net.build_c(tmp, "udp-load", os.path.join(SRC, "load.c"))
    if not load:
        return f"### udp-echo\n\n_n/a: the load client bench/{SRC}/load.c {why}_\n"
    lost, stale = {}, {}

    def measure(e, srv):
        cmd = pin(LOAD_CPU, [load, HOST, str(srv.port), str(UDP_SOCKETS), str(UDP_SIZE), str(WARMUP), str(secs),
                             str(srv.pid)])
        f = net.run_load(cmd, srv.pid, e.label, WARMUP + secs + 60)
        n, t, cpu = int(f["requests"]), float(f["seconds"]), float(f["server_cpu"])
        if n == 0:
            raise RuntimeError("no datagram echoed")
        lost[e.label] = lost.get(e.label, 0) + int(f["lost"])
        stale[e.label] = stale.get(e.label, 0) + int(f["stale"])
        return {"udp-echo": (n / t, cpu * 1e6 / n)}

    samples, fails = net.run_servers(es, pin, tmp, rounds, "udp-echo", measure, server=UdpServer)
    fig = net.median_fig(samples.get("udp-echo", {}))
    return (f"### udp-echo, {UDP_SIZE} B datagrams: {UDP_SOCKETS} UDP sockets of request/response ping-pong, "
            f"{secs:g} s after {WARMUP:g} s warm-up; server CPU (user+sys) per datagram echoed"
            + (f" (median of {rounds} rounds)" if rounds > 1 else "") + "\n\n"
            + net.cpu_table(fig, fails, es, "datagram")
            + f"\n\n_{net.cpu_target(fig, es, 'udp-echo', noun='datagram')}_\n\n" + loss_note(lost, stale, fig) + "\n")


def run(peers, tmp, secs=5, rounds=1):
    """The udp-echo workload's markdown; peers as bench/run's make_peers gives them."""
    pin = net.Pinning()
    if not pin.ok:
        net.log(f"bench: udp-echo: not pinned to CPUs ({pin.why})")
    es = entries(peers, tmp)
    return net.watched(es, pin, lambda: bench_udp_echo(es, pin, tmp, secs, rounds) + "\n" + net.OTHERS.note() + "\n")
