"""The nominations the inbox reads: a person's tasks, found through visibility and then
asked of each nomination's workflow, and one nomination's state."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from domain.nomination import Nomination, is_nomination_id
from domain.people import Person
from domain.proposal import Model
from domain.tasks import Task, looked_for, task_of, working_days_left
from workflows.nomination import NominationWorkflow
from workflows.visibility import NominationFilter, list_nominations

AT_ONCE = 8  # queries in flight while an inbox is read
# How long an inbox waits for one nomination's answer: one whose worker is gone would
# otherwise hold the whole page for the server's default (half a minute).
ROW_TIMEOUT = timedelta(seconds=5)
log = logging.getLogger("ovop.web")


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


async def tasks_of(client: Client, person: Person, now: datetime) -> list[InboxRow]:
    """`person`'s open tasks, the soonest deadline first."""
    ids: set[str] = set()
    for seat in person.seats:
        for where in looked_for(seat):
            rows = await list_nominations(
                client, NominationFilter.model_validate(where), limit=1000
            )
            ids.update(r.id for r in rows if r.status == "RUNNING")
    gate = asyncio.Semaphore(AT_ONCE)

    async def row(nomination_id: str) -> InboxRow | None:
        async with gate:
            try:
                nom = await state_of(client, nomination_id, ROW_TIMEOUT)
            except RPCError as error:
                # One nomination that cannot answer (no worker polls its queue) must not
                # hide every other task of the inbox.
                log.warning("nomination %s left out of an inbox: %s", nomination_id, error)
                return None
        task = task_of(person, nom) if nom is not None else None
        if nom is None or task is None:
            return None
        p = nom.proposal
        left = working_days_left(nom, now, person.zone)
        return InboxRow(
            task=task,
            ikm_name=p.ikm.name,
            product_name=p.product.name,
            commodity=p.product.commodity.value,
            province=p.sentra.province.value,
            regency=p.sentra.regency,
            cycle=p.cycle,
            working_days_left=left,
            overdue=nom.deadline is not None and nom.deadline < now,
        )

    found = [r for r in await asyncio.gather(*(row(i) for i in sorted(ids))) if r is not None]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(found, key=lambda r: (r.task.deadline or far, r.task.nomination_id))
