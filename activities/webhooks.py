"""Outbound webhooks: every event of a nomination, as a signed CloudEvent, to each subscriber.

Each message is a CloudEvents 1.0 JSON message in structured mode
(`Content-Type: application/cloudevents+json`): `type` is
`id.go.kemenperin.ovop.nomination.<kind>`, `id` is `<nomination id>/<seq>` (the same on
every retry, so a receiver drops what it has seen), `subject` the nomination id, `time` the
moment of the event. `data` holds the event and the nomination's summary, with no personal
data beyond the business names: the actor appears as role and institution only.

Each message is signed as the Standard Webhooks specification says (standardwebhooks.com):
`webhook-id` is the CloudEvent's id, `webhook-timestamp` the Unix time of sending and
`webhook-signature` `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, once per secret
of the subscriber (two while a secret is rotated, separated by a space), so any Standard
Webhooks library verifies it. Delivery is retried by Temporal with backoff until the receiver
answers 2xx, or until `give_up_after` has passed since the first attempt: the delivery is
then recorded as failed (`ovop webhooks --failed`) and the next event goes on.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cloudevents.core.bindings.http import to_structured_event
from cloudevents.core.v1.event import CloudEvent
from standardwebhooks import Webhook
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.events import EventKind, NominationEvent
from domain.presentation import NominationSummary
from domain.proposal import Model
from integrations import WebhookSubscriber
from records import RecordStore

EVENT_TYPE_PREFIX = "id.go.kemenperin.ovop.nomination."
# Facts that name people rather than businesses stay out of the messages.
PERSONAL_FACTS = frozenset({"panel", "jurors", "refused", "juror"})


class WebhookOptions(Model):
    source: str = "https://ovop.kemenperin.go.id/nominations"
    give_up_after: timedelta = timedelta(hours=24)
    request_timeout: timedelta = timedelta(seconds=10)


def public_data(summary: NominationSummary, event: NominationEvent) -> dict[str, Any]:
    """The event and the nomination's summary, without personal data."""
    data = event.model_dump(mode="json")
    data["actor"] = {"role": event.actor.role.value, "institution": event.actor.institution}
    data["facts"] = {k: v for k, v in event.facts.items() if k not in PERSONAL_FACTS}
    return {"event": data, "nomination": summary.model_dump(mode="json")}


def cloud_event(summary: NominationSummary, event: NominationEvent, source: str) -> CloudEvent:
    return CloudEvent(
        {
            "type": EVENT_TYPE_PREFIX + event.kind.value,
            "source": source,
            "id": f"{summary.id}/{event.seq}",
            "time": event.at,
            "subject": summary.id,
            "datacontenttype": "application/json",
        },
        public_data(summary, event),
    )


def signature_headers(
    subscriber: WebhookSubscriber, message_id: str, body: bytes, timestamp: int
) -> dict[str, str]:
    """The Standard Webhooks headers of `body` sent to `subscriber` at `timestamp`."""
    sent_at = datetime.fromtimestamp(timestamp, UTC)
    signatures = [
        Webhook(secret.get_secret_value()).sign(message_id, sent_at, body.decode())
        for secret in subscriber.signing_secrets
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }


class WebhookDelivery(Model):
    status: str  # delivered | failed | unknown_subscriber
    attempts: int = 0


class WebhookActivities:
    def __init__(
        self,
        store: RecordStore,
        subscribers: list[WebhookSubscriber],
        options: WebhookOptions,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._store = store
        self._subscribers = {s.name: s for s in subscribers}
        self._options = options
        self._transport = transport

    def subscribers_for(self, kind: EventKind) -> list[str]:
        """The subscribers that want events of this kind, as configured now."""
        return [s.name for s in self._subscribers.values() if s.wants(kind)]

    async def publish(self, n: NominationSummary, e: NominationEvent) -> dict[str, str]:
        """Send the event to every subscriber that wants it, and say how each went; raise
        to be retried while one of them is still to be reached (those reached already are
        not sent it again)."""
        outcomes: dict[str, str] = {}
        failures: list[ApplicationError] = []
        for name in self.subscribers_for(e.kind):
            try:
                outcomes[name] = (await self.deliver(n, e, name)).status
            except ApplicationError as failure:
                failures.append(failure)
        if failures:
            raise ApplicationError("; ".join(str(f) for f in failures), type="WebhookNotDelivered")
        return outcomes

    async def deliver(self, n: NominationSummary, e: NominationEvent, name: str) -> WebhookDelivery:
        """Send one event to one subscriber; raise to be retried, until given up.

        Every attempt is logged. A delivery already made (a worker lost after sending) is
        not made again.
        """
        subscriber = self._subscribers.get(name)
        if subscriber is None:
            activity.logger.warning("webhook subscriber %s is no longer configured", name)
            return WebhookDelivery(status="unknown_subscriber")
        row = await self._store.webhook_delivery(n.id, e.seq, subscriber.name)
        if row is not None and row.status != "pending":
            return WebhookDelivery(status=row.status, attempts=row.attempts)

        event = cloud_event(n, e, self._options.source)
        message = to_structured_event(event)
        headers = {
            **message.headers,
            **signature_headers(subscriber, event.get_id(), message.body, int(time.time())),
            "User-Agent": "ovop-engine-webhooks",
        }
        started = datetime.now(UTC)
        status_code: int | None = None
        error: str | None = None
        try:
            async with httpx.AsyncClient(
                timeout=self._options.request_timeout.total_seconds(), transport=self._transport
            ) as http:
                response = await http.post(
                    str(subscriber.url), content=message.body, headers=headers
                )
            status_code = response.status_code
            if not response.is_success:
                error = f"HTTP {status_code}: {response.text[:200]}"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"
        delivered = error is None
        row = await self._store.log_webhook_attempt(
            nomination_id=n.id,
            seq=e.seq,
            subscriber=subscriber.name,
            event_kind=e.kind.value,
            at=started,
            delivered=delivered,
            status_code=status_code,
            error=error,
            duration_ms=int((datetime.now(UTC) - started).total_seconds() * 1000),
        )
        if delivered:
            return WebhookDelivery(status="delivered", attempts=row.attempts)
        if datetime.now(UTC) - row.first_attempt_at >= self._options.give_up_after:
            await self._store.give_up_webhook(n.id, e.seq, subscriber.name)
            activity.logger.error(
                "webhook %s/%s to %s given up after %s attempts: %s",
                n.id,
                e.seq,
                subscriber.name,
                row.attempts,
                error,
            )
            return WebhookDelivery(status="failed", attempts=row.attempts)
        raise ApplicationError(
            f"webhook to {subscriber.name} not delivered: {error}", type="WebhookNotDelivered"
        )
