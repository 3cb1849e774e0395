"""The connection to the records database that every part of the store shares.

SQLAlchemy 2 async; SQLite by default, PostgreSQL (asyncpg) in production.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

from sqlalchemy import Select, Table
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

Row = TypeVar("Row")


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """An engine on the records database, and the ways its parts write through it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    def connect(cls, url: str, **engine_args: Any) -> Self:
        if url.startswith("sqlite"):
            parsed = make_url(url)
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # Activities write concurrently: wait for the lock rather than fail at once
            # (30 s, unless the URL says `?timeout=`), and let readers go on while one writes.
            if "timeout" not in parsed.query:
                engine_args.setdefault("connect_args", {"timeout": 30})
            engine = create_async_engine(url, **engine_args)
            sa_event.listen(engine.sync_engine, "connect", _sqlite_wal)
            return cls(engine)
        return cls(create_async_engine(url, **engine_args))

    async def migrate_to_head(self) -> None:
        """Bring the schema up to the newest migration (what `ovop db upgrade` does)."""
        # Imported here: workflow code imports this module's neighbours inside the sandbox,
        # and Alembic has no business there.
        import migrations

        await migrations.upgrade(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def _rows(self, query: Select[Any], row: Callable[..., Row]) -> list[Row]:
        """Every row `query` finds, each made a `row`."""
        async with self.engine.connect() as conn:
            return [row(**found._mapping) for found in await conn.execute(query)]

    async def _row(self, query: Select[Any], row: Callable[..., Row]) -> Row | None:
        """The row `query` finds made a `row`, or None when it finds none."""
        async with self.engine.connect() as conn:
            found = (await conn.execute(query)).first()
            return None if found is None else row(**found._mapping)

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A connection whose statements commit as they run: one round trip for a
        one-statement write, no BEGIN and COMMIT around it. Held for a run of such
        writes, it spares each one a wait for the pool."""
        async with self.engine.connect() as conn:
            yield await conn.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def _one_statement(
        self, held: AsyncConnection | None = None
    ) -> AsyncIterator[AsyncConnection]:
        if held is not None:
            yield held
        else:
            async with self.autocommit() as conn:
                yield conn

    def _insert(self, table: Table) -> Any:
        """The backend's INSERT, which knows ON CONFLICT."""
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            return postgresql.insert(table)
        if dialect == "sqlite":
            return sqlite.insert(table)
        raise NotImplementedError(f"records database {dialect!r} is not supported")

    def _insert_ignoring_duplicates(self, table: Table) -> Any:
        return self._insert(table).on_conflict_do_nothing()
