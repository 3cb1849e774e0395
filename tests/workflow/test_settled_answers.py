"""A decision's Update answers once what it set going has come (release 1.6): the award
with its certificate number, the lab's findings with the jurors the cycle seats. A
nomination started before 1.6 answers at once, `settling`, and `decide` asks after it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from domain.decisions import DecisionResult
from domain.labs import route_lab
from domain.stages import Stage
from tests.support import confirm, findings, fresh, history_events, passes, proposer, sheet
from tests.workflow.conftest import CONFIG, Calls, Handle, Nominations, state, to_panel
from tests.workflow.test_cycle import a_cycle, made_today
from workflows.client import decide
from workflows.inputs import NominationInput
from workflows.nomination import NominationWorkflow

CERTIFICATE = "issue_certificate"


async def scored(handle: Handle) -> None:
    for j in (await state(handle)).panel:
        await decide(handle, sheet(j, 85))


async def answered_after_certificate(handle: Handle) -> bool:
    """Whether the award's Update was answered after its certificate number came, in a
    later workflow task than the one that accepted it."""
    events = await history_events(handle)
    by_id = {e.event_id: e for e in events}

    def is_certificate(e: HistoryEvent) -> bool:
        if e.event_type != EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            return False
        scheduled = by_id[e.activity_task_completed_event_attributes.scheduled_event_id]
        return scheduled.activity_task_scheduled_event_attributes.activity_type.name == (
            CERTIFICATE
        )

    certificate = next(e.event_id for e in events if is_certificate(e))
    answered = max(
        e.event_id
        for e in events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED
    )
    return answered > certificate


async def test_the_award_answers_with_its_certificate_number(
    nominations: Nominations, calls: Calls
) -> None:
    handle, p = await nominations.start()
    await to_panel(handle, p)
    await scored(handle)

    # The Update itself, as the Web UI or any client sends it: no Query after it.
    result = await handle.execute_update("decide_award", confirm(), result_type=DecisionResult)

    assert not result.settling
    assert result.stage == Stage.AWARDED
    assert result.certificate_number == calls.certificates[handle.id]
    assert result.message == "penghargaan ditetapkan"
    assert await answered_after_certificate(handle)


async def test_a_slow_certificate_leaves_the_decision_taken_and_said_so(
    nominations: Nominations, calls: Calls
) -> None:
    calls.certificates_held = asyncio.Event()
    handle, p = await nominations.start()
    await to_panel(handle, p)
    await scored(handle)

    try:
        result = await decide(handle, confirm(), settle_within=timedelta(seconds=0.5))
    finally:
        calls.certificates_held.set()

    assert result.settling
    assert result.stage == Stage.AWARD_DECISION
    assert result.certificate_number is None
    assert "nomor sertifikat sedang diterbitkan" in result.message
    summary = await handle.result()
    assert summary.stage == Stage.AWARDED
    assert summary.certificate_number == calls.certificates[handle.id]


async def test_a_nomination_started_before_1_6_answers_at_once_and_decide_asks_after(
    nominations: Nominations, calls: Calls
) -> None:
    p = fresh(0)
    # The start input of release 1.5, which had no `answers_settled`: read as false.
    handle: Handle = await nominations.client.start_workflow(
        NominationWorkflow.run,
        NominationInput(proposal=p, config=CONFIG, submitted_by=proposer(p), corrected_rules=True),
        id=f"lama-{p.ikm.nib}",
        task_queue=nominations.task_queue,
    )
    nominations.handles.append(handle)
    await to_panel(handle, p)
    await scored(handle)

    result = await decide(handle, confirm())

    assert result.stage == Stage.AWARDED
    assert result.certificate_number == calls.certificates[handle.id]
    # Its Update was answered in the workflow task that took it, before the number came.
    assert not await answered_after_certificate(handle)


async def test_the_lab_findings_answer_once_the_cycle_has_seated_the_jurors(
    nominations: Nominations,
) -> None:
    cycle, _, _ = await a_cycle(nominations)
    p = await made_today(nominations, 0, cycle)
    handle = await nominations.nominate(p)
    await decide(handle, passes())

    result = await handle.execute_update(
        "assess",
        findings(route_lab(p.product.commodity)),
        result_type=DecisionResult,
    )

    assert not result.settling
    assert result.stage == Stage.PANEL_SCORING
    assert "juri sedang ditugaskan" not in result.message
    seated = await state(handle)
    assert len(seated.panel) == CONFIG.panel.size


async def test_a_decision_that_sets_nothing_going_is_answered_by_its_one_call(
    nominations: Nominations, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle, _ = await nominations.start()
    service = nominations.client.workflow_service
    polls = 0
    poll = service.poll_workflow_execution_update

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal polls
        polls += 1
        return await poll(*args, **kwargs)

    monkeypatch.setattr(service, "poll_workflow_execution_update", counted)

    result = await decide(handle, passes())

    assert result.stage == Stage.TECHNICAL_ASSESSMENT
    assert polls == 0
