"""The records databases the tests run on: a SQLite file, and PostgreSQL where one is reachable.

`records_url` is parametrised by backend, so every test that takes it (directly or through
`store`) runs once on each: `-k sqlite` or `-k postgresql` picks one. PostgreSQL is found
through OVOP_TEST_POSTGRES_URL (`.ci/run` starts the machine's PostgreSQL 15 and sets it);
each test gets a database of its own, created from that URL's role and dropped after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

from records import RecordStore

POSTGRES_ENV = "OVOP_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


def plain_dsn(url: URL) -> str:
    """asyncpg's own spelling of a SQLAlchemy URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
async def postgres_server() -> URL:
    """The PostgreSQL the tests may create databases on; skips, saying why, when there is none."""
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        pytest.skip(
            f"PostgreSQL tests skipped: {POSTGRES_ENV} is not set "
            f"(.ci/run sets it; by hand, as root: export {POSTGRES_ENV}=$(.ci/postgres))"
        )
    url = make_url(raw)
    try:
        conn = await asyncpg.connect(plain_dsn(url), timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        pytest.skip(f"PostgreSQL tests skipped: cannot reach {url!r}: {error}")
    await conn.close()
    return url


async def _admin(server: URL, sql: str) -> None:
    conn = await asyncpg.connect(plain_dsn(server))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
async def postgres_database(postgres_server: URL) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    server = postgres_server
    name = f"ovop_t_{uuid.uuid4().hex[:16]}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            # Waits for an autovacuum worker there to leave, which FORCE may not stop.
            await _admin(server, f'DROP DATABASE IF EXISTS "{name}"')
        except asyncpg.ObjectInUseError:  # a connection the test left open
            await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def records_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty records database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    url: str = request.getfixturevalue("postgres_database")
    return url


@pytest.fixture
async def store(records_url: str) -> AsyncIterator[RecordStore]:
    """A record store with its schema at the newest migration."""
    records = RecordStore.connect(records_url)
    await records.migrate_to_head()
    yield records
    await records.close()
