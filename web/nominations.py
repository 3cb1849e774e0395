"""The nominations the inbox reads: a person's tasks, found through visibility and then
asked of each nomination's workflow, and one nomination's state."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from domain.nomination import Nomination, is_nomination_id
from domain.oversight import is_overdue
from domain.people import Person
from domain.proposal import Model
from domain.tasks import Task, looked_for, task_of, working_days_left
from workflows.nomination import NominationWorkflow
from workflows.visibility import NominationFilter, list_nominations

AT_ONCE = 8  # queries in flight while a page is read
STATES_WITHIN = 5.0  # seconds a page waits for the nominations' states


class InboxRow(Model):
    task: Task
    ikm_name: str
    product_name: str
    commodity: str
    province: str
    regency: str
    cycle: str
    working_days_left: int | None
    overdue: bool


async def state_of(
    client: Client, nomination_id: str, rpc_timeout: timedelta | None = None
) -> Nomination | None:
    """The nomination's state, or None when there is no such nomination."""
    if not is_nomination_id(nomination_id):
        return None
    handle = client.get_workflow_handle_for(NominationWorkflow.run, nomination_id)
    try:
        return await handle.query(NominationWorkflow.state, rpc_timeout=rpc_timeout)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    except WorkflowQueryFailedError:
        return None


async def states_of(client: Client, ids: list[str]) -> tuple[dict[str, Nomination], int]:
    """The state of each of `ids` that answers within `STATES_WITHIN`, asked a few at a
    time, and how many did not answer (their worker is away): a page shows what it has."""
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(nomination_id: str) -> Nomination | None:
        async with gate:
            try:
                return await state_of(client, nomination_id)
            except RPCError:
                return None

    asked = [asyncio.create_task(one(i)) for i in ids]
    if not asked:
        return {}, 0
    done, late = await asyncio.wait(asked, timeout=STATES_WITHIN)
    for task in late:
        task.cancel()
    states = {s.id: s for s in (t.result() for t in done) if s is not None}
    return states, len(ids) - len(states)


class Inbox(Model):
    rows: list[InboxRow]
    unanswered: int  # nominations that may hold a task and could not be read just now


async def tasks_of(client: Client, person: Person, now: datetime) -> Inbox:
    """`person`'s open tasks, the soonest deadline first."""
    ids: set[str] = set()
    for seat in person.seats:
        for where in looked_for(seat):
            rows = await list_nominations(
                client, NominationFilter.model_validate(where), limit=1000
            )
            ids.update(r.id for r in rows if r.status == "RUNNING")
    states, unanswered = await states_of(client, sorted(ids))
    found = []
    for nom in states.values():
        task = task_of(person, nom)
        if task is None:
            continue
        p = nom.proposal
        found.append(
            InboxRow(
                task=task,
                ikm_name=p.ikm.name,
                product_name=p.product.name,
                commodity=p.product.commodity.value,
                province=p.sentra.province.value,
                regency=p.sentra.regency,
                cycle=p.cycle,
                working_days_left=working_days_left(nom, now, person.zone),
                overdue=not task.done and is_overdue(nom, now),
            )
        )
    far = datetime.max.replace(tzinfo=now.tzinfo)
    found.sort(key=lambda r: (r.task.deadline or far, r.task.nomination_id))
    return Inbox(rows=found, unanswered=unanswered)
