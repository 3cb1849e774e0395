"""Outbound webhooks on the real stack: a receiver on loopback that checks each delivery with
the `standardwebhooks` library and reads it with the `cloudevents` SDK, is down for a while
and still gets every event once; one that never comes back is given up on, recorded as
failed and shown to operators."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_http_event
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from activities.mail import Mailer
from activities.webhooks import WebhookActivities, WebhookOptions
from domain.events import EventKind
from domain.examples import example_cycle_config
from domain.labs import route_lab
from domain.nomination import Nomination
from domain.stages import Stage
from integrations import WebhookSubscriber, new_webhook_secret
from records import RecordStore
from starter import app as ovop
from tests.integration.conftest import free_port, serving
from tests.support import OPERATOR, eventually, findings, fresh, passes, proposer, withdrawal
from worker import activities_for, build_worker
from workflows.client import decide, start_nomination
from workflows.nomination import NominationWorkflow

pytestmark = pytest.mark.integration

# The subscriber is in the middle of a rotation: the new secret and the one it replaces.
SECRET, PREVIOUS = new_webhook_secret(), new_webhook_secret()
CONFIG = example_cycle_config("2026")


@dataclass
class Receiver:
    """A subscriber's endpoint: keeps each event whose signatures hold, refuses the rest.

    It checks with both secrets, as the receiver would before and after it takes the new one.
    """

    answer: int = 204
    events: list[dict[str, object]] = field(default_factory=list)
    deliveries: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    forged: int = 0

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        try:
            for secret in (SECRET, PREVIOUS):
                Webhook(secret).verify(body, headers)
        except WebhookVerificationError:
            self.forged += 1
            return Response(status_code=401)
        self.deliveries.append((headers, body))
        event = from_http_event(HTTPMessage(headers=headers, body=body))
        self.events.append(
            {
                **event.get_attributes(),
                "data": event.get_data(),
                "ct": request.headers["content-type"],
            }
        )
        return Response(status_code=self.answer)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hooks", self.hook, methods=["POST"])])


def subscriber(port: int, *kinds: EventKind) -> WebhookSubscriber:
    return WebhookSubscriber(
        name="siinas",
        url=f"http://127.0.0.1:{port}/hooks",
        secret=SECRET,
        previous_secret=PREVIOUS,
        events=list(kinds),
    )


async def test_a_receiver_down_for_a_while_gets_every_event_once(
    dev_env: WorkflowEnvironment, store: RecordStore, mailer: Mailer
) -> None:
    port = free_port()
    receiver = Receiver()
    hooks = WebhookActivities(store, [subscriber(port)], WebhookOptions())
    task_queue = f"hooks-{uuid.uuid4()}"
    p = fresh(0)
    async with build_worker(dev_env.client, task_queue, activities_for(store, mailer, hooks)):
        handle = await start_nomination(dev_env.client, p, CONFIG, proposer(p), task_queue)
        await decide(handle, passes())  # decisions go on while the receiver is down

        async def refused_twice() -> bool:
            attempts = await store.webhook_attempts_of(handle.id)
            return len([a for a in attempts if a.seq == 1]) >= 2

        await eventually(refused_twice, "two failed attempts at the first event")
        async with serving(receiver.app(), port):
            await decide(handle, findings(route_lab(p.product.commodity)))
            await decide(handle, withdrawal(OPERATOR))
            await handle.result()  # a nomination ends once its webhooks are delivered
        nom: Nomination = await handle.query(NominationWorkflow.state)

    assert receiver.forged == 0 and len(receiver.deliveries) == len(nom.events)
    for headers, body in receiver.deliveries:
        assert headers["webhook-id"] == json.loads(body)["id"]  # the CloudEvent's id
        assert len(headers["webhook-signature"].split(" ")) == 2  # one per secret
    # Each once, in whatever order the retries let through: the id carries the event's place.
    received = sorted(receiver.events, key=lambda e: int(str(e["id"]).rsplit("/", 1)[1]))
    assert [e["id"] for e in received] == [f"{handle.id}/{e.seq}" for e in nom.events]
    assert [e["type"] for e in received] == [
        f"id.go.kemenperin.ovop.nomination.{e.kind.value}" for e in nom.events
    ]
    first = received[0]
    assert first["ct"] == "application/cloudevents+json"
    assert first["specversion"] == "1.0" and first["subject"] == handle.id
    data = first["data"]
    assert isinstance(data, dict) and data["nomination"]["id"] == handle.id
    assert data["event"]["to_stage"] == "ADMIN_VERIFICATION"
    # Business names only: no e-mail address, no person's user id.
    assert "@" not in str([e["data"] for e in receiver.events])
    assert data["event"]["actor"] == {"role": "proposer", "institution": p.proposing_office.name}

    headers, body = receiver.deliveries[0]
    tampered = body.replace(handle.id.encode(), b"ovop-2026-lain")
    assert tampered != body
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(SECRET).verify(tampered, headers)
    sent_at = int(headers["webhook-timestamp"])
    ten_minutes_earlier = datetime.fromtimestamp(sent_at - 600, UTC)
    replayed = {
        **headers,
        "webhook-timestamp": str(sent_at - 600),
        "webhook-signature": Webhook(SECRET).sign(
            headers["webhook-id"], ten_minutes_earlier, body.decode()
        ),
    }
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(SECRET).verify(body, replayed)

    attempts = [a for a in await store.webhook_attempts_of(handle.id) if a.seq == 1]
    assert attempts[0].status_code is None and "ConnectError" in str(attempts[0].error)
    assert attempts[-1].status_code == 204
    rows = await store.webhook_deliveries(nomination_id=handle.id)
    assert {r.status for r in rows} == {"delivered"} and len(rows) == len(nom.events)


async def test_a_receiver_that_never_answers_is_given_up_and_shown_to_operators(
    dev_env: WorkflowEnvironment,
    store: RecordStore,
    mailer: Mailer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = Receiver(answer=503)
    task_queue = f"hooks-{uuid.uuid4()}"
    p = fresh(0)
    async with serving(receiver.app()) as base:
        port = int(base.rsplit(":", 1)[1])
        options = WebhookOptions(give_up_after=timedelta(seconds=2))
        hooks = WebhookActivities(store, [subscriber(port, EventKind.PROPOSED)], options)
        async with build_worker(dev_env.client, task_queue, activities_for(store, mailer, hooks)):
            handle = await start_nomination(dev_env.client, p, CONFIG, proposer(p), task_queue)
            result = await decide(handle, passes())  # the nomination never waits for it
            assert result.stage == Stage.TECHNICAL_ASSESSMENT

            async def given_up() -> bool:
                return bool(
                    await store.webhook_deliveries(status="failed", nomination_id=handle.id)
                )

            await eventually(given_up, "the delivery to be given up")
            await decide(handle, withdrawal(OPERATOR))
            await handle.result()

    failed = await store.webhook_deliveries(status="failed", nomination_id=handle.id)
    assert [(r.seq, r.event_kind) for r in failed] == [(1, "proposed")]
    assert failed[0].attempts >= 2 and "HTTP 503" in str(failed[0].last_error)
    assert len(receiver.events) == failed[0].attempts  # each attempt was signed and seen
    # Every retry is the same message to the receiver: one id, signed afresh when sent.
    assert {h["webhook-id"] for h, _ in receiver.deliveries} == {f"{handle.id}/1"}

    monkeypatch.setenv("OVOP_DATABASE_URL", store.engine.url.render_as_string(hide_password=False))
    # The command runs its own event loop, as it does from a shell.
    shown = await asyncio.to_thread(CliRunner().invoke, ovop, ["webhooks", "--failed"])
    assert shown.exit_code == 0, shown.output
    assert handle.id in shown.output and "siinas" in shown.output and "503" in shown.output
