"""What a nomination holds, and the steps every part of its rules takes the same way:
appending an event, moving to a stage, refusing the wrong stage or person.

`Nomination` (domain/nomination.py) is this state with its rules: the deadline clock
(domain/clock.py), the panel (domain/panel_seats.py) and the decisions.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from domain.access import (
    Staffed,
    require_listed,
    require_proposing_office,
    require_role,
)
from domain.cycle import CycleConfig, Juror
from domain.deadlines import StagePlan
from domain.decisions import (
    Actor,
    AssessmentFindings,
    Decision,
    ScoreSheet,
    VisitReport,
    kind_of,
)
from domain.documents import DocumentRef
from domain.errors import RefusalKind, Refused
from domain.events import EventKind, Fact, NominationEvent
from domain.lab_testing import SampleRecord
from domain.labs import Lab
from domain.panel import PanelNeed
from domain.proposal import Model, Proposal
from domain.registry import RegistryCheck
from domain.scoring import ScoreExplanation
from domain.site_visits import VisitRecord
from domain.stages import Role, Stage


def nomination_id(cycle: str, nib: str, product_name: str) -> str:
    """The stable workflow id of a nomination: one per cycle, IKM and product.

    The NIB enters only through a hash, because workflow ids are stored in clear.
    """
    slug = _slug(product_name)
    digest = hashlib.sha256(f"{cycle}|{nib}|{slug}".encode()).hexdigest()[:10]
    return f"ovop-{cycle}-{slug[:40].strip('-') or 'produk'}-{digest}"


# The shape `nomination_id` gives: a cycle's id (`ovop-cycle-2026`), or any other, is not one.
NOMINATION_ID_SHAPE = re.compile(r"ovop-[0-9]{4}-[a-z0-9-]+-[0-9a-f]{10}")


def is_nomination_id(text: str) -> bool:
    """Whether `text` has the shape of a nomination's id (`nomination_id`)."""
    return NOMINATION_ID_SHAPE.fullmatch(text) is not None


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class ScoreRecord(Model):
    sheet: ScoreSheet
    total: float
    submitted_at: datetime


class PanelResult(Model):
    juror_totals: dict[str, float]
    panel_score: float
    lab_score: float
    lab_weight: float
    final_score: float
    recommended_stars: int
    explanation: ScoreExplanation | None = None


class AwardRecord(Model):
    stars: int
    recommended_stars: int
    overridden: bool
    reason: str | None
    decided_by: Actor
    decided_at: datetime
    certificate_number: str | None = None
    decree_number: str | None = None  # where the cycle's decree settled it (`by_decree`)


STAGE, ACCESS = RefusalKind.STAGE, RefusalKind.ACCESS

# Whose action each open stage waits for.
WAITING_ROLE = {
    Stage.PROVINCIAL_ENDORSEMENT: Role.PROPOSER,  # the province's own office
    Stage.ADMIN_VERIFICATION: Role.VERIFIER,
    Stage.REVISION_REQUESTED: Role.PROPOSER,
    Stage.SAMPLE_AWAITED: Role.PROPOSER,  # to send it; the lab records its receipt
    Stage.TECHNICAL_ASSESSMENT: Role.LAB_ASSESSOR,
    Stage.SITE_VISIT: Role.OPERATOR,  # to schedule it; its team reports
    Stage.PANEL_SCORING: Role.JUROR,
    Stage.AWARD_DECISION: Role.OFFICIAL,
}
OPEN_STAGES = frozenset(WAITING_ROLE)


class NominationState(BaseModel):
    """The whole state of one nomination; the workflow keeps exactly this."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    id: str
    proposal: Proposal
    config: CycleConfig
    submitted_by: Actor
    lab: Lab
    stage: Stage = Stage.PROPOSED
    stage_entered_at: datetime | None = None
    plan: StagePlan | None = None
    revisions: int = 0
    # The last revision was asked by the provincial office (`endorsement`): the corrected
    # proposal goes back to it, not straight to the ministry.
    returned_by_province: bool = False
    findings: AssessmentFindings | None = None
    sample: SampleRecord | None = None  # its receipt by the lab (`lab_testing`)
    visit: VisitRecord | None = None  # the site visit as scheduled (`site_visits`)
    visit_report: VisitReport | None = None
    # The documents a resubmission replaced, kept readable (`revised_documents`).
    earlier_documents: list[DocumentRef] = []
    # The panel: each juror's record as it was when they were seated.
    seats: list[Juror] = []
    dropped: list[str] = []  # jurors taken off the panel: never seated again
    panel_from_cycle: bool = False  # the cycle assigns jurors (balancing their load)
    panel_request: PanelNeed | None = None  # a request for jurors, not yet sent
    jurors_wanted: int = 0  # jurors asked for and not yet seated
    scores: dict[str, ScoreRecord] = {}
    result: PanelResult | None = None
    award: AwardRecord | None = None
    registry: RegistryCheck | None = None  # the last registry pre-check asked for
    # False for a nomination started before the regency was checked against the Kemendagri
    # list: its resubmissions are checked as they were (they replay as taken).
    regency_checked: bool = True
    events: list[NominationEvent] = []

    @property
    def documents(self) -> list[DocumentRef]:
        """The dossier as it stands: its proposal's documents and the lab's report (the
        versions a resubmission replaced are `earlier_documents`)."""
        report = self.findings.lab_report if self.findings else None
        photos = self.visit_report.photos if self.visit_report else []
        return [*self.proposal.documents, *([report] if report else []), *photos]

    @property
    def every_document(self) -> list[DocumentRef]:
        """The dossier and the versions it replaced: what may still be read."""
        return [*self.documents, *self.earlier_documents]

    @property
    def panel(self) -> list[str]:
        return [j.user_id for j in self.seats]

    def seat_of(self, user_id: str) -> Juror | None:
        return next((j for j in self.seats if j.user_id == user_id), None)

    def pending_jurors(self) -> list[str]:
        return [j for j in self.panel if j not in self.scores]

    # --- the rules shared by every decision ---------------------------------------------

    def _require_stage(self, what: str, *stages: Stage) -> None:
        if self.stage not in stages:
            expected = " atau ".join(s.label for s in stages)
            raise Refused.one(
                "stage",
                f"keputusan {what} hanya dapat diberikan pada tahap {expected}; "
                f"usulan ini sedang pada tahap {self.stage.label} ({self.stage.value})",
                STAGE,
            )

    @staticmethod
    def _require_decider(d: Decision) -> None:
        require_role(d.actor, kind_of(d).roles)

    def _require_listed(self, actor: Actor, members: Sequence[Staffed], title: str) -> None:
        require_listed(actor, members, title, self.config.cycle)

    def _require_proposer(self, actor: Actor) -> None:
        require_proposing_office(actor, self.proposal)

    # --- events -------------------------------------------------------------------------

    def _move(
        self,
        kind: EventKind,
        to: Stage,
        actor: Actor,
        now: datetime,
        reason: str | None = None,
        **facts: Fact,
    ) -> None:
        self._enter(kind, to, actor, now, reason, facts)

    def _enter(
        self,
        kind: EventKind,
        to: Stage,
        actor: Actor,
        now: datetime,
        reason: str | None,
        facts: dict[str, Fact],
        due_date: date | None = None,
    ) -> None:
        """`_move`, with the new stage's due day where it is not counted from `now`."""
        from_stage = self.stage
        self.stage = to
        self.stage_entered_at = now
        self.plan = self._plan(to, now, due_date)
        if self.deadline is not None:
            facts = {**facts, "deadline": self.deadline.isoformat()}
        self._append(kind, from_stage, to, actor, now, reason, facts)

    def _note(
        self, kind: EventKind, actor: Actor, now: datetime, reason: str | None = None, **facts: Fact
    ) -> None:
        self._append(kind, self.stage, self.stage, actor, now, reason, facts)

    def _append(
        self,
        kind: EventKind,
        from_stage: Stage,
        to: Stage,
        actor: Actor,
        now: datetime,
        reason: str | None,
        facts: dict[str, Fact],
    ) -> None:
        self.events.append(
            NominationEvent(
                seq=len(self.events) + 1,
                kind=kind,
                from_stage=from_stage,
                to_stage=to,
                at=now,
                actor=actor,
                reason=reason,
                facts=facts,
            )
        )

    @property
    def deadline(self) -> datetime | None:
        return self.plan.deadline if self.plan else None

    @property
    def awaiting_certificate(self) -> bool:
        return (
            self.stage == Stage.AWARD_DECISION
            and self.award is not None
            and self.award.certificate_number is None
        )

    def _plan(
        self, stage: Stage, start: datetime, due_date: date | None = None
    ) -> StagePlan | None:
        """The stage's deadline and reminders (`DeadlineClock`)."""
        raise NotImplementedError
