"""`/tugas`: a person's open tasks across nominations, soonest deadline first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import Deps
from domain.people import Person
from domain.proposal import Commodity
from domain.regions import Province
from domain.stages import Stage
from domain.tasks import asked_stage
from web.nominations import tasks_of
from web.pages import page, signed_in

router = APIRouter(include_in_schema=False)
SignedIn = Annotated[Person, Depends(signed_in)]


@router.get("/")
async def home() -> Response:
    return RedirectResponse("/tugas", status_code=303)


@router.get("/tugas", response_class=HTMLResponse)
async def inbox(
    request: Request,
    person: SignedIn,
    d: Deps,
    siklus: Annotated[str | None, Query()] = None,
    tahap: Annotated[str | None, Query()] = None,
    komoditas: Annotated[str | None, Query()] = None,
    provinsi: Annotated[str | None, Query()] = None,
) -> Response:
    now = datetime.now(UTC)
    found = await tasks_of(d.client, person, now)
    rows = everything = found.rows
    if siklus:
        rows = [r for r in rows if r.cycle == siklus]
    if tahap:
        rows = [r for r in rows if r.task.stage.value == tahap]
    if komoditas:
        rows = [r for r in rows if r.commodity == komoditas]
    if provinsi:
        rows = [r for r in rows if r.province == provinsi]
    stages = [asked_stage(c) for c in ("endorse", "verify", "resubmit", "assess", "score", "award")]
    return page(
        request,
        "tugas.html",
        person,
        rows=rows,
        total=len(everything),
        unanswered=found.unanswered,
        now=now,
        cycles=person.cycles,
        stages=[s for s in Stage if s in stages],
        commodities=list(Commodity),
        provinces=sorted({r.province for r in everything}),
        all_provinces=[p.value for p in Province],
        chosen={"siklus": siklus, "tahap": tahap, "komoditas": komoditas, "provinsi": provinsi},
    )
