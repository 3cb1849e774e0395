"""Input that does not fit its model, as any Temporal client may send it (the Web UI's Start
Workflow form, `temporal workflow start --input`): the start fails at once, the Update is
refused at once, each naming the fields at fault in Indonesian."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from tests.support import assert_no_trace, history_events
from tests.workflow.conftest import Nominations
from workflows.refusals import REFUSED, refused_from


async def test_a_start_with_missing_fields_fails_at_once_naming_them(
    nominations: Nominations,
) -> None:
    handle = await nominations.client.start_workflow(
        "NominationWorkflow",
        {"proposal": {}},
        id=f"bad-start-{uuid.uuid4()}",
        task_queue=nominations.task_queue,
    )
    with pytest.raises(WorkflowFailureError) as failed:
        await asyncio.wait_for(handle.result(), timeout=10)
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == REFUSED
    assert cause.non_retryable
    message = str(cause)
    for field in ("proposal.cycle", "proposal.ikm", "config", "submitted_by"):
        assert f"{field}: wajib diisi" in message, message
    kinds = [e.event_type for e in await history_events(handle)]
    assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in kinds
    assert kinds[-1] == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED


async def test_an_update_that_is_not_its_model_is_refused_naming_the_fields(
    nominations: Nominations,
) -> None:
    handle, _ = await nominations.start()
    before = await history_events(handle)
    update_id = f"bad-verify-{uuid.uuid4()}"
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await handle.execute_update("verify", {"actor": {"user_id": "verif.rina"}}, id=update_id)
    refused = refused_from(failed.value)
    assert {"actor.role", "actor.institution", "outcome"} <= set(refused.fields)
    assert "actor.role: wajib diisi" in str(refused)
    await assert_no_trace(handle, before, [update_id])
