"""A cycle whose labs take samples (`lab_testing`, release 1.5), on the time-skipping
server: the dossier verified, the sample asked for, received late, the lab's deadline
counted from its receipt, findings on the commodity's template with a parameter failing,
the panel, and the official who awards with the lab's report in front of them. And a
sample that never comes: the proposing office reminded, then the escalation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.calendar import at_local, local_date
from domain.decisions import AwardDecision, SampleReceipt
from domain.documents import Slot, checked_document
from domain.errors import Refused
from domain.events import EventKind
from domain.examples import example_findings, example_sample_receipt
from domain.lab_testing import SampleCondition
from domain.regions import TimeZone
from domain.stages import Stage
from tests.documents import pdf, png
from tests.support import OFFICIAL, SAMPLES, fresh, passes, sheet
from tests.workflow.conftest import Calls, Nominations, state
from workflows.client import decide

DOSSIER = [
    checked_document(Slot.SENTRA_DECREE, "sk-sentra.pdf", pdf(b"sk sentra")),
    checked_document(Slot.PHOTO, "foto-produk.png", png(b"foto")),
]


async def today(nominations: Nominations) -> date:
    return local_date(await nominations.env.get_current_time(), TimeZone.WIB)


async def test_the_sample_s_receipt_starts_the_lab_s_clock_and_the_official_decides(
    nominations: Nominations, calls: Calls
) -> None:
    p = fresh(4).model_copy(update={"documents": DOSSIER})
    handle, _ = await nominations.start(p, SAMPLES)
    assert (await state(handle)).documents == DOSSIER

    said = await decide(handle, passes())
    assert said.stage == Stage.SAMPLE_AWAITED
    nom = await state(handle)
    verified = nom.events[-1]
    template = SAMPLES.lab_testing.templates[p.product.commodity]  # type: ignore[union-attr]
    assert verified.facts["sample"] == template.sample
    assert str(p.proposing_office.contact.email) in await calls.mailed(handle.id, "verified")

    # The sample arrives some days later, and the lab records it later still: on a day
    # whose deadline, counted from it, differs from one counted from the recording.
    await nominations.env.sleep(timedelta(days=8))
    calendar, rules = nom.config.calendar, nom.config.deadlines
    assert calendar is not None
    recorded = await today(nominations)
    due_from_today = calendar.add_working_days(recorded, rules.assessment_days)
    arrived = next(
        day
        for day in (recorded - timedelta(days=n) for n in range(1, 7))
        if calendar.add_working_days(day, rules.assessment_days) != due_from_today
    )
    receipt = example_sample_receipt(SAMPLES, nom.proposal, arrived)
    with pytest.raises(Refused) as refused:
        await decide(
            handle, receipt.model_copy(update={"received_on": recorded + timedelta(days=1)})
        )
    assert refused.value.fields == ["received_on"]
    damaged = receipt.model_copy(update={"condition": SampleCondition.DAMAGED})
    with pytest.raises(Refused) as refused:
        await decide(handle, damaged)
    assert refused.value.fields == ["note"]
    assert (await state(handle)).stage == Stage.SAMPLE_AWAITED

    said = await decide(handle, receipt)
    assert said.stage == Stage.TECHNICAL_ASSESSMENT
    nom = await state(handle)
    assert nom.sample is not None and nom.sample.received_on == arrived
    from_receipt = calendar.add_working_days(arrived, rules.assessment_days)
    assert from_receipt != due_from_today
    assert nom.deadline == at_local(from_receipt, rules.closes_at, TimeZone.WIB)
    assert nom.events[-1].kind == EventKind.SAMPLE_RECEIVED

    # Findings off the template are refused at the field; on it, a parameter failing.
    failing = example_findings(SAMPLES, nom.proposal, conforms=False)
    off = failing.model_copy(update={"tests": failing.tests[1:]})
    with pytest.raises(Refused) as refused:
        await decide(handle, off)
    assert refused.value.fields == ["tests"]
    said = await decide(handle, failing)
    assert said.stage == Stage.PANEL_SCORING
    nom = await state(handle)
    assert nom.lab_advised_against and "rekomendasi Balai Besar" in str(nom.events[-2].reason)

    for j in nom.panel:
        await decide(handle, sheet(j, 85))
    nom = await state(handle)
    assert nom.stage == Stage.AWARD_DECISION and nom.result is not None
    closed = next(e for e in nom.events if e.kind == EventKind.PANEL_CLOSED)
    assert closed.facts["lab_report"] == failing.report_number
    with pytest.raises(Refused) as refused:
        await decide(handle, AwardDecision(actor=OFFICIAL))
    assert refused.value.fields == ["reason"] and "Balai Besar" in str(refused.value)
    reason = "Kadar air sudah diperbaiki; uji ulang internal IKM memenuhi SNI."
    await decide(handle, AwardDecision(actor=OFFICIAL, reason=reason))
    summary = await handle.result()
    assert summary.stage == Stage.AWARDED and summary.stars == nom.result.recommended_stars
    assert calls.kinds(handle.id) == [
        "proposed",
        "verified",
        "sample_received",
        "assessed",
        "panel_assigned",
        "scored",
        "scored",
        "scored",
        "panel_closed",
        "awarded",
    ]


async def test_a_sample_that_does_not_come_is_chased_then_escalated(
    nominations: Nominations, calls: Calls
) -> None:
    handle, p = await nominations.start(fresh(1), SAMPLES)
    await decide(handle, passes())
    nom = await state(handle)
    assert nom.deadline is not None and nom.plan is not None
    assert nom.plan.zone == p.sentra.province.timezone  # counted in the proposer's own time
    await nominations.env.sleep(nom.deadline - await nominations.env.get_current_time())
    await nominations.env.sleep(timedelta(minutes=1))
    nom = await state(handle)
    assert nom.stage == Stage.SAMPLE_AWAITED and nom.escalated
    proposer = str(p.proposing_office.contact.email)
    escalated = await calls.mailed(handle.id, "escalated")
    assert proposer in escalated
    assert {str(o.email) for o in SAMPLES.staff.operators} <= escalated  # no proposers' supervisor
    assert calls.mail_to(handle.id, "reminded") == {proposer}
    lab = str(SAMPLES.staff.lab_desk(nom.lab).email)
    assert lab not in calls.mail_to(handle.id, "reminded")
    # It arrives after all: the lab records it, and its own clock starts.
    arrived = await today(nominations)
    receipt = SampleReceipt(
        actor=example_sample_receipt(SAMPLES, p, arrived).actor,
        received_on=arrived,
        condition=SampleCondition.INCOMPLETE,
        received_by="Petugas Sampel",
        note="Dua dari tiga buah; label tidak ada.",
    )
    assert (await decide(handle, receipt)).stage == Stage.TECHNICAL_ASSESSMENT
    nom = await state(handle)
    assert not nom.escalated and nom.sample is not None
    assert nom.sample.condition == SampleCondition.INCOMPLETE
