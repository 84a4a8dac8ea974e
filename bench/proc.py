# bench/proc.py: bench/run's subprocess and to_thread workloads (wall time, median), with a watch on other processes.
"""The subprocess and to_thread workloads of bench/run; see bench/README.md.

- subprocess: 500 runs of /bin/true, at most 20 at once, stdout piped, each
  awaited; aiod (create_subprocess_exec + communicate, and run_process),
  asyncio, uvloop, luv and Node.js. Target: aiod at least 2x faster than
  Python's asyncio.
- to_thread: 10,000 sequential to_thread calls of a trivial function; aiod,
  asyncio, uvloop and luv's thread pool. No target.

Both time a whole process tree, which has the machine to itself only if
nothing else runs: Watch measures how much CPU other processes took during
each run and runs it again when they took more than a tenth of a CPU, as the
network workloads do.
"""
import os
import resource
import statistics
import time

from report import fmt_time, fmt_x, log, speed_ratio, table

BENCH = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ("subprocess", "to_thread")
SUBPROCESS_N, SUBPROCESS_LIMIT = 500, 20
TO_THREAD_N = 10_000
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Watch:
    """How much CPU processes other than ours take while fn() runs, as a fraction of one CPU.

    Busy time of the whole machine (/proc/stat) minus this process's and its
    reaped descendants' (RUSAGE_SELF + RUSAGE_CHILDREN: fn must have reaped
    every process it started by the time it returns). A run over DISTURBED is
    run again (up to RETRIES times, after a pause; at most BUDGET times per
    workload); the worst run kept goes under the workload's table."""

    DISTURBED, RETRIES, PAUSE, BUDGET = 0.10, 2, 2.0, 8

    def __init__(self):
        self.worst, self.where, self.retried = 0.0, None, 0

    @staticmethod
    def _sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / CLK_TCK  # all but idle and iowait
        ours = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            ru = resource.getrusage(who)
            ours += ru.ru_utime + ru.ru_stime
        return time.monotonic(), busy, ours

    def measure(self, where, fn, ok=lambda result: True):
        """fn() while watching the machine; again while others took more than DISTURBED.
        A result that is not ok (a failed run) is returned at once."""
        for attempt in range(self.RETRIES + 1):
            begin = self._sample()
            result = fn()
            wall, busy, ours = (e - b for e, b in zip(self._sample(), begin))
            frac = max(0.0, busy - ours) / wall if wall > 0 else 0.0
            if not ok(result) or frac <= self.DISTURBED or attempt == self.RETRIES or self.retried >= self.BUDGET:
                break
            self.retried += 1
            log(f"bench: {where}: other processes took {frac:.0%} of a CPU; running again")
            time.sleep(self.PAUSE)
        if frac > self.worst:
            self.worst, self.where = frac, where
        return result

    def note(self, what="the runs"):
        text = f"other processes took at most {self.worst:.0%} of a CPU during {what}"
        if self.where:
            text += f" (worst: {self.where})"
        if self.retried:
            text += (f"; {self.retried} run{'s were' if self.retried > 1 else ' was'} repeated"
                     f" because they took more than {self.DISTURBED:.0%}")
        if self.worst > self.DISTURBED:
            text += "; the machine was not quiet, so these figures are disturbed"
        return f"_{text}_"


class Entry:
    """A row: label, command, why it cannot run (or None); floor marks the plain C floor."""

    def __init__(self, label, cmd, missing=None, floor=False, asyncio=False):
        self.label, self.cmd, self.missing, self.floor, self.asyncio = label, cmd, missing, floor, asyncio


def repeat(entries, workload, expect, runs, measure, watch):
    """Each entry once untimed, then `runs` times back to back (see bench/run's repeat); every timed
    run watched. Returns {label: median wall time} and {label: failed Run or None (missing)}."""
    fig, bad = {}, {}
    for e in entries:
        if e.missing:
            bad[e.label] = None
            continue
        walls = []
        for i in range(runs + 1):
            log(f"bench: {workload}: {e.label} " + (f"run {i}/{runs}" if i else "warm-up"))

            def once():
                r = measure(e.cmd)
                if r.why is None and (r.out.strip().splitlines() or [""])[-1].strip() != expect:
                    r.why = "WRONG"
                return r

            r = watch.measure(f"{e.label} run {i}", once, lambda r: r.why is None) if i else once()
            if r.why is not None:
                bad[e.label] = r
                break
            if i:
                walls.append(r.wall)
        else:
            fig[e.label] = statistics.median(walls)
    return fig, bad


def rows_for(entries, fig, bad, failure):
    aiod = entries[0]
    a = fig.get(aiod.label)
    rows = []
    for e in entries:
        if e.label not in fig:
            rows.append((e.label, failure(e, bad.get(e.label)), "—" if e is aiod else "n/a"))
        else:
            rows.append((e.label, fmt_time(fig[e.label]),
                         "—" if e is aiod else (speed_ratio(a, fig[e.label]) if a else "n/a")))
    return rows


def run(workload, peers, runs, measure, failure, tmp):
    """One workload's markdown. peers as bench/run's make_peers gives them (aiod first); measure(cmd)
    runs a command once and returns bench/run's Run; failure(entry, run) is a table cell."""
    import net  # build_c, for the plain C floor

    watch = Watch()
    plural = f"{runs} run" if runs == 1 else f"{runs} runs"
    kinds = ("aiod", "python", "luv", "node") if workload == "subprocess" else ("aiod", "python", "luv")
    entries = [Entry(p.label, p.cmd(workload), p.missing, asyncio=p.kind == "python" and not p.flags)
               for p in peers if p.kind in kinds]
    if workload == "subprocess" and entries and peers[0].kind == "aiod":
        # The same runs through run_process: it should cost no more than
        # create_subprocess_exec + communicate, the row above it.
        aiod = peers[0]
        entries.insert(1, Entry(f"{aiod.label}, run_process", aiod.cmd(workload, "--run-process"), aiod.missing))
    if workload == "subprocess":
        exe, why = net.build_c(tmp, "subprocess-floor", os.path.join("subprocess", "floor.c"))
        entries.append(Entry("plain C: posix_spawn, blocking waitpid (the floor)", [exe] if exe else [], why,
                             floor=True))
        fig, bad = repeat(entries, workload, str(SUBPROCESS_N), runs, measure, watch)
        text = (f"### subprocess: {SUBPROCESS_N} runs of /bin/true, at most {SUBPROCESS_LIMIT} at once, stdout piped, "
                f"each awaited; wall time (median of {plural})\n\n" + table(rows_for(entries, fig, bad, failure))
                + "\n")
        py = next((e for e in entries if e.asyncio), None)
        note = "target: aiod at least 2x faster than Python's asyncio"
        a, b = fig.get(entries[0].label), fig.get(py.label) if py else None
        c = fig.get(entries[-1].label)
        if b:
            note += f" ({fmt_time(b)}: aiod needs {fmt_time(b / 2)} or less)"
        if a and b:
            note += f" — now {fmt_x(b / a)}: {'met' if b / a >= 2 else 'not met'}"
        elif not a:
            note += " — aiod n/a: not measured"
        if b and c:
            note += (f". Plain C takes {fmt_time(c)} here, {fmt_x(b / c)} faster than asyncio: what /bin/true and "
                     f"the kernel cost bounds what any runtime can reach")
        text += f"\n_{note}_\n"
    else:
        fig, bad = repeat(entries, workload, str(TO_THREAD_N), runs, measure, watch)
        text = (f"### to_thread: {TO_THREAD_N:,} sequential calls of `x + 1` on a worker thread, each awaited "
                f"before the next; wall time (median of {plural})\n\n" + table(rows_for(entries, fig, bad, failure))
                + "\n")
        if fig:
            text += ("\n_per call: " + ", ".join(f"{e.label} {fig[e.label] / TO_THREAD_N * 1e6:.1f} µs"
                                                  for e in entries if e.label in fig) + " (no target)_\n")
    return text + "\n" + watch.note() + "\n"
