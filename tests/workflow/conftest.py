"""A worker per test on the shared time-skipping server, with activities replaced by stubs
registered under the real names, so the tests see every event and every mail asked for."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.events import EventHandled, HandleEventInput
from activities.notify import NotifyResult
from activities.records import IssueCertificateInput
from activities.registry import RegistryCheckInput
from domain.cycle import CycleConfig
from domain.decree import Decree
from domain.errors import Refused
from domain.events import NominationEvent
from domain.examples import example_cycle_config
from domain.labs import route_lab
from domain.nomination import Nomination
from domain.presentation import NominationSummary
from domain.proposal import Proposal
from domain.registry import CheckStatus, RegistryCheck, compare
from records import certificate_number
from tests.conftest import steady_client
from tests.support import OPERATOR, findings, fresh, passes, proposer, withdrawal
from workflows.client import decide, nominate, start_nomination
from workflows.cycle import CycleWorkflow
from workflows.nomination import NominationWorkflow

Handle = WorkflowHandle[NominationWorkflow, NominationSummary]
CONFIG = example_cycle_config("2026")


async def state(handle: Handle) -> Nomination:
    return await handle.query(NominationWorkflow.state)


async def to_panel(handle: Handle, p: Proposal) -> Nomination:
    """Verified, assessed by its lab: the nomination waits for its panel's scores."""
    await decide(handle, passes())
    await decide(handle, findings(route_lab(p.product.commodity)))
    return await state(handle)


@dataclass(frozen=True)
class Delivery:
    """An event sent to a webhook subscriber."""

    nomination: NominationSummary
    event: NominationEvent
    subscriber: str


@dataclass
class Calls:
    """What the workflow asked its activities to do."""

    handled: list[HandleEventInput] = field(default_factory=list)
    certificates: dict[str, str] = field(default_factory=dict)
    registry_checks: list[RegistryCheckInput] = field(default_factory=list)
    decrees: dict[str, Decree] = field(default_factory=dict)
    webhooks: list[Delivery] = field(default_factory=list)
    subscribers: list[str] = field(default_factory=list)  # webhook subscribers to report
    registry_down: bool = False
    # Set: certificate numbers wait for it (a slow database).
    certificates_held: asyncio.Event | None = None
    handled_one: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def records(self) -> list[HandleEventInput]:
        """Every event handled, in the order of its nomination's events (the activities of
        one workflow task run side by side, and may finish in any order)."""
        return sorted(self.handled, key=lambda h: (h.nomination.id, h.event.seq))

    @property
    def mails(self) -> list[HandleEventInput]:
        return [h for h in self.records if h.recipients]

    def kinds(self, nomination_id: str) -> list[str]:
        return [r.event.kind.value for r in self.records if r.nomination.id == nomination_id]

    def stages(self, nomination_id: str) -> list[str]:
        return [
            r.event.to_stage.value
            for r in self.records
            if r.nomination.id == nomination_id and r.event.is_transition
        ]

    def mail_to(self, nomination_id: str, kind: str) -> set[str]:
        return {
            str(r.email)
            for m in self.mails
            if m.nomination.id == nomination_id and m.event.kind.value == kind
            for r in m.recipients
        }

    async def mailed(self, nomination_id: str, kind: str) -> set[str]:
        """Who was mailed of an event the workflow has recorded but whose activity may
        still be on its way: an accepted decision answers before its letters go."""
        async with self.handled_one:
            await asyncio.wait_for(
                self.handled_one.wait_for(lambda: bool(self.mail_to(nomination_id, kind))), 30
            )
        return self.mail_to(nomination_id, kind)


def stub_activities(calls: Calls) -> list[Callable[..., Any]]:
    @activity.defn(name="handle_event")
    async def handle_event(input: HandleEventInput) -> EventHandled:
        async with calls.handled_one:
            calls.handled.append(input)
            calls.handled_one.notify_all()
        for name in calls.subscribers:
            calls.webhooks.append(Delivery(input.nomination, input.event, name))
        return EventHandled(
            recorded=True,
            mail=NotifyResult(sent=[str(r.email) for r in input.recipients]),
            webhooks=dict.fromkeys(calls.subscribers, "delivered"),
        )

    @activity.defn(name="issue_certificate")
    async def issue_certificate(input: IssueCertificateInput) -> str:
        if calls.certificates_held is not None:
            await calls.certificates_held.wait()
        number = certificate_number(input.cycle, len(calls.certificates) + 1)
        return calls.certificates.setdefault(input.nomination_id, number)

    @activity.defn(name="check_registry")
    async def check_registry(input: RegistryCheckInput) -> RegistryCheck:
        if calls.registry_down:
            raise RuntimeError("registri tidak menjawab")
        calls.registry_checks.append(input)
        return RegistryCheck(
            revision=input.revision,
            status=CheckStatus.DONE,
            findings=compare(input.proposal, None),
            source="registri uji",
        )

    @activity.defn(name="record_decree")
    async def record_decree(decree: Decree) -> None:
        calls.decrees.setdefault(decree.cycle, decree)

    return [handle_event, issue_certificate, check_registry, record_decree]


@pytest.fixture
def calls() -> Calls:
    return Calls()


class Nominations:
    """Starts nominations for one test and ends those still running when it is over.

    A nomination left running would fire its deadline timers while a later test skips
    time, on a task queue no worker polls any more. Terminating it is no cure: the test
    server keeps time locked for an activity that was in flight at termination. So each
    is withdrawn by the operator, and its end awaited, as in real life.
    """

    def __init__(self, env: WorkflowEnvironment, task_queue: str) -> None:
        self.env, self.task_queue = env, task_queue
        self.client = steady_client(env)
        self.handles: list[Handle] = []

    async def start(
        self, p: Proposal | None = None, config: CycleConfig = CONFIG
    ) -> tuple[Handle, Proposal]:
        p = p or fresh(0)
        handle = await start_nomination(self.client, p, config, proposer(p), self.task_queue)
        self.handles.append(handle)
        return handle, p

    async def nominate(self, p: Proposal) -> Handle:
        """Propose through the proposal's cycle."""
        handle = await nominate(self.client, p, proposer(p), self.task_queue)
        self.handles.append(handle)
        return handle

    async def end_all(self) -> None:
        for handle in self.handles:
            if (await handle.query(NominationWorkflow.summary)).stage.is_terminal:
                continue
            with contextlib.suppress(Refused):
                await decide(handle, withdrawal(OPERATOR, "pengujian selesai"))
            with contextlib.suppress(WorkflowFailureError):
                await handle.result()


@pytest.fixture
async def nominations(
    time_env: WorkflowEnvironment, task_queue: str, calls: Calls
) -> AsyncIterator[Nominations]:
    tracker = Nominations(time_env, task_queue)
    async with Worker(
        time_env.client,
        task_queue=task_queue,
        workflows=[NominationWorkflow, CycleWorkflow],
        activities=stub_activities(calls),
    ):
        try:
            yield tracker
        finally:
            await tracker.end_all()
