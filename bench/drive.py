"""Driving nominations through every stage, as a staff of a given size would.

Every nomination of a run is its own little story (proposed, verified, assessed, scored
by its panel at once, awarded); `concurrency` people act at the same time across all of
them, first come first served. So with N nominations all N are open together, as in a
real cycle, while the staff works through them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from temporalio.client import WorkflowHandle, WorkflowUpdateRPCTimeoutOrCancelledError

from bench.actors import Case, Pipeline


@dataclass
class Driven:
    nominations: int  # taken to their award
    seconds: float
    decisions: int
    latencies: dict[str, list[float]] = field(default_factory=dict)  # decision -> seconds
    handles: list[WorkflowHandle[Any, Any]] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.nominations / self.seconds

    def all_latencies(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]


async def drive(
    pipeline: Pipeline,
    count: int,
    concurrency: int,
    first: int = 0,
    attach: bool = False,
    window: float | None = None,
    propose_only: bool = False,
    think: float = 0,
) -> Driven:
    """Take `count` nominations to their award; time it and every decision.

    Fresh nominations are proposed first; with `attach`, nominations proposed earlier are
    decided from where they wait. With `window`, the staff stops after that many seconds;
    with `propose_only`, the nominations are proposed and left waiting. With `think`, each
    decision comes that many seconds after the one before it was answered, as people who
    read their mail first: the nomination has finished what the last decision started.
    """
    staff = asyncio.Semaphore(concurrency)
    latencies: dict[str, list[float]] = defaultdict(list)
    handles: list[WorkflowHandle[Any, Any]] = []
    done = 0

    async def act(case: Case, name: str, decision: object) -> None:
        async with staff:
            began = time.perf_counter()
            try:
                await case.send(decision)
            except WorkflowUpdateRPCTimeoutOrCancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from None  # the window closed meanwhile
                raise
            latencies[name].append(time.perf_counter() - began)

    async def story(index: int) -> None:
        nonlocal done
        if attach:
            case = pipeline.attach(index)
        else:
            async with staff:
                began = time.perf_counter()
                case = await pipeline.propose(index)
                latencies["propose"].append(time.perf_counter() - began)
        handles.append(case.handle)
        if propose_only:
            return
        for group in case.groups:
            await asyncio.sleep(think)
            await asyncio.gather(*(act(case, name, d) for name, d in group))
        await case.handle.result()
        done += 1

    began = time.perf_counter()
    stories = asyncio.gather(*(story(first + i) for i in range(count)))
    if window is None:
        await stories
    else:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stories, window)
    seconds = time.perf_counter() - began
    decisions = sum(len(v) for k, v in latencies.items() if k != "propose")
    return Driven(done, seconds, decisions, dict(latencies), handles)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100), nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
