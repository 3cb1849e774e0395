"""What `ovop report` needs beyond `build`: opening the records database by its URL, and
saying plainly when it cannot be read."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from records import RecordStore
from reports import build
from reports.results import CycleResults


class RecordsUnavailable(Exception):
    """The records database is missing or cannot be read."""


def read_results(url: str, cycle: str) -> CycleResults:
    """The results of `cycle` from the records database at `url`."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:" and not Path(database).exists():
            # Connecting would create an empty file: say that nothing is there instead.
            raise RecordsUnavailable(f"basis data catatan tidak ditemukan: {database}")
    return asyncio.run(_read(url, cycle))


async def _read(url: str, cycle: str) -> CycleResults:
    store = RecordStore.connect(url)
    try:
        return await build(store, cycle)
    except SQLAlchemyError as error:
        raise RecordsUnavailable(
            f"basis data catatan tidak dapat dibaca ({make_url(url).render_as_string()}): "
            f"{getattr(error, 'orig', None) or error}"
        ) from error
    finally:
        await store.close()
