"""One nomination as a state machine: the rules of who may decide what, and what follows.

`check(decision)` says whether a decision may be taken now (raising `Refused` with the
field at fault); `apply(decision, now)` takes it and appends the events that follow. The
workflow calls the first from its update validators and both from its handlers, and
records and notifies each event; nothing here does I/O or reads a clock.
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
    require_operator,
    require_proposing_office,
    require_role,
)
from domain.calendar import WorkingCalendar
from domain.cycle import CycleConfig, Juror
from domain.deadlines import StagePlan, Step, StepKind, plan_stage
from domain.decisions import (
    SYSTEM,
    Actor,
    AssessmentFindings,
    AwardDecision,
    DeadlineExtension,
    Decision,
    DecisionResult,
    JurorReassignment,
    Resubmission,
    ScoreSheet,
    VerifyDecision,
    VerifyOutcome,
    Withdrawal,
    kind_of,
)
from domain.eligibility import eligibility_problems
from domain.errors import Problem, RefusalKind, Refused
from domain.events import EventKind, Fact, NominationEvent
from domain.labs import Lab, route_lab
from domain.panel import PanelAssignment, PanelNeed, assign_jurors, choose_jurors, conflict_of
from domain.proposal import Model, Proposal
from domain.regions import TimeZone
from domain.registry import RegistryCheck
from domain.scoring import Criterion, ScoreExplanation, explain, juror_total
from domain.stages import Role, Stage


def nomination_id(cycle: str, nib: str, product_name: str) -> str:
    """The stable workflow id of a nomination: one per cycle, IKM and product.

    The NIB enters only through a hash, because workflow ids are stored in clear.
    """
    slug = _slug(product_name)
    digest = hashlib.sha256(f"{cycle}|{nib}|{slug}".encode()).hexdigest()[:10]
    return f"ovop-{cycle}-{slug[:40].strip('-') or 'produk'}-{digest}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_conflicted(juror: Juror, proposal: Proposal) -> str | None:
    """Why this juror may not judge this proposal, or None when they may."""
    return conflict_of(juror, proposal.sentra.province, proposal.ikm.nib)


def assign_panel(config: CycleConfig, proposal: Proposal, key: str) -> list[Juror]:
    """A panel from the nomination's own roster, without a cycle to balance the load."""
    return choose_jurors(config.jurors, panel_need(proposal, key, config.panel.size))


def panel_need(
    proposal: Proposal, key: str, count: int, exclude: list[str] | None = None
) -> PanelNeed:
    return PanelNeed(
        nomination_id=key,
        commodity=proposal.product.commodity,
        province=proposal.sentra.province,
        nib=proposal.ikm.nib,
        count=count,
        exclude=exclude or [],
    )


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


STAGE, ACCESS = RefusalKind.STAGE, RefusalKind.ACCESS

# Whose action each open stage waits for.
WAITING_ROLE = {
    Stage.ADMIN_VERIFICATION: Role.VERIFIER,
    Stage.REVISION_REQUESTED: Role.PROPOSER,
    Stage.TECHNICAL_ASSESSMENT: Role.LAB_ASSESSOR,
    Stage.PANEL_SCORING: Role.JUROR,
    Stage.AWARD_DECISION: Role.OFFICIAL,
}
OPEN_STAGES = frozenset(WAITING_ROLE)


class Nomination(BaseModel):
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
    findings: AssessmentFindings | None = None
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
    events: list[NominationEvent] = []

    @classmethod
    def propose(
        cls,
        proposal: Proposal,
        config: CycleConfig,
        submitted_by: Actor,
        id: str | None = None,
    ) -> Nomination:
        return cls(
            id=id or nomination_id(proposal.cycle, proposal.ikm.nib, proposal.product.name),
            proposal=proposal,
            config=config,
            submitted_by=submitted_by,
            lab=route_lab(proposal.product.commodity),
        )

    # --- what the engine does by itself -------------------------------------------------

    def start(self, now: datetime) -> None:
        """The proposal is in: administrative verification begins."""
        if self.events:
            return
        self._move(EventKind.PROPOSED, Stage.ADMIN_VERIFICATION, self.submitted_by, now)

    @property
    def awaiting_certificate(self) -> bool:
        return (
            self.stage == Stage.AWARD_DECISION
            and self.award is not None
            and self.award.certificate_number is None
        )

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
        )

    # --- the registry pre-check ---------------------------------------------------------

    def ask_registry(self) -> None:
        """A pre-check of the proposal as it now stands is on its way."""
        self.registry = RegistryCheck(revision=self.revisions)

    def note_registry(self, check: RegistryCheck, now: datetime) -> bool:
        """The registry answered; an answer about an earlier revision is dropped."""
        if self.registry is None or check.revision != self.registry.revision:
            return False
        self.registry = check
        problems = check.problems
        self._note(
            EventKind.REGISTRY_CHECKED,
            SYSTEM,
            now,
            "; ".join(f.message for f in problems) if problems else None,
            revision=check.revision,
            outcome=check.outcome,
            problems=len(problems),
            source=check.source,
        )
        return True

    # --- deadlines ----------------------------------------------------------------------

    @property
    def deadline(self) -> datetime | None:
        return self.plan.deadline if self.plan else None

    @property
    def escalated(self) -> bool:
        """The current stage's deadline has passed."""
        return self.plan is not None and self.plan.overdue

    @property
    def next_step(self) -> Step | None:
        """The next reminder or deadline of the current stage, if any."""
        return self.plan.next_step if self.plan else None

    def take_due_steps(self, now: datetime) -> None:
        """Take every reminder and deadline step that has come due by `now`, in order."""
        while self.plan is not None and (step := self.plan.next_step) and step.at <= now:
            stage = self.stage
            self.plan = self.plan.model_copy(update={"done": self.plan.done + 1})
            self._take(step, now)
            if self.stage != stage:
                break

    def _take(self, step: Step, now: datetime) -> None:
        deadline = self.deadline.isoformat() if self.deadline else None
        if step.kind != StepKind.DEADLINE:
            assert step.zone is not None
            if self.waiting_in(step.zone):
                self._note(
                    EventKind.REMINDED,
                    SYSTEM,
                    now,
                    None,
                    step=step.label,
                    zone=step.zone.value,
                    deadline=deadline,
                )
        elif self.stage == Stage.REVISION_REQUESTED:
            self._move(
                EventKind.EXPIRED,
                Stage.EXPIRED,
                SYSTEM,
                now,
                "batas waktu perbaikan usulan terlampaui",
            )
        elif self.stage == Stage.PANEL_SCORING and len(self.scores) >= self.config.panel.quorum:
            self._close_panel(now, "batas waktu penilaian tercapai; kuorum terpenuhi")
        else:
            self._note(
                EventKind.ESCALATED,
                SYSTEM,
                now,
                f"batas waktu tahap {self.stage.label} terlampaui",
                deadline=deadline,
                waiting_for=WAITING_ROLE[self.stage].value,
            )

    def zone_of_deadline(self, stage: Stage) -> TimeZone:
        """Proposers count in their own province's time; the ministry, labs and panel in WIB."""
        if stage == Stage.REVISION_REQUESTED:
            return self.proposal.sentra.province.timezone
        return TimeZone.WIB

    def waiting_zones(self, stage: Stage) -> set[TimeZone]:
        """The time zones of the people a stage waits for (and reminds)."""
        match stage:
            case Stage.REVISION_REQUESTED:
                return {self.proposal.sentra.province.timezone}
            case Stage.TECHNICAL_ASSESSMENT:
                return {self.config.staff.lab_desk(self.lab).zone}
            case Stage.PANEL_SCORING:
                return {j.home_province.timezone for j in self.seats} or {TimeZone.WIB}
        return {TimeZone.WIB}

    def waiting_in(self, zone: TimeZone) -> bool:
        """Whether anyone the stage still waits for lives in `zone`."""
        if self.stage == Stage.PANEL_SCORING:
            pending = self.pending_jurors()
            return any(j.home_province.timezone == zone for j in self.seats if j.user_id in pending)
        return zone in self.waiting_zones(self.stage)

    def _plan(
        self, stage: Stage, start: datetime, due_date: date | None = None
    ) -> StagePlan | None:
        return plan_stage(
            stage,
            start,
            self.config.deadlines,
            self.config.calendar or WorkingCalendar(),
            self.zone_of_deadline(stage),
            self.waiting_zones(stage),
            due_date,
        )

    def waiting_for(self) -> Role | None:
        """The role whose action the nomination waits for."""
        if self.awaiting_certificate:
            return Role.SYSTEM
        return WAITING_ROLE.get(self.stage)

    @property
    def panel(self) -> list[str]:
        return [j.user_id for j in self.seats]

    def seat_of(self, user_id: str) -> Juror | None:
        return next((j for j in self.seats if j.user_id == user_id), None)

    def pending_jurors(self) -> list[str]:
        return [j for j in self.panel if j not in self.scores]

    # --- decisions ----------------------------------------------------------------------

    def check(self, decision: Decision) -> None:
        """Raise `Refused`, naming the field, unless `decision` may be taken now."""
        match decision:
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

    def apply(self, decision: Decision, now: datetime) -> DecisionResult:
        """Take a decision that `check` allowed; returns what it did."""
        self.check(decision)
        match decision:
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
        return self.result_message()

    def result_message(self) -> DecisionResult:
        last = self.events[-1]
        message = {
            EventKind.SCORED: "nilai juri diterima",
            EventKind.AWARDED: "penghargaan ditetapkan",
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
            settling=self.awaiting_certificate or self.seating,
        )

    @property
    def seating(self) -> bool:
        """Jurors were asked for and have not all arrived."""
        return self.stage == Stage.PANEL_SCORING and self.jurors_wanted > 0

    # verification

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
        if d.outcome == VerifyOutcome.PASS:
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
        problems += [
            Problem(f"proposal.{p.field}", p.message) for p in eligibility_problems(d.proposal)
        ]
        if problems:
            raise Refused(problems)

    def _resubmit(self, d: Resubmission, now: datetime) -> None:
        self.proposal = d.proposal
        self.lab = route_lab(d.proposal.product.commodity)
        self._move(
            EventKind.RESUBMITTED,
            Stage.ADMIN_VERIFICATION,
            d.actor,
            now,
            d.note,
            revision=self.revisions,
        )

    # technical assessment

    def _check_assess(self, d: AssessmentFindings) -> None:
        self._require_stage("penilaian teknis", Stage.TECHNICAL_ASSESSMENT)
        self._require_decider(d)
        desk = self.config.staff.lab_desk(self.lab)
        if d.actor.user_id not in {a.user_id for a in desk.assessors}:
            raise Refused.one(
                "actor.user_id",
                f"{d.actor.user_id} bukan penilai {self.lab.label}, "
                "Balai Besar yang ditugaskan untuk usulan ini",
                ACCESS,
            )

    def _assess(self, d: AssessmentFindings, now: datetime) -> None:
        self.findings = d
        facts: dict[str, Fact] = {
            "report_number": d.report_number,
            "lab_score": d.score,
            "conforms": d.conforms,
        }
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
        self._move(EventKind.ASSESSED, Stage.PANEL_SCORING, d.actor, now, d.summary, **facts)
        self._want_jurors(self.config.panel.size, now)

    def _want_jurors(self, count: int, now: datetime, release: list[str] | None = None) -> None:
        """Ask for `count` more jurors: from the cycle (a request the workflow sends), or
        straight from the nomination's own roster."""
        need = panel_need(self.proposal, self.id, count, [*self.panel, *self.dropped])
        self.jurors_wanted += count
        if self.panel_from_cycle:
            self.panel_request = need.model_copy(update={"release": release or []})
        else:
            self.seat(self.from_roster(need), now)

    def from_roster(self, need: PanelNeed) -> PanelAssignment:
        """Jurors from the nomination's own roster; those it lacks are not waited for."""
        return assign_jurors(self.config.jurors, need)

    def take_panel_request(self) -> PanelNeed | None:
        """The request for jurors the workflow must send to the cycle, once."""
        request, self.panel_request = self.panel_request, None
        return request

    def seat(self, assignment: PanelAssignment, now: datetime) -> None:
        """Seat the jurors assigned, after checking each for a conflict of interest."""
        seated, refused = [], []
        for juror in assignment.jurors:
            if (
                self.stage != Stage.PANEL_SCORING
                or juror.user_id in self.panel
                or juror.user_id in self.dropped
                or is_conflicted(juror, self.proposal)
            ):
                refused.append(juror.user_id)
                continue
            self.seats.append(juror)
            seated.append(juror.user_id)
        self.jurors_wanted = max(
            0, self.jurors_wanted - len(assignment.jurors) - assignment.shortfall
        )
        if self.stage != Stage.PANEL_SCORING:
            return  # the nomination moved on (withdrawn) before the jurors arrived
        self._note(
            EventKind.PANEL_ASSIGNED,
            SYSTEM,
            now,
            None,
            jurors=",".join(seated),
            panel=",".join(self.panel),
            refused=",".join(refused) or None,
        )
        if self.plan is not None:
            # Reminders follow the jurors' own time zones.
            self.plan = self._plan(self.stage, now, due_date=self.plan.due_date)
        self._panel_short(now)
        self._close_panel_if_done(now)

    def _panel_short(self, now: datetime) -> None:
        if len(self.panel) + self.jurors_wanted < self.config.panel.quorum:
            self._note(
                EventKind.ESCALATED,
                SYSTEM,
                now,
                f"hanya {len(self.panel)} juri tanpa konflik kepentingan untuk komoditas ini; "
                f"kuorum {self.config.panel.quorum}",
            )

    # panel scoring

    def _check_score(self, d: ScoreSheet) -> None:
        self._require_stage("penilaian juri", Stage.PANEL_SCORING)
        self._require_decider(d)
        juror = self.seat_of(d.actor.user_id)
        if juror is None:
            raise Refused.one(
                "actor.user_id",
                f"{d.actor.user_id} tidak ditugaskan sebagai juri usulan ini",
                ACCESS,
            )
        conflict = is_conflicted(juror, self.proposal)
        if conflict:
            raise Refused.one(
                "actor.user_id",
                f"juri {juror.name} memiliki konflik kepentingan: {conflict}",
                ACCESS,
            )
        missing = [c.value for c in Criterion if c not in d.scores]
        if missing:
            raise Refused.one("scores", "nilai belum lengkap untuk kriteria: " + ", ".join(missing))

    def _score(self, d: ScoreSheet, now: datetime) -> None:
        total = round(juror_total(d.scores, self.config.weights), 2)
        revised = d.actor.user_id in self.scores
        self.scores[d.actor.user_id] = ScoreRecord(sheet=d, total=total, submitted_at=now)
        self._note(
            EventKind.SCORED,
            d.actor,
            now,
            "nilai diperbarui" if revised else None,
            juror_total=total,
        )
        self._close_panel_if_done(now)

    def _close_panel_if_done(self, now: datetime) -> None:
        if self.stage != Stage.PANEL_SCORING or not self.scores or self.jurors_wanted:
            return
        if not self.pending_jurors():
            self._close_panel(now, "semua juri telah menilai")
        elif self.escalated and len(self.scores) >= self.config.panel.quorum:
            self._close_panel(now, "kuorum tercapai setelah batas waktu")

    def _close_panel(self, now: datetime, reason: str) -> None:
        assert self.findings is not None
        rules = self.config.panel
        explanation = explain(
            {juror: record.sheet.scores for juror, record in self.scores.items()},
            self.config.weights,
            self.findings.score,
            rules.lab_weight,
            self.config.star_scale,
            rules.outlier_points,
            rules.outlier_weight,
        )
        final, stars = explanation.final_score, explanation.stars
        self.result = PanelResult(
            juror_totals={line.juror_id: line.total for line in explanation.jurors},
            panel_score=round(explanation.panel_score, 2),
            lab_score=self.findings.score,
            lab_weight=rules.lab_weight,
            final_score=final,
            recommended_stars=stars,
            explanation=explanation,
        )
        self._move(
            EventKind.PANEL_CLOSED,
            Stage.AWARD_DECISION if stars else Stage.NOT_AWARDED,
            SYSTEM,
            now,
            reason if stars else f"{reason}; nilai akhir {final:g} di bawah batas penghargaan",
            final_score=final,
            recommended_stars=stars,
            jurors=len(explanation.jurors),
        )

    # award decision

    def _check_award(self, d: AwardDecision) -> None:
        self._require_stage("penetapan penghargaan", Stage.AWARD_DECISION)
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

    def _decide_award(self, d: AwardDecision, now: datetime) -> None:
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
            )

    # deadline extension

    def _check_extend(self, d: DeadlineExtension) -> None:
        self._require_decider(d)
        require_operator(d.actor, self.config)
        if self.plan is None or self.awaiting_certificate:
            raise Refused.one(
                "stage", f"tidak ada batas waktu pada tahap {self.stage.label}", STAGE
            )
        if (d.until is None) == (d.working_days is None):
            raise Refused.one(
                "until", "isi salah satu: tanggal baru (until) atau tambahan hari kerja"
            )
        new_due = self._extended_due(d)
        if new_due <= self.plan.due_date:
            raise Refused.one(
                "until",
                f"batas waktu baru harus setelah {self.plan.due_date.isoformat()}",
            )
        calendar = self.config.calendar or WorkingCalendar()
        off = calendar.day_off(new_due)
        if not calendar.is_working_day(new_due):
            why = off.name if off else "akhir pekan"
            raise Refused.one(
                "until", f"{new_due.isoformat()} bukan hari kerja ({why}); pilih hari kerja"
            )

    def _extended_due(self, d: DeadlineExtension) -> date:
        assert self.plan is not None
        if d.until is not None:
            return d.until
        assert d.working_days is not None
        calendar = self.config.calendar or WorkingCalendar()
        return calendar.add_working_days(self.plan.due_date, d.working_days)

    def _extend(self, d: DeadlineExtension, now: datetime) -> None:
        assert self.plan is not None and self.stage_entered_at is not None
        old = self.plan.deadline
        # Replanned from now: every reminder still ahead moves with the deadline, and none
        # already past is sent late.
        self.plan = self._plan(self.stage, now, due_date=self._extended_due(d))
        assert self.plan is not None
        self._note(
            EventKind.DEADLINE_EXTENDED,
            d.actor,
            now,
            d.reason,
            previous_deadline=old.isoformat(),
            deadline=self.plan.deadline.isoformat(),
        )

    # juror reassignment

    def _check_reassign(self, d: JurorReassignment) -> None:
        self._require_stage("penggantian juri", Stage.PANEL_SCORING)
        self._require_decider(d)
        require_operator(d.actor, self.config)
        if d.juror_id not in self.panel:
            raise Refused.one("juror_id", f"{d.juror_id} bukan juri usulan ini")

    def _reassign(self, d: JurorReassignment, now: datetime) -> None:
        had_scored = self.scores.pop(d.juror_id, None) is not None
        self.seats = [j for j in self.seats if j.user_id != d.juror_id]
        self.dropped.append(d.juror_id)
        self._note(
            EventKind.JUROR_REASSIGNED,
            d.actor,
            now,
            d.reason,
            juror=d.juror_id,
            score_dropped=had_scored,
        )
        self._want_jurors(1, now, release=[d.juror_id])

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
        from_stage = self.stage
        self.stage = to
        self.stage_entered_at = now
        self.plan = self._plan(to, now)
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
