"""The activity that emails the stakeholders of an event, once per event and recipient."""

from __future__ import annotations

import aiosmtplib
from pydantic import Field
from temporalio import activity

from activities.mail import Mailer, MailRenderer, build_message, message_id
from activities.store import RecordStore
from domain.nomination import NominationEvent
from domain.notifications import Recipient
from domain.presentation import NominationSummary
from domain.proposal import Model


class NotifyInput(Model):
    nomination: NominationSummary
    event: NominationEvent
    recipients: list[Recipient]
    lab_address: str


class NotifyResult(Model):
    sent: list[str] = Field(default_factory=list)
    already_sent: list[str] = Field(default_factory=list)
    refused: list[str] = Field(default_factory=list)


class NotifyActivities:
    def __init__(self, mailer: Mailer, renderer: MailRenderer, store: RecordStore) -> None:
        self._mailer = mailer
        self._renderer = renderer
        self._store = store

    @activity.defn(name="notify")
    async def notify(self, input: NotifyInput) -> NotifyResult:
        """Email each recipient who has not had this event yet.

        A server that is down or answers 4xx raises, so Temporal retries; a recipient the
        server refuses for good (5xx) is remembered as refused and not tried again.
        """
        n, e = input.nomination, input.event
        result = NotifyResult()
        pending: list[Recipient] = []
        for r in input.recipients:
            if await self._store.notified(n.id, e.seq, str(r.email)):
                result.already_sent.append(str(r.email))
            else:
                pending.append(r)
        if not pending:
            return result

        async with self._mailer.connection() as smtp:
            for r in pending:
                mail = self._renderer.render(
                    e.kind.value, n=n, e=e, r=r, lab_address=input.lab_address
                )
                msg = build_message(self._mailer.config.sender, n, e, r, mail)
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
                await self._store.remember_notification(
                    nomination_id=n.id,
                    seq=e.seq,
                    recipient=str(r.email),
                    audience=r.audience.value,
                    subject=mail.subject,
                    message_id=message_id(n, e, r),
                    status=status,
                    error=error,
                )
                (result.sent if status == "sent" else result.refused).append(str(r.email))
                if error:
                    activity.logger.warning("mail to %s refused for good: %s", r.email, error)
        return result
