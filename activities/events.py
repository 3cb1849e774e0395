"""The one activity each event of a nomination calls for: recorded, mailed to its
stakeholders, sent to the webhook subscribers that want it.

One activity, not three, so the workflow starts everything an event needs in the workflow
task that made the event and never starts anything on an activity's result (see
`NominationWorkflow`). Each part is idempotent on its own: a retry (the mail server or a
receiver down, a worker lost) writes no record twice, mails no one twice and sends no
subscriber the event twice.
"""

from __future__ import annotations

import asyncio

from pydantic import Field
from temporalio import activity

from activities.heartbeat import heartbeating
from activities.notify import Notifier, NotifyInput, NotifyResult
from activities.webhooks import WebhookActivities
from domain.events import NominationEvent
from domain.notifications import Recipient
from domain.presentation import NominationSummary
from domain.proposal import Model
from records import RecordStore


class HandleEventInput(Model):
    nomination: NominationSummary
    event: NominationEvent
    recipients: list[Recipient]
    lab_address: str


class EventHandled(Model):
    recorded: bool  # False: recorded by an earlier attempt
    mail: NotifyResult
    webhooks: dict[str, str] = Field(default_factory=dict)  # subscriber -> how it went


class EventActivities:
    def __init__(self, store: RecordStore, notifier: Notifier, webhooks: WebhookActivities) -> None:
        self._store = store
        self._notifier = notifier
        self._webhooks = webhooks

    @activity.defn(name="handle_event")
    async def handle_event(self, input: HandleEventInput) -> EventHandled:
        """Record the event, then mail it and send it to the webhook subscribers, neither
        waiting for the other; raise to be retried while any part is not done."""
        n, e = input.nomination, input.event
        async with heartbeating():
            recorded = await self._store.record(n, e)
            mail, webhooks = await asyncio.gather(
                self._mail(input), self._webhooks.publish(n, e), return_exceptions=True
            )
        for part in (mail, webhooks):
            if isinstance(part, BaseException):
                raise part
        assert isinstance(mail, NotifyResult) and isinstance(webhooks, dict)
        return EventHandled(recorded=recorded, mail=mail, webhooks=webhooks)

    async def _mail(self, input: HandleEventInput) -> NotifyResult:
        if not input.recipients:
            return NotifyResult()
        return await self._notifier.send(
            NotifyInput(
                nomination=input.nomination,
                event=input.event,
                recipients=input.recipients,
                lab_address=input.lab_address,
            ),
            retry=activity.info().attempt > 1,
        )
