"""Faults: the Temporal server stopped and started again on its SQLite file, while
nominations move on. Every nomination resumes where it stood and completes: decisions
sent while the server was down are taken once it is back, activities under way finish,
and the durable timers set before the stop (a revision's reminders and its deadline)
fire after it."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing._timeskipping import TimeSkipper

from activities.mail import Mailer
from domain.events import EventKind
from records import RecordStore
from tests.integration.actors import Fate, fates
from tests.integration.conftest import SmtpServer
from tests.integration.faults import DevServer, Nominations, fault_seed
from tests.integration.ledger import histories_of, keep_histories, reconcile, retries, unreplayable
from tests.support import eventually, fresh
from worker import activities_for, build_worker
from workflows.client import Handle

pytestmark = [pytest.mark.integration, pytest.mark.slow(seconds=50)]

NOMINATIONS = 20
EXPIRING = 3  # sent back for revision before the stop, and never resubmitted


async def waiting_on_a_timer(handle: Handle) -> bool:
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            return True
    return False


async def timers_across(handle: Handle, stopped: datetime) -> tuple[int, int]:
    """(timers started before the stop, and of those, how many fired after it)."""
    started: dict[int, datetime] = {}
    fired = 0
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            started[event.event_id] = event.event_time.ToDatetime(UTC)
        elif event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
            origin = event.timer_fired_event_attributes.started_event_id
            fired += started[origin] < stopped
    return sum(at < stopped for at in started.values()), fired


@pytest.mark.parametrize("records_url", ["sqlite"], indirect=True)
async def test_temporal_server_stopped_and_restarted_on_its_file(
    store: RecordStore, smtp: SmtpServer, mailer: Mailer, tmp_path: Path
) -> None:
    seed = fault_seed()
    rng = random.Random(seed)
    began = time.monotonic()
    server = DevServer(tmp_path)
    client = await server.start()
    task_queue = f"restart-{uuid.uuid4()}"
    plan = [(fresh(i % 6), f) for i, f in enumerate(fates(NOMINATIONS - EXPIRING, rng))]
    plan += [(fresh(i % 6), Fate.EXPIRED) for i in range(EXPIRING)]
    run = Nominations(client, task_queue, plan)
    try:
        async with build_worker(client, task_queue, activities_for(store, mailer)):
            await run.propose()
            expiring = [h for h, (_, f) in zip(run.handles, plan, strict=True) if f == Fate.EXPIRED]
            run.drive()
            moment = rng.randrange(run.decisions // 4, run.decisions * 3 // 4)

            async def under_way() -> bool:
                if run.actors.taken < moment:
                    return False
                return all([await waiting_on_a_timer(h) for h in expiring])

            await eventually(under_way, f"{moment} decisions, and the revisions' timers set")
            stopped = datetime.now(UTC)
            await server.stop()
            decided_at_stop, in_flight = run.actors.taken, run.actors.in_flight
            down = time.monotonic()
            await server.start()
            outage = time.monotonic() - down

            # The revisions' timers were set before the stop: move those nominations'
            # clocks on past their deadline, and they expire.
            skipper = TimeSkipper(client)
            await asyncio.gather(*(skipper.fast_forward(h, timedelta(days=30)) for h in expiring))
            summaries = await run.finish()
            states = [await run.actors.state(h) for h in run.handles]
            timers = [await timers_across(h, stopped) for h in expiring]
            histories = await histories_of(run.handles)
            nondeterministic = await unreplayable(histories, tmp_path)
        cost = retries(histories)
        ledger = await reconcile(store, smtp.inbox, states)
        await keep_histories(run.handles, ledger, tmp_path)
    finally:
        await server.stop()
    reminded = sum(e.kind == EventKind.REMINDED for s in states for e in s.events)

    figures = (
        f"seed {seed}; server stopped (SIGTERM) after {decided_at_stop} of {run.decisions} "
        f"decisions ({in_flight} in flight), back in {outage:.1f}s; {run.actors.resent} "
        f"decisions re-sent after an error; revisions' timers started before the stop "
        f"and fired after it: {timers}; "
        f"{reminded} reminders; {ledger.figures()}; retried: {dict(cost)}; "
        f"{time.monotonic() - began:.1f}s in all"
    )
    print(f"\n[fault: Temporal server restarted] {figures}")
    assert not nondeterministic, "\n".join(nondeterministic)
    assert [s.stage for s in summaries] == [fate.stage for _, fate in plan], figures
    assert all(fired >= 1 for _, fired in timers), figures
    assert not ledger.problems, f"{figures}\n{ledger.report()}"
