"""Working days as Indonesian government offices count them.

Weekends, national holidays (*hari libur nasional*) and collective leave (*cuti bersama*)
are not working days. A cycle's calendar is written out in full into its configuration when
the configuration is made, so a nomination counts its deadlines on the calendar it started
with, whatever a later release of the `holidays` package says (and replay stays exact).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Self

import holidays
from pydantic import Field, PrivateAttr

from domain.proposal import Model, Text
from domain.regions import TimeZone


class DayOffKind(StrEnum):
    NATIONAL_HOLIDAY = "libur_nasional"
    COLLECTIVE_LEAVE = "cuti_bersama"


class DayOff(Model):
    date: date
    name: Text
    kind: DayOffKind


def national_days_off(years: list[int]) -> list[DayOff]:
    """National holidays and the collective leave known for these years, in Indonesian.

    From the `holidays` package: the public holidays, and the government's cuti bersama
    as far as the package knows them (the joint decree comes out each year; an operator
    adds what is missing in the cycle's configuration).
    """
    public = holidays.country_holidays("ID", years=years, language="id")
    leave = holidays.country_holidays("ID", years=years, categories=("government",), language="id")
    days = [DayOff(date=d, name=n, kind=DayOffKind.NATIONAL_HOLIDAY) for d, n in public.items()]
    days += [DayOff(date=d, name=n, kind=DayOffKind.COLLECTIVE_LEAVE) for d, n in leave.items()]
    return sorted(days, key=lambda d: (d.date, d.kind))


class WorkingCalendar(Model):
    """The days off of a cycle; every other weekday is a working day."""

    days_off: list[DayOff] = Field(default_factory=list, max_length=2000)
    collective_leave: list[DayOff] = Field(
        default_factory=list,
        max_length=200,
        description="Cuti bersama an operator adds to the national calendar.",
    )
    _off: frozenset[date] = PrivateAttr(default=frozenset())

    def model_post_init(self, context: Any) -> None:
        self._off = frozenset(d.date for d in [*self.days_off, *self.collective_leave])

    @classmethod
    def for_years(cls, years: list[int], collective_leave: list[DayOff] | None = None) -> Self:
        return cls(days_off=national_days_off(years), collective_leave=collective_leave or [])

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._off

    def day_off(self, day: date) -> DayOff | None:
        return next((d for d in [*self.days_off, *self.collective_leave] if d.date == day), None)

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (before it, for negative n). n=0 gives `day`."""
        step = 1 if n >= 0 else -1
        left = abs(n)
        while left:
            day += timedelta(days=step)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def local_date(moment: datetime, zone: TimeZone) -> date:
    return moment.astimezone(zone.tzinfo).date()


def at_local(day: date, clock: time, zone: TimeZone) -> datetime:
    """`clock` on `day` in `zone`, as an aware datetime."""
    return datetime.combine(day, clock, tzinfo=zone.tzinfo)
