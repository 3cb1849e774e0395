"""A nomination's deadline clock: each waiting stage's deadline in working days, the
reminders before it in the waiting people's own time zones, escalation after it, and the
operator's extension. One durable timer at a time runs to the next step."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from domain.access import (
    require_operator,
)
from domain.calendar import WorkingCalendar
from domain.deadlines import StagePlan, Step, StepKind, plan_stage
from domain.decisions import (
    SYSTEM,
    DeadlineExtension,
)
from domain.errors import Refused
from domain.events import EventKind
from domain.nomination_state import STAGE, WAITING_ROLE, NominationState
from domain.regions import TimeZone
from domain.stages import Stage


class DeadlineClock(NominationState):
    @property
    def escalated(self) -> bool:
        """The current stage's deadline has passed."""
        return self.plan is not None and self.plan.overdue

    @property
    def next_step(self) -> Step | None:
        """The next reminder or deadline of the current stage, if any; none once the award
        is decided and its certificate number is being issued (nobody is waited for)."""
        if self.plan is None or self.awaiting_certificate:
            return None
        return self.plan.next_step

    def take_due_steps(self, now: datetime) -> None:
        """Take every reminder and deadline step that has come due by `now`, in order."""
        while self.plan is not None and (step := self.next_step) and step.at <= now:
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
        if stage in (Stage.PROVINCIAL_ENDORSEMENT, Stage.REVISION_REQUESTED, Stage.SAMPLE_AWAITED):
            return self.proposal.sentra.province.timezone
        return TimeZone.WIB

    def waiting_zones(self, stage: Stage) -> set[TimeZone]:
        """The time zones of the people a stage waits for (and reminds)."""
        match stage:
            case Stage.PROVINCIAL_ENDORSEMENT | Stage.REVISION_REQUESTED | Stage.SAMPLE_AWAITED:
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
        if stage == Stage.AWARD_DECISION and self.config.plenary.by_decree:
            return None  # the cycle's decree settles it, on the plenary's own time
        return plan_stage(
            stage,
            start,
            self.config.deadlines,
            self.config.calendar or WorkingCalendar(),
            self.zone_of_deadline(stage),
            self.waiting_zones(stage),
            due_date,
        )

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
        if d.working_days is None and d.until is not None and d.until > self._latest_due():
            raise Refused.one(
                "until", f"batas waktu baru paling lambat {self._latest_due().isoformat()}"
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

    def _latest_due(self) -> date:
        """How far one extension may move a deadline: a year past the current one."""
        assert self.plan is not None
        return self.plan.due_date + timedelta(days=366)

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

    def _close_panel(self, now: datetime, reason: str) -> None:
        """Close the panel and reach its result (`PanelSeats`)."""
        raise NotImplementedError
