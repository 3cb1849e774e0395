"""A proposal's date: within its cycle's window, and never after the day it is received."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.cycle import ProposalWindow, check_proposed_on
from domain.errors import Refused

WINDOW = ProposalWindow(opens=date(2026, 1, 5), closes=date(2026, 6, 30))
TODAY = date(2026, 4, 1)


@pytest.mark.parametrize("proposed_on", [WINDOW.opens, TODAY, TODAY - timedelta(days=1)])
def test_a_date_within_the_window_up_to_today_is_admitted(proposed_on: date) -> None:
    check_proposed_on("2026", WINDOW, proposed_on, TODAY)


def test_a_date_on_the_last_day_is_admitted_that_day() -> None:
    check_proposed_on("2026", WINDOW, WINDOW.closes, WINDOW.closes)


def test_a_proposal_received_after_the_window_closed_is_refused_whatever_its_date() -> None:
    """Dated on the last day, received a week later: a date cannot reopen the window."""
    with pytest.raises(Refused) as refused:
        check_proposed_on("2026", WINDOW, WINDOW.closes, date(2026, 7, 9))
    assert refused.value.fields == ["cycle"]
    assert "usulan diterima 2026-07-09, setelah masa pengusulan berakhir" in str(refused.value)


@pytest.mark.parametrize(
    ("proposed_on", "today", "said"),
    [
        (date(2026, 1, 4), TODAY, "tanggal usulan 2026-01-04 di luar masa pengusulan"),
        (date(2026, 7, 1), date(2026, 7, 9), "tanggal usulan 2026-07-01 di luar masa pengusulan"),
        (date(2026, 4, 2), TODAY, "tanggal usulan 2026-04-02 belum tiba (hari ini 2026-04-01)"),
        (date(2026, 8, 1), TODAY, "belum tiba"),
    ],
)
def test_a_date_before_after_or_ahead_is_refused_naming_proposed_on(
    proposed_on: date, today: date, said: str
) -> None:
    with pytest.raises(Refused) as refused:
        check_proposed_on("2026", WINDOW, proposed_on, today)
    assert refused.value.fields == ["proposed_on"]
    message = str(refused.value)
    assert said in message
    assert "masa pengusulan siklus OVOP 2026 adalah 2026-01-05 sampai 2026-06-30" in message
