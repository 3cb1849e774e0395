"""Heartbeats while an activity runs.

A worker that dies (killed, out of memory, its host gone) holds the activities it had
started until Temporal times them out. With a heartbeat timeout set on the call, that is
the heartbeat timeout (seconds) rather than the whole start-to-close timeout (minutes);
and an activity that is merely slow (a mail server that takes its time) keeps beating and
is not retried alongside itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from temporalio import activity


@asynccontextmanager
async def heartbeating() -> AsyncIterator[None]:
    """Heartbeat in the background for as long as the block runs (no-op without a
    heartbeat timeout on the call). The SDK throttles what reaches the server.

    The first beat comes a quarter of the timeout after the start, not at it: the server
    times the heartbeat from the activity's start, so a dead worker is noticed as soon, and
    the activity that ends sooner (nearly every one) sends none. A beat at the start cost the
    server a write of the run's state for every event's activity."""
    timeout = activity.info().heartbeat_timeout
    if not timeout:
        yield
        return
    interval = timeout.total_seconds() / 4

    async def beat() -> None:
        while True:
            await asyncio.sleep(interval)
            activity.heartbeat()

    beating = asyncio.create_task(beat())
    try:
        yield
    finally:
        beating.cancel()
