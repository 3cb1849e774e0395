"""The schema by migrations, on each backend: up from empty to exactly the schema the code's
tables describe, each revision up from the one before and back, and the worker refusing a
schema that is behind."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

import api.idempotency  # noqa: F401  (the API's table, on the records' metadata)
import migrations
from records import RecordStore
from records.schema import metadata

TABLES = {
    "nominations",
    "transitions",
    "notifications",
    "certificates",
    "certificate_counters",
    "certificate_revocations",
    "decrees",
    "webhook_deliveries",
    "webhook_attempts",
    "api_idempotency",
    "sign_in_links",
    "proposal_drafts",
    "alembic_version",
}


def differences(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, metadata))


async def tables(store: RecordStore) -> set[str]:
    async with store.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


def test_the_revisions_form_one_line() -> None:
    assert migrations.revisions()[-1] == migrations.head()  # raises on two heads


async def test_upgrade_from_empty_builds_the_tables_the_code_expects(records_url: str) -> None:
    store = RecordStore.connect(records_url)
    try:
        assert (await migrations.status(store.engine)).current is None
        await migrations.upgrade(store.engine)

        assert (await migrations.status(store.engine)).up_to_date
        assert await tables(store) == TABLES
        async with store.engine.connect() as conn:
            assert await conn.run_sync(differences) == []
    finally:
        await store.close()


@pytest.mark.parametrize("revision", migrations.revisions())
async def test_each_revision_upgrades_from_the_one_before_and_back(
    records_url: str, revision: str
) -> None:
    previous = migrations.revisions().index(revision) - 1
    before = migrations.revisions()[previous] if previous >= 0 else "base"
    store = RecordStore.connect(records_url)
    try:
        await migrations.upgrade(store.engine, before)
        await migrations.upgrade(store.engine, revision)
        assert (await migrations.status(store.engine)).current == revision
        await migrations.downgrade(store.engine, before)
        assert (await migrations.status(store.engine)).current == (
            None if before == "base" else before
        )
        if before == "base":
            assert await tables(store) <= {"alembic_version"}  # nothing left behind
        await migrations.upgrade(store.engine)  # and on to the head again
        async with store.engine.connect() as conn:
            assert await conn.run_sync(differences) == []
    finally:
        await store.close()


async def test_two_upgrades_at_once_on_postgresql_take_turns(postgres_database: str) -> None:
    stores = [RecordStore.connect(postgres_database) for _ in range(2)]
    try:
        await asyncio.gather(*(s.migrate_to_head() for s in stores))
        assert (await migrations.status(stores[0].engine)).up_to_date
    finally:
        for s in stores:
            await s.close()


async def test_the_worker_refuses_a_schema_that_is_behind(records_url: str) -> None:
    env = {
        **os.environ,
        "OVOP_DATABASE_URL": records_url,
        "TEMPORAL_ADDRESS": "127.0.0.1:9",  # never reached: the schema check comes first
    }
    worker = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode != 0
    assert "schema is behind" in worker.stderr
    assert "ovop db upgrade" in worker.stderr


async def test_a_schema_a_newer_release_migrated_is_not_refused(records_url: str) -> None:
    # In a rolling deploy the new release migrates first while old workers still run.
    store = RecordStore.connect(records_url)
    try:
        await store.migrate_to_head()
        async with store.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        found = await migrations.require_current(store.engine)
        assert (found.current, found.known, found.up_to_date) == ("9999", False, False)
    finally:
        await store.close()
