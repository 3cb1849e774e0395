"""Nothing lost, nothing doubled: what the records database and the SMTP server hold,
counted against what each nomination's workflow says happened (its `state` query).

Mail is held to exactly once per event and recipient, with one exception, counted apart:
a message the worker handed to the mail server and died before the server's answer was
written down goes again (SMTP cannot say whether the first arrived). It may then arrive
twice, with the same Message-ID, and only as often as the records count handovers.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.worker import Replayer

from bootstrap import plain_converter
from domain.nomination import Nomination
from domain.notifications import recipients_for
from records import RecordStore
from tests.integration.conftest import Inbox
from workflows.nomination import NominationWorkflow


@dataclass
class Ledger:
    nominations: int = 0
    events: int = 0  # in the workflows' own state
    transitions: int = 0  # rows in the transitions table
    mail_expected: int = 0  # (event, recipient) pairs recipients_for names
    mail_received: int = 0  # messages the SMTP server accepted, one per recipient
    resent: int = 0  # messages handed over again after a handover never confirmed
    doubled: int = 0  # of those, how many the server did receive twice
    problems: list[str] = field(default_factory=list)  # each "<nomination id>: what"

    def figures(self) -> str:
        return (
            f"{self.nominations} nominations, {self.events} events, "
            f"{self.transitions} transition rows, {self.mail_expected} emails expected, "
            f"{self.mail_received} received ({self.resent} resent after an unconfirmed "
            f"handover, {self.doubled} of them received twice), {len(self.problems)} problems"
        )

    def report(self) -> str:
        return "\n".join([self.figures(), *self.problems[:40]])


async def reconcile(store: RecordStore, inbox: Inbox, states: list[Nomination]) -> Ledger:
    """Each event recorded exactly once and in order, the nomination's row at its last
    event, and each stakeholder mailed exactly once per event that concerns them."""
    ledger = Ledger(nominations=len(states))
    for nom in states:
        ledger.events += len(nom.events)
        rows = await store.transitions_of(nom.id)
        ledger.transitions += len(rows)
        recorded = [(r.seq, r.kind) for r in rows]
        happened = [(e.seq, e.kind.value) for e in nom.events]
        if recorded != happened:
            ledger.problems.append(f"{nom.id}: transitions {recorded} != events {happened}")
        row = await store.nomination(nom.id)
        if row is None or (row.stage, row.last_seq) != (nom.stage.value, len(nom.events)):
            ledger.problems.append(f"{nom.id}: row {row and (row.stage, row.last_seq)}")

        expected = Counter(
            (f"{e.seq}:{e.kind.value}", str(r.email).lower())
            for e in nom.events
            for r in recipients_for(nom, e)
        )
        copies: dict[tuple[str, str], set[str]] = {}
        for rcpt, m in inbox.for_nomination(nom.id):
            copies.setdefault((m["X-OVOP-Event"], rcpt), set()).add(m["Message-ID"])
        received = Counter((m["X-OVOP-Event"], rcpt) for rcpt, m in inbox.for_nomination(nom.id))
        kinds = {e.seq: e.kind.value for e in nom.events}
        handovers = {}
        for n in await store.notifications_of(nom.id):
            handovers[(f"{n.seq}:{kinds.get(n.seq)}", n.recipient)] = n.handovers
            if n.status != "sent":
                ledger.problems.append(f"{nom.id}: mail {n.seq} to {n.recipient} {n}")
        ledger.mail_expected += expected.total()
        ledger.mail_received += received.total()
        for key in sorted(expected | received):
            went = handovers.get(key, 0)
            ledger.resent += went > 1
            extra = received[key] - expected[key]
            if extra > 0 and expected[key] == 1 and received[key] <= went and len(copies[key]) == 1:
                ledger.doubled += 1  # the one window SMTP leaves open, counted
            elif received[key] != expected[key]:
                ledger.problems.append(
                    f"{nom.id}: mail {key} received {received[key]}x, expected "
                    f"{expected[key]}x, handed over {went}x"
                )
    return ledger


async def histories_of(handles: list[WorkflowHandle[Any, Any]]) -> list[WorkflowHistory]:
    """Every nomination's history, fetched once, ten at a time, for the checks below."""
    gate = asyncio.Semaphore(10)

    async def fetch(handle: WorkflowHandle[Any, Any]) -> WorkflowHistory:
        async with gate:
            return await handle.fetch_history()

    return list(await asyncio.gather(*(fetch(h) for h in handles)))


def retries(histories: list[WorkflowHistory]) -> Counter[str]:
    """What the faults cost, read from the histories: activities that took more than one
    attempt (by type), and workflow tasks that timed out or failed on a lost worker."""
    found = Counter[str]()
    for history in histories:
        scheduled: dict[int, str] = {}
        for event in history.events:
            match event.event_type:
                case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                    attrs = event.activity_task_scheduled_event_attributes
                    scheduled[event.event_id] = attrs.activity_type.name
                case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                    started = event.activity_task_started_event_attributes
                    if started.attempt > 1:
                        found[f"{scheduled[started.scheduled_event_id]} retried"] += 1
                case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
                    found["workflow task timed out"] += 1
                case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                    cause = event.workflow_task_failed_event_attributes.cause
                    found[f"workflow task failed ({WorkflowTaskFailedCause.Name(cause)})"] += 1
    return found


async def unreplayable(histories: list[WorkflowHistory], keep: Path) -> list[str]:
    """Histories that today's code does not replay (a worker that takes a nomination over
    replays it): what failed, each history kept in `keep` to look into. One replay per
    history: in a batch, a late eviction of one history can hide the next one's failure."""
    replayer = Replayer(workflows=[NominationWorkflow], data_converter=plain_converter())
    failed = []
    for history in histories:
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        if result.replay_failure is not None:
            (keep / f"{history.workflow_id}.json").write_text(history.to_json())
            failed.append(f"{history.workflow_id}: {result.replay_failure}")
    return failed


async def keep_histories(
    handles: list[WorkflowHandle[Any, Any]], ledger: Ledger, keep: Path
) -> None:
    """The histories of the nominations the ledger found a problem with, to look into."""
    wanted = {problem.split(":", 1)[0] for problem in ledger.problems}
    for handle in handles:
        if handle.id in wanted:
            (keep / f"{handle.id}.json").write_text((await handle.fetch_history()).to_json())


@asynccontextmanager
async def histories_kept_on_failure(
    handles: Callable[[], list[WorkflowHandle[Any, Any]]], keep: Path
) -> AsyncIterator[None]:
    """Should the block fail, every nomination's history is kept in `keep` to look into."""
    try:
        yield
    except BaseException:
        for handle in handles():
            with suppress(Exception):
                history = await handle.fetch_history()
                (keep / f"{handle.id}.json").write_text(history.to_json())
        raise
