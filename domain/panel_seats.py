"""The panel on one nomination: jurors asked for (from the cycle or the nomination's own
roster), seated unless conflicted, their scores, the panel closing on its result, and a
juror replaced."""

from __future__ import annotations

from datetime import datetime

from domain.access import (
    require_operator,
)
from domain.clock import DeadlineClock
from domain.cycle import CycleConfig, Juror
from domain.decisions import (
    SYSTEM,
    Actor,
    ConflictDeclaration,
    JurorReassignment,
    ScoreSheet,
)
from domain.errors import RefusalKind, Refused
from domain.events import EventKind, Fact
from domain.nomination_state import ACCESS, PanelResult, ScoreRecord
from domain.panel import PanelAssignment, PanelNeed, assign_jurors, choose_jurors, conflict_of
from domain.proposal import Proposal
from domain.scoring import Criterion, explain, juror_total
from domain.stages import Stage


def is_conflicted(juror: Juror, proposal: Proposal, config: CycleConfig) -> str | None:
    """Why this juror may not judge this proposal under the cycle's rules, or None when
    they may."""
    return conflict_of(
        juror,
        proposal.sentra.province,
        proposal.ikm.nib,
        config.panel.same_province_conflict,
    )


def assign_panel(config: CycleConfig, proposal: Proposal, key: str) -> list[Juror]:
    """A panel from the nomination's own roster, without a cycle to balance the load."""
    need = panel_need(proposal, key, config.panel.size)
    return choose_jurors(config.jurors, need, same_province=config.panel.same_province_conflict)


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


class PanelSeats(DeadlineClock):
    @property
    def seating(self) -> bool:
        """Jurors were asked for and have not all arrived."""
        return self.stage == Stage.PANEL_SCORING and self.jurors_wanted > 0

    # verification

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
        return assign_jurors(
            self.config.jurors, need, same_province=self.config.panel.same_province_conflict
        )

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
                or is_conflicted(juror, self.proposal, self.config)
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

    def conflicts_declared(self) -> dict[str, str]:
        """The jurors still on the panel who have declared a conflict of interest, and why:
        each waits for an operator to replace them."""
        return {
            e.actor.user_id: e.reason or ""
            for e in self.events
            if e.kind == EventKind.CONFLICT_DECLARED and e.actor.user_id in self.panel
        }

    def _panel_juror(self, actor: Actor, declared: RefusalKind) -> Juror:
        """`actor`'s seat on the panel, refused (as `declared`) once they have declared a
        conflict of interest."""
        juror = self.seat_of(actor.user_id)
        if juror is None:
            raise Refused.one(
                "actor.user_id",
                f"{actor.user_id} tidak ditugaskan sebagai juri usulan ini",
                ACCESS,
            )
        if juror.user_id in self.conflicts_declared():
            raise Refused.one(
                "actor.user_id",
                f"{juror.user_id} telah menyatakan konflik kepentingan atas usulan ini dan "
                "tidak dapat menilainya lagi; operator akan menugaskan juri pengganti",
                declared,
            )
        return juror

    def _check_score(self, d: ScoreSheet) -> None:
        self._require_stage("penilaian juri", Stage.PANEL_SCORING)
        self._require_decider(d)
        juror = self._panel_juror(d.actor, ACCESS)
        conflict = is_conflicted(juror, self.proposal, self.config)
        if conflict:
            raise Refused.one(
                "actor.user_id",
                f"juri {juror.name} memiliki konflik kepentingan: {conflict}",
                ACCESS,
            )
        missing = [c.value for c in Criterion if c not in d.scores]
        if missing:
            raise Refused.one("scores", "nilai belum lengkap untuk kriteria: " + ", ".join(missing))

    def _check_declare_conflict(self, d: ConflictDeclaration) -> None:
        self._require_stage("pernyataan konflik kepentingan", Stage.PANEL_SCORING)
        self._require_decider(d)
        self._panel_juror(d.actor, RefusalKind.CONFLICT)

    def _declare_conflict(self, d: ConflictDeclaration, now: datetime) -> None:
        juror = self.seat_of(d.actor.user_id)
        assert juror is not None  # checked
        # A conflicted juror's score must not count: the panel waits for their replacement.
        had_scored = self.scores.pop(juror.user_id, None) is not None
        self._note(
            EventKind.CONFLICT_DECLARED,
            d.actor,
            now,
            d.reason,
            juror=juror.user_id,
            juror_name=juror.name,
            score_dropped=had_scored,
        )

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
            **self._lab_advice(),
        )

    def _lab_advice(self) -> dict[str, Fact]:
        """The lab's report, where it found the product not to conform: the official's
        letter names it (`lab_testing`)."""
        f = self.findings
        return {"lab_report": f.report_number} if f is not None and not f.conforms else {}

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
