"""The two-yearly cycle: a cycle opens two years after the last, unless the operator
states why it does not; the reason is kept with the cycle."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.cycle import ProposalWindow
from domain.cycle_book import CycleBook, CycleSetup
from domain.errors import Refused
from domain.examples import example_cycle_config
from tests.support import OPERATOR

NOW = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
WINDOW = ProposalWindow(opens=date(2027, 1, 5), closes=date(2027, 6, 30))


def setup(cycle: str, previous: str | None, reason: str | None = None) -> CycleSetup:
    return CycleSetup(
        config=example_cycle_config(cycle),
        window=WINDOW,
        opened_by=OPERATOR,
        previous_cycle=previous,
        off_schedule_reason=reason,
    )


def test_a_cycle_a_year_after_the_last_without_a_reason_is_refused_naming_the_field() -> None:
    with pytest.raises(Refused) as refused:
        CycleBook.open(setup("2027", previous="2026"), NOW)
    assert refused.value.fields == ["off_schedule_reason"]
    assert "siklus terakhir 2026, siklus berikutnya 2028" in str(refused.value)


def test_with_a_reason_it_opens_and_the_reason_is_recorded() -> None:
    reason = "Penyesuaian jadwal dengan Rencana Strategis Kementerian Perindustrian"
    book = CycleBook.open(setup("2027", previous="2026", reason=reason), NOW)
    assert (book.previous_cycle, book.off_schedule_reason) == ("2026", reason)
    status = book.status()
    assert (status.previous_cycle, status.off_schedule_reason) == ("2026", reason)


@pytest.mark.parametrize(("cycle", "previous"), [("2028", "2026"), ("2026", None)])
def test_two_years_after_the_last_or_the_first_opens_without_a_reason(
    cycle: str, previous: str | None
) -> None:
    assert CycleBook.open(setup(cycle, previous), NOW).off_schedule_reason is None


def test_a_cycle_before_the_last_needs_a_reason_too() -> None:
    with pytest.raises(Refused) as refused:
        CycleBook.open(setup("2024", previous="2026"), NOW)
    assert refused.value.fields == ["off_schedule_reason"]
