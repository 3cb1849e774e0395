"""What a webhook subscriber receives: a CloudEvent without personal data, and Standard
Webhooks signatures it can check with any Standard Webhooks library."""

from __future__ import annotations

import json
import time
from typing import Any, cast

import pytest
from cloudevents.core.bindings.http import from_http_event, to_structured_event
from pydantic import ValidationError
from standardwebhooks import Webhook, WebhookVerificationError

from activities.webhooks import WebhookActivities, WebhookOptions, cloud_event, signature_headers
from domain.events import EventKind
from domain.presentation import summarize
from domain.stages import Stage
from integrations import WebhookSubscriber, new_webhook_secret
from records import RecordStore
from settings import Settings
from tests.support import at_stage

SECRET, PREVIOUS = new_webhook_secret(), new_webhook_secret()
BODY = b'{"id":"ovop-2026-x/1"}'


def subscriber(name: str = "siinas", **fields: Any) -> WebhookSubscriber:
    return WebhookSubscriber.model_validate(
        {"name": name, "url": "https://example.test/hook", "secret": SECRET, **fields}
    )


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
    now = int(time.time())
    headers = signature_headers(subscriber(), "ovop-2026-x/1", BODY, now)
    assert headers["webhook-id"] == "ovop-2026-x/1"
    assert headers["webhook-timestamp"] == str(now)
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(SECRET).verify(BODY, headers) == {"id": "ovop-2026-x/1"}
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(SECRET).verify(BODY + b" ", headers)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(new_webhook_secret()).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(SECRET).verify(BODY, {**headers, "webhook-id": "ovop-2026-x/2"})
    replayed = signature_headers(subscriber(), "ovop-2026-x/1", BODY, now - 3600)
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(SECRET).verify(BODY, replayed)


def test_while_a_secret_is_rotated_each_message_is_signed_with_both() -> None:
    rotating = subscriber(previous_secret=PREVIOUS)
    headers = signature_headers(rotating, "ovop-2026-x/1", BODY, int(time.time()))
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (SECRET, PREVIOUS):
        assert Webhook(secret).verify(BODY, headers) == {"id": "ovop-2026-x/1"}
    with pytest.raises(WebhookVerificationError):
        Webhook(new_webhook_secret()).verify(BODY, headers)
    with pytest.raises(ValidationError, match="previous_secret sama dengan secret"):
        subscriber(previous_secret=SECRET)


@pytest.mark.parametrize(
    "secret",
    [
        "rahasia-panjang-sekali-tetapi-bukan-whsec",
        "whsec_bukan base64!",
        "whsec_",
        "whsec_QUJD",  # base64, but three bytes: too short to be a key
        "VZ6AthMjbInhU+4qc6gxelxHvP5w7PjK8rnYUBSr0Jw=",  # a good key without its prefix
    ],
)
def test_a_secret_not_in_the_standard_form_is_refused_when_configured(
    secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = {"name": "siinas", "url": "https://example.test/hook", "secret": secret}
    monkeypatch.setenv("OVOP_WEBHOOKS", json.dumps([entry]))
    with pytest.raises(ValidationError, match=r"webhooks\.0\.secret\n.*rahasia webhook") as refused:
        Settings(_env_file=None)
    assert secret not in str(refused.value)  # the secret is not written into the log


def test_subscribers_by_kind() -> None:
    store = cast(RecordStore, None)  # not used to answer who subscribes
    hooks = WebhookActivities(
        store,
        [subscriber("siinas"), subscriber("bpom", events=[EventKind.AWARDED])],
        WebhookOptions(),
    )
    assert hooks.subscribers_for(EventKind.SCORED) == ["siinas"]
    assert hooks.subscribers_for(EventKind.AWARDED) == ["siinas", "bpom"]
    nobody = WebhookActivities(store, [], WebhookOptions())
    assert nobody.subscribers_for(EventKind.AWARDED) == []
