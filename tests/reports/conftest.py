"""One records database (SQLite) holding a whole cycle, shared by the report tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.nomination import Nomination
from domain.proposal import Commodity
from records import RecordStore
from tests.reports.cycle_data import record_cycle


@dataclass
class RecordedCycle:
    store: RecordStore
    url: str
    played: list[tuple[Commodity, int, Nomination]]


@pytest.fixture(scope="module")
async def recorded(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RecordedCycle]:
    path: Path = tmp_path_factory.mktemp("records") / "ovop.db"
    url = f"sqlite+aiosqlite:///{path}"
    store = RecordStore.connect(url)
    await store.migrate_to_head()
    played = await record_cycle(store)
    yield RecordedCycle(store, url, played)
    await store.close()
