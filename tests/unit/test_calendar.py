"""Working days on the Indonesian calendar, and the reminder ladder in each time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from pydantic import ValidationError

from domain.calendar import DayOff, DayOffKind, WorkingCalendar, national_days_off
from domain.deadlines import DeadlineRules, ReminderLadder, StepKind, plan_stage
from domain.examples import example_cycle_config
from domain.regions import Province, TimeZone
from domain.stages import Stage

CAL_2026 = WorkingCalendar.for_years([2026])


def test_the_national_calendar_knows_idul_fitri_and_its_cuti_bersama() -> None:
    days = {d.date: d for d in national_days_off([2026])}
    assert days[date(2026, 3, 21)].kind == DayOffKind.NATIONAL_HOLIDAY
    assert "Idul Fitri" in days[date(2026, 3, 21)].name
    for leave in (date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24)):
        assert days[leave].kind == DayOffKind.COLLECTIVE_LEAVE
        assert days[leave].name.startswith("Cuti Bersama")
    assert days[date(2026, 8, 17)].name == "Hari Kemerdekaan Republik Indonesia"


# The joint decree (SKB 3 Menteri No. 1497, 2 and 5 of 2025) for 2026: 17 national holidays
# and 8 days of cuti bersama, written out here so a `holidays` release that changes one
# fails this test rather than a cycle's calendar.
SKB_2026_HOLIDAYS = [
    (1, 1), (1, 16), (2, 17), (3, 19), (3, 21), (3, 22), (4, 3), (4, 5), (5, 1),
    (5, 14), (5, 27), (5, 31), (6, 1), (6, 16), (8, 17), (8, 25), (12, 25),
]  # fmt: skip
SKB_2026_LEAVE = [(2, 16), (3, 18), (3, 20), (3, 23), (3, 24), (5, 15), (5, 28), (12, 24)]
# 2027 as the pinned `holidays` release lists it: 18 holidays (Isra Mikraj falls twice, in
# January and December) and 8 days of cuti bersama; its Islamic dates are marked estimates
# ("perkiraan") until the decree confirms them.
SKB_2027_HOLIDAYS = [
    (1, 1), (1, 5), (2, 6), (3, 8), (3, 10), (3, 11), (3, 26), (3, 28), (5, 1), (5, 6),
    (5, 17), (5, 20), (6, 1), (6, 6), (8, 15), (8, 17), (12, 25), (12, 26),
]  # fmt: skip
SKB_2027_LEAVE = [(2, 5), (3, 9), (3, 12), (3, 15), (3, 25), (5, 18), (5, 19), (12, 24)]


@pytest.mark.parametrize(
    ("year", "holidays", "leave"),
    [(2026, SKB_2026_HOLIDAYS, SKB_2026_LEAVE), (2027, SKB_2027_HOLIDAYS, SKB_2027_LEAVE)],
)
def test_the_calendar_holds_the_year_s_decree_exactly(
    year: int, holidays: list[tuple[int, int]], leave: list[tuple[int, int]]
) -> None:
    days = national_days_off([year])
    by_kind = {
        kind: [(d.date.month, d.date.day) for d in days if d.kind == kind] for kind in DayOffKind
    }
    assert by_kind[DayOffKind.NATIONAL_HOLIDAY] == holidays
    assert by_kind[DayOffKind.COLLECTIVE_LEAVE] == leave


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 3, 17), True),  # Tuesday
        (date(2026, 3, 18), False),  # cuti bersama Nyepi
        (date(2026, 3, 19), False),  # Nyepi
        (date(2026, 3, 21), False),  # Idul Fitri, a Saturday
        (date(2026, 3, 24), False),  # cuti bersama Idul Fitri
        (date(2026, 3, 25), True),  # Wednesday
        (date(2026, 3, 28), False),  # Saturday
        (date(2026, 3, 29), False),  # Sunday
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert CAL_2026.is_working_day(day) is working


def test_counting_across_lebaran() -> None:
    # From Tuesday 17 March 2026 the next working day is Wednesday 25 March.
    assert CAL_2026.add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 25)
    assert CAL_2026.add_working_days(date(2026, 3, 25), -1) == date(2026, 3, 17)
    # 17, 25, 26, 27, 30, 31 March, 1, 2, (Good Friday) 6, 7 April.
    assert CAL_2026.add_working_days(date(2026, 3, 16), 10) == date(2026, 4, 7)
    assert CAL_2026.working_days_between(date(2026, 3, 16), date(2026, 4, 7)) == 10
    assert CAL_2026.add_working_days(date(2026, 3, 16), 0) == date(2026, 3, 16)


def test_an_operator_adds_collective_leave() -> None:
    extra = DayOff(
        date=date(2026, 3, 25), name="Cuti bersama tambahan", kind=DayOffKind.COLLECTIVE_LEAVE
    )
    calendar = WorkingCalendar.for_years([2026], [extra])
    assert not calendar.is_working_day(date(2026, 3, 25))
    assert calendar.add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 26)
    assert calendar.day_off(date(2026, 3, 25)) == extra


def test_a_cycle_writes_its_calendar_out_and_keeps_the_operator_s_leave() -> None:
    extra = DayOff(
        date=date(2027, 6, 2), name="Cuti bersama tambahan", kind=DayOffKind.COLLECTIVE_LEAVE
    )
    config = example_cycle_config("2026").model_copy(
        update={"calendar": WorkingCalendar(collective_leave=[extra])}
    )
    filled = config.with_national_calendar()
    assert filled.calendar is not None
    assert {d.date.year for d in filled.calendar.days_off} == {2026, 2027, 2028}
    assert filled.calendar.collective_leave == [extra]
    assert filled.with_national_calendar() is filled


def test_time_zones_by_province() -> None:
    offset = Province.DKI_JAKARTA.timezone.tzinfo.utcoffset(None)
    assert offset is not None and offset.total_seconds() == 7 * 3600
    assert Province.SULAWESI_SELATAN.timezone == TimeZone.WITA
    assert Province.MALUKU_UTARA.timezone == TimeZone.WIT


def utc(*a: int) -> datetime:
    return datetime(
        a[0], a[1], a[2], a[3] if len(a) > 3 else 0, a[4] if len(a) > 4 else 0, tzinfo=UTC
    )


def test_a_plan_reminds_each_zone_at_its_own_nine_o_clock() -> None:
    start = utc(2026, 3, 16, 3)  # Monday 16 March 2026, 10.00 WIB
    plan = plan_stage(
        Stage.PANEL_SCORING,
        start,
        DeadlineRules(),
        CAL_2026,
        TimeZone.WIB,
        {TimeZone.WIB, TimeZone.WITA, TimeZone.WIT},
    )
    assert plan is not None
    # Ten working days, across Nyepi, Lebaran and Good Friday.
    assert plan.due_date == date(2026, 4, 7)
    assert plan.deadline == utc(2026, 4, 7, 9)  # 16.00 WIB
    h3 = sorted(s.at for s in plan.steps if s.label == "H-3")
    # H-3 is Wednesday 1 April: 09.00 WIT, WITA and WIB are 00.00, 01.00 and 02.00 UTC.
    assert h3 == [utc(2026, 4, 1, 0), utc(2026, 4, 1, 1), utc(2026, 4, 1, 2)]
    assert [s.at for s in plan.steps] == sorted(s.at for s in plan.steps)
    for step in plan.steps:
        local = step.at.astimezone((step.zone or TimeZone.WIB).tzinfo)
        assert CAL_2026.is_working_day(local.date())
        assert local.time() == (time(16) if step.kind == StepKind.DEADLINE else time(9))
    overdue = [s for s in plan.steps if s.kind == StepKind.OVERDUE and s.zone == TimeZone.WIB]
    assert [s.at.date() for s in overdue] == [
        date(2026, 4, 9),
        date(2026, 4, 13),
        date(2026, 4, 15),
    ]


def test_a_revision_has_no_overdue_reminders_and_counts_in_the_province_s_zone() -> None:
    start = utc(2026, 3, 16, 3)
    plan = plan_stage(
        Stage.REVISION_REQUESTED, start, DeadlineRules(), CAL_2026, TimeZone.WIT, {TimeZone.WIT}
    )
    assert plan is not None
    assert plan.deadline == utc(2026, 4, 7, 7)  # 16.00 WIT
    assert [s.label for s in plan.steps] == ["H-3", "H-1", "H", "batas waktu"]


def test_the_ladder_is_configuration() -> None:
    rules = DeadlineRules(
        verification_days=5, reminders=ReminderLadder(before=[2], on_due_day=False, overdue_limit=1)
    )
    plan = plan_stage(
        Stage.ADMIN_VERIFICATION, utc(2026, 6, 1, 3), rules, CAL_2026, TimeZone.WIB, {TimeZone.WIB}
    )
    assert plan is not None
    assert [s.label for s in plan.steps] == ["H-2", "batas waktu", "lewat 1"]
    with pytest.raises(ValidationError, match="jam kantor"):
        DeadlineRules(closes_at=time(8, 0))


def test_reminders_already_past_are_not_planned() -> None:
    # Entered on the afternoon of H-1: only the due day's reminder and the deadline remain.
    rules = DeadlineRules(verification_days=2, reminders=ReminderLadder(overdue_limit=0))
    plan = plan_stage(
        Stage.ADMIN_VERIFICATION, utc(2026, 6, 2, 7), rules, CAL_2026, TimeZone.WIB, {TimeZone.WIB}
    )
    assert plan is not None
    assert [s.label for s in plan.steps] == ["H-1", "H", "batas waktu"]
