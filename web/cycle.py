"""`/siklus`: the cycles an operator runs, and each one's page: nominations per stage, the
overdue tasks by person, each juror's load, and every nomination with its Web UI link."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from temporalio.client import Client

from api.deps import Deps
from domain.cycle_book import CycleStatus, cycle_workflow_id
from domain.nomination import Nomination
from domain.oversight import is_overdue, juror_loads, operated_cycles, operates, overdue_by_person
from domain.people import Person
from domain.presentation import window_text
from domain.proposal import Model
from domain.stages import Stage
from domain.tasks import task_of
from web.deps import Inbox
from web.nominations import states_of
from web.pages import page, refused_page, signed_in
from workflows.cycle import CycleWorkflow
from workflows.visibility import NominationFilter, NominationRow, list_nominations

router = APIRouter(include_in_schema=False)
SignedIn = Annotated[Person, Depends(signed_in)]

LISTED = 5000  # nominations read for one cycle's page; a cycle takes in a few hundred
# How long the page waits for the nominations' workflows to answer: an operator opens it
# most when something is wrong, such as a worker down.


class CycleRow(Model):
    """One nomination on the cycle's page."""

    id: str
    stage: Stage | None
    deadline: datetime | None
    product_name: str | None  # None: it has ended, and only visibility was read
    ikm_name: str | None
    region: str
    overdue: bool
    web_ui: str
    task: str | None  # the operator's own task page on it, if they hold one


def web_ui_link(base: str, namespace: str, workflow_id: str) -> str:
    return f"{base.rstrip('/')}/namespaces/{quote(namespace)}/workflows/{quote(workflow_id)}"


async def cycle_status(client: Client, cycle: str) -> CycleStatus:
    handle = client.get_workflow_handle_for(CycleWorkflow.run, cycle_workflow_id(cycle))
    return await handle.query(CycleWorkflow.status)


def row_of(
    row: NominationRow, nom: Nomination | None, person: Person, now: datetime, web_ui: str
) -> CycleRow:
    if nom is None:
        region = ", ".join(x for x in (row.regency, row.province) if x)
        return CycleRow(
            id=row.id,
            stage=row.stage,
            deadline=None if row.stage is None or row.stage.is_terminal else row.deadline,
            product_name=None,
            ikm_name=None,
            region=region or "-",
            overdue=False,
            web_ui=web_ui,
            task=None,
        )
    p = nom.proposal
    return CycleRow(
        id=nom.id,
        stage=nom.stage,
        deadline=None if nom.stage.is_terminal else nom.deadline,
        product_name=p.product.name,
        ikm_name=p.ikm.name,
        region=f"{p.sentra.regency}, {p.sentra.province.value}",
        overdue=is_overdue(nom, now),
        web_ui=web_ui,
        task=f"/tugas/{nom.id}" if task_of(person, nom) is not None else None,
    )


def _listed_order(row: CycleRow) -> tuple[int, datetime, str]:
    stages = list(Stage)
    far = datetime.max.replace(tzinfo=UTC)
    return (stages.index(row.stage) if row.stage else len(stages), row.deadline or far, row.id)


@router.get("/siklus", response_class=HTMLResponse)
async def cycles(request: Request, person: SignedIn, d: Deps) -> Response:
    mine = operated_cycles(person)
    if not mine:
        return not_an_operator(request, person, "pada siklus mana pun yang sedang terbuka")
    statuses = await asyncio.gather(*(cycle_status(d.client, c) for c in mine))
    return page(request, "cycles.html", person, statuses=statuses, window=window_text)


@router.get("/siklus/{cycle}", response_class=HTMLResponse)
async def cycle_page(
    request: Request, cycle: str, person: SignedIn, d: Deps, inbox: Inbox
) -> Response:
    config = await inbox.directory.config(cycle)
    if config is None:
        return refused_page(
            request,
            "Siklus tidak ditemukan",
            f"Tidak ada siklus OVOP {cycle} yang sedang terbuka.",
            404,
            person,
            back="/siklus",
            back_label="Kembali ke daftar siklus",
        )
    if not operates(person, cycle):
        return not_an_operator(request, person, f"siklus OVOP {cycle}")
    now = datetime.now(UTC)
    status, listed = await asyncio.gather(
        cycle_status(d.client, cycle),
        list_nominations(d.client, NominationFilter(cycle=cycle), limit=LISTED),
    )
    states, _ = await states_of(d.client, [r.id for r in listed if r.status == "RUNNING"])
    ui, namespace = inbox.web_ui_url, d.client.namespace
    rows = sorted(
        (
            row_of(r, states.get(r.id), person, now, web_ui_link(ui, namespace, r.id))
            for r in listed
        ),
        key=_listed_order,
    )
    return page(
        request,
        "cycle.html",
        person,
        status=status,
        window=window_text(status.window),
        overdue=overdue_by_person(states.values(), now),
        loads=juror_loads(status.juror_loads, config),
        rows=rows,
        unread=sum(1 for r in listed if r.status == "RUNNING" and r.id not in states),
        by_id={r.id: r for r in rows},
        now=now,
    )


def not_an_operator(request: Request, person: Person, what: str) -> HTMLResponse:
    return refused_page(
        request,
        "Halaman ini untuk operator",
        f"Halaman siklus hanya dapat dibuka oleh operator OVOP. {person.name} tidak "
        f"terdaftar sebagai operator {what}.",
        403,
        person,
    )
