"""Two worker processes on one task queue share the nominations, and every nomination
completes exactly once when one of them stops part-way.

The workers are real `python -m worker` processes reading their settings from the
environment, as a deployment runs them, against the dev server, the records database and
an SMTP server on loopback.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import Callable

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.examples import example_cycle_config
from domain.labs import route_lab
from domain.nomination import Nomination
from domain.stages import Stage
from records import RecordStore
from tests.integration.conftest import SmtpServer
from tests.integration.ledger import reconcile
from tests.integration.workers import Workers
from tests.support import confirm, findings, fresh, passes, proposer, sheet
from workflows.client import Handle, decide, start_nomination
from workflows.nomination import NominationWorkflow

pytestmark = [pytest.mark.integration, pytest.mark.slow(seconds=40)]

CONFIG = example_cycle_config("2026")
NOMINATIONS = 20


async def verify_and_assess(client: Client, task_queue: str, index: int) -> Handle:
    p = fresh(index % 6)
    handle = await start_nomination(client, p, CONFIG, proposer(p), task_queue)
    await decide(handle, passes())
    await decide(handle, findings(route_lab(p.product.commodity)))
    return handle


async def until_no_activity_is_pending(handles: list[Handle], within: float = 30) -> None:
    """The server's own view: no nomination has a record or mail activity under way."""
    async with asyncio.timeout(within):
        while True:
            described = await asyncio.gather(*(h.describe() for h in handles))
            if not any(d.raw_description.pending_activities for d in described):
                return
            await asyncio.sleep(0.05)


async def score_and_award(handle: Handle, scored: Callable[[], None]) -> None:
    nom: Nomination = await handle.query(NominationWorkflow.state)
    for i, j in enumerate(nom.panel):
        await decide(handle, sheet(j, 85))
        if i == 0:
            scored()
    await decide(handle, confirm())


# Each way of stopping once, each on one backend, to keep the suite lean: the clean stop
# (a rolling deploy) on PostgreSQL as in production, the crash on SQLite.
@pytest.mark.parametrize(
    ("records_url", "stop"),
    [("postgresql", signal.SIGTERM), ("sqlite", signal.SIGKILL)],
    ids=["postgresql-sigterm-while-deciding", "sqlite-sigkill-while-waiting"],
    indirect=["records_url"],
)
async def test_two_workers_and_one_stops_part_way(
    dev_env: WorkflowEnvironment,
    workers: Workers,
    store: RecordStore,
    smtp: SmtpServer,
    stop: signal.Signals,
) -> None:
    client = dev_env.client
    task_queue = workers.task_queue
    a = await workers.start("a")
    b = await workers.start("b")

    handles = await asyncio.gather(
        *(verify_and_assess(client, task_queue, i) for i in range(NOMINATIONS))
    )

    if stop == signal.SIGKILL:
        # A crash while every nomination waits on its jurors. (A crash in the middle of an
        # activity is the retried case of test_end_to_end; here it would only add the
        # activity's two-minute timeout to the test's time.)
        await until_no_activity_is_pending(handles)
        a.process.kill()
        await a.process.wait()
        await asyncio.gather(*(score_and_award(h, lambda: None) for h in handles))
    else:
        # A clean stop while decisions and their activities are under way on both.
        half = asyncio.Event()
        scored = Counter[str]()

        def one_scored() -> None:
            scored["n"] += 1
            if scored["n"] == NOMINATIONS // 2:
                half.set()

        deciding = asyncio.gather(*(score_and_award(h, one_scored) for h in handles))
        await half.wait()
        a.process.send_signal(stop)
        assert await a.process.wait() == 0, a.tail()
        await deciding

    summaries = await asyncio.gather(*(h.result() for h in handles))
    assert [s.stage for s in summaries] == [Stage.AWARDED] * NOMINATIONS
    assert b.process.returncode is None, b.tail()

    # Each certificate number issued once, the cycle's serials one to twenty.
    numbers = sorted(s.certificate_number or "" for s in summaries)
    assert numbers == [f"{i:04d}/OVOP/IKMA/2026" for i in range(1, NOMINATIONS + 1)]

    # Every transition recorded exactly once, and every stakeholder mailed once per event
    # (`ledger.reconcile`). A SIGKILL may land between the mail server taking a message and
    # the record of it, which sends it again with the same Message-ID: the ledger counts
    # those apart and holds them to the handovers recorded. SIGTERM lets the worker finish
    # what it does, so there none may come twice.
    states: list[Nomination] = await asyncio.gather(
        *(h.query(NominationWorkflow.state) for h in handles)
    )
    ledger = await reconcile(store, smtp.inbox, states)
    assert not ledger.problems, ledger.report()
    if stop == signal.SIGTERM:
        assert ledger.doubled == 0, ledger.report()

    # Both workers took part: the histories name who ran each workflow and activity task.
    identities = set()
    for h in handles:
        async for event in h.fetch_history_events():
            if event.event_type in (
                EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
                EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
            ):
                attrs = (
                    event.workflow_task_completed_event_attributes
                    if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
                    else event.activity_task_started_event_attributes
                )
                identities.add(attrs.identity.split("@")[0] + "@")
    assert a.identity_prefix in identities and b.identity_prefix in identities


@pytest.mark.parametrize("records_url", ["sqlite"], indirect=True)
async def test_workflows_and_activities_in_processes_of_their_own(
    dev_env: WorkflowEnvironment, workers: Workers, store: RecordStore, smtp: SmtpServer
) -> None:
    """`ovop-worker --workflows-only` and `--activities-only`, as a deployment that scales
    them apart runs them: a nomination to its award, each task taken by its own kind."""
    flows = await workers.start("workflows", "--workflows-only")
    acts = await workers.start("activities", "--activities-only")
    handle = await verify_and_assess(dev_env.client, workers.task_queue, 0)
    await score_and_award(handle, lambda: None)
    summary = await handle.result()
    assert summary.stage == Stage.AWARDED
    assert any("(workflows only)" in line for line in flows.log), flows.tail()
    assert any("(activities only)" in line for line in acts.log), acts.tail()

    history = await handle.fetch_history()
    started = {
        EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: "workflow_task_started_event_attributes",
        EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: "activity_task_started_event_attributes",
    }
    takers = {
        (e.event_type, getattr(e, started[e.event_type]).identity)
        for e in history.events
        if e.event_type in started
    }
    for kind, identity in takers:
        if kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            assert identity.startswith(acts.identity_prefix), identity
        elif identity:  # the server names no taker for some workflow tasks
            assert identity.startswith(flows.identity_prefix), identity
    assert len(await store.transitions_of(handle.id)) == summary.last_seq
    assert smtp.inbox.for_nomination(handle.id)
