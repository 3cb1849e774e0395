"""A person's tasks: the decisions a nomination waits for from them, as their inbox lists
them and their task page offers them.

- the **provincial office** endorses or returns its regencies' proposals, where the cycle
  asks for that (`endorsement`);
- the **verifier** verifies what is at administrative verification on their cycle;
- the **proposing office** resubmits what was returned to it for revision;
- the **lab assessor** records the sample's receipt (`lab_testing`), then assesses what is
  routed to their lab;
- an **operator** schedules the site visit (`site_visits`), and each member of its team
  may report it;
- the **juror** scores each nomination whose panel they sit on, and may score again until
  the panel closes (or declares a conflict of interest instead, and scores it no more);
  once it has closed, their done task shows them the panel's scores;
- the **official** sets the award, unless the cycle ends by decree (the plenary does);
- an **operator** of the cycle replaces a juror who declared a conflict of interest and is
  still on the panel.

Nothing else is anyone's task here: a person opening a nomination that holds no task for
them is refused (`require_task`).
"""

from __future__ import annotations

from datetime import datetime

from domain.access import ACCESS, Place, folded
from domain.calendar import local_date
from domain.decisions import DECISIONS, DecisionKind
from domain.errors import Refused
from domain.nomination import Nomination
from domain.people import Person, Seat, find_person, listed_emails
from domain.proposal import Model
from domain.regions import TimeZone
from domain.stages import Role, Stage

# The decision each open stage asks for, by its command (`DecisionKind.command`).
_ASKED = {
    Stage.PROVINCIAL_ENDORSEMENT: "endorse",
    Stage.ADMIN_VERIFICATION: "verify",
    Stage.REVISION_REQUESTED: "resubmit",
    Stage.SAMPLE_AWAITED: "receive-sample",
    Stage.TECHNICAL_ASSESSMENT: "assess",
    Stage.SITE_VISIT: "schedule-visit",
    Stage.PANEL_SCORING: "score",
    Stage.AWARD_DECISION: "award",
}
# Decisions a stage asks for only when something calls for them, by their command.
_CALLED_FOR = {"reassign": Stage.PANEL_SCORING, "report-visit": Stage.SITE_VISIT}


class Task(Model):
    """One decision a nomination waits for from one person."""

    nomination_id: str
    command: str  # the decision's command, e.g. `score`
    title: str  # in Indonesian, e.g. "Penilaian juri"
    role: Role
    stage: Stage
    deadline: datetime | None
    # Nothing more is asked of them: a juror who has scored (theirs to revise until the
    # panel closes), or who declared a conflict of interest (until they are replaced).
    done: bool = False
    conflict_declared: bool = False


def decision_kind(command: str) -> DecisionKind:
    return next(k for k in DECISIONS if k.command == command)


def heading(kind: DecisionKind) -> str:
    """A decision's name as a page's heading: "Penilaian juri"."""
    return kind.label[:1].upper() + kind.label[1:]


def _seat_for(person: Person, nom: Nomination, role: Role) -> Seat | None:
    seat = person.seat(nom.config.cycle, role)
    if seat is None:
        return None
    match role:
        case Role.PROPOSER:  # its own proposal, within its reach, as an office's API key;
            # its province's office, while it waits for the province's endorsement
            office = (
                nom.endorsing_office or ""
                if nom.stage == Stage.PROVINCIAL_ENDORSEMENT
                else nom.proposal.proposing_office.name
            )
            mine = (
                bool(office)
                and folded(seat.institution) == folded(office)
                and seat.reach.covers(Place.of_proposal(nom.proposal))
            )
        case Role.LAB_ASSESSOR:
            mine = seat.lab == nom.lab
        case Role.JUROR:
            mine = seat.user_id in nom.panel
        case _:
            mine = True
    return seat if mine else None


def task_of(person: Person, nom: Nomination) -> Task | None:
    """The decision `nom` waits for from `person`, or None. A person is taken as the
    nomination's own configuration lists them (the staff it started with, which its
    decisions are checked against), not as the cycle lists them today."""
    pinned = person if person.by_key else find_person([nom.config], person.email)
    if pinned is None:
        return None
    # A member of a scheduled visit's team reports it, an operator on it too (who else
    # holds the stage's own task, scheduling, already done).
    return (
        _visit_report_task(pinned, nom)
        or _stage_task(pinned, nom)
        or _replacement_task(pinned, nom)
        or _closed_panel(pinned, nom)
    )


def _task(nom: Nomination, kind: DecisionKind, role: Role, **extra: bool) -> Task:
    return Task(
        nomination_id=nom.id,
        command=kind.command,
        title=heading(kind),
        role=role,
        stage=nom.stage,
        deadline=nom.deadline,
        **extra,
    )


def _stage_task(person: Person, nom: Nomination) -> Task | None:
    command = _ASKED.get(nom.stage)
    if command is None or nom.awaiting_certificate:
        return None
    if nom.stage == Stage.AWARD_DECISION and nom.config.plenary.by_decree:
        return None
    kind = decision_kind(command)
    for role in kind.roles:
        seat = _seat_for(person, nom, role)
        if seat is None:
            continue
        declared = role == Role.JUROR and seat.user_id in nom.conflicts_declared()
        scored = role == Role.JUROR and seat.user_id in nom.scores
        scheduled = kind.command == "schedule-visit" and nom.visit is not None
        done = scored or declared or scheduled
        return _task(nom, kind, role, done=done, conflict_declared=declared)
    return None


def _visit_report_task(person: Person, nom: Nomination) -> Task | None:
    """A site visit team member's: report the visit once it is scheduled."""
    if nom.stage != Stage.SITE_VISIT or nom.visit is None:
        return None
    kind = decision_kind("report-visit")
    for role in kind.roles:
        seat = person.seat(nom.config.cycle, role)
        if seat is not None and seat.user_id in nom.visit.team:
            return _task(nom, kind, role)
    return None


def _closed_panel(person: Person, nom: Nomination) -> Task | None:
    """A juror's, done: the panel they sat on has closed, and shows them its scores."""
    if nom.result is None:
        return None
    seat = _seat_for(person, nom, Role.JUROR)
    if seat is None:
        return None
    return _task(nom, decision_kind("score"), Role.JUROR, done=True).model_copy(
        update={"deadline": None}
    )


def _replacement_task(person: Person, nom: Nomination) -> Task | None:
    """An operator's: a juror still on the panel has declared a conflict of interest."""
    if nom.stage != Stage.PANEL_SCORING or not nom.conflicts_declared():
        return None
    if person.seat(nom.config.cycle, Role.OPERATOR) is None:
        return None
    return _task(nom, decision_kind("reassign"), Role.OPERATOR)


def require_task(person: Person, nom: Nomination) -> Task:
    """`person`'s task on `nom`; `Refused` (access) when it holds none for them."""
    task = task_of(person, nom)
    if task is None:
        raise Refused.one(
            "nomination_id",
            f"usulan {nom.id} tidak memuat tugas untuk {person.name}: halaman ini hanya "
            "untuk orang yang ditugaskan memutuskannya",
            ACCESS,
        )
    return task


def working_days_left(nom: Nomination, now: datetime, zone: TimeZone) -> int | None:
    """Working days from today to the deadline in `zone`: negative once it has passed."""
    if nom.deadline is None or nom.config.calendar is None:
        return None
    today, due = local_date(now, zone), local_date(nom.deadline, zone)
    calendar = nom.config.calendar
    if due >= today:
        return calendar.working_days_between(today, due)
    return -calendar.working_days_between(due, today)


def asked_stage(command: str) -> Stage:
    """The stage at which a nomination asks for the decision `command`."""
    stage = next((stage for stage, asked in _ASKED.items() if asked == command), None)
    return stage or _CALLED_FOR[command]


def looked_for(seat: Seat) -> list[dict[str, str]]:
    """Where a seat's tasks can be: the visibility filters (stage, cycle and reach) of the
    nominations that may hold one for it; `task_of` decides on each."""
    asked = {*_ASKED.values(), *_CALLED_FOR}
    kinds = [k for k in DECISIONS if seat.role in k.roles and k.command in asked]
    found = []
    for kind in kinds:
        if kind.by_cycle and seat.regency:  # a regency's office endorses nothing
            continue
        where = {"stage": asked_stage(kind.command).value, "cycle": seat.cycle}
        if seat.role == Role.LAB_ASSESSOR and seat.lab is not None:
            where["lab"] = seat.lab.value
        if seat.role == Role.PROPOSER and seat.province is not None:
            where["province"] = seat.province.value
            if seat.regency:
                where["regency"] = seat.regency
        if seat.role == Role.JUROR and kind.command != "report-visit":  # a panel's commodity
            found += [{**where, "commodity": c} for c in seat.commodities]
        elif where not in found:  # an operator schedules and reports a visit alike
            found.append(where)
    return found


def people_asked(nom: Nomination) -> list[Person]:
    """Everyone `nom` waits for a decision from (a juror who has scored, no longer)."""
    asked = []
    for email in listed_emails(nom.config):
        person = find_person([nom.config], email)
        task = task_of(person, nom) if person else None
        if person is not None and task is not None and not task.done:
            asked.append(person)
    return asked
