"""The record store on each backend: an activity run twice writes once, a late retry never
turns the current row back, and certificate numbers are unique within a cycle; and the rows
it returns hold their tables' columns."""

from __future__ import annotations

import asyncio
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table

from activities.mail import Mailer, MailRenderer, SmtpConfig
from activities.notify import Notifier, NotifyInput
from api.idempotency import ClaimedKey, api_idempotency
from domain.examples import example_cycle_config
from domain.nomination import Nomination
from domain.notifications import recipients_for
from domain.presentation import NominationSummary, summarize
from records import (
    NominationRow,
    NotificationRow,
    RecordStore,
    TransitionRow,
    WebhookAttemptRow,
    WebhookDeliveryRow,
)
from records.schema import (
    nominations,
    notifications,
    transitions,
    webhook_attempts,
    webhook_deliveries,
)
from tests.integration.conftest import free_port
from tests.plenary_support import sample_decree
from tests.support import fresh, passes, proposer

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def verified_nomination() -> Nomination:
    p = fresh(0)
    nom = Nomination.propose(p, example_cycle_config("2026"), proposer(p))
    nom.start(T0)
    nom.apply(passes(), T0 + timedelta(hours=2))
    return nom


def as_of(nom: Nomination, seq: int) -> NominationSummary:
    """The summary the workflow sent along with event `seq`."""
    event = nom.events[seq - 1]
    return summarize(nom).model_copy(
        update={"stage": event.to_stage, "last_seq": seq, "updated_at": event.at}
    )


async def test_an_event_recorded_twice_is_written_once(store: RecordStore) -> None:
    nom = verified_nomination()
    first = nom.events[0]

    assert await store.record(as_of(nom, 1), first) is True
    assert await store.record(as_of(nom, 1), first) is False

    rows = await store.transitions_of(nom.id)
    assert [(r.seq, r.kind, r.to_stage) for r in rows] == [(1, "proposed", "ADMIN_VERIFICATION")]
    assert rows[0].at == first.at and rows[0].at.tzinfo is not None
    assert rows[0].facts == first.facts


async def test_a_late_retry_never_turns_the_current_row_back(store: RecordStore) -> None:
    nom = verified_nomination()
    await store.record(as_of(nom, 2), nom.events[1])
    await store.record(as_of(nom, 1), nom.events[0])  # the first event's retry arrives last

    row = await store.nomination(nom.id)
    assert row is not None
    assert (row.stage, row.last_seq) == ("TECHNICAL_ASSESSMENT", 2)
    assert row.updated_at == nom.events[1].at
    assert [r.seq for r in await store.transitions_of(nom.id)] == [1, 2]


MAIL: dict[str, Any] = {
    "nomination_id": "n-1",
    "seq": 3,
    "recipient": "Dinas.Perindustrian@Example.id",
    "audience": "proposer",
    "subject": "Usulan lolos verifikasi",
    "message_id": "<n-1.3.abc@ovop.kemenperin.go.id>",
}


async def test_a_message_is_handed_over_then_settled_once_per_event_and_recipient(
    store: RecordStore,
) -> None:
    assert await store.mail_status("n-1", 3, "dinas.perindustrian@example.id") is None
    assert await store.hand_over(**MAIL) == 1
    assert await store.mail_status("n-1", 3, "dinas.perindustrian@example.id") == "sending"
    everyone = ["Dinas.Perindustrian@example.id", "bidang.ikm@example.id"]
    assert await store.settled("n-1", 3, everyone) == set()

    await store.settle_notification("n-1", 3, "dinas.perindustrian@example.id", "sent")

    assert await store.settled("n-1", 3, everyone) == {"dinas.perindustrian@example.id"}
    assert await store.settled("n-1", 4, everyone) == set()
    assert await store.hand_over(**MAIL) is None  # settled: it never goes again
    [row] = await store.notifications_of("n-1")
    assert (row.status, row.handovers) == ("sent", 1)


async def test_a_handover_never_confirmed_is_counted_when_it_goes_again(
    store: RecordStore,
) -> None:
    assert await store.hand_over(**MAIL) == 1  # ... and the worker died before the answer
    assert await store.hand_over(**MAIL) == 2
    await store.settle_notification("n-1", 3, "dinas.perindustrian@example.id", "sent")

    [row] = await store.notifications_of("n-1")
    assert (row.status, row.handovers) == ("sent", 2)


async def test_certificate_numbers_are_unique_within_a_cycle(store: RecordStore) -> None:
    ids = [f"ovop-2026-n{i}" for i in range(8)]
    numbers = await asyncio.gather(*(store.issue_certificate(n, "2026") for n in ids))

    assert sorted(numbers) == [f"{i:04d}/OVOP/IKMA/2026" for i in range(1, 9)]
    again = await asyncio.gather(*(store.issue_certificate(n, "2026") for n in ids))
    assert again == numbers  # a retried activity gets the number it was given
    assert await store.issue_certificate("ovop-2028-n0", "2028") == "0001/OVOP/IKMA/2028"


async def test_the_decree_is_kept_once_and_read_back_whole(store: RecordStore) -> None:
    _, _, decree = sample_decree()
    assert await store.decree(decree.cycle) is None
    await asyncio.gather(store.record_decree(decree), store.record_decree(decree))
    assert await store.decree(decree.cycle) == decree  # a retry alongside wrote nothing more


@pytest.mark.parametrize(
    ("row", "table"),
    [
        (NominationRow, nominations),
        (TransitionRow, transitions),
        (NotificationRow, notifications),
        (WebhookDeliveryRow, webhook_deliveries),
        (WebhookAttemptRow, webhook_attempts),
        (ClaimedKey, api_idempotency),
    ],
)
def test_each_row_type_holds_its_tables_columns(row: type[Any], table: Table) -> None:
    assert [f.name for f in fields(row)] == list(table.c.keys())


async def test_a_retry_with_everyone_mailed_needs_no_mail_server(store: RecordStore) -> None:
    # The event's activity is retried for another part (a webhook receiver down): the
    # letters all went, and the mail server, down now, is not asked for a connection.
    nom = verified_nomination()
    event = nom.events[1]
    recipients = recipients_for(nom, event)
    assert recipients
    down = Mailer(SmtpConfig(port=free_port(), timeout=2))
    for r in recipients:
        await store.hand_over(
            **{**MAIL, "nomination_id": nom.id, "seq": event.seq, "recipient": str(r.email)}
        )
        await store.settle_notification(nom.id, event.seq, str(r.email), "sent")
    notifier = Notifier(down, MailRenderer(), store)
    mail = NotifyInput(
        nomination=as_of(nom, event.seq), event=event, recipients=recipients, lab_address="-"
    )

    result = await notifier.send(mail, retry=True)

    assert result.already_sent == [str(r.email) for r in recipients]
    assert result.sent == result.refused == []
    with pytest.raises(OSError):  # a first attempt would have gone to the server
        await notifier.send(mail)
