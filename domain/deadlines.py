"""Deadlines in working days, and the reminder ladder that leads up to each.

A waiting stage falls due at the close of office hours on its n-th working day, in the
time zone of whoever must act. Reminders go out at 09:00 in each recipient's own time zone
(WIB, WITA or WIT), on working days only: some working days before the due day, on the
day itself, then after the deadline at an interval, up to a limit.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from domain.calendar import WorkingCalendar, at_local, local_date
from domain.proposal import Model
from domain.regions import TimeZone
from domain.stages import Stage

WorkingDays = Annotated[int, Field(ge=1, le=250)]


class ReminderLadder(Model):
    before: list[Annotated[int, Field(ge=1, le=30)]] = Field(default=[3, 1], max_length=5)
    on_due_day: bool = True
    overdue_every: Annotated[int, Field(ge=1, le=30)] = 2
    overdue_limit: Annotated[int, Field(ge=0, le=10)] = 3
    at: time = time(9, 0)


class DeadlineRules(Model):
    """How many working days each waiting stage may take, and how reminders run."""

    endorsement_days: WorkingDays = Field(
        10, description="Hari kerja bagi dinas provinsi untuk merekomendasikan (`endorsement`)"
    )
    verification_days: WorkingDays = 10
    revision_days: WorkingDays = 10
    sample_days: WorkingDays = Field(
        10, description="Hari kerja bagi pengusul untuk mengirim sampel (`lab_testing`)"
    )
    assessment_days: WorkingDays = 20
    visit_days: WorkingDays = Field(
        15, description="Hari kerja untuk menjadwalkan dan melaporkan verifikasi lapangan"
    )
    scoring_days: WorkingDays = 10
    award_days: WorkingDays = 5
    closes_at: time = Field(time(16, 0), description="Office hours end: the deadline's clock time")
    reminders: ReminderLadder = ReminderLadder()

    @model_validator(mode="after")
    def _reminders_in_office_hours(self) -> Self:
        if self.reminders.at >= self.closes_at:
            raise ValueError("pengingat harus dikirim sebelum jam kantor berakhir")
        return self

    def days_for(self, stage: Stage) -> int | None:
        return {
            Stage.PROVINCIAL_ENDORSEMENT: self.endorsement_days,
            Stage.ADMIN_VERIFICATION: self.verification_days,
            Stage.REVISION_REQUESTED: self.revision_days,
            Stage.SAMPLE_AWAITED: self.sample_days,
            Stage.TECHNICAL_ASSESSMENT: self.assessment_days,
            Stage.SITE_VISIT: self.visit_days,
            Stage.PANEL_SCORING: self.scoring_days,
            Stage.AWARD_DECISION: self.award_days,
        }.get(stage)


class StepKind(StrEnum):
    REMINDER = "reminder"  # before the deadline, and on the due day
    DEADLINE = "deadline"  # the deadline itself: escalate, expire, or close the panel
    OVERDUE = "overdue"  # reminders after the deadline


class Step(Model):
    at: datetime
    kind: StepKind
    label: str  # H-3, H-1, H, batas waktu, lewat 1, ...
    zone: TimeZone | None = None  # whose 09:00 it is; None for the deadline itself


class StagePlan(Model):
    """When a stage falls due, and every reminder on the way, in time order."""

    stage: Stage
    due_date: date
    deadline: datetime
    zone: TimeZone
    steps: list[Step]
    done: int = 0  # steps[:done] have happened

    @property
    def next_step(self) -> Step | None:
        return self.steps[self.done] if self.done < len(self.steps) else None

    @property
    def overdue(self) -> bool:
        return any(s.kind == StepKind.DEADLINE for s in self.steps[: self.done])


def plan_stage(
    stage: Stage,
    start: datetime,
    rules: DeadlineRules,
    calendar: WorkingCalendar,
    zone: TimeZone,
    reminder_zones: set[TimeZone],
    due_date: date | None = None,
) -> StagePlan | None:
    """The plan for a stage entered at `start`; None when nothing waits in it.

    `zone` is where the deadline is counted; `reminder_zones` are the time zones of the
    people reminded. With `due_date` (an extension), steps that would fall before `start`
    are left out rather than sent late.
    """
    days = rules.days_for(stage)
    if days is None:
        return None
    due = due_date or calendar.add_working_days(local_date(start, zone), days)
    deadline = at_local(due, rules.closes_at, zone)
    ladder = rules.reminders
    steps = [Step(at=deadline, kind=StepKind.DEADLINE, label="batas waktu")]
    for z in sorted(reminder_zones):
        for n in ladder.before:
            day = calendar.add_working_days(due, -n)
            steps.append(
                Step(at=at_local(day, ladder.at, z), kind=StepKind.REMINDER, label=f"H-{n}", zone=z)
            )
        if ladder.on_due_day:
            steps.append(
                Step(at=at_local(due, ladder.at, z), kind=StepKind.REMINDER, label="H", zone=z)
            )
        if stage != Stage.REVISION_REQUESTED:  # a missed revision expires: nothing to chase
            for i in range(1, ladder.overdue_limit + 1):
                day = calendar.add_working_days(due, i * ladder.overdue_every)
                steps.append(
                    Step(
                        at=at_local(day, ladder.at, z),
                        kind=StepKind.OVERDUE,
                        label=f"lewat {i}",
                        zone=z,
                    )
                )
    steps = sorted(
        (s for s in steps if s.at > start), key=lambda s: (s.at, s.kind != StepKind.DEADLINE)
    )
    return StagePlan(stage=stage, due_date=due, deadline=deadline, zone=zone, steps=steps)
