"""The benchmark's figures from what a drive measured: throughput, latency, idle cost."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.drive import Driven, percentile
from bench.stack import Stack, WorkerProcess

DECISIONS_PER_NOMINATION = 6  # verify, assess, three scores, award (the proposal aside)


def throughput_figures(driven: Driven, cost: dict[str, Any], windowed: bool) -> dict[str, Any]:
    if windowed:
        # Decisions only (the nominations were proposed before): nomination-equivalents.
        per_nomination = DECISIONS_PER_NOMINATION / max(driven.decisions, 1)
        rate = driven.decisions / driven.seconds / DECISIONS_PER_NOMINATION
    else:
        per_nomination = 1 / max(driven.nominations, 1)
        rate = driven.per_second
    return {
        "nominations": driven.nominations,
        "decisions": driven.decisions,
        "seconds": round(driven.seconds, 2),
        "per_second": round(rate, 2),
        "windowed": windowed,
        "worker_cpu_ms_per_nomination": round(cost["worker_cpu_s"] * 1000 * per_nomination, 1),
        "server_cpu_ms_per_nomination": round(cost["server_cpu_s"] * 1000 * per_nomination, 1),
        "codec_cpu_ms_per_nomination": round(cost["codec_cpu_s"] * 1000 * per_nomination, 1),
        "codec_share_of_worker_pct": round(
            100 * cost["codec_cpu_s"] / cost["worker_cpu_s"] if cost["worker_cpu_s"] else 0, 1
        ),
        **cost,
    }


def latency_figures(driven: Driven) -> dict[str, Any]:
    every = driven.all_latencies()
    return {
        "count": len(every),
        "p50_ms": round(percentile(every, 50) * 1000, 1),
        "p95_ms": round(percentile(every, 95) * 1000, 1),
        "p99_ms": round(percentile(every, 99) * 1000, 1),
        "by_decision_p95_ms": {
            k: round(percentile(v, 95) * 1000, 1)
            for k, v in sorted(driven.latencies.items())
            if k != "propose"
        },
    }


def without_proposals(driven: Driven) -> Driven:
    return Driven(
        driven.nominations,
        driven.seconds,
        driven.decisions,
        {k: v for k, v in driven.latencies.items() if k != "propose"},
    )


async def settle_worker(worker: WorkerProcess, quiet: float = 0.02, within: float = 600) -> float:
    """Wait until the worker's CPU stops moving (its backlog done); return the seconds."""
    began = time.monotonic()
    last = worker.usage().cpu
    while time.monotonic() - began < within:
        await asyncio.sleep(1)
        now = worker.usage().cpu
        if now - last < quiet:
            return time.monotonic() - began
        last = now
    raise TimeoutError(f"the worker was still busy after {within} s")


async def idle_cost(worker: WorkerProcess, stack: Stack, seconds: float) -> dict[str, float]:
    w0, s0 = worker.usage(), stack.server_usage()
    await asyncio.sleep(seconds)
    w1, s1 = worker.usage(), stack.server_usage()
    return {
        "seconds": seconds,
        "worker_cpu_pct": round((w1.cpu - w0.cpu) / seconds * 100, 3),
        "server_cpu_pct": round((s1.cpu - s0.cpu) / seconds * 100, 3),
        "worker_rss_mb": round(w1.rss / 2**20, 1),
    }
