"""`make bench`: what the engine costs, measured against bare Temporal in the same run.

One run starts its own Temporal dev server (random ports, SQLite files in a temporary
folder), SMTP sink and worker processes, then measures, for the real engine and for
`BaselineWorkflow` (the same Temporal shape doing nothing) on the same server and tuning:

1. history: events per nomination, happy and worst path (time-skipping server);
2. throughput: N nominations through every stage (decision latency under that load too);
3. decision latency at a light load, and the growth steps below N (full runs);
4. waiting: M nominations left waiting on their deadlines, worker CPU and memory;
5. growth beyond N: the staff works through that many of the waiting nominations for a
   time window (so the step stays affordable; the report says it was windowed).

It prints a table and writes the figures as JSON. See `bench/README.md`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import psutil
import temporalio
import typer

from bench.drive import drive
from bench.figures import (
    idle_cost,
    latency_figures,
    settle_worker,
    throughput_figures,
    without_proposals,
)
from bench.history import count_histories, sample_counts
from bench.plan import (
    LATENCY_S_PER_NOMINATION,
    Bench,
    Clock,
    Plan,
    binary,
)
from bench.profile import Profiler
from bench.report import render, targets
from bench.stack import Stack, WorkerProcess
from bench.worker import Tuning
from bootstrap import read_settings
from codec import CodecKeys
from settings import Settings

app = typer.Typer(add_completion=False, help=__doc__.split("\n\n")[0] if __doc__ else None)


async def bench(options: dict[str, Any], settings: Settings) -> dict[str, Any]:
    clock = Clock(options["time_limit"])
    tuning = Tuning(
        max_cached_workflows=options["max_cached_workflows"],
        max_concurrent_workflow_tasks=options["max_concurrent_workflow_tasks"],
        max_concurrent_activities=options["max_concurrent_activities"],
        split=options["split_workers"],
    )
    n, m, concurrency = options["nominations"], options["waiting"], options["concurrency"]
    growth = sorted(set(options["growth"]))
    result: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": psutil.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "temporalio": temporalio.__version__,
        },
        "settings": {
            **{k: v for k, v in options.items() if k != "json_path"},
            "tuning": tuning.model_dump(),
            "codec": settings.codec,
        },
    }

    def log(message: str) -> None:
        typer.echo(f"[{clock.elapsed():6.1f}s] {message}", err=True)

    log("history: happy and worst path on the time-skipping server")
    result["history"] = await count_histories(binary("temporal-test-server"), settings)

    with tempfile.TemporaryDirectory(prefix="ovop-bench-") as tmp:
        root = Path(tmp)
        pragmas = [a for p in options["server_pragma"] for a in ("--sqlite-pragma", p)]
        stack = await Stack.start(root, settings, pragmas)
        try:
            b = Bench(stack, root, tuning, concurrency)
            workers = {
                kind: await b.worker(b.spec(kind == "real", f"bench-{kind}"))
                for kind in ("baseline", "real")
            }
            try:
                await run_throughput(b, workers, result, n, growth, options, log)
                # What cannot shrink is done: the rest is sized to the time it left.
                below = [g for g in growth if g < n]
                per_nomination = sum(
                    result["throughput"][k]["seconds"] / max(n, 1) for k in workers
                )
                plan = Plan.fit(
                    options,
                    clock.left(),
                    below_s=sum(below) * per_nomination,
                    beyond=m > 0 and any(g > n for g in growth),
                )
                result["plan"] = {
                    "seconds_left_after_throughput": round(clock.left(), 1),
                    **dataclasses.asdict(plan),
                }
                for cut in plan.cuts(options, below):
                    clock.cut(f"{cut} (time limit)")
                if plan.latency_nominations:
                    await run_latency(b, workers, result, plan, clock, options, log)
                if plan.growth_below_n:
                    await run_growth_below(b, workers, result, below, log)
            finally:
                for worker in workers.values():
                    await worker.stop()
            if plan.waiting:
                await run_waiting(b, result, m, growth, n, plan, clock, options, log)
        finally:
            await stack.stop()
    result["duration_s"] = round(clock.elapsed(), 1)
    if options["time_limit"] and clock.elapsed() > options["time_limit"]:
        clock.cut(
            f"the run took {clock.elapsed():.0f} s, over the {options['time_limit']:.0f} s "
            "limit: the throughput runs alone took most of it"
        )
    result["cuts"] = clock.cuts
    result["targets"] = targets(result)
    return result


async def run_throughput(
    b: Bench,
    workers: dict[str, WorkerProcess],
    result: dict[str, Any],
    n: int,
    growth: list[int],
    options: dict[str, Any],
    log: Any,
) -> None:
    """Throughput: N nominations for the baseline and then the engine."""
    result["throughput"], result["latency"], result["growth"] = {}, {"light": {}, "load": {}}, {}
    shape: dict[str, Any] = {}
    for kind, worker in workers.items():
        real = kind == "real"
        queue = worker.spec.task_queue
        log(f"{kind}: throughput, {n} nominations")
        profiler = (
            Profiler(options["json_path"].parent / f"profile-{kind}.txt")
            if options["profile"]
            else None
        )
        driven, cost = await b.measured(
            worker, drive(b.pipeline(real, queue), n, b.concurrency), profiler
        )
        figures = throughput_figures(driven, cost, windowed=False)
        result["throughput"][kind] = figures
        if n in growth:
            result["growth"].setdefault(str(n), {})[kind] = figures
        result["latency"]["load"][kind] = latency_figures(without_proposals(driven))
        shape[kind] = await sample_counts(driven.handles[:5])
        if profiler:
            result.setdefault("profile", {})[kind] = profiler.summary()
    result["history"]["as_driven"] = shape


async def run_growth_below(
    b: Bench,
    workers: dict[str, WorkerProcess],
    result: dict[str, Any],
    below: list[int],
    log: Any,
) -> None:
    """The growth steps below N: full runs like the throughput run, on the same workers."""
    for kind, worker in workers.items():
        for step in below:
            log(f"{kind}: growth step, {step} nominations")
            driven, cost = await b.measured(
                worker,
                drive(b.pipeline(kind == "real", worker.spec.task_queue), step, b.concurrency),
            )
            result["growth"].setdefault(str(step), {})[kind] = throughput_figures(
                driven, cost, windowed=False
            )


async def run_latency(
    b: Bench,
    workers: dict[str, WorkerProcess],
    result: dict[str, Any],
    plan: Plan,
    clock: Clock,
    options: dict[str, Any],
    log: Any,
) -> None:
    """Decision latency at a light load, on the warm workers of the throughput runs."""
    for kind, worker in workers.items():
        log(f"{kind}: latency at a light load, {plan.latency_nominations} nominations")
        light, _ = await b.measured(
            worker,
            drive(
                b.pipeline(kind == "real", worker.spec.task_queue),
                plan.latency_nominations,
                options["latency_concurrency"],
                think=options["latency_think"],
                # A hard stop, should the machine be much slower than the plan thought.
                window=3 * LATENCY_S_PER_NOMINATION * plan.latency_nominations + 10,
            ),
        )
        if light.nominations < plan.latency_nominations:
            clock.cut(
                f"{kind} light-load latency: {light.nominations} of {plan.latency_nominations} "
                "nominations decided before its window closed"
            )
        result["latency"]["light"][kind] = latency_figures(without_proposals(light))


async def run_waiting(
    b: Bench,
    result: dict[str, Any],
    m: int,
    growth: list[int],
    n: int,
    plan: Plan,
    clock: Clock,
    options: dict[str, Any],
    log: Any,
) -> None:
    """M nominations waiting on their deadlines; then growth steps beyond N over them.

    Proposing stops when the plan's seconds for it are spent, with fewer than M if need be
    (and says so).
    """
    queue = "bench-waiting"
    stub = options["waiting_start"] == "stub"
    budget = plan.proposing_s
    if options["waiting_budget"]:
        budget = min(budget or options["waiting_budget"], options["waiting_budget"])
    worker = await b.worker(b.spec(True, queue, stub=stub))
    pipeline = b.pipeline(True, queue)
    proposed = 0
    try:
        await settle_worker(worker)
        log(f"waiting: the worker empty, {plan.empty_idle_seconds:g} s")
        empty = await idle_cost(worker, b.stack, plan.empty_idle_seconds)
        log(f"waiting: proposing {m} nominations ({options['waiting_start']} first activities)")
        # The server takes proposals far faster than the worker handles them: propose in
        # chunks and let the worker catch up after each, so the budget bounds both. The
        # first chunk is small, to learn what one proposal takes before a big one.
        w0, s0 = worker.usage(), b.stack.server_usage()
        began, each = time.monotonic(), 0.0  # each: seconds per proposal
        while proposed < m:
            size = min(options["waiting_chunk"], m - proposed)
            if budget is not None:
                spare = budget - (time.monotonic() - began)
                size = min(size, int(spare / each) if each else max(1, size // 10))
                if size < 1 or spare <= 0:
                    break
            chunk_began = time.monotonic()
            await drive(
                pipeline, size, options["waiting_concurrency"], first=proposed, propose_only=True
            )
            await settle_worker(worker)
            each = (time.monotonic() - chunk_began) / size
            proposed += size
        seconds = time.monotonic() - began
        w1, s1 = worker.usage(), b.stack.server_usage()
        log(f"waiting: {proposed} waiting, {plan.idle_seconds:g} s")
        full = await idle_cost(worker, b.stack, plan.idle_seconds)
        per_thousand = max(proposed, 1) / 1000
        cut_by = round(budget, 1) if budget is not None and proposed < m else None
        if cut_by is not None:
            clock.cut(f"waiting: {proposed:,} of {m:,} proposed in the {cut_by:.0f} s left")
        result["waiting"] = {
            "nominations": proposed,
            "asked": m,
            "cut_by_budget_s": cut_by,
            "start_activities": options["waiting_start"],
            "proposed_in_s": round(seconds, 1),
            "proposals_per_second": round(proposed / seconds, 1) if seconds else None,
            "worker_cpu_ms_per_proposal": round((w1.cpu - w0.cpu) * 1000 / max(proposed, 1), 1),
            "server_cpu_ms_per_proposal": round((s1.cpu - s0.cpu) * 1000 / max(proposed, 1), 1),
            "empty": empty,
            "waiting": full,
            "worker_cpu_pct_per_thousand": round(
                (full["worker_cpu_pct"] - empty["worker_cpu_pct"]) / per_thousand, 4
            ),
            "worker_rss_mb_per_thousand": round(
                (full["worker_rss_mb"] - empty["worker_rss_mb"]) / per_thousand, 1
            ),
            "cached_workflows_at_most": b.tuning.max_cached_workflows,
        }
    finally:
        await worker.stop()

    beyond = [g for g in growth if g > n]
    if not beyond or not proposed:
        return
    if not plan.beyond:
        clock.cut(f"growth steps {', '.join(map(str, beyond))} skipped: no time left")
        return
    worker = await b.worker(b.spec(True, queue))
    try:
        for i, step in enumerate(beyond):
            # Each step gets its share of what is left, at most the window asked for.
            window = min(plan.growth_window, max(0.0, clock.left()) / (len(beyond) - i))
            if window < min(5.0, plan.growth_window):
                clock.cut(f"growth step {step} skipped: no time left")
                continue
            if window < options["growth_window"]:
                clock.cut(f"growth step {step}: a {window:.0f} s window (time limit)")
            open_ = min(step, proposed)
            log(f"real: growth step, {open_} waiting nominations, {window:.0f} s")
            driven, cost = await b.measured(
                worker,
                drive(pipeline, open_, b.concurrency, attach=True, window=window),
            )
            figures = throughput_figures(driven, cost, windowed=True)
            result["growth"][str(step)] = {"real": {**figures, "open": open_}}
    finally:
        await worker.stop()


def throwaway_codec_keys(settings: Settings) -> Settings:
    """The engine as deployed seals every payload (codec.py): the bench's clients and its
    worker processes share keys made for this run, unless the settings give some
    (OVOP_CODEC=false measures without the codec)."""
    if not settings.codec or settings.codec_keys:
        return settings
    keys = CodecKeys.generate("bench")
    plain = {k: v.get_secret_value() for k, v in keys.keys.items()}
    os.environ["OVOP_CODEC_KEYS"] = json.dumps(plain)  # for the worker processes
    os.environ["OVOP_CODEC_KEY_ID"] = keys.current
    return settings.model_copy(update={"codec_keys": keys.keys, "codec_key_id": keys.current})


@app.command()
def main(
    nominations: Annotated[int, typer.Option("-n", "--nominations", min=1)] = 1000,
    waiting: Annotated[int, typer.Option("-m", "--waiting", min=0)] = 10_000,
    growth: Annotated[str, typer.Option(help="Growth steps, comma separated.")] = "100,1000,5000",
    concurrency: Annotated[int, typer.Option(help="People deciding at the same time.")] = 64,
    latency_nominations: Annotated[int, typer.Option()] = 30,
    latency_concurrency: Annotated[int, typer.Option()] = 2,
    latency_think: Annotated[
        float, typer.Option(help="Seconds between a decision's answer and the next one.")
    ] = 0.25,
    waiting_concurrency: Annotated[int, typer.Option(help="Proposals sent at once.")] = 200,
    waiting_chunk: Annotated[
        int, typer.Option(help="Proposals between two waits for the worker to catch up.")
    ] = 1000,
    waiting_start: Annotated[
        str, typer.Option(help="stub: the waiting nominations' first activities answer at once")
    ] = "stub",
    waiting_budget: Annotated[
        float, typer.Option(help="Seconds to propose the waiting ones at most; 0: no limit.")
    ] = 0,
    time_limit: Annotated[
        float,
        typer.Option(
            help="Seconds the whole run may take: the throughput runs first, then every other "
            "section sized to what they left (bench/README.md). 0: no limit."
        ),
    ] = 560,
    idle_seconds: Annotated[float, typer.Option(help="CPU measured over this, waiting.")] = 60,
    empty_idle_seconds: Annotated[float, typer.Option(help="... and this, empty.")] = 10,
    growth_window: Annotated[float, typer.Option(help="Seconds for steps beyond N.")] = 30,
    max_cached_workflows: Annotated[int, typer.Option()] = 1000,
    max_concurrent_workflow_tasks: Annotated[int, typer.Option()] = 100,
    max_concurrent_activities: Annotated[int, typer.Option()] = 100,
    split_workers: Annotated[
        bool,
        typer.Option(
            help="Workflows and activities in two worker processes, for both kinds "
            "(`ovop-worker --workflows-only` / `--activities-only`)."
        ),
    ] = False,
    server_pragma: Annotated[
        list[str], typer.Option(help="SQLite pragma for the dev server, repeatable.")
    ] = ["journal_mode=wal", "synchronous=normal"],  # noqa: B006
    profile: Annotated[bool, typer.Option(help="py-spy the real worker's throughput run.")] = False,
    json_path: Annotated[Path, typer.Option("--json")] = Path("var/bench/latest.json"),
) -> None:
    """Run the benchmark; print the table and write the JSON."""
    if waiting_start not in ("stub", "real"):
        raise typer.BadParameter("--waiting-start is stub or real")
    options = {k: v for k, v in locals().items()}
    options["growth"] = [int(x) for x in growth.split(",") if x.strip()]
    settings = throwaway_codec_keys(read_settings())
    result = asyncio.run(bench(options, settings))
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    typer.echo(render(result))
    typer.echo(f"\nJSON: {json_path}")
