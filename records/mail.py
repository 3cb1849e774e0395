"""The mail ledger: each message noted before it goes to the mail server and settled by its
answer, so that a notification run twice sends once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from records.database import Database
from records.schema import notifications


@dataclass(frozen=True, slots=True)
class NotificationRow:
    """One message of one event to one recipient, and how it stands."""

    id: int
    nomination_id: str
    seq: int
    recipient: str
    audience: str
    subject: str
    message_id: str
    status: str  # sending | sent | refused
    error: str | None
    at: datetime
    handovers: int


class MailLedger(Database):
    """Which messages went to whom for which event, and what the mail server answered."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        # Built once and run with parameters (as `NominationRecords`' statements): every
        # message runs both, and building them anew cost more CPU than running them.
        self._hand_over = (
            self._insert(notifications)
            .on_conflict_do_update(
                index_elements=[
                    notifications.c.nomination_id,
                    notifications.c.seq,
                    notifications.c.recipient,
                ],
                set_={"handovers": notifications.c.handovers + 1, "at": bindparam("again_at")},
                where=notifications.c.status == "sending",
            )
            .returning(notifications.c.handovers)
        )
        self._settle = (
            update(notifications)
            .where(
                notifications.c.nomination_id == bindparam("row_nomination_id"),
                notifications.c.seq == bindparam("row_seq"),
                notifications.c.recipient == bindparam("row_recipient"),
            )
            .values(
                status=bindparam("new_status"),
                error=bindparam("new_error"),
                at=bindparam("new_at"),
            )
        )

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
        now = datetime.now(UTC)
        values = {
            "nomination_id": nomination_id,
            "seq": seq,
            "recipient": recipient.lower(),
            "audience": audience,
            "subject": subject,
            "message_id": message_id,
            "status": "sending",
            "at": now,
            "handovers": 1,
            "again_at": now,
        }
        async with self._one_statement(conn) as statement:
            handovers = await statement.scalar(self._hand_over, values)
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
                self._settle,
                {
                    "row_nomination_id": nomination_id,
                    "row_seq": seq,
                    "row_recipient": recipient.lower(),
                    "new_status": status,
                    "new_error": error,
                    "new_at": datetime.now(UTC),
                },
            )

    async def notifications_of(self, nomination_id: str) -> list[NotificationRow]:
        return await self._rows(
            select(notifications)
            .where(notifications.c.nomination_id == nomination_id)
            .order_by(notifications.c.seq, notifications.c.recipient),
            NotificationRow,
        )
