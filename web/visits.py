"""The site visit's forms on their task pages (`site_visits`): the operator's schedule (a
day, the team picked from the cycle's verifiers, operators and jurors, a note; scheduled
again, it moves the visit) and the team member's report (the day, what it found on each
criterion, its conclusion and photos, uploaded with the form into `foto_kunjungan`).

The juror's and the official's pages show the report (`visit_seen`); the rules stay in
`domain.field_work`."""

from __future__ import annotations

from typing import Any

from domain.documents import Slot
from domain.nomination import Nomination
from domain.people import Person
from domain.presentation import visit_findings, visit_team
from domain.scoring import Criterion
from domain.stages import Role
from domain.tasks import Task
from web.task import FORMS, DecisionForm


def visitors(nom: Nomination) -> list[tuple[str, str, str]]:
    """(user id, name, role) of everyone who may be on the team (`CycleConfig.visitor`)."""
    c = nom.config
    listed = [
        *((m, Role.VERIFIER) for m in c.staff.verifiers),
        *((m, Role.OPERATOR) for m in c.staff.operators),
        *((m, Role.JUROR) for m in c.jurors),
    ]
    seen: set[str] = set()
    found = []
    for member, role in listed:
        if member.user_id not in seen:
            seen.add(member.user_id)
            found.append((member.user_id, member.name, role.label))
    return found


def _schedule(nom: Nomination, person: Person, task: Task) -> dict[str, Any]:
    rules = nom.config.site_visits
    return {
        "visitors": visitors(nom),
        "visit": nom.visit,
        "team_names": visit_team(nom),
        "min_team": rules.min_team if rules else 1,
    }


def _scheduled(nom: Nomination, person: Person, task: Task) -> dict[str, str]:
    """The visit as scheduled, to move it; nothing before."""
    if nom.visit is None:
        return {}
    team = {
        f"team.{i}": user_id
        for i, (user_id, _, _) in enumerate(visitors(nom))
        if user_id in nom.visit.team
    }
    return {"visit_on": nom.visit.visit_on.isoformat(), **team}


def _report(nom: Nomination, person: Person, task: Task) -> dict[str, Any]:
    return {"criteria": list(Criterion), "visit": nom.visit, "team_names": visit_team(nom)}


def _report_initial(nom: Nomination, person: Person, task: Task) -> dict[str, str]:
    return {"visited_on": nom.visit.visit_on.isoformat()} if nom.visit else {}


def visit_seen(nom: Nomination) -> dict[str, Any] | None:
    """The visit's report as the panel and the official read it; None without one."""
    r = nom.visit_report
    if r is None:
        return None
    return {
        "visited_on": r.visited_on,
        "team": visit_team(nom),
        "findings": visit_findings(nom),
        "summary": r.summary,
        "photos": r.photos,
    }


def register() -> None:
    FORMS["schedule-visit"] = DecisionForm(context=_schedule, initial=_scheduled)
    FORMS["report-visit"] = DecisionForm(
        context=_report, initial=_report_initial, uploads={"photos": Slot.VISIT_PHOTO}
    )
