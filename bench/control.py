# bench/control.py: bench/run's control workload: what the control socket costs, and aiod ps against 100,000 tasks.
"""The control workload of bench/run; see bench/README.md.

- cost: the spawn and queue workloads' aiod scripts with the control socket
  (the default) and with --no-control, run in pairs (on, off, on, off, ...);
  the figure is the median of the pairs' ratios, which holds while the
  machine's speed drifts (spawn's and queue's own run-to-run spread is wider
  than the 3 % looked for). Target: under 3 % apart.
- ps: aiod ps against a daemon holding 100,000 tasks (bench/control/tasks.lua),
  with --json and as the table: the command's wall time, and the daemon's
  longest loop stall while it answered (the largest gap between a ticker's
  1 ms sleeps). Targets: under 1 s, and a stall under 10 ms.
"""
import os
import select
import statistics
import subprocess
import time

from report import fmt_time, log, table

BENCH = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ("control",)
PS_TASKS = 100_000
COST_PAIRS = 15  # at least: one run's spread is some 20 %


def cost_rows(aiod, runs, measure):
    rows = []
    for workload in ("spawn", "queue"):
        script = os.path.join(BENCH, workload, "aiod.lua")
        on, off = [], []
        for _ in range(max(runs, COST_PAIRS)):
            for flags, into in (([], on), (["--no-control"], off)):
                r = measure([aiod] + flags + [script])
                if r.why:
                    return [(f"{workload}", f"failed: {r.why}", "n/a")]
                into.append(r.wall)
        diff = (statistics.median(a / b for a, b in zip(on, off)) - 1) * 100
        verdict = "met" if abs(diff) < 3 else "not met"
        rows.append((f"{workload}: control socket on / off",
                     f"{fmt_time(statistics.median(on))} / {fmt_time(statistics.median(off))}",
                     f"{diff:+.1f} %, the median of {len(on)} pairs' ratios (target under 3 %: {verdict})"))
    return rows


def read_line(p, timeout=30):
    ready, _, _ = select.select([p.stdout], [], [], timeout)
    if not ready:
        raise RuntimeError("the daemon said nothing")
    line = p.stdout.readline()
    if not line:
        raise RuntimeError("the daemon exited")
    return line.strip()


def ps_rows(aiod, runs):
    p = subprocess.Popen([aiod, os.path.join(BENCH, "control", "tasks.lua"), str(PS_TASKS)],
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        if read_line(p) != "ready":
            raise RuntimeError("the daemon did not get ready")
        rows = []
        for label, flags in (("aiod ps --json", ["--json"]), ("aiod ps (the table)", [])):
            walls, stalls = [], []
            for _ in range(runs):
                p.send_signal(10 + 2)  # SIGUSR2: the stall so far is dropped
                read_line(p)
                t0 = time.monotonic()
                r = subprocess.run([aiod, "ps", str(p.pid)] + flags, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
                walls.append(time.monotonic() - t0)
                if r.returncode != 0:
                    raise RuntimeError(f"aiod ps: exit {r.returncode}: {r.stderr.strip()}")
                p.send_signal(12)
                stalls.append(float(read_line(p).split()[1]))
            w, s = statistics.median(walls), max(stalls)
            ok = "met" if w < 1 and s < 0.010 else "not met"
            rows.append((f"{label}, {PS_TASKS:,} tasks", f"{fmt_time(w)}; the loop's longest stall {s * 1000:.1f} ms",
                         f"targets 1 s and 10 ms: {ok}"))
        return rows
    finally:
        p.kill()
        p.wait()


def run(aiod, runs, measure):
    """The workload's markdown: the cost rows, then the ps rows."""
    log("bench: control")
    try:
        rows = cost_rows(aiod, runs, measure) + ps_rows(aiod, runs)
    except (RuntimeError, OSError) as e:
        rows = [("control", f"failed: {e}", "n/a")]
    return (f"### control: the control socket's cost (spawn and queue, on and off in pairs) and aiod ps "
            f"against {PS_TASKS:,} tasks (median wall, worst stall over {runs} runs)\n\n"
            + table(rows, head=("what", "figure", "against the target")) + "\n")
