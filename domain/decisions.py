"""The decisions people take on a nomination, one model each, always carrying who acts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import Field

from domain.documents import DocumentRef, LabReportRef, VisitPhotoRef, require_proposers
from domain.errors import Refused
from domain.lab_testing import SampleCondition
from domain.proposal import LongText, Model, Proposal, Text
from domain.scoring import Criterion, Score
from domain.stages import Role, Stage


class Actor(Model):
    """Who takes a decision: their user id, their role, and the institution they act for."""

    user_id: Text
    role: Role
    institution: Text


SYSTEM = Actor(user_id="ovop-engine", role=Role.SYSTEM, institution="Ditjen IKMA")


class VerifyOutcome(StrEnum):
    PASS = "pass"  # lolos verifikasi administrasi
    REJECT = "reject"  # ditolak (tidak memenuhi syarat)
    REVISE = "revise"  # dikembalikan untuk perbaikan


class EndorseOutcome(StrEnum):
    ENDORSE = "endorse"  # direkomendasikan: on to the ministry's verification
    RETURN = "return"  # dikembalikan kepada dinas kabupaten/kota untuk diperbaiki


class ProvincialEndorsement(Model):
    """The provincial office endorses a regency's proposal, or returns it with a reason
    (`endorsement`). Taken by the cycle, which holds the province's quota."""

    actor: Actor
    outcome: EndorseOutcome
    reason: LongText | None = None


class VerifyDecision(Model):
    actor: Actor
    outcome: VerifyOutcome
    reason: LongText | None = None


class Resubmission(Model):
    """The proposing office's corrected proposal after a revision request."""

    actor: Actor
    proposal: Proposal
    note: LongText | None = None


class LabTest(Model):
    parameter: Text
    method: Text | None = Field(
        None, description="Metode uji; bila siklus memakai templat uji, metode templat"
    )
    result: Text
    standard: Text | None = None
    passed: bool


class AssessmentFindings(Model):
    """A Balai Besar lab's findings on the product samples."""

    actor: Actor
    report_number: Text
    score: Score
    conforms: bool
    tests: list[LabTest] = Field(min_length=1, max_length=100)
    summary: LongText
    lab_report: LabReportRef | None = Field(
        None,
        description="Laporan hasil uji (LHU) yang diunggah Balai Besar ke slot `lhu` "
        "(`POST /documents`), sebagai rujukan",
    )


class SampleReceipt(Model):
    """A Balai Besar lab records that the product's sample has arrived (`lab_testing`):
    its technical assessment's deadline counts from that day."""

    actor: Actor
    received_on: date
    condition: SampleCondition = SampleCondition.GOOD
    received_by: Text = Field(description="Nama petugas penerima sampel")
    note: LongText | None = Field(None, description="Wajib bila sampel tidak dalam kondisi baik")


class VisitSchedule(Model):
    """An operator schedules the site visit (`site_visits`): the day, and the team by
    their user ids (verifiers, operators, jurors of the cycle). Scheduled again, it
    replaces the earlier plan."""

    actor: Actor
    visit_on: date
    team: list[Text] = Field(min_length=1, max_length=10)
    note: LongText | None = None


class VisitReport(Model):
    """A member of the team reports the visit: what it found on each of the five criteria,
    and its photos (uploaded to the slot `foto_kunjungan`)."""

    actor: Actor
    visited_on: date
    findings: dict[Criterion, LongText]
    photos: list[VisitPhotoRef] = Field(default_factory=list, max_length=30)
    summary: LongText


class ScoreSheet(Model):
    """One juror's scores on the five criteria, 0 to 100 each."""

    actor: Actor
    scores: dict[Criterion, Score]
    comment: LongText


class AwardDecision(Model):
    """The official confirms the recommended stars, or overrides them with a reason."""

    actor: Actor
    override_stars: int | None = Field(None, ge=0, le=10)
    reason: LongText | None = None


class DecreeOutcome(Model):
    """What the cycle's decree (`plenary.by_decree`) says of one nominee, sent by the cycle
    to the nomination: the stars it was awarded, or 0 when it is not among the winners."""

    number: str
    issued_by: Actor
    stars: int = Field(ge=0, le=10)
    reason: str | None = None  # the plenary's reason, where it changed the recommendation


class Withdrawal(Model):
    actor: Actor
    reason: LongText


class DeadlineExtension(Model):
    """An operator moves the current stage's deadline: to a date, or by working days."""

    actor: Actor
    until: date | None = None
    working_days: int | None = Field(None, ge=1, le=60)
    reason: LongText


class JurorReassignment(Model):
    """An operator takes a juror off a panel (they dropped out, or a conflict came to
    light); the cycle assigns another."""

    actor: Actor
    juror_id: Text
    reason: LongText


class ConflictDeclaration(Model):
    """A juror on the panel declares a conflict of interest with the nomination: they score
    it no more, and the cycle's operators are asked to replace them."""

    actor: Actor
    reason: LongText


Decision = (
    ProvincialEndorsement
    | VerifyDecision
    | Resubmission
    | AssessmentFindings
    | ScoreSheet
    | AwardDecision
    | Withdrawal
    | DeadlineExtension
    | JurorReassignment
    | ConflictDeclaration
    | SampleReceipt
    | VisitSchedule
    | VisitReport
)


@dataclass(frozen=True)
class DecisionKind:
    """One kind of decision: its model, the workflow Update that carries it, its name as a
    command and an API route, the roles that may take it, and what it is called (in
    English for integrators and operators' help, in Indonesian where stakeholders read)."""

    model: type[Decision]
    update: str
    command: str
    roles: tuple[Role, ...]
    title: str
    label: str
    # Taken by the nomination's cycle, not the nomination (it spans nominations: a quota).
    by_cycle: bool = False


# The one table of decisions: the workflow's Updates, `workflows.client.decide`, the API's
# decision routes and the `ovop` decision commands are derived from it.
DECISIONS: tuple[DecisionKind, ...] = (
    DecisionKind(
        ProvincialEndorsement,
        "endorse",
        "endorse",
        (Role.PROPOSER,),
        "The provincial office endorses a regency's proposal, or returns it (the cycle "
        "takes it, within the province's quota)",
        "rekomendasi dinas provinsi",
        by_cycle=True,
    ),
    DecisionKind(
        VerifyDecision,
        "verify",
        "verify",
        (Role.VERIFIER,),
        "Administrative verification",
        "verifikasi administrasi",
    ),
    DecisionKind(
        Resubmission,
        "resubmit",
        "resubmit",
        (Role.PROPOSER,),
        "The corrected proposal after a revision request",
        "pengajuan perbaikan usulan",
    ),
    DecisionKind(
        AssessmentFindings,
        "assess",
        "assess",
        (Role.LAB_ASSESSOR,),
        "A Balai Besar lab's findings",
        "penilaian teknis",
    ),
    DecisionKind(ScoreSheet, "score", "score", (Role.JUROR,), "A juror's scores", "penilaian juri"),
    DecisionKind(
        AwardDecision,
        "decide_award",
        "award",
        (Role.OFFICIAL,),
        "The award decision: confirm the recommended stars, or override them",
        "penetapan penghargaan",
    ),
    DecisionKind(
        Withdrawal,
        "withdraw",
        "withdraw",
        (Role.PROPOSER, Role.OPERATOR),
        "Withdraw the nomination",
        "penarikan usulan",
    ),
    DecisionKind(
        DeadlineExtension,
        "extend_deadline",
        "extend",
        (Role.OPERATOR,),
        "Move the current stage's deadline",
        "perpanjangan batas waktu",
    ),
    DecisionKind(
        JurorReassignment,
        "reassign_juror",
        "reassign",
        (Role.OPERATOR,),
        "Replace a juror on the panel",
        "penggantian juri",
    ),
    DecisionKind(
        ConflictDeclaration,
        "declare_conflict",
        "declare-conflict",
        (Role.JUROR,),
        "A juror declares a conflict of interest; the operators are asked to replace them",
        "pernyataan konflik kepentingan",
    ),
    DecisionKind(
        SampleReceipt,
        "receive_sample",
        "receive-sample",
        (Role.LAB_ASSESSOR,),
        "A Balai Besar lab records the product sample's receipt; its deadline counts from it",
        "penerimaan sampel produk",
    ),
    DecisionKind(
        VisitSchedule,
        "schedule_visit",
        "schedule-visit",
        (Role.OPERATOR,),
        "Schedule the site visit to the sentra: its day and team",
        "penjadwalan verifikasi lapangan",
    ),
    DecisionKind(
        VisitReport,
        "report_visit",
        "report-visit",
        (Role.VERIFIER, Role.OPERATOR, Role.JUROR),
        "The site visit's report on the five criteria, with its photos; the panel follows",
        "laporan verifikasi lapangan",
    ),
)
_BY_MODEL = {kind.model: kind for kind in DECISIONS}


def kind_of(decision: Decision) -> DecisionKind:
    return _BY_MODEL[type(decision)]


def documents_referenced(subject: Decision | Proposal) -> dict[str, DocumentRef]:
    """The documents a proposal or a decision refers to, by the field that names each: the
    store must hold each before the engine takes it. A proposal listing one of a slot its
    office does not send (the lab's report) is `Refused` here, at that document's slot."""
    match subject:
        case Proposal():
            require_proposers(subject.documents)
            return {f"documents.{i}": ref for i, ref in enumerate(subject.documents)}
        case Resubmission():
            try:
                inner = documents_referenced(subject.proposal)
            except Refused as refused:
                raise refused.within("proposal") from None
            return {f"proposal.{field}": ref for field, ref in inner.items()}
        case AssessmentFindings() if subject.lab_report is not None:
            return {"lab_report": subject.lab_report}
        case VisitReport():
            return {f"photos.{i}": ref for i, ref in enumerate(subject.photos)}
    return {}


class DecisionResult(Model):
    """What a decision did: the stage the nomination is now in, said for a person."""

    nomination_id: str
    stage: Stage
    message: str
    certificate_number: str | None = None
    # The engine is still carrying out what the decision set going (issuing the
    # certificate number, seating jurors); the nomination's next events bring it.
    settling: bool = False
