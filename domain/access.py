"""Who may see and decide what: the one place the engine, the API and `ovop` ask.

- A decision is taken by one of the roles its kind names (`domain.decisions.DECISIONS`),
  by someone listed on the cycle's staff for it.
- A nomination is **proposed** by its proposing office, acting in the proposer role.
- The **operators** of a cycle are its listed staff in the operator role.
- A **regional office** acts for the nominations it proposed, and reaches those of its
  province (and regency, when it names one); a **lab** reaches what is routed to it; the
  ministry (verifiers, officials, operators, jurors) reaches every nomination.
- A **juror** scores only on their own panel, and sees no other juror's scores until the
  panel has closed (a key shared by jurors sees none, its holder's included).
- Only **operators** read payloads in clear (the codec endpoint); the data is personal.
- A proposal's **documents** are read by whoever reads the owner's contact; jurors and labs
  read only the product's evidence (photos, permits, the sentra decree, the lab's report),
  not the owner's identity papers (the NIB document) nor the further files
  (`sees_document`). The proposing office uploads its proposal's documents, a lab its test
  report (`UPLOADERS`).
- A **certificate** is revoked by an operator, who gives a reason; its PDF is handed to
  operators and to the regional offices that reach its nomination. Anyone may verify it
  (`domain.certificates.PublicCertificate` is what they see).
- A commodity's **agreed list** (domain/plenary.py) is recorded by the chair of the Tim
  Seleksi (a juror the cycle names in `plenary.chairs`, acting as a juror) or by one of the
  cycle's operators on the chair's behalf; the cycle's **decree** is issued by one of its
  listed officials.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from domain.decisions import Actor
from domain.documents import PROPOSAL_SLOTS, DocumentRef, Slot
from domain.errors import RefusalKind, Refused
from domain.events import EventKind, NominationEvent
from domain.labs import Lab, route_lab
from domain.proposal import Proposal
from domain.regions import Province
from domain.stages import Role

if TYPE_CHECKING:
    from domain.cycle import CycleConfig
    from domain.nomination import Nomination

ACCESS = RefusalKind.ACCESS
# Those who work for the ministry, and so reach every nomination.
MINISTRY_ROLES = frozenset({Role.VERIFIER, Role.OFFICIAL, Role.OPERATOR, Role.JUROR})
# Those who may propose a nomination: its regional industry office.
PROPOSING_ROLES = (Role.PROPOSER,)
# Those who may read the payloads Temporal keeps sealed (names, NIBs, addresses) in clear.
PAYLOAD_READERS = (Role.OPERATOR,)
# Who may revoke an award's certificate, and who may fetch its PDF (within their reach).
REVOKING_ROLES = (Role.OPERATOR,)
CERTIFICATE_HOLDERS = (Role.OPERATOR, Role.PROPOSER)
# Who may record a plenary's agreed list, and who issues the cycle's decree.
PLENARY_RECORDERS = (Role.JUROR, Role.OPERATOR)
DECREE_ISSUERS = (Role.OFFICIAL,)


class Staffed(Protocol):
    @property
    def user_id(self) -> str: ...


def folded(text: str) -> str:
    """A name as compared: case and spacing do not count."""
    return " ".join(text.casefold().split())


def require_role(actor: Actor, roles: Iterable[Role], field: str = "actor.role") -> None:
    roles = tuple(roles)
    if actor.role not in roles:
        expected = " atau ".join(r.label for r in roles)
        raise Refused.one(
            field,
            f"keputusan ini hanya untuk {expected}, bukan {actor.role.label} ({actor.role.value})",
            ACCESS,
        )


def require_listed(actor: Actor, members: Sequence[Staffed], title: str, cycle: str) -> None:
    if actor.user_id not in {m.user_id for m in members}:
        raise Refused.one(
            "actor.user_id",
            f'"{actor.user_id}" tidak terdaftar sebagai {title} siklus {cycle}',
            ACCESS,
        )


def require_operator(actor: Actor, config: CycleConfig) -> None:
    """An operator of this cycle, acting as one."""
    require_role(actor, [Role.OPERATOR])
    require_listed(actor, config.staff.operators, "operator", config.cycle)


def require_plenary_recorder(actor: Actor, config: CycleConfig) -> None:
    """The chair of the Tim Seleksi, or an operator of this cycle on the chair's behalf."""
    require_role(actor, PLENARY_RECORDERS)
    if actor.role == Role.OPERATOR:
        require_operator(actor, config)
    elif actor.user_id not in config.plenary.chairs:
        raise Refused.one(
            "actor.user_id",
            f"{actor.user_id} bukan ketua Tim Seleksi siklus {config.cycle}",
            ACCESS,
        )


def require_decree_issuer(actor: Actor, config: CycleConfig) -> None:
    """An official listed on this cycle's staff."""
    require_role(actor, DECREE_ISSUERS)
    require_listed(actor, config.staff.officials, "pejabat penetap", config.cycle)


def require_proposing_office(
    actor: Actor, proposal: Proposal, field: str = "actor.institution"
) -> None:
    """The office that proposed (or proposes) this nomination, and no other."""
    office = proposal.proposing_office.name
    if folded(actor.institution) != folded(office):
        raise Refused.one(
            field, f"hanya {office}, pengusul usulan ini, yang dapat melakukannya", ACCESS
        )


def require_proposer(actor: Actor, proposal: Proposal, field: str = "actor") -> None:
    """A proposal comes from its proposing office, acting as the proposer."""
    require_role(actor, PROPOSING_ROLES, f"{field}.role")
    require_proposing_office(actor, proposal, f"{field}.institution")


@dataclass(frozen=True)
class Place:
    """Where a nomination belongs, for reach: its sentra's province and regency, its lab."""

    province: Province
    regency: str
    lab: Lab

    @classmethod
    def of_proposal(cls, p: Proposal) -> Place:
        return cls(p.sentra.province, p.sentra.regency, route_lab(p.product.commodity))


@dataclass(frozen=True)
class Reach:
    """The nominations a caller reaches, from its roles and the region or lab it serves."""

    roles: frozenset[Role]
    province: Province | None = None
    regency: str | None = None
    lab: Lab | None = None

    @property
    def everything(self) -> bool:
        return bool(MINISTRY_ROLES & self.roles)

    def covers(self, place: Place) -> bool:
        if self.everything:
            return True
        if Role.PROPOSER in self.roles:
            return place.province == self.province and (
                self.regency is None or folded(place.regency) == folded(self.regency)
            )
        return place.lab == self.lab

    def require(self, place: Place, field: str) -> None:
        """Refuse, naming `field`, a nomination outside this reach."""
        if self.covers(place):
            return
        if Role.PROPOSER in self.roles:
            region = self.regency or (self.province.value if self.province else "-")
            why = (
                f'usulan dari "{place.regency}, {place.province.value}" berada di luar wilayah '
                f'kunci ini ("{region}")'
            )
        else:
            lab = self.lab.label if self.lab else "-"
            why = f"usulan ini dinilai oleh {place.lab.label}, bukan {lab}"
        raise Refused.one(field, why, ACCESS)


def require_may_propose(actor: Actor, reach: Reach, proposal: Proposal) -> None:
    """A proposal is made by its own proposing office, for a sentra within that office's
    reach: `Refused` naming `sentra.province` or `proposing_office.name` otherwise. The
    API and the inbox both ask this before they start a nomination."""
    reach.require(Place.of_proposal(proposal), "sentra.province")
    require_proposing_office(actor, proposal, "proposing_office.name")


# Who reads the IKM owner's name, email and phone in a nomination's dossier: not the jurors
# and the labs, who judge the product and its evidence.
OWNER_READERS = frozenset({Role.PROPOSER, Role.VERIFIER, Role.OFFICIAL, Role.OPERATOR})


def sees_owner(role: Role) -> bool:
    return role in OWNER_READERS


# Who judges the product and so reads its evidence (`domain.documents.SLOTS`), and no more.
EVIDENCE_READERS = frozenset({Role.JUROR, Role.LAB_ASSESSOR})


def sees_document(role: Role, slot: Slot) -> bool:
    return sees_owner(role) or (role in EVIDENCE_READERS and slot.rule.evidence)


def documents_seen(roles: Iterable[Role], documents: Iterable[DocumentRef]) -> list[DocumentRef]:
    """The documents of a dossier that any of `roles` may read: the rest are not listed,
    not even by name or hash."""
    roles = tuple(roles)
    return [d for d in documents if any(sees_document(role, d.slot) for role in roles)]


# Who uploads a document into each slot: the lab its report, a site visit's team its
# photos, the proposing office the rest.
VISITORS = (Role.VERIFIER, Role.OPERATOR, Role.JUROR)  # who may be on a site visit's team
UPLOADERS: dict[Slot, tuple[Role, ...]] = {
    **{slot: PROPOSING_ROLES for slot in PROPOSAL_SLOTS},
    Slot.LAB_REPORT: (Role.LAB_ASSESSOR,),
    Slot.VISIT_PHOTO: VISITORS,
}


def require_sees_document(roles: Iterable[Role], slot: Slot, field: str) -> None:
    """Refuse, naming `field`, a document none of `roles` may read."""
    roles = tuple(roles)
    if not any(sees_document(role, slot) for role in roles):
        who = " atau ".join(r.label for r in roles) or "-"
        raise Refused.one(
            field, f"{slot.rule.label} tidak dapat dibaca oleh {who}: bukan bukti produk", ACCESS
        )


def on_panel(nom: Nomination, user_id: str) -> bool:
    return user_id in nom.panel


def scores_visible(nom: Nomination) -> bool:
    """Jurors see the panel's scores once it has closed, and not before."""
    return nom.result is not None


def events_for_juror(nom: Nomination) -> list[NominationEvent]:
    """The nomination's events as a juror may read them: before the panel closes, a score
    says who scored, not what; and a juror's declared conflict of interest, and the
    replacement that follows it, never say why (the reason is the declaring juror's own)."""
    hidden = {EventKind.CONFLICT_DECLARED, EventKind.JUROR_REASSIGNED}
    if not scores_visible(nom):
        hidden.add(EventKind.SCORED)
    quiet: dict[str, object] = {"facts": {}}
    return [
        e.model_copy(update=quiet if e.kind == EventKind.SCORED else {**quiet, "reason": None})
        if e.kind in hidden
        else e
        for e in nom.events
    ]
