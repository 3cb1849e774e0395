"""One nomination as a state machine: the rules of who may decide what, and what follows.

`check(decision)` says whether a decision may be taken now (raising `Refused` with the
field at fault); `apply(decision, now)` takes it and appends the events that follow. The
workflow calls the first from its update validators and both from its handlers, and
records and notifies each event; nothing here does I/O or reads a clock. The deadline
clock and the panel have modules of their own (domain/clock.py, domain/panel_seats.py).
"""

from __future__ import annotations

from datetime import datetime

from domain.access import (
    require_operator,
)
from domain.cycle import CycleConfig
from domain.decisions import (
    Actor,
    AssessmentFindings,
    AwardDecision,
    ConflictDeclaration,
    DeadlineExtension,
    Decision,
    DecisionResult,
    DecreeOutcome,
    JurorReassignment,
    ProvincialEndorsement,
    Resubmission,
    SampleReceipt,
    ScoreSheet,
    VerifyDecision,
    VerifyOutcome,
    VisitReport,
    VisitSchedule,
    Withdrawal,
)
from domain.documents import revised_documents
from domain.eligibility import eligibility_problems
from domain.errors import Problem, Refused
from domain.events import EventKind, Fact
from domain.field_work import FieldWork
from domain.lab_testing import require_on_template
from domain.labs import route_lab
from domain.nomination_state import (
    OPEN_STAGES,
    STAGE,
    WAITING_ROLE,
    AwardRecord,
    NominationState,
    PanelResult,
    ScoreRecord,
    is_nomination_id,
    nomination_id,
)
from domain.panel_seats import assign_panel, is_conflicted, panel_need
from domain.proposal import Proposal
from domain.registry import RegistryCheck
from domain.stages import Role, Stage

__all__ = [
    "OPEN_STAGES",
    "WAITING_ROLE",
    "AwardRecord",
    "Nomination",
    "NominationState",
    "PanelResult",
    "ScoreRecord",
    "assign_panel",
    "is_conflicted",
    "is_nomination_id",
    "nomination_id",
    "panel_need",
]


class Nomination(FieldWork):
    """The whole state of one nomination and its rules; the workflow keeps exactly this."""

    @classmethod
    def propose(
        cls,
        proposal: Proposal,
        config: CycleConfig,
        submitted_by: Actor,
        id: str | None = None,
    ) -> Nomination:
        # Versions are the engine's to number: as proposed, each document is the first.
        first, _ = revised_documents([], [], proposal.documents)
        return cls(
            id=id or nomination_id(proposal.cycle, proposal.ikm.nib, proposal.product.name),
            proposal=proposal.model_copy(update={"documents": first}),
            config=config,
            submitted_by=submitted_by,
            lab=route_lab(proposal.product.commodity),
        )

    # --- what the engine does by itself -------------------------------------------------

    def start(self, now: datetime) -> None:
        """The proposal is in: its provincial office endorses it first where the cycle asks
        for that (`endorsement`); otherwise administrative verification begins."""
        if self.events:
            return
        first = (
            Stage.PROVINCIAL_ENDORSEMENT if self.config.endorsement else Stage.ADMIN_VERIFICATION
        )
        self._move(EventKind.PROPOSED, first, self.submitted_by, now)

    def grant(self, certificate_number: str, now: datetime) -> None:
        """The certificate number is issued: the award is final."""
        assert self.award is not None and self.awaiting_certificate
        self.award = self.award.model_copy(update={"certificate_number": certificate_number})
        self._move(
            EventKind.AWARDED,
            Stage.AWARDED,
            self.award.decided_by,
            now,
            self.award.reason,
            stars=self.award.stars,
            certificate_number=certificate_number,
            overridden=self.award.overridden,
            coaching_level=self.config.coaching_for(self.award.stars).value,
            **self._decree_fact(),
        )

    def _decree_fact(self) -> dict[str, Fact]:
        """The decree that settled the award, for the letter that names it."""
        number = self.award.decree_number if self.award else None
        return {"decree": number} if number else {}

    # --- the registry pre-check ---------------------------------------------------------

    def ask_registry(self) -> None:
        """A pre-check of the proposal as it now stands is on its way."""
        self.registry = RegistryCheck(revision=self.revisions)

    def note_registry(self, check: RegistryCheck) -> bool:
        """The registry answered; an answer about an earlier revision is dropped."""
        if self.registry is None or check.revision != self.registry.revision:
            return False
        # Kept in the state, not made an event: an event would be started by the next
        # decision, whose commands must not depend on whether an answer came first.
        self.registry = check
        return True

    @property
    def lab_advised_against(self) -> bool:
        """The lab found the product not to conform, and it went on to the panel with that
        recommendation (`lab_testing`)."""
        f = self.findings
        return f is not None and not f.conforms and self.config.lab_testing is not None

    def waiting_for(self) -> Role | None:
        """The role whose action the nomination waits for."""
        if self.awaiting_certificate:
            return Role.SYSTEM
        return WAITING_ROLE.get(self.stage)

    # --- decisions ----------------------------------------------------------------------

    def check(self, decision: Decision, now: datetime | None = None) -> None:
        """Raise `Refused`, naming the field, unless `decision` may be taken now (`now`,
        where a rule reads the date: a sample is not received tomorrow)."""
        match decision:
            case ProvincialEndorsement():
                self._check_endorse(decision)
            case VerifyDecision():
                self._check_verify(decision)
            case Resubmission():
                self._check_resubmit(decision)
            case AssessmentFindings():
                self._check_assess(decision)
            case ScoreSheet():
                self._check_score(decision)
            case AwardDecision():
                self._check_award(decision)
            case Withdrawal():
                self._check_withdraw(decision)
            case DeadlineExtension():
                self._check_extend(decision)
            case JurorReassignment():
                self._check_reassign(decision)
            case ConflictDeclaration():
                self._check_declare_conflict(decision)
            case SampleReceipt():
                self._check_receive_sample(decision, now)
            case VisitSchedule():
                self._check_schedule_visit(decision, now)
            case VisitReport():
                self._check_report_visit(decision, now)

    def apply(self, decision: Decision, now: datetime) -> DecisionResult:
        """Take a decision that `check` allowed; returns what it did."""
        self.check(decision, now)
        match decision:
            case ProvincialEndorsement():
                self.take_endorsement(decision, now)
            case VerifyDecision():
                self._verify(decision, now)
            case Resubmission():
                self._resubmit(decision, now)
            case AssessmentFindings():
                self._assess(decision, now)
            case ScoreSheet():
                self._score(decision, now)
            case AwardDecision():
                self._decide_award(decision, now)
            case Withdrawal():
                self._withdraw(decision, now)
            case DeadlineExtension():
                self._extend(decision, now)
            case JurorReassignment():
                self._reassign(decision, now)
            case ConflictDeclaration():
                self._declare_conflict(decision, now)
            case SampleReceipt():
                self._receive_sample(decision, now)
            case VisitSchedule():
                self._schedule_visit(decision, now)
            case VisitReport():
                self._report_visit(decision, now)
        return self.result_message()

    @property
    def settling(self) -> bool:
        """What a decision set going has not come yet: the certificate number, or the
        jurors being seated."""
        return self.awaiting_certificate or self.seating

    def result_message(self) -> DecisionResult:
        last = self.events[-1]
        message = {
            EventKind.SCORED: "nilai juri diterima",
            EventKind.AWARDED: "penghargaan ditetapkan",
            EventKind.CONFLICT_DECLARED: (
                "pernyataan konflik kepentingan tercatat; operator diminta menugaskan juri "
                "pengganti"
            ),
        }.get(last.kind, f"usulan kini pada tahap {self.stage.label}")
        if self.awaiting_certificate:
            message = "keputusan penghargaan diterima; nomor sertifikat sedang diterbitkan"
        elif self.seating:
            message = f"{message}; juri sedang ditugaskan"
        return DecisionResult(
            nomination_id=self.id,
            stage=self.stage,
            message=message,
            certificate_number=self.award.certificate_number if self.award else None,
            settling=self.settling,
        )

    def _check_verify(self, d: VerifyDecision) -> None:
        self._require_stage("verifikasi administrasi", Stage.ADMIN_VERIFICATION)
        self._require_decider(d)
        self._require_listed(d.actor, self.config.staff.verifiers, "verifikator")
        if d.outcome != VerifyOutcome.PASS and not d.reason:
            raise Refused.one(
                "reason", "alasan wajib diisi untuk penolakan atau permintaan perbaikan"
            )
        if d.outcome == VerifyOutcome.REVISE and self.revisions >= self.config.max_revisions:
            raise Refused.one(
                "outcome",
                f"batas {self.config.max_revisions} kali perbaikan sudah tercapai; "
                "usulan harus diluluskan atau ditolak",
            )

    def _verify(self, d: VerifyDecision, now: datetime) -> None:
        testing = self.config.lab_testing
        if d.outcome == VerifyOutcome.PASS and testing is not None:
            template = testing.templates[self.proposal.product.commodity]
            self._move(
                EventKind.VERIFIED,
                Stage.SAMPLE_AWAITED,
                d.actor,
                now,
                d.reason,
                lab=self.lab.value,
                sample=template.sample,
            )
        elif d.outcome == VerifyOutcome.PASS:
            self._move(
                EventKind.VERIFIED,
                Stage.TECHNICAL_ASSESSMENT,
                d.actor,
                now,
                d.reason,
                lab=self.lab.value,
            )
        elif d.outcome == VerifyOutcome.REJECT:
            self._move(EventKind.REJECTED, Stage.REJECTED, d.actor, now, d.reason)
        else:
            self.revisions += 1
            self._move(
                EventKind.REVISION_REQUESTED,
                Stage.REVISION_REQUESTED,
                d.actor,
                now,
                d.reason,
                revision=self.revisions,
            )

    # resubmission

    def _check_resubmit(self, d: Resubmission) -> None:
        self._require_stage("pengajuan perbaikan", Stage.REVISION_REQUESTED)
        self._require_decider(d)
        self._require_proposer(d.actor)
        problems: list[Problem] = []
        if d.proposal.cycle != self.proposal.cycle:
            problems.append(
                Problem(
                    "proposal.cycle", f"siklus tidak boleh diubah (tetap {self.proposal.cycle})"
                )
            )
        if d.proposal.ikm.nib != self.proposal.ikm.nib:
            problems.append(
                Problem(
                    "proposal.ikm.nib", "NIB tidak boleh diubah; ajukan usulan baru untuk IKM lain"
                )
            )
        if self.config.endorsement is not None:
            # The province's endorsement, and its quota, are of this province and commodity.
            old, new = self.proposal, d.proposal
            kept = (
                "pada siklus yang memakai rekomendasi dan kuota dinas provinsi; ajukan usulan baru"
            )
            if new.product.commodity != old.product.commodity:
                problems.append(
                    Problem(
                        "proposal.product.commodity",
                        f"komoditas tetap {old.product.commodity.label} {kept}",
                    )
                )
            if new.sentra.province != old.sentra.province:
                problems.append(
                    Problem(
                        "proposal.sentra.province",
                        f"provinsi tetap {old.sentra.province.value} {kept}",
                    )
                )
        problems += [
            Problem(f"proposal.{p.field}", p.message)
            for p in eligibility_problems(d.proposal, check_regency=self.regency_checked)
        ]
        if problems:
            raise Refused(problems)

    def _resubmit(self, d: Resubmission, now: datetime) -> None:
        documents, self.earlier_documents = revised_documents(
            self.proposal.documents, self.earlier_documents, d.proposal.documents
        )
        self.proposal = d.proposal.model_copy(update={"documents": documents})
        self.lab = route_lab(d.proposal.product.commodity)
        back_to = Stage.PROVINCIAL_ENDORSEMENT if self.returned_by_province else None
        self.returned_by_province = False
        self._move(
            EventKind.RESUBMITTED,
            back_to or Stage.ADMIN_VERIFICATION,
            d.actor,
            now,
            d.note,
            revision=self.revisions,
        )

    def _check_assess(self, d: AssessmentFindings) -> None:
        self._require_stage("penilaian teknis", Stage.TECHNICAL_ASSESSMENT)
        self._require_decider(d)
        self._require_lab_assessor(d.actor)
        testing = self.config.lab_testing
        if testing is None:
            return
        template = testing.templates[self.proposal.product.commodity]
        require_on_template([(t.parameter, t.method, t.passed) for t in d.tests], template)
        failed = [t.parameter for t in d.tests if not t.passed]
        if failed and d.conforms:
            raise Refused.one(
                "conforms",
                "produk tidak dapat dinyatakan memenuhi standar bila parameter berikut tidak "
                "memenuhi: " + "; ".join(failed),
            )

    def _assess(self, d: AssessmentFindings, now: datetime) -> None:
        self.findings = d
        facts: dict[str, Fact] = {
            "report_number": d.report_number,
            "lab_score": d.score,
            "conforms": d.conforms,
        }
        if not d.conforms and self.config.lab_testing is not None:
            # The lab recommends; the panel scores and the official decides, the lab's
            # report in front of them.
            advice = "rekomendasi Balai Besar: produk tidak memenuhi standar pada uji: "
            self._to_the_panel(EventKind.ASSESSED, d.actor, now, advice + d.summary, **facts)
            return
        if not d.conforms:
            self._move(
                EventKind.ASSESSED,
                Stage.NOT_AWARDED,
                d.actor,
                now,
                "produk tidak memenuhi standar pada uji Balai Besar: " + d.summary,
                **facts,
            )
            return
        self._to_the_panel(EventKind.ASSESSED, d.actor, now, d.summary, **facts)

    # award decision

    def _check_award(self, d: AwardDecision) -> None:
        self._require_stage("penetapan penghargaan", Stage.AWARD_DECISION)
        if self.config.plenary.by_decree:
            raise Refused.one(
                "stage",
                f"penghargaan siklus {self.config.cycle} ditetapkan dengan keputusan Direktur "
                "Jenderal atas daftar hasil sidang pleno Tim Seleksi, bukan per usulan",
                STAGE,
            )
        self._require_decider(d)
        self._require_listed(d.actor, self.config.staff.officials, "pejabat penetap")
        if self.award is not None:
            raise Refused.one(
                "stage", "keputusan penghargaan untuk usulan ini sudah diberikan", STAGE
            )
        scale = self.config.star_scale
        if d.override_stars is not None:
            if d.override_stars > scale.max_stars:
                raise Refused.one(
                    "override_stars",
                    f"skala siklus {self.config.cycle} adalah 0 sampai {scale.max_stars} bintang",
                )
            assert self.result is not None
            if d.override_stars != self.result.recommended_stars and not d.reason:
                raise Refused.one(
                    "reason", "alasan wajib diisi bila bintang berbeda dari rekomendasi Tim Seleksi"
                )
        assert self.result is not None
        stars = self.result.recommended_stars if d.override_stars is None else d.override_stars
        if stars and self.lab_advised_against and not d.reason:
            raise Refused.one(
                "reason",
                f"{self.lab.label} merekomendasikan produk ini tidak memenuhi standar (laporan "
                f"{self.findings.report_number if self.findings else '-'}); alasan wajib diisi "
                "bila tetap diberi bintang",
            )

    def take_decree(self, outcome: DecreeOutcome, now: datetime) -> None:
        """The cycle's decree settles the award (`plenary.by_decree`): the stars it gives,
        or none. A nomination that has ended meanwhile (withdrawn) takes nothing."""
        if self.stage != Stage.AWARD_DECISION or self.award is not None:
            return
        decree = f"Keputusan Direktur Jenderal IKMA Nomor {outcome.number}"
        reason = decree if outcome.stars else f"tidak termasuk penerima penghargaan dalam {decree}"
        if outcome.reason:  # the plenary's, cut to fit a reason's length beside the decree's
            said = outcome.reason
            reason += f"; alasan sidang pleno: {said if len(said) <= 3500 else said[:3499] + '…'}"
        self._decide_award(
            AwardDecision(actor=outcome.issued_by, override_stars=outcome.stars, reason=reason),
            now,
            decree_number=outcome.number,
        )

    def _decide_award(
        self, d: AwardDecision, now: datetime, decree_number: str | None = None
    ) -> None:
        assert self.result is not None
        recommended = self.result.recommended_stars
        stars = recommended if d.override_stars is None else d.override_stars
        self.award = AwardRecord(
            stars=stars,
            recommended_stars=recommended,
            overridden=stars != recommended,
            reason=d.reason,
            decided_by=d.actor,
            decided_at=now,
            decree_number=decree_number,
        )
        if stars == 0:
            self._move(
                EventKind.NOT_AWARDED,
                Stage.NOT_AWARDED,
                d.actor,
                now,
                d.reason,
                recommended_stars=recommended,
                overridden=True,
                **self._decree_fact(),
            )

    # withdrawal

    def _check_withdraw(self, d: Withdrawal) -> None:
        if self.stage not in OPEN_STAGES or self.awaiting_certificate:
            raise Refused.one(
                "stage", f"usulan pada tahap {self.stage.label} tidak dapat ditarik lagi", STAGE
            )
        self._require_decider(d)
        if d.actor.role == Role.PROPOSER:
            self._require_proposer(d.actor)
        else:
            require_operator(d.actor, self.config)

    def _withdraw(self, d: Withdrawal, now: datetime) -> None:
        self._move(EventKind.WITHDRAWN, Stage.WITHDRAWN, d.actor, now, d.reason)
