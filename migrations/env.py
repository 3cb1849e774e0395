"""Alembic's entry: runs the revisions on the connection it is handed, or on the database
named by OVOP_DATABASE_URL when run as `alembic ...` from the project's root."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import api.idempotency  # noqa: F401  (the API's table, on the records' metadata)
from records.schema import UtcDateTime, metadata

target_metadata = metadata


def render_item(kind: str, item: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Revisions spell the column types out, so they never import the code they outlive."""
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters a table by copying it: let revisions use `op.batch_alter_table`.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_on_settings_url() -> None:
    from bootstrap import read_settings

    url = context.config.get_main_option("sqlalchemy.url") or read_settings().database_url
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run_on)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not used here: run `ovop db upgrade`")

handed = context.config.attributes.get("connection")
if handed is not None:
    run_on(handed)
else:
    asyncio.run(run_on_settings_url())
