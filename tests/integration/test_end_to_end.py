"""One nomination to its award on the real stack: dev server, SQLite records, SMTP on loopback."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities.events import EventHandled, HandleEventInput
from activities.mail import Mailer
from activities.records import IssueCertificateInput
from domain.access import folded
from domain.examples import example_cycle_config
from domain.labs import route_lab
from domain.nomination import Nomination
from domain.notifications import recipients_for
from domain.stages import Stage
from records import RecordStore
from tests.integration.conftest import SmtpServer
from tests.support import confirm, findings, fresh, passes, proposer, sheet
from web.links import SignInLinks
from worker import activities_for, build_worker
from workflows import names
from workflows.client import decide, start_nomination
from workflows.nomination import NominationWorkflow

pytestmark = pytest.mark.integration

CONFIG = example_cycle_config("2026")
PUBLIC = "https://ovop.example.id"
LINKS = SignInLinks("s" * 40, PUBLIC)


def failing_once_after_success(real: list[Callable[..., Any]]) -> list[Callable[..., Any]]:
    """The real activities, each failing its first attempt *after* doing its work: the
    worst case for duplicates, as when a worker dies before it reports success."""
    by_name = {activity._Definition.must_from_callable(fn).name: fn for fn in real}

    @activity.defn(name="handle_event")
    async def handle_event(input: HandleEventInput) -> EventHandled:
        result: EventHandled = await by_name["handle_event"](input)
        if activity.info().attempt == 1:
            raise RuntimeError("worker lost after writing the record and sending the mail")
        return result

    @activity.defn(name="issue_certificate")
    async def issue_certificate(input: IssueCertificateInput) -> str:
        number: str = await by_name["issue_certificate"](input)
        if activity.info().attempt == 1:
            raise RuntimeError("worker lost after issuing the number")
        return number

    wrapped: list[Callable[..., Any]] = [handle_event, issue_certificate]
    names = {"handle_event", "issue_certificate"}
    return wrapped + [fn for name, fn in by_name.items() if name not in names]


@pytest.mark.parametrize("retry", [False, True], ids=["plain", "every-activity-retried"])
async def test_a_nomination_to_its_award(
    dev_env: WorkflowEnvironment,
    store: RecordStore,
    mailer: Mailer,
    smtp: SmtpServer,
    retry: bool,
) -> None:
    task_queue = f"e2e-{uuid.uuid4()}"
    activities = activities_for(store, mailer, public_url=PUBLIC, task_link=LINKS.for_letter)
    if retry:
        activities = failing_once_after_success(list(activities))
    p = fresh(0)
    async with build_worker(dev_env.client, task_queue, activities):
        handle = await start_nomination(dev_env.client, p, CONFIG, proposer(p), task_queue)
        await decide(handle, passes())
        await decide(handle, findings(route_lab(p.product.commodity)))
        nom: Nomination = await handle.query(NominationWorkflow.state)
        for j in nom.panel:
            await decide(handle, sheet(j, 85))
        result = await decide(handle, confirm())
        summary = await handle.result()
        nom = await handle.query(NominationWorkflow.state)

    assert result.stage == Stage.AWARDED
    assert summary.stars == 3

    # One transition row per event, in order; the stage changes are the five expected.
    rows = await store.transitions_of(handle.id)
    assert [r.seq for r in rows] == list(range(1, len(nom.events) + 1))
    assert [r.kind for r in rows] == [e.kind.value for e in nom.events]
    changes = [r.to_stage for r in rows if r.from_stage != r.to_stage]
    assert changes == [
        "ADMIN_VERIFICATION",
        "TECHNICAL_ASSESSMENT",
        "PANEL_SCORING",
        "AWARD_DECISION",
        "AWARDED",
    ]
    assert rows[1].actor_user_id == "verif.rina" and rows[1].actor_role == "verifier"

    # The nominations row holds the final state.
    row = await store.nomination(handle.id)
    assert row is not None
    assert (row.stage, row.stars, row.final_score) == ("AWARDED", 3, 85.0)
    assert row.certificate_number == summary.certificate_number == "0001/OVOP/IKMA/2026"
    assert row.last_seq == len(nom.events)

    # Each expected recipient got exactly one Indonesian message per event.
    expected = Counter(
        (f"{e.seq}:{e.kind.value}", str(r.email).lower())
        for e in nom.events
        for r in recipients_for(nom, e)
    )
    received = Counter(
        (m["X-OVOP-Event"], rcpt) for rcpt, m in smtp.inbox.for_nomination(handle.id)
    )
    assert received == expected
    assert set(received.values()) == {1}
    awarded = [
        m for _, m in smtp.inbox.for_nomination(handle.id) if m["X-OVOP-Event"].endswith("awarded")
    ]
    assert awarded and "meraih penghargaan IKM OVOP 3 bintang" in awarded[0]["Subject"]
    body = awarded[0].get_content()
    assert "Nomor sertifikat     : 0001/OVOP/IKMA/2026" in body
    assert (await store.notifications_of(handle.id))[0].status == "sent"

    # Each juror's assignment, as delivered, signs that juror in to the task.
    jurors = {str(j.email).lower() for j in nom.seats}
    assigned = {
        rcpt: m.get_content()
        for rcpt, m in smtp.inbox.for_nomination(handle.id)
        if m["X-OVOP-Event"].endswith("panel_assigned")
    }
    assert set(assigned) == jurors
    for rcpt, text in assigned.items():
        [token] = re.findall(re.escape(PUBLIC) + r"/masuk/tautan/(\S+)", text)
        claim = LINKS.read(token)
        assert (claim.email, claim.next) == (folded(rcpt), f"/tugas/{handle.id}")

    # The Web UI's view: search attributes and details on the real server.
    description = await handle.describe()
    assert description.status == WorkflowExecutionStatus.COMPLETED
    attrs = description.typed_search_attributes
    assert attrs.get(names.STAGE) == "AWARDED"
    assert attrs.get(names.STARS) == 3
    assert attrs.get(names.DEADLINE) is None
