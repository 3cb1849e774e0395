"""What a webhook subscriber receives: a CloudEvent without personal data, and a signature
it can check."""

from __future__ import annotations

import json
from typing import cast

from cloudevents.core.bindings.http import from_http_event, to_structured_event

from activities.webhooks import (
    WebhookActivities,
    WebhookOptions,
    cloud_event,
    sign,
    verify_signature,
)
from domain.events import EventKind
from domain.presentation import summarize
from domain.stages import Stage
from integrations import WebhookSubscriber
from records import RecordStore
from tests.support import at_stage

SECRET = "rahasia"


def test_a_cloudevent_per_event_with_business_names_only() -> None:
    nom = at_stage(Stage.PANEL_SCORING)
    event = nom.events[-1]  # panel_assigned: its facts name the panel's jurors
    message = to_structured_event(cloud_event(summarize(nom), event, "https://ovop.test"))
    assert message.headers["content-type"] == "application/cloudevents+json"
    parsed = from_http_event(message)
    assert parsed.get_type() == "id.go.kemenperin.ovop.nomination.panel_assigned"
    assert parsed.get_id() == f"{nom.id}/{event.seq}"
    assert parsed.get_subject() == nom.id and parsed.get_source() == "https://ovop.test"
    assert parsed.get_time() == event.at
    body = json.loads(message.body)
    assert body["data"]["nomination"]["ikm_name"] == nom.proposal.ikm.name
    assert not {"panel", "jurors"} & set(body["data"]["event"]["facts"])
    assert "user_id" not in body["data"]["event"]["actor"]
    text = message.body.decode()
    for personal in (nom.proposal.ikm.owner.name, str(nom.proposal.ikm.owner.email), "@"):
        assert personal not in text
    assert all(juror not in text for juror in nom.panel)


def test_the_signature_holds_for_the_body_sent_and_nothing_else() -> None:
    body = b'{"id":"ovop-2026-x/1"}'
    header = sign(SECRET, body, 1_800_000_000)
    assert header.startswith("t=1800000000,v1=")
    assert verify_signature(SECRET, header, body, now=1_800_000_010)
    assert not verify_signature(SECRET, header, body + b" ", now=1_800_000_010)
    assert not verify_signature("lain", header, body, now=1_800_000_010)
    assert not verify_signature(SECRET, header, body, now=1_800_000_000 + 3600)  # replayed late
    assert not verify_signature(SECRET, "v1=abc", body)


def test_subscribers_by_kind() -> None:
    def subscriber(name: str, events: list[EventKind]) -> WebhookSubscriber:
        return WebhookSubscriber.model_validate(
            {"name": name, "url": "https://example.test/hook", "secret": SECRET, "events": events}
        )

    store = cast(RecordStore, None)  # not used to answer who subscribes
    hooks = WebhookActivities(
        store,
        [subscriber("siinas", []), subscriber("bpom", [EventKind.AWARDED])],
        WebhookOptions(),
    )
    assert hooks.subscribers_for(EventKind.SCORED) == ["siinas"]
    assert hooks.subscribers_for(EventKind.AWARDED) == ["siinas", "bpom"]
    nobody = WebhookActivities(store, [], WebhookOptions())
    assert nobody.subscribers_for(EventKind.AWARDED) == []
