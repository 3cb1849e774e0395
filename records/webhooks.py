"""Webhook deliveries kept current, one row per event and subscriber, and every HTTP attempt
made for them logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update

from records.database import Database
from records.schema import webhook_attempts, webhook_deliveries


@dataclass(frozen=True, slots=True)
class WebhookDeliveryRow:
    """One event's delivery to one subscriber, as its attempts have left it."""

    id: int
    nomination_id: str
    seq: int
    subscriber: str
    event_kind: str
    status: str  # pending | delivered | failed
    attempts: int
    first_attempt_at: datetime
    last_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class WebhookAttemptRow:
    """One HTTP request made to deliver an event, and how it went."""

    id: int
    nomination_id: str
    seq: int
    subscriber: str
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


def _delivery(nomination_id: str, seq: int, subscriber: str) -> tuple[ColumnElement[bool], ...]:
    """Which delivery row is an event's to a subscriber."""
    return (
        webhook_deliveries.c.nomination_id == nomination_id,
        webhook_deliveries.c.seq == seq,
        webhook_deliveries.c.subscriber == subscriber,
    )


class WebhookLedger(Database):
    """The webhook deliveries and their attempts."""

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
    ) -> WebhookDeliveryRow:
        """Log one attempt and bring the delivery's row up to date; returns that row."""
        key = _delivery(nomination_id, seq, subscriber)
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
            return WebhookDeliveryRow(**row._mapping)

    async def webhook_delivery(
        self, nomination_id: str, seq: int, subscriber: str
    ) -> WebhookDeliveryRow | None:
        return await self._row(
            select(webhook_deliveries).where(*_delivery(nomination_id, seq, subscriber)),
            WebhookDeliveryRow,
        )

    async def give_up_webhook(self, nomination_id: str, seq: int, subscriber: str) -> None:
        async with self._tx() as conn:
            await conn.execute(
                update(webhook_deliveries)
                .where(
                    *_delivery(nomination_id, seq, subscriber),
                    webhook_deliveries.c.status == "pending",
                )
                .values(status="failed")
            )

    async def webhook_deliveries(
        self, status: str | None = None, nomination_id: str | None = None, limit: int = 500
    ) -> list[WebhookDeliveryRow]:
        query = select(webhook_deliveries)
        if status is not None:
            query = query.where(webhook_deliveries.c.status == status)
        if nomination_id is not None:
            query = query.where(webhook_deliveries.c.nomination_id == nomination_id)
        query = query.order_by(
            webhook_deliveries.c.last_attempt_at.desc(), webhook_deliveries.c.id.desc()
        ).limit(limit)
        return await self._rows(query, WebhookDeliveryRow)

    async def webhook_attempts_of(self, nomination_id: str) -> list[WebhookAttemptRow]:
        return await self._rows(
            select(webhook_attempts)
            .where(webhook_attempts.c.nomination_id == nomination_id)
            .order_by(webhook_attempts.c.id),
            WebhookAttemptRow,
        )
