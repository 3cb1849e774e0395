"""Who hears of each event on a nomination."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from domain.events import EventKind, NominationEvent
from domain.nomination import WAITING_ROLE, Nomination
from domain.proposal import Contact, Email, Model, Text
from domain.regions import TimeZone
from domain.stages import Role, Stage


class Audience(StrEnum):
    PROPOSER = "proposer"
    PROVINCIAL_OFFICE = "provincial_office"
    IKM_OWNER = "ikm_owner"
    VERIFICATION_DESK = "verification_desk"
    LAB = "lab"
    JUROR = "juror"
    OFFICIAL = "official"
    SUPERVISOR = "supervisor"
    OPERATOR = "operator"  # the cycle's operators, asked to act (a juror to replace)
    VISIT_TEAM = "visit_team"  # the site visit's team (`site_visits`)


# Desks and offices written to by their title, not as a person.
_DESKS = (Audience.VERIFICATION_DESK, Audience.LAB, Audience.SUPERVISOR)


class Recipient(Model):
    name: Text
    email: Email
    audience: Audience
    zone: TimeZone = TimeZone.WIB  # where their 09:00 is, and how their deadlines read
    unit: str | None = None  # the office or institution a letter reaches them at

    @property
    def addressee(self) -> str:
        """Who a letter names after "Yth.": a person as Bapak/Ibu, a lab by its head,
        a desk by its title."""
        if self.audience == Audience.LAB:
            return f"Kepala {self.name}"
        return self.name if self.audience in _DESKS else f"Bapak/Ibu {self.name}"

    @property
    def is_desk(self) -> bool:
        """A shared mailbox, not a person: no one signs in with it."""
        return self.audience in _DESKS

    @property
    def you(self) -> str:
        """How a letter speaks to them: Bapak/Ibu to a person, Saudara to a desk."""
        return "Saudara" if self.audience in _DESKS else "Bapak/Ibu"


_APPLICANTS = (Audience.PROPOSER, Audience.PROVINCIAL_OFFICE, Audience.IKM_OWNER)

# Who hears of each event, by where it leads; None stands for "any stage".
_AUDIENCES: dict[tuple[EventKind, Stage | None], tuple[Audience, ...]] = {
    (EventKind.PROPOSED, None): (*_APPLICANTS, Audience.VERIFICATION_DESK),
    (EventKind.PROPOSED, Stage.PROVINCIAL_ENDORSEMENT): _APPLICANTS,
    (EventKind.ENDORSED, None): (*_APPLICANTS, Audience.VERIFICATION_DESK),
    (EventKind.RETURNED, None): (Audience.PROPOSER, Audience.PROVINCIAL_OFFICE),
    (EventKind.VERIFIED, None): (*_APPLICANTS, Audience.LAB),
    (EventKind.REVISION_REQUESTED, None): (Audience.PROPOSER, Audience.PROVINCIAL_OFFICE),
    (EventKind.RESUBMITTED, None): (Audience.VERIFICATION_DESK, Audience.PROVINCIAL_OFFICE),
    (EventKind.RESUBMITTED, Stage.PROVINCIAL_ENDORSEMENT): (Audience.PROVINCIAL_OFFICE,),
    (EventKind.REJECTED, None): _APPLICANTS,
    (EventKind.ASSESSED, Stage.PANEL_SCORING): (Audience.PROPOSER, Audience.PROVINCIAL_OFFICE),
    (EventKind.PANEL_ASSIGNED, None): (Audience.JUROR,),
    (EventKind.JUROR_REASSIGNED, None): (),
    (EventKind.ASSESSED, Stage.NOT_AWARDED): _APPLICANTS,
    (EventKind.PANEL_CLOSED, Stage.AWARD_DECISION): (Audience.OFFICIAL,),
    (EventKind.PANEL_CLOSED, Stage.NOT_AWARDED): _APPLICANTS,
    (EventKind.AWARDED, None): _APPLICANTS,
    (EventKind.NOT_AWARDED, None): _APPLICANTS,
    (EventKind.EXPIRED, None): (*_APPLICANTS, Audience.VERIFICATION_DESK),
    (EventKind.SCORED, None): (),
    (EventKind.CONFLICT_DECLARED, None): (Audience.OPERATOR,),
    (EventKind.SAMPLE_RECEIVED, None): (Audience.PROPOSER, Audience.LAB),
    (EventKind.ASSESSED, Stage.SITE_VISIT): (
        Audience.PROPOSER,
        Audience.PROVINCIAL_OFFICE,
        Audience.OPERATOR,
    ),
    (EventKind.VISIT_SCHEDULED, None): (*_APPLICANTS, Audience.VISIT_TEAM),
    (EventKind.VISITED, None): (Audience.PROPOSER, Audience.PROVINCIAL_OFFICE),
}


def recipients_for(nom: Nomination, event: NominationEvent) -> list[Recipient]:
    """Everyone who should get an email about `event`, each address once."""
    if event.kind == EventKind.WITHDRAWN:
        audiences = (*_APPLICANTS, *_holders(event.from_stage))
        if event.from_stage == Stage.SAMPLE_AWAITED:  # the lab was told a sample would come
            audiences = (*audiences, Audience.LAB)
    elif event.kind == EventKind.ESCALATED:
        audiences = (Audience.SUPERVISOR, *_holders(event.from_stage))
    elif event.kind in (EventKind.REMINDED, EventKind.DEADLINE_EXTENDED):
        audiences = _holders(event.from_stage)
    elif (event.kind, event.to_stage) == (EventKind.PANEL_CLOSED, Stage.AWARD_DECISION) and (
        nom.config.plenary.by_decree
    ):
        audiences = ()  # no official decides it alone: the cycle's plenary takes it up
    else:
        audiences = _AUDIENCES.get(
            (event.kind, event.to_stage), _AUDIENCES.get((event.kind, None), ())
        )
    found: dict[str, Recipient] = {}
    for audience in audiences:
        for r in _people(nom, audience, event):
            found.setdefault(r.email.lower(), r)
    if event.kind == EventKind.REMINDED:  # each zone is reminded at its own 09:00
        return [r for r in found.values() if r.zone.value == event.facts.get("zone")]
    return list(found.values())


# The events whose letters ask their recipients to act on the nomination: each carries the
# address of the task in the inbox (a sign-in link for a person).
_ASKING = frozenset(
    {
        EventKind.PROPOSED,
        EventKind.ENDORSED,
        EventKind.RETURNED,
        EventKind.RESUBMITTED,
        EventKind.VERIFIED,
        EventKind.REVISION_REQUESTED,
        EventKind.PANEL_ASSIGNED,
        EventKind.PANEL_CLOSED,
        EventKind.REMINDED,
        EventKind.ESCALATED,
        EventKind.DEADLINE_EXTENDED,
        EventKind.SAMPLE_RECEIVED,
        EventKind.ASSESSED,  # where a site visit follows: the operators schedule it
        EventKind.VISIT_SCHEDULED,
    }
)


def asks_to_act(event: NominationEvent, recipient: Recipient) -> bool:
    """Whether `event`'s letter asks `recipient` to decide on the nomination: they hold the
    stage it leads to, or are the operators asked to replace a juror who declared a
    conflict of interest."""
    if event.kind == EventKind.CONFLICT_DECLARED:
        return recipient.audience == Audience.OPERATOR
    # The provincial office hears of a revision but takes no decision on it; the proposer
    # sends the sample, but the lab records its receipt.
    deciders = set(_holders(event.to_stage)) - {Audience.PROVINCIAL_OFFICE}
    if event.to_stage == Stage.SAMPLE_AWAITED:
        deciders = {Audience.LAB}
    elif event.to_stage == Stage.PROVINCIAL_ENDORSEMENT:  # the province's own decision
        deciders = {Audience.PROVINCIAL_OFFICE}
    if event.kind == EventKind.VISIT_SCHEDULED:  # its team reports the visit
        deciders = {Audience.VISIT_TEAM}
    return event.kind in _ASKING and recipient.audience in deciders


# The inbox's addresses that letters give; the web application serves them.
SIGN_IN_PATH = "/masuk"  # where anyone asks for a new sign-in link
LINK_PATH = "/masuk/tautan/"  # then a sign-in link's token
# How long a letter's sign-in link lives: its task may wait some days.
LETTER_LINK = timedelta(days=7)


def task_path(nomination_id: str) -> str:
    """The page of the inbox where whoever holds the nomination's task takes it."""
    return f"/tugas/{nomination_id}"


def task_url(public_url: str, nomination_id: str) -> str:
    """The task's page without a sign-in: whoever opens it signs in there."""
    return public_url.rstrip("/") + task_path(nomination_id)


def _holders(stage: Stage) -> tuple[Audience, ...]:
    """Who holds a nomination in this stage, and must hear it moved on without them."""
    return {
        Stage.PROVINCIAL_ENDORSEMENT: (Audience.PROVINCIAL_OFFICE,),
        Stage.ADMIN_VERIFICATION: (Audience.VERIFICATION_DESK,),
        Stage.REVISION_REQUESTED: (Audience.PROPOSER, Audience.PROVINCIAL_OFFICE),
        Stage.SAMPLE_AWAITED: (Audience.PROPOSER,),
        Stage.TECHNICAL_ASSESSMENT: (Audience.LAB,),
        Stage.SITE_VISIT: (Audience.OPERATOR, Audience.VISIT_TEAM),  # the team, once scheduled
        Stage.PANEL_SCORING: (Audience.JUROR,),
        Stage.AWARD_DECISION: (Audience.OFFICIAL,),
    }.get(stage, ())


def _people(nom: Nomination, audience: Audience, event: NominationEvent) -> list[Recipient]:
    p, staff = nom.proposal, nom.config.staff
    local = p.sentra.province.timezone

    def of(contact: Contact, unit: str) -> Recipient:
        return Recipient(
            name=contact.name, email=contact.email, audience=audience, zone=local, unit=unit
        )

    operators = [Recipient(name=o.name, email=o.email, audience=audience) for o in staff.operators]
    match audience:
        case Audience.PROPOSER:
            return [of(p.proposing_office.contact, p.proposing_office.name)]
        case Audience.PROVINCIAL_OFFICE:
            listed = nom.config.provincial_office(p.sentra.province)
            if nom.config.endorsement is not None and listed is not None:  # it endorses
                return [
                    Recipient(
                        name=c.name, email=c.email, audience=audience, zone=local, unit=listed.name
                    )
                    for c in listed.contacts
                ]
            return [of(p.provincial_office.contact, p.provincial_office.name)]
        case Audience.IKM_OWNER:
            return [of(p.ikm.owner, f"{p.ikm.name}, {p.sentra.regency}")]
        case Audience.VERIFICATION_DESK:
            desk = staff.verification_desk
            return [Recipient(name=desk.name, email=desk.email, audience=audience)]
        case Audience.LAB:
            lab = staff.lab_desk(nom.lab)
            return [
                Recipient(name=lab.lab.label, email=lab.email, audience=audience, zone=lab.zone)
            ]
        case Audience.JUROR:
            # Reminders and escalations chase the jurors who have not scored; the rest go to all.
            if event.kind == EventKind.PANEL_ASSIGNED:  # only the ones just seated
                ids = str(event.facts.get("jurors") or "").split(",")
            elif event.kind in (EventKind.ESCALATED, EventKind.REMINDED):
                declared = nom.conflicts_declared()
                ids = [j for j in nom.pending_jurors() if j not in declared]
            else:
                ids = nom.panel
            jurors = [j for j in nom.seats if j.user_id in ids]
            return [
                Recipient(
                    name=j.name,
                    email=j.email,
                    audience=audience,
                    zone=j.home_province.timezone,
                    unit=j.institution,
                )
                for j in jurors
            ]
        case Audience.OFFICIAL:
            return [
                Recipient(name=o.name, email=o.email, audience=audience) for o in staff.officials
            ]
        case Audience.OPERATOR:
            return operators
        case Audience.VISIT_TEAM:
            team = nom.visit.team if nom.visit else []
            members = [m for u in team if (m := nom.config.visitor(u)) is not None]
            return [Recipient(name=m.name, email=m.email, audience=audience) for m in members]
        case Audience.SUPERVISOR:
            role = WAITING_ROLE.get(event.from_stage, Role.OPERATOR)
            boxes = [staff.supervisors[role]] if role in staff.supervisors else []
            if boxes:
                return [Recipient(name=b.name, email=b.email, audience=audience) for b in boxes]
            return operators
    return []
