"""Emailing the stakeholders of an event, once per event and recipient (part of the event's
activity, `activities.events`)."""

from __future__ import annotations

import asyncio

import aiosmtplib
from pydantic import Field
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection
from temporalio import activity

from activities.mail import Mailer, MailRenderer, build_message, message_id
from domain.events import NominationEvent
from domain.notifications import Recipient
from domain.presentation import NominationSummary
from domain.proposal import Model
from records import RecordStore

# While the records database is down, how often a sent message's answer is tried again.
SETTLE_FIRST_DELAY = 0.5
SETTLE_MAX_DELAY = 10.0


class NotifyInput(Model):
    nomination: NominationSummary
    event: NominationEvent
    recipients: list[Recipient]
    lab_address: str


class NotifyResult(Model):
    sent: list[str] = Field(default_factory=list)
    already_sent: list[str] = Field(default_factory=list)
    refused: list[str] = Field(default_factory=list)


class Notifier:
    def __init__(self, mailer: Mailer, renderer: MailRenderer, store: RecordStore) -> None:
        self._mailer = mailer
        self._renderer = renderer
        self._store = store

    async def send(self, input: NotifyInput, retry: bool = False) -> NotifyResult:
        """Email each recipient who has not had this event yet.

        A server that is down or answers 4xx raises, so Temporal retries; a recipient the
        server refuses for good (5xx) is remembered as refused and not tried again.

        Each message is noted as handed over before it goes to the mail server, and as
        sent once the server has said so. A retry sends again only what was never
        confirmed: nothing when the worker died after the server's answer was written
        down; once more (with the same Message-ID) when it died between the handover and
        that answer, since the message may not have arrived. Only the second can double a
        message, and the records count it (`handovers` > 1).
        """
        n, e = input.nomination, input.event
        result = NotifyResult()
        pending = list(input.recipients)
        if retry:
            # Whom an earlier attempt settled is left out before the mail server is asked
            # for a connection: a retry with nothing left to send (the webhooks failed, say)
            # must not wait for one. A first attempt does not ask, as a query here cost
            # every event a wait for the pool; should another run of the workflow have
            # settled someone (a reset), the handover answers None for them.
            settled = await self._store.settled(n.id, e.seq, [str(r.email) for r in pending])
            result.already_sent.extend(str(r.email) for r in pending if r.email.lower() in settled)
            pending = [r for r in pending if r.email.lower() not in settled]
        if not pending:
            return result

        # One records connection held for the run: the answer of a message the server has
        # taken is written at once, not after a wait for the pool (while the worker may die).
        async with self._mailer.session() as smtp, self._store.autocommit() as ledger:
            for r in pending:
                mail = self._renderer.letter(n, e, r, input.lab_address)
                msg = build_message(self._mailer.config.sender, n, e, r, mail)
                handovers = await self._store.hand_over(
                    nomination_id=n.id,
                    seq=e.seq,
                    recipient=str(r.email),
                    audience=r.audience.value,
                    subject=mail.subject,
                    message_id=message_id(n, e, r),
                    conn=ledger,
                )
                if handovers is None:  # settled by another attempt or run
                    result.already_sent.append(str(r.email))
                    continue
                if handovers > 1:
                    activity.logger.warning(
                        "mail to %s about event %s of %s: the earlier handover was never "
                        "confirmed; sending again",
                        r.email,
                        e.seq,
                        n.id,
                    )
                status, error = "sent", None
                try:
                    await smtp.send_message(msg)
                except aiosmtplib.SMTPRecipientsRefused as refused:
                    if not all(x.code >= 500 for x in refused.recipients):
                        raise
                    status, error = "refused", "; ".join(str(x) for x in refused.recipients)
                except aiosmtplib.SMTPResponseException as failure:
                    if failure.code < 500:
                        raise
                    status, error = "refused", f"{failure.code} {failure.message}"
                await self._settle(n.id, e.seq, str(r.email), status, error, ledger)
                (result.sent if status == "sent" else result.refused).append(str(r.email))
                if error:
                    activity.logger.warning("mail to %s refused for good: %s", r.email, error)
        return result

    async def _settle(
        self,
        nomination_id: str,
        seq: int,
        recipient: str,
        status: str,
        error: str | None,
        held: AsyncConnection,
    ) -> None:
        """Write down what the server answered, waiting out a records database that is
        down (for as long as the activity may run: it heartbeats meanwhile). Giving up
        here would have the retry send again a message the server has taken. The first
        try is on the held connection, the next ones on fresh ones."""
        delay = SETTLE_FIRST_DELAY
        conn: AsyncConnection | None = held
        while True:
            try:
                await self._store.settle_notification(
                    nomination_id, seq, recipient, status, error, conn=conn
                )
                return
            except (SQLAlchemyError, OSError) as failure:
                activity.logger.warning(
                    "mail to %s about event %s of %s went out; the records cannot say so "
                    "yet (%s): trying again in %.1fs",
                    recipient,
                    seq,
                    nomination_id,
                    failure,
                    delay,
                )
            conn = None
            await asyncio.sleep(delay)
            delay = min(delay * 2, SETTLE_MAX_DELAY)
