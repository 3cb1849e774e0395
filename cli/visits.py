"""`ovop schedule-visit` and `report-visit`: the site visit to the sentra, where the cycle
has one (`site_visits`), each sent as the workflow Update its rules live behind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from cli.common import IdArg, InstitutionOpt, JsonFlag, RoleOpt, UserOpt, actor, parse
from cli.decisions import send
from cli.intake import kept_document
from domain.decisions import Decision, VisitReport, VisitSchedule
from domain.documents import Slot
from domain.scoring import Criterion
from domain.stages import Role


def schedule_visit(
    nomination_id: IdArg,
    user: UserOpt,
    visit_on: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="The day of the visit.")],
    member: Annotated[list[str], typer.Option(help="A member of the team, by user id. Repeat.")],
    note: Annotated[str | None, typer.Option(help="For the team and the IKM.")] = None,
    role: RoleOpt = Role.OPERATOR,
    institution: InstitutionOpt = "Ditjen IKMA",
    as_json: JsonFlag = False,
) -> None:
    """Schedule the site visit (an operator): its day and team; again, to move it."""
    decision = parse(
        VisitSchedule,
        {
            "actor": actor(user, role, institution),
            "visit_on": visit_on.date(),
            "team": member,
            "note": note,
        },
    )
    send(nomination_id, decision, as_json)


def report_visit(
    nomination_id: IdArg,
    user: UserOpt,
    visited_on: Annotated[
        datetime, typer.Option(formats=["%Y-%m-%d"], help="The day of the visit.")
    ],
    local_resources: Annotated[str, typer.Option(help=Criterion.LOCAL_RESOURCES.label)],
    culture_authenticity: Annotated[str, typer.Option(help=Criterion.CULTURE_AUTHENTICITY.label)],
    quality_presentation: Annotated[str, typer.Option(help=Criterion.QUALITY_PRESENTATION.label)],
    market_potential: Annotated[str, typer.Option(help=Criterion.MARKET_POTENTIAL.label)],
    sustainable_production: Annotated[
        str, typer.Option(help=Criterion.SUSTAINABLE_PRODUCTION.label)
    ],
    summary: Annotated[str, typer.Option(help="The visit's conclusion, for the panel.")],
    photo: Annotated[
        list[Path] | None,
        typer.Option(
            help="A photo of the visit: checked, kept in the document store. Repeat.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    role: RoleOpt = Role.VERIFIER,
    institution: InstitutionOpt = "Ditjen IKMA",
    as_json: JsonFlag = False,
) -> None:
    """The site visit's report (a member of its team): what it found on each of the five
    criteria, and its photos; the panel follows."""
    photos = [kept_document(Slot.VISIT_PHOTO, p) for p in photo or []]
    decision = parse(
        VisitReport,
        {
            "actor": actor(user, role, institution),
            "visited_on": visited_on.date(),
            "findings": {
                Criterion.LOCAL_RESOURCES: local_resources,
                Criterion.CULTURE_AUTHENTICITY: culture_authenticity,
                Criterion.QUALITY_PRESENTATION: quality_presentation,
                Criterion.MARKET_POTENTIAL: market_potential,
                Criterion.SUSTAINABLE_PRODUCTION: sustainable_production,
            },
            "photos": photos,
            "summary": summary,
        },
    )
    send(nomination_id, decision, as_json)


COMMANDS: dict[type[Decision], Callable[..., None]] = {
    VisitSchedule: schedule_visit,
    VisitReport: report_visit,
}
