"""The provincial office's endorsement (`endorsement`, release 1.5), through the cycle on
the time-skipping server: a return and the corrected proposal endorsed, the quota per
province and commodity (the next one refused with nothing recorded, a place freed by a
withdrawal), the wrong office refused, and a late province chased."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType

from domain.decisions import EndorseOutcome, Resubmission
from domain.errors import RefusalKind, Refused
from domain.events import EventKind
from domain.proposal import Commodity
from domain.stages import Stage
from tests.support import OPERATOR, endorses, history_events, proposer, withdrawal
from tests.workflow.conftest import Calls, Nominations, state
from tests.workflow.test_cycle import a_cycle, made_today
from workflows.client import decide
from workflows.cycle import CycleWorkflow

GERABAH = 2  # the example proposal from Bantul, DI Yogyakarta


async def test_returned_then_endorsed_the_proposal_goes_on_to_verification(
    nominations: Nominations, calls: Calls
) -> None:
    cycle, book, _ = await a_cycle(nominations, endorsement={})
    p = await made_today(nominations, GERABAH, cycle)
    handle = await nominations.nominate(p)
    nom = await state(handle)
    assert nom.stage == Stage.PROVINCIAL_ENDORSEMENT and nom.deadline is not None
    assert str(p.provincial_office.contact.email) in await calls.mailed(handle.id, "proposed")

    other_office = endorses(p).model_copy(
        update={"actor": endorses(p).actor.model_copy(update={"institution": "Disperindag X"})}
    )
    with pytest.raises(Refused) as refused:
        await decide(handle, other_office)
    assert (refused.value.kind, refused.value.fields) == (
        RefusalKind.ACCESS,
        ["actor.institution"],
    )
    no_reason = endorses(p).model_copy(update={"outcome": EndorseOutcome.RETURN})
    with pytest.raises(Refused) as refused:
        await decide(handle, no_reason)
    assert refused.value.fields == ["reason"]

    returned = await decide(handle, no_reason.model_copy(update={"reason": "lengkapi PIRT"}))
    assert returned.stage == Stage.REVISION_REQUESTED
    assert (await state(handle)).events[-1].kind == EventKind.RETURNED
    resubmitted = await decide(handle, Resubmission(actor=proposer(p), proposal=p, note="ok"))
    assert resubmitted.stage == Stage.PROVINCIAL_ENDORSEMENT  # back to the province
    assert (await decide(handle, endorses(p))).stage == Stage.ADMIN_VERIFICATION
    nom = await state(handle)
    assert [e.kind for e in nom.events] == [
        EventKind.PROPOSED,
        EventKind.RETURNED,
        EventKind.RESUBMITTED,
        EventKind.ENDORSED,
    ]
    desk = str(nom.config.staff.verification_desk.email)
    assert desk in await calls.mailed(handle.id, "endorsed")
    entry = (await book.query(CycleWorkflow.book)).entries[handle.id]
    assert entry.endorsed and entry.returns == 1


async def test_the_province_s_quota_refuses_the_next_one_until_a_place_is_freed(
    nominations: Nominations,
) -> None:
    cycle, _, _ = await a_cycle(nominations, endorsement={"quota": {Commodity.GERABAH: 1}})
    first_p = await made_today(nominations, GERABAH, cycle)
    second_p = await made_today(nominations, GERABAH, cycle)
    first = await nominations.nominate(first_p)
    second = await nominations.nominate(second_p)
    await decide(first, endorses(first_p))

    before = await history_events(second)
    with pytest.raises(Refused) as refused:
        await decide(second, endorses(second_p))
    assert refused.value.fields == ["outcome"]
    assert "kuota rekomendasi DI Yogyakarta untuk komoditas Gerabah sudah penuh" in str(
        refused.value
    )
    assert first.id in str(refused.value)
    # Nothing reached the nomination: the cycle sent it no signal, and it holds no event more.
    after = await history_events(second)
    assert after[: len(before)] == before
    signaled = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    assert [e for e in after[len(before) :] if e.event_type == signaled] == []
    assert [e.kind for e in (await state(second)).events] == [EventKind.PROPOSED]

    await decide(first, withdrawal(OPERATOR))
    await first.result()
    assert (await decide(second, endorses(second_p))).stage == Stage.ADMIN_VERIFICATION


async def test_a_province_that_does_not_decide_is_reminded_then_escalated(
    nominations: Nominations, calls: Calls
) -> None:
    cycle, _, _ = await a_cycle(nominations, endorsement={})
    p = await made_today(nominations, GERABAH, cycle)
    handle = await nominations.nominate(p)
    nom = await state(handle)
    assert nom.deadline is not None
    await nominations.env.sleep(nom.deadline - await nominations.env.get_current_time())
    await nominations.env.sleep(timedelta(minutes=1))
    assert (await state(handle)).escalated
    province = str(p.provincial_office.contact.email)
    assert province in await calls.mailed(handle.id, "escalated")
    assert calls.mail_to(handle.id, "reminded") == {province}
