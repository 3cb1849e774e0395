"""Site visits (verifikasi lapangan; release 1.5, `CycleConfig.site_visits`): after the
lab's assessment and before the Tim Seleksi, a team visits the sentra. An operator
schedules it (the day, the team); a member of the team reports what it found against the
same five criteria the jurors score, with its photos; the panel reads the report.

A cycle without the setting (one opened before 1.5) goes from the lab straight to the
panel, as it did.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from domain.errors import Problem, Refused
from domain.proposal import Model


class SiteVisitRules(Model):
    """Site visits; their working days are `deadlines.visit_days` (scheduled and reported
    within them)."""

    min_team: int = Field(2, ge=1, le=10, description="Anggota tim kunjungan paling sedikit")
    report_days: int = Field(
        5,
        ge=1,
        le=30,
        description="Hari kerja setelah tanggal kunjungan untuk melaporkan hasilnya",
    )


class VisitRecord(Model):
    """A visit as scheduled (and rescheduled), and who scheduled it."""

    visit_on: date
    team: list[str]
    scheduled_by: str
    scheduled_on: date  # the day it was first scheduled: no visit is reported before it


def team_problems(team: list[str], known: set[str], min_team: int) -> list[Problem]:
    """What is wrong with a visit's team: people the cycle does not list, or too few."""
    problems = [
        Problem(f"team.{i}", f"{user_id} bukan verifikator, operator, atau juri siklus ini")
        for i, user_id in enumerate(team)
        if user_id not in known
    ]
    if len(set(team)) < min_team:
        problems.append(Problem("team", f"tim verifikasi lapangan paling sedikit {min_team} orang"))
    return problems


def require_visit_day(visit_on: date, today: date | None, due: date) -> None:
    """A visit is scheduled from today on, and by the stage's due day (an operator extends
    the deadline first to visit later)."""
    if today is not None and visit_on < today:
        raise Refused.one("visit_on", "tanggal kunjungan tidak boleh sebelum hari ini")
    if visit_on > due:
        raise Refused.one(
            "visit_on",
            f"tanggal kunjungan paling lambat {due.isoformat()}, batas waktu tahap ini; "
            "perpanjang batas waktunya lebih dahulu untuk berkunjung sesudahnya",
        )
