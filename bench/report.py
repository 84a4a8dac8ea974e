# bench/report.py: the formatting helpers every part of the benchmark runner shares (log lines, ratios, markdown tables).
import sys


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def fmt_x(r):
    if r >= 10:
        return f"{r:.0f}x"
    if r >= 1.5:
        return f"{r:.1f}x"
    return f"{r:.2f}x"


def fmt_time(s):
    return f"{s * 1000:.0f} ms" if s >= 0.1 else f"{s * 1000:.1f} ms"


def speed_ratio(aiod_t, peer_t):
    """How aiod's time compares with a peer's: '3.1x faster' or '0.80x (slower)'."""
    r = peer_t / aiod_t
    return f"{fmt_x(r)} faster" if r >= 1 else f"{fmt_x(r)} (slower)"


def table(rows, head=("peer", "figure", "aiod vs peer")):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)
