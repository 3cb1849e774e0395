"""The benchmark's plan (how many nominations and how long each step, from the time
limit and measured estimates) and its bench: the stack, the workers and what a drive costs."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import psutil
import typer

from bench.actors import Pipeline
from bench.drive import Driven
from bench.profile import Profiler
from bench.stack import Stack, Usage, WorkerProcess, cancelled
from bench.worker import Tuning, WorkerSpec

BIN = Path(sys.executable).parent
DECISIONS_PER_NOMINATION = 6  # verify, assess, three scores, award (the proposal aside)


def binary(name: str) -> str:
    path = shutil.which(name, path=str(BIN))
    if path is None:
        raise typer.BadParameter(f"{BIN / name} is missing: run `make bench`, which installs it")
    return path


class Clock:
    """The run's time limit: what is left of it, and what was cut to stay within it.

    The throughput runs (N for each kind) cannot shrink; everything after them is sized to
    what they left (`Plan`), and each cut is said in `cuts`.
    """

    STOPPING = 10.0  # stopping the stack and writing the report (about 2 s here), kept aside

    def __init__(self, limit: float) -> None:
        self.began = time.monotonic()
        self.limit = limit  # 0: no limit
        self.cuts: list[str] = []

    def elapsed(self) -> float:
        return time.monotonic() - self.began

    def left(self) -> float:
        """Seconds left before the limit (less what stopping takes); inf without a limit."""
        if not self.limit:
            return float("inf")
        return self.limit - self.elapsed() - self.STOPPING

    def cut(self, what: str) -> None:
        self.cuts.append(what)


# What the sections after the throughput runs take, in seconds, on this machine under load:
# the light-load latency run of one kind per nomination (0.2 s for the baseline, 0.7 s for
# the engine), and the start of a worker process; and the least each section is worth.
LATENCY_S_PER_NOMINATION = 0.5
WORKER_START_S = 5.0
MIN_LATENCY_NOMINATIONS = 4
MIN_EMPTY_IDLE_S = 2.0
MIN_IDLE_S = 10.0
MIN_PROPOSING_S = 20.0
MIN_GROWTH_WINDOW_S = 10.0


@dataclasses.dataclass
class Plan:
    """The sizes of the sections after the throughput runs, cut to fit the time left.

    When time is short, the cheapest sections that decide a target go first: the latency
    run, then the growth steps below N, the waiting nominations, and the growth window
    beyond N; what is kept shrinks by one share, none below what still says something.
    """

    latency_nominations: int
    growth_below_n: bool
    empty_idle_seconds: float
    idle_seconds: float
    growth_window: float
    proposing_s: float | None  # None: no limit
    waiting: bool = True
    beyond: bool = True

    @classmethod
    def fit(cls, options: dict[str, Any], left: float, below_s: float, beyond: bool) -> Plan:
        """`left`: seconds left; `below_s`: what the growth steps below N will take."""
        latency_s = 2 * options["latency_nominations"] * LATENCY_S_PER_NOMINATION
        waiting_s = 2 * WORKER_START_S + options["empty_idle_seconds"] + options["idle_seconds"]
        beyond_s = WORKER_START_S + options["growth_window"] if beyond else 0.0
        full = cls(
            options["latency_nominations"],
            True,
            options["empty_idle_seconds"],
            options["idle_seconds"],
            options["growth_window"],
            None,
            beyond=beyond,
        )
        if left == float("inf"):
            return full
        spare = left - latency_s - below_s - waiting_s - beyond_s
        if spare >= MIN_PROPOSING_S:
            full.proposing_s = spare
            return full

        least_latency = 2 * MIN_LATENCY_NOMINATIONS * LATENCY_S_PER_NOMINATION
        least_waiting = 2 * WORKER_START_S + MIN_EMPTY_IDLE_S + MIN_IDLE_S + MIN_PROPOSING_S
        least_beyond = WORKER_START_S + MIN_GROWTH_WINDOW_S
        room = left
        latency = room >= least_latency
        room -= least_latency if latency else 0
        below = room >= below_s + least_waiting
        room -= below_s if below else 0
        waiting = room >= least_waiting
        beyond = beyond and waiting and room >= least_waiting + least_beyond
        # What is left above the least of each kept section, shared in proportion.
        above = (
            (latency_s - least_latency if latency else 0)
            + (waiting_s - least_waiting + MIN_PROPOSING_S if waiting else 0)
            + (beyond_s - least_beyond if beyond else 0)
        )
        spent = (least_waiting if waiting else 0) + (least_beyond if beyond else 0)
        share = min(1.0, max(0.0, (room - spent) / above)) if above > 0 else 0.0

        def shrunk(full_value: float, least: float) -> float:
            return round(max(least, least + (full_value - least) * share), 1)

        return cls(
            latency_nominations=(
                round(shrunk(options["latency_nominations"], MIN_LATENCY_NOMINATIONS))
                if latency
                else 0
            ),
            growth_below_n=below,
            empty_idle_seconds=shrunk(options["empty_idle_seconds"], MIN_EMPTY_IDLE_S),
            idle_seconds=shrunk(options["idle_seconds"], MIN_IDLE_S),
            growth_window=shrunk(options["growth_window"], MIN_GROWTH_WINDOW_S),
            proposing_s=MIN_PROPOSING_S,
            waiting=waiting,
            beyond=beyond,
        )

    def cuts(self, options: dict[str, Any], below: list[int]) -> list[str]:
        said = []
        if not self.latency_nominations:
            said.append("light-load latency skipped")
        if below and not self.growth_below_n:
            said.append(f"growth steps {', '.join(map(str, below))} skipped")
        if not self.waiting:
            said.append("waiting nominations and growth beyond N skipped")
        for name, flag in (
            ("latency_nominations", "--latency-nominations"),
            ("empty_idle_seconds", "--empty-idle-seconds"),
            ("idle_seconds", "--idle-seconds"),
        ):
            if 0 < getattr(self, name) < options[name]:
                said.append(f"{flag} {options[name]:g} -> {getattr(self, name):g}")
        return said


class Bench:
    def __init__(self, stack: Stack, root: Path, tuning: Tuning, concurrency: int) -> None:
        self.stack = stack
        self.root = root
        self.tuning = tuning
        self.concurrency = concurrency
        self.batch = 0

    def spec(self, real: bool, queue: str, stub: bool = False) -> WorkerSpec:
        return WorkerSpec(
            target=self.stack.target,
            task_queue=queue,
            real=real,
            records_url=f"sqlite+aiosqlite:///{self.root / 'records.db'}",
            smtp_port=self.stack.smtp_port,
            tuning=self.tuning,
            stub_activities=stub,
        )

    async def worker(self, spec: WorkerSpec) -> WorkerProcess:
        return await WorkerProcess.start(spec, self.root / f"worker-{spec.task_queue}.log")

    def pipeline(self, real: bool, queue: str) -> Pipeline:
        self.batch += 1
        return Pipeline(self.stack.client, queue, real, self.batch)

    async def measured(
        self, worker: WorkerProcess, run: Any, profiler: Profiler | None = None
    ) -> tuple[Driven, dict[str, Any]]:
        """Run a drive and say what it cost the worker, the server and the mail sink."""
        k0 = await worker.codec_seconds()
        w0, s0, m0 = worker.usage(), self.stack.server_usage(), self.stack.sink_usage()
        c0 = Usage.of(psutil.Process())
        if profiler:
            profiler.start(worker.process.pid)
        try:
            driven: Driven = await until_worker_exits(worker, run)
        finally:
            if profiler:
                await profiler.stop()
        w1, s1, m1 = worker.usage(), self.stack.server_usage(), self.stack.sink_usage()
        c1 = Usage.of(psutil.Process())
        k1 = await worker.codec_seconds()
        cost = {
            "codec_cpu_s": round(k1 - k0, 3),
            "worker_cpu_s": round(w1.cpu - w0.cpu, 2),
            "server_cpu_s": round(s1.cpu - s0.cpu, 2),
            "mail_sink_cpu_s": round(m1.cpu - m0.cpu, 2),
            "driver_cpu_s": round(c1.cpu - c0.cpu, 2),
            "worker_rss_mb": round(w1.rss / 2**20, 1),
        }
        return driven, cost


async def until_worker_exits(worker: WorkerProcess, run: Awaitable[Driven]) -> Driven:
    """`run`'s result; or, if a worker process dies first (a crash in the SDK's core, the
    kernel's OOM killer), an error saying so rather than a drive waiting forever for
    Updates no one will answer."""
    drive = asyncio.ensure_future(run)
    death = asyncio.ensure_future(worker.exited())
    try:
        await asyncio.wait([drive, death], return_when=asyncio.FIRST_COMPLETED)
        if not drive.done():
            raise RuntimeError(
                f"the {worker.spec.task_queue} worker exited with {death.result()} during the "
                "run (a negative code is the signal that ended it)"
            )
        return drive.result()
    finally:
        await cancelled([drive, death])
