"""The API's Idempotency-Key of each create request, per calling system: kept on the records
database, in a table of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, String, Table, select

from records.database import Database
from records.schema import UtcDateTime, metadata

api_idempotency = Table(
    "api_idempotency",
    metadata,
    Column("client", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("body_sha256", String(64), nullable=False),
    Column("nomination_id", String(120), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)


@dataclass(frozen=True, slots=True)
class ClaimedKey:
    """A key, and the request that first came with it."""

    client: str
    key: str
    body_sha256: str
    nomination_id: str
    created_at: datetime


class IdempotencyKeys(Database):
    """Which request each calling system first sent with each key."""

    async def claim(
        self, client: str, key: str, body_sha256: str, nomination_id: str
    ) -> ClaimedKey:
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
            return ClaimedKey(**row._mapping)
