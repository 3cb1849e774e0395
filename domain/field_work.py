"""The work a nomination's stages do outside the ministry's desk, each where the cycle asks
for it: the provincial office's endorsement (`endorsement`), the product's sample at the
lab (`lab_testing`), and the site visit to the sentra (`site_visits`). Release 1.5; a
cycle without a setting never enters its stage.
"""

from __future__ import annotations

from datetime import datetime

from domain.access import ACCESS, require_operator
from domain.calendar import WorkingCalendar, at_local, local_date
from domain.decisions import (
    Actor,
    EndorseOutcome,
    ProvincialEndorsement,
    SampleReceipt,
    VisitReport,
    VisitSchedule,
)
from domain.endorsement import Endorsee, check_endorsement
from domain.errors import Problem, Refused
from domain.events import EventKind, Fact
from domain.lab_testing import SampleCondition, SampleRecord
from domain.nomination_state import STAGE
from domain.panel_seats import PanelSeats
from domain.regions import TimeZone
from domain.scoring import Criterion
from domain.site_visits import VisitRecord, require_visit_day, team_problems
from domain.stages import Stage


class FieldWork(PanelSeats):
    # --- the provincial office's endorsement (`endorsement`) ---------------------------

    @property
    def endorsing_office(self) -> str | None:
        """The office that endorses this nomination: its province's own office as the cycle
        lists it (`Staff.regional_offices`), never what the proposal itself names."""
        office = self.config.provincial_office(self.proposal.sentra.province)
        return office.name if office else None

    def endorsee(self) -> Endorsee:
        """The nomination as the rules of endorsement see it."""
        p = self.proposal
        return Endorsee(
            nomination_id=self.id,
            commodity=p.product.commodity,
            province=p.sentra.province,
            provincial_office=self.endorsing_office,
            stage=self.stage,
            endorsed=False,
        )

    def _check_endorse(self, d: ProvincialEndorsement) -> None:
        """The rules the cycle applies, but the quota, which only the cycle can count."""
        revisions_left = self.revisions < self.config.max_revisions
        check_endorsement(d, self.endorsee(), self.config.endorsement, [], revisions_left)

    def take_endorsement(self, d: ProvincialEndorsement, now: datetime) -> None:
        """The cycle took the provincial office's endorsement (or return). A nomination
        that has moved meanwhile (withdrawn) takes nothing."""
        if self.stage != Stage.PROVINCIAL_ENDORSEMENT:
            return
        office = d.actor.institution
        if d.outcome == EndorseOutcome.ENDORSE:
            self._move(
                EventKind.ENDORSED, Stage.ADMIN_VERIFICATION, d.actor, now, d.reason, office=office
            )
            return
        self.revisions += 1
        self.returned_by_province = True
        self._move(
            EventKind.RETURNED,
            Stage.REVISION_REQUESTED,
            d.actor,
            now,
            d.reason,
            revision=self.revisions,
            office=office,
        )

    # the sample (`lab_testing`)

    def _check_receive_sample(self, d: SampleReceipt, now: datetime | None) -> None:
        self._require_stage("penerimaan sampel", Stage.SAMPLE_AWAITED)
        self._require_decider(d)
        self._require_lab_assessor(d.actor)
        zone = self._zone()
        assert self.stage_entered_at is not None
        verified_on = local_date(self.stage_entered_at, zone)
        if d.received_on < verified_on:
            raise Refused.one(
                "received_on",
                f"sampel tidak dapat diterima sebelum usulan lolos verifikasi "
                f"({verified_on.isoformat()})",
            )
        if now is not None and d.received_on > local_date(now, zone):
            raise Refused.one(
                "received_on", "tanggal penerimaan sampel tidak boleh setelah hari ini"
            )
        if d.condition != SampleCondition.GOOD and not d.note:
            raise Refused.one(
                "note", f"uraikan kondisi sampel yang {d.condition.label} pada catatan"
            )

    def _receive_sample(self, d: SampleReceipt, now: datetime) -> None:
        self.sample = SampleRecord(
            received_on=d.received_on,
            condition=d.condition,
            received_by=d.received_by,
            note=d.note,
        )
        calendar = self.config.calendar or WorkingCalendar()
        # The lab's working days count from the day the sample arrived, not from today.
        rules = self.config.deadlines
        due = calendar.add_working_days(d.received_on, rules.assessment_days)
        zone = self.zone_of_deadline(Stage.TECHNICAL_ASSESSMENT)
        if at_local(due, rules.closes_at, zone) <= now:
            # Recorded after the lab's own deadline had passed: due on the next working day,
            # so that the deadline still comes (and escalates) rather than none at all.
            due = calendar.add_working_days(local_date(now, zone), 1)
        facts: dict[str, Fact] = {
            "received_on": d.received_on.isoformat(),
            "condition": d.condition.value,
            "received_by": d.received_by,
        }
        self._enter(
            EventKind.SAMPLE_RECEIVED, Stage.TECHNICAL_ASSESSMENT, d.actor, now, d.note, facts, due
        )

    # technical assessment

    def _require_lab_assessor(self, actor: Actor) -> None:
        desk = self.config.staff.lab_desk(self.lab)
        if actor.user_id not in {a.user_id for a in desk.assessors}:
            raise Refused.one(
                "actor.user_id",
                f"{actor.user_id} bukan penilai {self.lab.label}, "
                "Balai Besar yang ditugaskan untuk usulan ini",
                ACCESS,
            )

    # --- the site visit (`site_visits`) -------------------------------------------------

    def _check_schedule_visit(self, d: VisitSchedule, now: datetime | None) -> None:
        self._require_stage("penjadwalan verifikasi lapangan", Stage.SITE_VISIT)
        self._require_decider(d)
        require_operator(d.actor, self.config)
        rules = self.config.site_visits
        assert rules is not None  # the stage is entered only where the cycle has visits
        known = {u for u in d.team if self.config.visitor(u) is not None}
        problems = team_problems(d.team, known, rules.min_team)
        if problems:
            raise Refused(problems)
        assert self.plan is not None
        today = local_date(now, self._zone()) if now else None
        require_visit_day(d.visit_on, today, self.plan.due_date)

    def _schedule_visit(self, d: VisitSchedule, now: datetime) -> None:
        first = self.visit.scheduled_on if self.visit else local_date(now, self._zone())
        again = self.visit is not None
        self.visit = VisitRecord(
            visit_on=d.visit_on, team=d.team, scheduled_by=d.actor.user_id, scheduled_on=first
        )
        # The report is due some working days after the visit, if that is later than the
        # stage's deadline; reminders still ahead move with it.
        rules, calendar = self.config.site_visits, self.config.calendar or WorkingCalendar()
        assert rules is not None and self.plan is not None
        due = calendar.add_working_days(d.visit_on, rules.report_days)
        if due > self.plan.due_date:
            self.plan = self._plan(self.stage, now, due_date=due)
        names = [m.name for u in d.team if (m := self.config.visitor(u)) is not None]
        self._note(
            EventKind.VISIT_SCHEDULED,
            d.actor,
            now,
            d.note,
            visit_on=d.visit_on.isoformat(),
            team=", ".join(names),
            rescheduled=again,
        )

    def _check_report_visit(self, d: VisitReport, now: datetime | None) -> None:
        self._require_stage("laporan verifikasi lapangan", Stage.SITE_VISIT)
        self._require_decider(d)
        if self.visit is None:
            raise Refused.one("stage", "verifikasi lapangan belum dijadwalkan oleh operator", STAGE)
        if d.actor.user_id not in self.visit.team:
            raise Refused.one(
                "actor.user_id",
                f"{d.actor.user_id} bukan anggota tim verifikasi lapangan usulan ini",
                ACCESS,
            )
        problems = [
            Problem(f"findings.{c.value}", f"temuan atas kriteria {c.label} wajib diisi")
            for c in Criterion
            if c not in d.findings
        ]
        if d.visited_on < self.visit.scheduled_on:
            problems.append(
                Problem(
                    "visited_on",
                    "kunjungan tidak dapat dilakukan sebelum dijadwalkan "
                    f"({self.visit.scheduled_on.isoformat()})",
                )
            )
        if now is not None and d.visited_on > local_date(now, self._zone()):
            problems.append(Problem("visited_on", "tanggal kunjungan tidak boleh setelah hari ini"))
        if problems:
            raise Refused(problems)

    def _report_visit(self, d: VisitReport, now: datetime) -> None:
        self.visit_report = d
        self._move(
            EventKind.VISITED,
            Stage.PANEL_SCORING,
            d.actor,
            now,
            d.summary,
            visited_on=d.visited_on.isoformat(),
            photos=len(d.photos),
        )
        self._want_jurors(self.config.panel.size, now)

    def _zone(self) -> TimeZone:
        """Where the stage's days are counted: the day a visit or a receipt falls on."""
        if self.stage == Stage.SAMPLE_AWAITED:
            return self.config.staff.lab_desk(self.lab).zone
        return self.zone_of_deadline(self.stage)

    def _to_the_panel(
        self, kind: EventKind, actor: Actor, now: datetime, reason: str, **facts: Fact
    ) -> None:
        """The lab's findings are in: on to the site visit where the cycle has one, else to
        the panel, which is asked for its jurors."""
        if self.config.site_visits is not None:
            self._move(kind, Stage.SITE_VISIT, actor, now, reason, **facts)
            return
        self._move(kind, Stage.PANEL_SCORING, actor, now, reason, **facts)
        self._want_jurors(self.config.panel.size, now)
