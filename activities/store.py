"""The records database: nominations kept current, transitions appended, mail and
certificates remembered so that an activity run twice writes once.

SQLAlchemy 2 async; SQLite by default, PostgreSQL in production.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy import (
    event as sa_event,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from domain.nomination import NominationEvent
from domain.presentation import NominationSummary


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

nominations = Table(
    "nominations",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("cycle", String(4), nullable=False, index=True),
    Column("ikm_name", String(200), nullable=False),
    Column("product_name", String(200), nullable=False),
    Column("commodity", String(40), nullable=False),
    Column("province", String(60), nullable=False),
    Column("regency", String(120), nullable=False),
    Column("lab", String(40), nullable=False),
    Column("stage", String(40), nullable=False, index=True),
    Column("deadline", UtcDateTime()),
    Column("final_score", Float),
    Column("stars", Integer),
    Column("certificate_number", String(60)),
    Column("last_seq", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

transitions = Table(
    "transitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nomination_id", String(120), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("from_stage", String(40), nullable=False),
    Column("to_stage", String(40), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor_user_id", String(200), nullable=False),
    Column("actor_role", String(40), nullable=False),
    Column("actor_institution", String(200), nullable=False),
    Column("reason", Text),
    Column("facts", JSON, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    UniqueConstraint("nomination_id", "seq", name="uq_transitions_nomination_seq"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nomination_id", String(120), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("audience", String(40), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("message_id", String(300), nullable=False),
    Column("status", String(20), nullable=False),  # sent | refused
    Column("error", Text),
    Column("at", UtcDateTime(), nullable=False),
    UniqueConstraint("nomination_id", "seq", "recipient", name="uq_notifications_event_recipient"),
)

certificates = Table(
    "certificates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cycle", String(4), nullable=False),
    Column("serial", Integer, nullable=False),
    Column("nomination_id", String(120), nullable=False, unique=True),
    Column("number", String(60), nullable=False, unique=True),
    Column("issued_at", UtcDateTime(), nullable=False),
    UniqueConstraint("cycle", "serial", name="uq_certificates_cycle_serial"),
)


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def certificate_number(cycle: str, serial: int) -> str:
    """`0007/OVOP/IKMA/2026`: the serial within the cycle, then program, issuer, cycle."""
    return f"{serial:04d}/OVOP/IKMA/{cycle}"


class RecordStore:
    """All reads and writes of the records database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    def connect(cls, url: str, **engine_args: Any) -> RecordStore:
        if url.startswith("sqlite"):
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            # Activities write concurrently: wait for the lock rather than fail at once,
            # and let readers go on while one writes.
            engine_args.setdefault("connect_args", {"timeout": 30})
            engine = create_async_engine(url, **engine_args)
            sa_event.listen(engine.sync_engine, "connect", _sqlite_wal)
            return cls(engine)
        return cls(create_async_engine(url, **engine_args))

    async def create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    async def close(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as conn:
            yield conn

    def _insert_ignoring_duplicates(self, table: Table) -> Any:
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        if dialect == "sqlite":
            return sqlite.insert(table).on_conflict_do_nothing()
        raise NotImplementedError(f"records database {dialect!r} is not supported")

    # --- transitions and the current state ------------------------------------------

    async def record(self, summary: NominationSummary, event: NominationEvent) -> bool:
        """Append `event` and bring the nomination's row up to date; False if already there."""
        now = datetime.now(UTC)
        row = {
            "cycle": summary.cycle,
            "ikm_name": summary.ikm_name,
            "product_name": summary.product_name,
            "commodity": summary.commodity.value,
            "province": summary.province.value,
            "regency": summary.regency,
            "lab": summary.lab.value,
            "stage": summary.stage.value,
            "deadline": summary.deadline,
            "final_score": summary.final_score,
            "stars": summary.stars,
            "certificate_number": summary.certificate_number,
            "last_seq": summary.last_seq,
            "updated_at": summary.updated_at or event.at,
        }
        async with self._tx() as conn:
            inserted = await conn.execute(
                self._insert_ignoring_duplicates(transitions).values(
                    nomination_id=summary.id,
                    seq=event.seq,
                    kind=event.kind.value,
                    from_stage=event.from_stage.value,
                    to_stage=event.to_stage.value,
                    at=event.at,
                    actor_user_id=event.actor.user_id,
                    actor_role=event.actor.role.value,
                    actor_institution=event.actor.institution,
                    reason=event.reason,
                    facts=event.facts,
                    recorded_at=now,
                )
            )
            await conn.execute(
                self._insert_ignoring_duplicates(nominations).values(
                    id=summary.id, created_at=event.at, **row
                )
            )
            # Only a newer state replaces the row, so a late retry never turns it back.
            await conn.execute(
                update(nominations)
                .where(nominations.c.id == summary.id, nominations.c.last_seq < summary.last_seq)
                .values(**row)
            )
        return bool(inserted.rowcount)

    async def transitions_of(self, nomination_id: str) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(transitions)
                .where(transitions.c.nomination_id == nomination_id)
                .order_by(transitions.c.seq)
            )
            return [dict(r._mapping) for r in rows]

    async def nomination(self, nomination_id: str) -> dict[str, Any] | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(nominations).where(nominations.c.id == nomination_id))
            ).first()
            return dict(row._mapping) if row else None

    # --- mail -------------------------------------------------------------------------

    async def notified(self, nomination_id: str, seq: int, recipient: str) -> bool:
        async with self.engine.connect() as conn:
            found = await conn.scalar(
                select(func.count())
                .select_from(notifications)
                .where(
                    notifications.c.nomination_id == nomination_id,
                    notifications.c.seq == seq,
                    notifications.c.recipient == recipient.lower(),
                )
            )
            return bool(found)

    async def remember_notification(
        self,
        *,
        nomination_id: str,
        seq: int,
        recipient: str,
        audience: str,
        subject: str,
        message_id: str,
        status: str,
        error: str | None = None,
    ) -> None:
        async with self._tx() as conn:
            await conn.execute(
                self._insert_ignoring_duplicates(notifications).values(
                    nomination_id=nomination_id,
                    seq=seq,
                    recipient=recipient.lower(),
                    audience=audience,
                    subject=subject,
                    message_id=message_id,
                    status=status,
                    error=error,
                    at=datetime.now(UTC),
                )
            )

    async def notifications_of(self, nomination_id: str) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(notifications)
                .where(notifications.c.nomination_id == nomination_id)
                .order_by(notifications.c.seq, notifications.c.recipient)
            )
            return [dict(r._mapping) for r in rows]

    # --- award certificates -----------------------------------------------------------

    async def issue_certificate(self, nomination_id: str, cycle: str, attempts: int = 5) -> str:
        """The nomination's certificate number: the next serial in its cycle, issued once."""
        for _ in range(attempts):
            try:
                async with self._tx() as conn:
                    existing = await conn.scalar(
                        select(certificates.c.number).where(
                            certificates.c.nomination_id == nomination_id
                        )
                    )
                    if existing is not None:
                        return str(existing)
                    # The next serial is read by the insert itself: one statement, so on
                    # SQLite it runs under the write lock and concurrent awards queue for
                    # it instead of all taking the same serial (they did, under load, five
                    # times running). PostgreSQL may still collide: the loop takes the next.
                    next_serial = (
                        select(func.coalesce(func.max(certificates.c.serial), 0) + 1)
                        .where(certificates.c.cycle == cycle)
                        .scalar_subquery()
                    )
                    pending = "pending-" + hashlib.sha256(nomination_id.encode()).hexdigest()[:20]
                    await conn.execute(
                        certificates.insert().values(
                            cycle=cycle,
                            serial=next_serial,
                            nomination_id=nomination_id,
                            number=pending,
                            issued_at=datetime.now(UTC),
                        )
                    )
                    serial: int = (
                        await conn.execute(
                            select(certificates.c.serial).where(
                                certificates.c.nomination_id == nomination_id
                            )
                        )
                    ).scalar_one()
                    number = certificate_number(cycle, serial)
                    await conn.execute(
                        update(certificates)
                        .where(certificates.c.nomination_id == nomination_id)
                        .values(number=number)
                    )
                    return number
            except IntegrityError:
                continue  # another award took that serial at the same moment: take the next
        raise RuntimeError(f"could not issue a certificate number for {nomination_id}")
