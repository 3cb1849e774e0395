"""The records database: nominations kept current, transitions appended, mail and
certificates remembered so that an activity run twice writes once.

SQLAlchemy 2 async; SQLite by default, PostgreSQL (asyncpg) in production. The tables
below are the code's picture of the schema; the database gets them from the Alembic
revisions in `migrations/`, and a test keeps the two in step.
"""

from __future__ import annotations

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
    bindparam,
    select,
    text,
    update,
)
from sqlalchemy import (
    event as sa_event,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from domain.events import NominationEvent
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


# Named constraints, so a later revision can drop or alter them on every backend.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

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
    Column("coaching_level", String(20)),
    Column("previous_certificate", String(60)),
    Column("last_seq", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# The nomination's row as each event leaves it (all but its id and creation time).
ROW_COLUMNS = (
    "cycle",
    "ikm_name",
    "product_name",
    "commodity",
    "province",
    "regency",
    "lab",
    "stage",
    "deadline",
    "final_score",
    "stars",
    "certificate_number",
    "coaching_level",
    "previous_certificate",
    "last_seq",
    "updated_at",
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
    # sending (handed to the mail server, not yet confirmed) | sent | refused
    Column("status", String(20), nullable=False),
    Column("error", Text),
    Column("at", UtcDateTime(), nullable=False),
    # How many times the message was handed to the mail server: more than one only when
    # an earlier handover was never confirmed (the worker died, the connection broke).
    Column("handovers", Integer, nullable=False, server_default=text("1")),
    UniqueConstraint("nomination_id", "seq", "recipient", name="uq_notifications_event_recipient"),
)

# The last serial issued in each cycle: incremented in the transaction that issues a
# certificate, so two awards at the same moment queue on the row instead of colliding.
certificate_counters = Table(
    "certificate_counters",
    metadata,
    Column("cycle", String(4), primary_key=True),
    Column("last_serial", Integer, nullable=False),
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


# Integration with the ministry's systems (issue 6). One delivery row per event and webhook
# subscriber, kept current; one attempt row per HTTP request made for it.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nomination_id", String(120), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("subscriber", String(100), nullable=False),
    Column("event_kind", String(40), nullable=False),
    Column("status", String(20), nullable=False, index=True),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("first_attempt_at", UtcDateTime(), nullable=False),
    Column("last_attempt_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime()),
    Column("last_error", Text),
    UniqueConstraint("nomination_id", "seq", "subscriber", name="uq_webhook_deliveries_event"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nomination_id", String(120), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("subscriber", String(100), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Column("duration_ms", Integer, nullable=False),
)

# The API's Idempotency-Key of each create request, per calling system.
api_idempotency = Table(
    "api_idempotency",
    metadata,
    Column("client", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("body_sha256", String(64), nullable=False),
    Column("nomination_id", String(120), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
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
        # Built once and run with parameters: building a statement anew with `.values()`
        # on every call cost the worker more CPU than running it (`make bench --profile`).
        self._add_transition = self._insert_ignoring_duplicates(transitions)
        self._add_nomination = self._insert_ignoring_duplicates(nominations)
        # Only a newer state replaces the row, so a late retry never turns it back.
        self._newer_row = (
            update(nominations)
            .where(
                nominations.c.id == bindparam("row_id"),
                nominations.c.last_seq < bindparam("row_seq"),
            )
            .values({column: bindparam(column) for column in ROW_COLUMNS})
        )

    @classmethod
    def connect(cls, url: str, **engine_args: Any) -> RecordStore:
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

    async def create_schema(self) -> None:
        """Bring the schema up to the newest migration (what `ovop db upgrade` does)."""
        # Imported here: workflow code imports this module's neighbours inside the sandbox,
        # and Alembic has no business there.
        import migrations

        await migrations.upgrade(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

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
            "coaching_level": summary.coaching_level.value if summary.coaching_level else None,
            "previous_certificate": summary.previous_certificate,
            "last_seq": summary.last_seq,
            "updated_at": summary.updated_at or event.at,
        }
        async with self._tx() as conn:
            inserted = await conn.execute(
                self._add_transition,
                {
                    "nomination_id": summary.id,
                    "seq": event.seq,
                    "kind": event.kind.value,
                    "from_stage": event.from_stage.value,
                    "to_stage": event.to_stage.value,
                    "at": event.at,
                    "actor_user_id": event.actor.user_id,
                    "actor_role": event.actor.role.value,
                    "actor_institution": event.actor.institution,
                    "reason": event.reason,
                    "facts": event.facts,
                    "recorded_at": now,
                },
            )
            await conn.execute(
                self._add_nomination, {"id": summary.id, "created_at": event.at, **row}
            )
            await conn.execute(
                self._newer_row, {"row_id": summary.id, "row_seq": summary.last_seq, **row}
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

    # --- a cycle as a whole (the results report) ----------------------------------------

    async def nominations_of_cycle(self, cycle: str) -> list[dict[str, Any]]:
        """Every nomination of `cycle` as it stands now."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(nominations).where(nominations.c.cycle == cycle).order_by(nominations.c.id)
            )
            return [dict(r._mapping) for r in rows]

    async def transitions_of_cycle(self, cycle: str) -> list[dict[str, Any]]:
        """Every recorded event of `cycle`'s nominations, in order within each nomination."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(transitions)
                .join(nominations, nominations.c.id == transitions.c.nomination_id)
                .where(nominations.c.cycle == cycle)
                .order_by(transitions.c.nomination_id, transitions.c.seq)
            )
            return [dict(r._mapping) for r in rows]

    # --- mail -------------------------------------------------------------------------

    async def mail_status(self, nomination_id: str, seq: int, recipient: str) -> str | None:
        """`sent` or `refused` (settled), `sending` (handed over, never confirmed), or None."""
        async with self.engine.connect() as conn:
            status = await conn.scalar(
                select(notifications.c.status).where(
                    notifications.c.nomination_id == nomination_id,
                    notifications.c.seq == seq,
                    notifications.c.recipient == recipient.lower(),
                )
            )
            return None if status is None else str(status)

    async def settled(self, nomination_id: str, seq: int, recipients: list[str]) -> set[str]:
        """Which of `recipients` (lower-cased) have had this event, or were refused it for
        good: one query for the event's whole list."""
        async with self.engine.connect() as conn:
            found = await conn.scalars(
                select(notifications.c.recipient).where(
                    notifications.c.nomination_id == nomination_id,
                    notifications.c.seq == seq,
                    notifications.c.recipient.in_([r.lower() for r in recipients]),
                    notifications.c.status.in_(("sent", "refused")),
                )
            )
            return set(found)

    async def hand_over(
        self,
        *,
        nomination_id: str,
        seq: int,
        recipient: str,
        audience: str,
        subject: str,
        message_id: str,
        conn: AsyncConnection | None = None,
    ) -> int | None:
        """Note, before the message goes to the mail server, that it is going: how many
        times it has now been handed over (1, or more after a handover that was never
        confirmed), or None when it has been settled meanwhile and must not go again."""
        values = {
            "nomination_id": nomination_id,
            "seq": seq,
            "recipient": recipient.lower(),
            "audience": audience,
            "subject": subject,
            "message_id": message_id,
            "status": "sending",
            "at": datetime.now(UTC),
            "handovers": 1,
        }
        upsert = (
            self._insert(notifications)
            .values(**values)
            .on_conflict_do_update(
                index_elements=[
                    notifications.c.nomination_id,
                    notifications.c.seq,
                    notifications.c.recipient,
                ],
                set_={"handovers": notifications.c.handovers + 1, "at": values["at"]},
                where=notifications.c.status == "sending",
            )
            .returning(notifications.c.handovers)
        )
        async with self._one_statement(conn) as statement:
            handovers = await statement.scalar(upsert)
            return None if handovers is None else int(handovers)

    async def settle_notification(
        self,
        nomination_id: str,
        seq: int,
        recipient: str,
        status: str,
        error: str | None = None,
        conn: AsyncConnection | None = None,
    ) -> None:
        """What the mail server answered a handover: `sent`, or `refused` for good.
        Written at once, in one statement (on `conn` when one is held for it): until it
        is, a worker that dies leaves the message to be sent again."""
        async with self._one_statement(conn) as statement:
            await statement.execute(
                update(notifications)
                .where(
                    notifications.c.nomination_id == nomination_id,
                    notifications.c.seq == seq,
                    notifications.c.recipient == recipient.lower(),
                )
                .values(status=status, error=error, at=datetime.now(UTC))
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

    async def issue_certificate(self, nomination_id: str, cycle: str) -> str:
        """The nomination's certificate number: the next serial in its cycle, issued once."""
        existing = await self._certificate_of(nomination_id)
        if existing is not None:
            return existing
        try:
            async with self._tx() as conn:
                await conn.execute(
                    self._insert_ignoring_duplicates(certificate_counters).values(
                        cycle=cycle, last_serial=0
                    )
                )
                serial = await conn.scalar(
                    update(certificate_counters)
                    .where(certificate_counters.c.cycle == cycle)
                    .values(last_serial=certificate_counters.c.last_serial + 1)
                    .returning(certificate_counters.c.last_serial)
                )
                number = certificate_number(cycle, int(serial))
                await conn.execute(
                    certificates.insert().values(
                        cycle=cycle,
                        serial=serial,
                        nomination_id=nomination_id,
                        number=number,
                        issued_at=datetime.now(UTC),
                    )
                )
                return number
        except IntegrityError:
            # The same award issued by a retry running alongside: its number stands.
            existing = await self._certificate_of(nomination_id)
            if existing is None:
                raise
            return existing

    async def _certificate_of(self, nomination_id: str) -> str | None:
        async with self.engine.connect() as conn:
            number = await conn.scalar(
                select(certificates.c.number).where(certificates.c.nomination_id == nomination_id)
            )
            return None if number is None else str(number)

    # --- webhook deliveries -----------------------------------------------------------

    async def log_webhook_attempt(
        self,
        *,
        nomination_id: str,
        seq: int,
        subscriber: str,
        event_kind: str,
        at: datetime,
        delivered: bool,
        status_code: int | None,
        error: str | None,
        duration_ms: int,
    ) -> dict[str, Any]:
        """Log one attempt and bring the delivery's row up to date; returns that row."""
        key = (
            webhook_deliveries.c.nomination_id == nomination_id,
            webhook_deliveries.c.seq == seq,
            webhook_deliveries.c.subscriber == subscriber,
        )
        async with self._tx() as conn:
            await conn.execute(
                self._insert_ignoring_duplicates(webhook_deliveries).values(
                    nomination_id=nomination_id,
                    seq=seq,
                    subscriber=subscriber,
                    event_kind=event_kind,
                    status="pending",
                    attempts=0,
                    first_attempt_at=at,
                    last_attempt_at=at,
                )
            )
            changes: dict[str, Any] = {
                "attempts": webhook_deliveries.c.attempts + 1,
                "last_attempt_at": at,
                "last_error": error,
            }
            if delivered:
                changes.update(status="delivered", delivered_at=at)
            await conn.execute(update(webhook_deliveries).where(*key).values(**changes))
            row = (await conn.execute(select(webhook_deliveries).where(*key))).one()
            await conn.execute(
                webhook_attempts.insert().values(
                    nomination_id=nomination_id,
                    seq=seq,
                    subscriber=subscriber,
                    attempt=row.attempts,
                    at=at,
                    status_code=status_code,
                    error=error,
                    duration_ms=duration_ms,
                )
            )
            return dict(row._mapping)

    async def webhook_delivery(
        self, nomination_id: str, seq: int, subscriber: str
    ) -> dict[str, Any] | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(webhook_deliveries).where(
                        webhook_deliveries.c.nomination_id == nomination_id,
                        webhook_deliveries.c.seq == seq,
                        webhook_deliveries.c.subscriber == subscriber,
                    )
                )
            ).first()
            return dict(row._mapping) if row else None

    async def give_up_webhook(self, nomination_id: str, seq: int, subscriber: str) -> None:
        async with self._tx() as conn:
            await conn.execute(
                update(webhook_deliveries)
                .where(
                    webhook_deliveries.c.nomination_id == nomination_id,
                    webhook_deliveries.c.seq == seq,
                    webhook_deliveries.c.subscriber == subscriber,
                    webhook_deliveries.c.status == "pending",
                )
                .values(status="failed")
            )

    async def webhook_deliveries(
        self, status: str | None = None, nomination_id: str | None = None, limit: int = 500
    ) -> list[dict[str, Any]]:
        query = select(webhook_deliveries)
        if status is not None:
            query = query.where(webhook_deliveries.c.status == status)
        if nomination_id is not None:
            query = query.where(webhook_deliveries.c.nomination_id == nomination_id)
        query = query.order_by(
            webhook_deliveries.c.last_attempt_at.desc(), webhook_deliveries.c.id.desc()
        ).limit(limit)
        async with self.engine.connect() as conn:
            return [dict(r._mapping) for r in await conn.execute(query)]

    async def webhook_attempts_of(self, nomination_id: str) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(webhook_attempts)
                .where(webhook_attempts.c.nomination_id == nomination_id)
                .order_by(webhook_attempts.c.id)
            )
            return [dict(r._mapping) for r in rows]

    # --- the API's idempotency keys ---------------------------------------------------

    async def claim_idempotency_key(
        self, client: str, key: str, body_sha256: str, nomination_id: str
    ) -> dict[str, Any]:
        """The request first seen with this key: this one, unless another came first."""
        async with self._tx() as conn:
            await conn.execute(
                self._insert_ignoring_duplicates(api_idempotency).values(
                    client=client,
                    key=key,
                    body_sha256=body_sha256,
                    nomination_id=nomination_id,
                    created_at=datetime.now(UTC),
                )
            )
            row = (
                await conn.execute(
                    select(api_idempotency).where(
                        api_idempotency.c.client == client, api_idempotency.c.key == key
                    )
                )
            ).one()
            return dict(row._mapping)
