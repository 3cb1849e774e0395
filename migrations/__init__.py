"""The records database's schema, by Alembic revisions in `migrations/versions/`.

`upgrade` brings a database to a revision (the newest by default) and is what
`ovop db upgrade` and `RecordStore.migrate_to_head()` run; `require_current` is how the
worker refuses a database whose schema is behind the code. Adding a revision is
described in `migrations/README.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from alembic.util import CommandError
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

HERE = Path(__file__).parent
UPGRADE_COMMAND = "ovop db upgrade"

# Two `ovop db upgrade` at once on PostgreSQL (two deployments, a scaled job) take turns.
_PG_LOCK_KEY = 0x4F564F50  # "OVOP"


class SchemaBehind(RuntimeError):
    """The records database is not at the revision this code needs."""


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def known(self) -> bool:
        """False when the database is at a revision this code has never heard of (newer)."""
        if self.current is None:
            return True
        try:
            return _script().get_revision(self.current) is not None
        except (ResolutionError, CommandError):
            return False


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head() -> str:
    heads = _script().get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads {heads}: merge or renumber them")
    return heads[0]


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [r.revision for r in reversed(list(_script().walk_revisions()))]


def _status(conn: Connection) -> SchemaStatus:
    current = MigrationContext.configure(conn).get_current_revision()
    return SchemaStatus(current=current, head=head())


def _run(conn: Connection, action: str, revision: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    cfg = config()
    cfg.attributes["connection"] = conn
    getattr(command, action)(cfg, revision)


async def status(engine: AsyncEngine) -> SchemaStatus:
    async with engine.connect() as conn:
        return await conn.run_sync(_status)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_run, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_run, "downgrade", revision)


async def require_current(engine: AsyncEngine) -> SchemaStatus:
    """The schema's status; raises `SchemaBehind` unless the database is at the head or at a
    newer revision (a rolling deploy may have migrated ahead of this worker)."""
    found = await status(engine)
    if found.up_to_date or not found.known:
        return found
    raise SchemaBehind(
        f"records database schema is behind: at {found.current or 'empty'}, "
        f"this code needs {found.head}. "
        f"Run `{UPGRADE_COMMAND}` with the same OVOP_DATABASE_URL, then start the worker again."
    )
