"""Award certificate numbers: one per award, never repeated in a cycle, even when many
awards are confirmed at the same moment."""

from __future__ import annotations

import asyncio

import pytest

from records import RecordStore

pytestmark = pytest.mark.integration


async def test_simultaneous_awards_get_distinct_serial_numbers(store: RecordStore) -> None:
    ids = [f"ovop-2026-produk-{i:03d}" for i in range(40)]
    numbers = await asyncio.gather(*(store.issue_certificate(i, "2026") for i in ids))
    assert len(set(numbers)) == len(ids)
    serials = sorted(int(n.split("/")[0]) for n in numbers)
    assert serials == list(range(1, len(ids) + 1))
    assert all(n.endswith("/OVOP/IKMA/2026") for n in numbers)


async def test_a_retried_issue_returns_the_same_number(store: RecordStore) -> None:
    first = await store.issue_certificate("ovop-2026-a", "2026")
    again = await asyncio.gather(
        *(store.issue_certificate("ovop-2026-a", "2026") for _ in range(10))
    )
    assert set(again) == {first}


async def test_each_cycle_counts_from_one(store: RecordStore) -> None:
    assert await store.issue_certificate("ovop-2024-a", "2024") == "0001/OVOP/IKMA/2024"
    assert await store.issue_certificate("ovop-2026-a", "2026") == "0001/OVOP/IKMA/2026"
    assert await store.issue_certificate("ovop-2026-b", "2026") == "0002/OVOP/IKMA/2026"
