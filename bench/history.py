"""History events per nomination: the happy path and the worst path, counted by type.

Run on the time-skipping test server, so deadlines can pass in a moment, with the real
workflow and stub activities (what an activity does inside changes none of the events).
Each decision is taken when the nomination has settled into its wait, as people who take
days would: that is when the real workflow starts its deadline timer.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from temporalio.api.enums.v1 import EventType, IndexedValueType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bench.actors import OFFICIAL, VERIFIER, Case, Pipeline, score_sheet
from bench.baseline import ACTIVITIES, BaselineWorkflow
from bench.worker import STUB_ACTIVITIES
from bootstrap import data_converter
from domain.decisions import AwardDecision, Resubmission, VerifyDecision, VerifyOutcome
from domain.examples import example_findings, proposer_of
from domain.nomination import Nomination
from settings import Settings
from worker import build_worker
from workflows.names import SEARCH_ATTRIBUTES
from workflows.nomination import NominationWorkflow

Counts = dict[str, int]


def event_counts(events: list[HistoryEvent]) -> Counts:
    counts = Counter(
        EventType.Name(e.event_type).removeprefix("EVENT_TYPE_").lower() for e in events
    )
    return dict(sorted(counts.items()))


async def settle(handle: WorkflowHandle[Any, Any], within: float = 30) -> list[HistoryEvent]:
    """Wait until the workflow has nothing in flight: every workflow task and activity done."""
    deadline = time.monotonic() + within
    while True:
        events = list((await handle.fetch_history()).events)
        kinds = Counter(e.event_type for e in events)
        busy = (
            kinds[EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED]
            > kinds[EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED]
            or kinds[EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
            > kinds[EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED]
        )
        if not busy:
            return events
        if time.monotonic() > deadline:
            raise TimeoutError(f"{handle.id} did not settle within {within} s")
        await asyncio.sleep(0.02)


async def happy_path(case: Case) -> None:
    for group in case.groups:
        await settle(case.handle)
        await asyncio.gather(*(case.send(d) for _, d in group))
    await case.handle.result()


async def worst_path(env: WorkflowEnvironment, pipeline: Pipeline) -> WorkflowHandle[Any, Any]:
    """The longest way to an award: two revisions, then every stage waited out to its last
    step (each reminder, the deadline's escalation, each overdue reminder) before acting."""
    case = await pipeline.propose(1)
    handle = case.handle
    nom: Nomination = await handle.query(NominationWorkflow.state)
    proposal = nom.proposal

    async def late(then: Callable[[], Awaitable[None]]) -> None:
        await settle(handle)
        current: Nomination = await handle.query(NominationWorkflow.state)
        assert current.plan is not None
        last = current.plan.steps[-1].at
        await env.sleep(last - await env.get_current_time() + timedelta(minutes=1))
        await settle(handle)
        await then()

    for round in (1, 2):
        await settle(handle)
        await case.send(
            VerifyDecision(
                actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason=f"perbaikan ke-{round}"
            )
        )
        await settle(handle)
        await case.send(
            Resubmission(actor=proposer_of(proposal), proposal=proposal, note="sudah diperbaiki")
        )
    verify = VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.PASS)
    await late(lambda: case.send(verify))
    await late(lambda: case.send(example_findings(nom.config, proposal)))
    nom = await handle.query(NominationWorkflow.state)

    async def panel() -> None:
        # Past its deadline a panel closes as soon as it has its quorum.
        for juror in nom.panel[: nom.config.panel.quorum]:
            await case.send(score_sheet(juror))

    await late(panel)
    await late(lambda: case.send(AwardDecision(actor=OFFICIAL)))
    await handle.result()
    return handle


async def register_search_attributes(client: Client) -> None:
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={
                k.name: IndexedValueType.ValueType(k.indexed_value_type) for k in SEARCH_ATTRIBUTES
            },
        )
    )


async def count_histories(test_server: str, settings: Settings) -> dict[str, Counts]:
    """Events by type: happy path (real, baseline) and worst path (real)."""
    # The test server does not advertise every capability the worker asks about: keep the
    # worker's warning about it out of the benchmark's output.
    quiet = Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"))
        )
    )
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server,
        data_converter=data_converter(settings),
        runtime=quiet,
    )
    try:
        await register_search_attributes(env.client)
        real_queue, base_queue = f"history-{uuid.uuid4()}", f"history-base-{uuid.uuid4()}"
        real = Pipeline(env.client, real_queue, real=True, batch=900)
        base = Pipeline(env.client, base_queue, real=False, batch=900)
        async with (
            build_worker(env.client, real_queue, STUB_ACTIVITIES),
            Worker(
                env.client,
                task_queue=base_queue,
                workflows=[BaselineWorkflow],
                activities=ACTIVITIES,
            ),
        ):
            happy = await real.propose(0)
            await happy_path(happy)
            happy_base = await base.propose(0)
            await happy_path(happy_base)
            worst = await worst_path(env, real)
        return {
            "happy_real": event_counts(list((await happy.handle.fetch_history()).events)),
            "happy_baseline": event_counts(list((await happy_base.handle.fetch_history()).events)),
            "worst_real": event_counts(list((await worst.fetch_history()).events)),
        }
    finally:
        await env.shutdown()


async def sample_counts(handles: list[WorkflowHandle[Any, Any]]) -> dict[str, float]:
    """Mean events by type over some nominations of a run, as the run drove them."""
    total: Counter[str] = Counter()
    for handle in handles:
        total.update(event_counts(list((await handle.fetch_history()).events)))
    return {k: round(v / len(handles), 1) for k, v in sorted(total.items())}
