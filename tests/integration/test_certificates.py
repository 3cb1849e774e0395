"""Award certificate numbers when many awards are decided at the same moment."""

from __future__ import annotations

import asyncio

import pytest

from activities.store import RecordStore, certificate_number

pytestmark = pytest.mark.integration


async def test_concurrent_awards_each_get_the_next_serial_at_the_first_try(
    store: RecordStore,
) -> None:
    # One try each: a number must not depend on Temporal retrying the activity, which
    # under load (the benchmark's 1,000 awards) held an award decision for over a minute.
    numbers = await asyncio.gather(
        *(store.issue_certificate(f"nom-{i}", "2026", attempts=1) for i in range(40))
    )
    assert sorted(numbers) == [certificate_number("2026", s) for s in range(1, 41)]
    # Issued once: asking again gives the same number.
    assert await store.issue_certificate("nom-7", "2026", attempts=1) == numbers[7]
