#!/usr/bin/env python3
"""Summary of one scripts/bench-queue run: medians over the rounds, per worker count.

Usage: scripts/bench_queue_summary.py target/bench-queue/<timestamp>

Reads redis.csv (redis-benchmark --csv, a round column in front), bullmq.jsonl and
shipgate.jsonl (one JSON object a run, "round" and "requested_kind" put in front by the
script), redis-cpu.tsv and conditions.txt. A shipgate line without "kind" is a no-op run
(benches/queue.rs before KIND); one that answered a KIND=normalize request is left out of
every median, and normalize is reported missing.
"""

import csv
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def read_jsonl(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def median(xs):
    return statistics.median(xs) if xs else None


def fmt_rate(x):
    return "missing" if x is None else f"{x:,.0f}"


def fmt_ratio(a, b):
    return "-" if a is None or not b else f"{a / b:.2f}"


def fmt_pct(x):
    return "-" if x is None else f"{x:.0f}%"


def redis_rps(out):
    """Median rps per redis-benchmark test (LPUSH, LPOP), and the run count."""
    rps = defaultdict(list)
    path = out / "redis.csv"
    if path.exists():
        for row in csv.DictReader(path.open()):
            rps[row["test"]].append(float(row["rps"]))
    return {test: (median(xs), len(xs)) for test, xs in rps.items()}


def bullmq_runs(out, warnings):
    """process and enqueue jobs/s by worker count, complete runs only."""
    drain, push = defaultdict(list), defaultdict(list)
    for run in read_jsonl(out / "bullmq.jsonl"):
        if run.get("failed") or run.get("completed") != run.get("jobs"):
            warnings.append(
                f"BullMQ round {run.get('round')}, {run['workers']} worker(s): "
                f"{run.get('completed')} of {run.get('jobs')} completed, {run.get('failed')} "
                "failed; left out"
            )
            continue
        drain[run["workers"]].append((run["round"], run["process_jobs_per_s"]))
        push[run["workers"]].append(run["enqueue_jobs_per_s"])
    return drain, push


def shipgate_runs(out, warnings):
    """drain and push jobs/s by (kind, worker count)."""
    drain, push = defaultdict(list), defaultdict(list)
    ignored = 0
    for run in read_jsonl(out / "shipgate.jsonl"):
        kind = run.get("kind", "noop")
        if kind != run.get("requested_kind", kind):
            ignored += 1
            continue
        drain[kind, run["workers"]].append((run["round"], run["drain_per_s"]))
        push[kind, run["workers"]].append(run["push_per_s"])
    if ignored:
        warnings.append(
            f"{ignored} shipgate run(s) that asked for KIND=normalize printed a line without "
            '"kind":"normalize" (benches/queue.rs without KIND: no-op jobs); left out, '
            "normalize is missing"
        )
    return drain, push


def redis_cpu(out):
    """Median Redis CPU share (% of one core over the run's wall time) by (tool, kind, workers)."""
    share = defaultdict(list)
    path = out / "redis-cpu.tsv"
    if path.exists():
        for row in csv.DictReader(path.open(), delimiter="\t"):
            wall = float(row["wall_s"])
            if wall > 0:
                share[row["tool"], row["kind"], row["workers"]].append(
                    100 * float(row["redis_cpu_s"]) / wall
                )
    return {key: median(xs) for key, xs in share.items()}


def rates(pairs):
    return [rate for _, rate in pairs]


def paired_ratios(ours, theirs):
    """shipgate/BullMQ per round (both ran in the same round, side by side)."""
    by_round = dict(theirs)
    return [rate / by_round[r] for r, rate in ours if by_round.get(r)]


def main():
    out = Path(sys.argv[1])
    warnings = []
    rps = redis_rps(out)
    bull_drain, bull_push = bullmq_runs(out, warnings)
    sg_drain, sg_push = shipgate_runs(out, warnings)
    cpu = redis_cpu(out)
    lpush, lpush_n = rps.get("LPUSH", (None, 0))
    lpop, lpop_n = rps.get("LPOP", (None, 0))
    workers = sorted(set(bull_drain) | {w for _, w in sg_drain})

    print(f"\nQueue benchmark: {out}")
    conditions = out / "conditions.txt"
    if conditions.exists():
        print("".join("  " + line + "\n" for line in conditions.read_text().splitlines()), end="")
    print(
        f"\nredis-benchmark (ceiling), median of {lpush_n}: LPUSH {fmt_rate(lpush)} rps, "
        f"LPOP {fmt_rate(lpop)} rps; LPUSH/3 = {fmt_rate(lpush / 3 if lpush else None)} jobs/s"
    )
    print("\nDrain, jobs/s (median over rounds; runs in brackets):")
    head = ("workers", "shipgate no-op", "shipgate normalize", "BullMQ", "sg/BullMQ",
            "sg/(LPUSH/3)", "norm/BullMQ", "Redis CPU sg|BullMQ")
    rows = [head]
    for w in workers:
        noop = rates(sg_drain.get(("noop", w), []))
        norm = rates(sg_drain.get(("normalize", w), []))
        bull = rates(bull_drain.get(w, []))
        cpu_sg = cpu.get(("shipgate", "noop", str(w)))
        cpu_bull = cpu.get(("bullmq", "noop", str(w)))
        rows.append((
            str(w),
            f"{fmt_rate(median(noop))} ({len(noop)})",
            f"{fmt_rate(median(norm))} ({len(norm)})" if norm else "missing",
            f"{fmt_rate(median(bull))} ({len(bull)})",
            fmt_ratio(median(noop), median(bull)),
            fmt_ratio(median(noop), lpush / 3 if lpush else None),
            fmt_ratio(median(norm), median(bull)),
            f"{fmt_pct(cpu_sg)} | {fmt_pct(cpu_bull)}",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for row in rows:
        print("  " + "  ".join(cell.rjust(width) for cell, width in zip(row, widths)))

    print("\nEnqueue, jobs/s (median): shipgate push_many 1,000 a batch | BullMQ addBulk 1,000 a call")
    for w in workers:
        print(
            f"  {w} worker(s): {fmt_rate(median(sg_push.get(('noop', w), [])))} | "
            f"{fmt_rate(median(bull_push.get(w, [])))}"
        )
    print("\nPer-round shipgate no-op / BullMQ (same round):")
    for w in workers:
        ratios = paired_ratios(sg_drain.get(("noop", w), []), bull_drain.get(w, []))
        print(f"  {w} worker(s): " + (" ".join(f"{r:.2f}" for r in ratios) or "-"))
    print(
        "\nRedis CPU: % of one core over each run's wall time (enqueue + drain), median."
        "\nsg = shipgate; sg/(LPUSH/3): a job is at least three Redis round trips (push, fetch, ack)."
    )
    for warning in warnings:
        print("warning: " + warning)


if __name__ == "__main__":
    main()
