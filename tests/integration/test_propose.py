"""`ProposeNomination`, the small start of the Web UI's form and of `temporal workflow start`:
the nomination it starts is admitted by its cycle like any other, and a refusal fails it at
once with the cycle's reasons, each naming its field."""

# ruff: noqa: F811  (`ovop`, the fixture of test_cli.py, is imported to be used as one)

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.propose import PROPOSED_THROUGH
from domain.eligibility import parse_proposal
from domain.examples import submission_of as submission
from domain.nomination import nomination_id
from domain.stages import Stage
from tests.integration.test_cli import Ovop, eventually, ovop  # noqa: F401
from tests.support import OWN_CYCLE, fresh_raw, unique_cycle
from workflows.names import PROPOSE_NOMINATION
from workflows.refusals import REFUSED

pytestmark = pytest.mark.integration


async def propose(env: WorkflowEnvironment, ovop: Ovop, data: Any, workflow_id: str = "") -> str:
    """Start ProposeNomination by its name, as the Web UI's form does, and wait for it."""
    result: str = await env.client.execute_workflow(
        PROPOSE_NOMINATION,
        data,
        id=workflow_id or f"usul-{uuid.uuid4()}",
        task_queue=ovop.env["OVOP_TASK_QUEUE"],
        result_type=str,
        # A start that can never finish (its activity retried for ever) fails the test
        # rather than hanging the suite.
        execution_timeout=timedelta(minutes=2),
    )
    return result


async def refusal(env: WorkflowEnvironment, ovop: Ovop, data: Any) -> ApplicationError:
    with pytest.raises(WorkflowFailureError) as failed:
        await propose(env, ovop, data)
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == REFUSED, cause
    assert cause.non_retryable
    return cause


async def test_a_small_start_is_admitted_by_its_cycle_like_any_other(
    dev_env: WorkflowEnvironment, ovop: Ovop
) -> None:
    raw = fresh_raw(0, ovop.cycle, date.today())
    p = parse_proposal(raw)
    workflow_id = f"usul-{uuid.uuid4()}"
    nid = await propose(dev_env, ovop, submission(raw), workflow_id)

    assert nid == nomination_id(p.cycle, p.ikm.nib, p.product.name)
    status = await ovop.json("cycle status {cycle}", cycle=ovop.cycle)
    assert status["nominations"] == 1 and status["by_stage"] == {"ADMIN_VERIFICATION": 1}
    memo = await (await dev_env.client.get_workflow_handle(nid).describe()).memo()
    assert memo[PROPOSED_THROUGH] == workflow_id

    async def listed() -> bool:
        rows = await ovop.json("list --cycle {cycle}", cycle=ovop.cycle)
        return [r["id"] for r in rows] == [nid]

    await eventually(listed)
    await ovop("verify {id} --pass --as verif.rina", id=nid)
    assert (await ovop.json("show {id}", id=nid))["stage"] == Stage.TECHNICAL_ASSESSMENT

    # The same start again (a retried activity meets its own nomination): the same id,
    # not "already proposed", and the cycle still counts one.
    assert await propose(dev_env, ovop, submission(raw), workflow_id) == nid
    assert (await ovop.json("cycle status {cycle}", cycle=ovop.cycle))["nominations"] == 1

    # Another start of the same proposal is a second proposal: refused, naming the product.
    twice = await refusal(dev_env, ovop, submission(raw))
    assert "proposal.product.name: usulan untuk IKM dan produk ini" in twice.message
    assert nid in twice.message
    assert twice.details[0]["kind"] == "conflict"


async def test_an_invalid_submission_fails_at_once_naming_each_field(
    dev_env: WorkflowEnvironment, ovop: Ovop
) -> None:
    raw = fresh_raw(1, ovop.cycle, date.today())
    del raw["ikm"]["nib"]
    data = submission(fresh_raw(1, ovop.cycle, date.today())) | {"proposal": raw}
    data["submitted_by"]["role"] = "pengusul"
    refused = await refusal(dev_env, ovop, data)
    fields = [field for field, _ in refused.details[0]["problems"]]
    assert fields == ["proposal.ikm.nib", "submitted_by.role"], refused.message
    assert "proposal.ikm.nib: wajib diisi" in refused.message

    not_an_object = await refusal(dev_env, ovop, [raw])
    assert "harus berupa objek" in not_an_object.message


async def test_only_the_proposing_office_proposes(dev_env: WorkflowEnvironment, ovop: Ovop) -> None:
    data = submission(fresh_raw(2, ovop.cycle, date.today()))
    data["submitted_by"]["institution"] = "Dinas Perindustrian Kota Lain"
    refused = await refusal(dev_env, ovop, data)
    assert refused.details[0]["problems"][0][0] == "submitted_by.institution"
    assert refused.details[0]["kind"] == "access"

    data = submission(fresh_raw(2, ovop.cycle, date.today()))
    data["submitted_by"]["role"] = "operator"
    refused = await refusal(dev_env, ovop, data)
    assert refused.details[0]["problems"][0][0] == "submitted_by.role"


async def test_a_proposal_outside_its_window_is_refused_with_the_dates(
    dev_env: WorkflowEnvironment, ovop: Ovop
) -> None:
    closed = unique_cycle()
    today = date.today()
    await ovop(
        "cycle open {cycle} --as op.sari --opens {opens} --closes {closes} --reason {reason}",
        cycle=closed,
        opens=(today - timedelta(days=60)).isoformat(),
        closes=(today - timedelta(days=1)).isoformat(),
        reason=OWN_CYCLE,
    )
    refused = await refusal(dev_env, ovop, submission(fresh_raw(0, closed, date.today())))
    assert refused.message.startswith("proposed_on: tanggal usulan")
    assert f"di luar masa pengusulan; masa pengusulan siklus OVOP {closed}" in refused.message
    assert (await ovop.json("cycle status {cycle}", cycle=closed))["nominations"] == 0

    # A cycle of its own, never opened: a year written out here (2099 was) is one that
    # another test on this server may be handed and have opened, its worker gone since.
    unopened = await refusal(dev_env, ovop, submission(fresh_raw(0, unique_cycle())))
    assert "belum dibuka" in unopened.message
