"""Starting nominations and sending decisions: the client side, shared by every front end."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
    WorkflowUpdateStage,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from domain.cycle import CycleConfig
from domain.cycle_book import (
    Closing,
    ConfigChange,
    CycleBook,
    CycleSetup,
    CycleStatus,
    PlenaryOpening,
    Registration,
    cycle_workflow_id,
)
from domain.decisions import Actor, Decision, DecisionResult, ProvincialEndorsement, kind_of
from domain.decree import Decree, DecreeOrder
from domain.eligibility import Eligible, eligible
from domain.endorsement import EndorsementRequest
from domain.errors import Refused
from domain.labs import route_lab
from domain.nomination import nomination_id
from domain.plenary import AgreedList, Ranking
from domain.presentation import NominationSummary, static_details, summary_line
from domain.proposal import Proposal
from domain.stages import Stage
from workflows import names
from workflows.cycle import CycleWorkflow
from workflows.inputs import CycleInput, NominationInput
from workflows.names import CYCLE, TASK_QUEUE
from workflows.nomination import NominationWorkflow
from workflows.refusals import refused_from
from workflows.visibility import last_cycle

Handle = WorkflowHandle[NominationWorkflow, NominationSummary]
P = TypeVar("P")
R = TypeVar("R")
# How long `decide` waits for what a decision set going (a certificate number, jurors).
SETTLE_WITHIN = timedelta(seconds=30)
# How long `decide` asks, after that, where a decision it has not had the answer to stands.
OUTCOME_WITHIN = timedelta(seconds=10)


async def open_cycle(
    client: Client, setup: CycleSetup, task_queue: str = TASK_QUEUE
) -> WorkflowHandle[CycleWorkflow, CycleStatus]:
    """Open a cycle: its configuration and its place two years after the last checked
    first, then its workflow started once. The last cycle is looked up in visibility unless
    `setup.previous_cycle` names it."""
    if setup.previous_cycle is None:
        previous = await last_cycle(client, setup.config.cycle)
        setup = setup.model_copy(update={"previous_cycle": previous})
    CycleBook.open(setup, datetime.now(UTC))  # raises Refused, naming the field
    config = setup.config.with_national_calendar()
    cycle = config.cycle
    return await client.start_workflow(
        CycleWorkflow.run,
        CycleInput(setup=setup.model_copy(update={"config": config}), corrected_rules=True),
        id=cycle_workflow_id(cycle),
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        search_attributes=TypedSearchAttributes([SearchAttributePair(CYCLE, cycle)]),
        static_summary=f"Siklus OVOP {cycle} · pengusulan {setup.window.describe()}",
    )


CycleHandle = WorkflowHandle[CycleWorkflow, CycleStatus]


async def configure_cycle(handle: CycleHandle, change: ConfigChange) -> str:
    """A new configuration version, for nominations that start from now on."""
    return await _cycle_update(handle, CycleWorkflow.configure, change)


async def close_cycle(handle: CycleHandle, closing: Closing) -> CycleStatus:
    """Close the cycle once its window is over and every nomination has ended."""
    return await _cycle_update(handle, CycleWorkflow.close, closing)


async def open_plenary(handle: CycleHandle, opening: PlenaryOpening) -> Ranking:
    """Open a commodity's plenary: its nominees ranked side by side."""
    return await _cycle_update(handle, CycleWorkflow.open_plenary, opening)


async def agree_plenary(handle: CycleHandle, agreed: AgreedList) -> str:
    """Record the list a commodity's plenary agreed."""
    return await _cycle_update(handle, CycleWorkflow.agree, agreed)


async def issue_decree(handle: CycleHandle, order: DecreeOrder) -> Decree:
    """Issue the cycle's decree from the agreed lists; the nominations end with it."""
    return await _cycle_update(handle, CycleWorkflow.issue_decree, order)


async def _cycle_update(
    handle: CycleHandle, update: UpdateMethodMultiParam[[CycleWorkflow, P], R], arg: P
) -> R:
    """Send the cycle an Update; its refusal raised as `Refused`."""
    try:
        return await handle.execute_update(update, arg)
    except WorkflowUpdateFailedError as failed:
        raise refused_from(failed) from failed


async def nominate(
    client: Client,
    checked: Proposal | Eligible,
    submitted_by: Actor,
    task_queue: str = TASK_QUEUE,
    memo: dict[str, Any] | None = None,
) -> Handle:
    """Propose through the cycle: it checks the proposal's date against its window and its
    own today, gives the rules to run under, and balances the panels; then the nomination
    starts."""
    checked = eligible(checked)
    proposal = checked.proposal
    cycle = client.get_workflow_handle(cycle_workflow_id(proposal.cycle))
    registration = Registration(
        nomination_id=nomination_id(proposal.cycle, proposal.ikm.nib, proposal.product.name),
        commodity=proposal.product.commodity,
        province=proposal.sentra.province,
        proposed_on=proposal.proposed_on,
    )
    try:
        admission = await cycle.execute_update(CycleWorkflow.register, registration)
    except WorkflowUpdateFailedError as failed:
        raise refused_from(failed) from failed
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise Refused.one(
                "cycle", f"siklus OVOP {proposal.cycle} belum dibuka atau sudah selesai"
            ) from error
        raise
    return await start_nomination(
        client,
        checked,
        admission.config,
        submitted_by,
        task_queue,
        cycle_workflow_id=cycle.id,
        memo=memo,
    )


async def start_nomination(
    client: Client,
    checked: Proposal | Eligible,
    config: CycleConfig,
    submitted_by: Actor,
    task_queue: str = TASK_QUEUE,
    cycle_workflow_id: str | None = None,
    memo: dict[str, Any] | None = None,
) -> Handle:
    """Start the nomination's workflow; an ineligible proposal never starts one.

    A second start of the same nomination (same cycle, NIB and product) is refused by
    Temporal, whether the first is still running or has ended, unless the first failed.
    """
    proposal = eligible(checked).proposal
    if proposal.cycle != config.cycle:
        raise Refused.one(
            "cycle", f"usulan untuk siklus {proposal.cycle}, konfigurasi siklus {config.cycle}"
        )
    return await client.start_workflow(
        NominationWorkflow.run,
        NominationInput(
            proposal=proposal,
            config=config.with_national_calendar(),
            submitted_by=submitted_by,
            cycle_workflow_id=cycle_workflow_id,
            corrected_rules=True,
            answers_settled=True,
        ),
        id=nomination_id(proposal.cycle, proposal.ikm.nib, proposal.product.name),
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        # Findable at once, before the workflow's first task sets the rest.
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(names.STAGE, Stage.ADMIN_VERIFICATION.value),
                SearchAttributePair(names.CYCLE, proposal.cycle),
                SearchAttributePair(names.COMMODITY, proposal.product.commodity.value),
                SearchAttributePair(names.PROVINCE, proposal.sentra.province.value),
                SearchAttributePair(names.REGENCY, proposal.sentra.regency),
                SearchAttributePair(names.LAB, route_lab(proposal.product.commodity).value),
            ]
        ),
        static_summary=summary_line(proposal),
        static_details=static_details(proposal),
        memo=memo,
    )


async def decide(
    handle: WorkflowHandle[Any, Any],
    decision: Decision,
    update_id: str | None = None,
    settle_within: timedelta = SETTLE_WITHIN,
) -> DecisionResult:
    """Send a decision as its workflow Update (`DECISIONS`); a refusal raises `Refused`.

    The nomination answers once what the decision set going (the certificate number, the
    jurors the cycle seats) has come with its next events. That answer is waited for up to
    `settle_within`; after it, the decision is taken and its `outcome` says where it
    stands. A nomination started before release 1.6 answers at once, `settling`: its
    `outcome` is asked until it has settled, up to `settle_within` (zero: not at all).
    """
    kind = kind_of(decision)
    if kind.by_cycle:
        return await _decide_by_cycle(handle, decision, update_id, settle_within)
    # Named here, so that a second call can ask after the same Update (the server keeps one
    # per id) if the answer is not back in time.
    update_id = update_id or str(uuid.uuid4())
    try:
        answer = await answered_within(handle, kind.update, decision, update_id, settle_within)
    except WorkflowUpdateFailedError as failed:
        raise refused_from(failed) from failed
    if answer is None:
        # Taken, and what it set going has not come yet (a database or a cycle is slow):
        # where it stands, as the nomination says (no other decision can be taken meanwhile).
        result: DecisionResult = await handle.query(
            NominationWorkflow.outcome, rpc_timeout=OUTCOME_WITHIN
        )
        return result
    if answer.settling and settle_within > timedelta(0):
        return await settled(handle, answer, settle_within)
    return answer


async def answered_within(
    handle: WorkflowHandle[Any, Any],
    update: str,
    decision: Decision,
    update_id: str,
    within: timedelta,
) -> DecisionResult | None:
    """The Update's answer, in one call that waits for it; or None if it has not come
    within `within` but the nomination has taken the decision. A refusal is raised, however
    short `within` is: it comes with the acceptance."""
    if within > timedelta(0):
        answer = await before_deadline(
            within,
            handle.execute_update(update, decision, id=update_id, result_type=DecisionResult),
        )
        if answer is not None:
            return answer
    # The same id again: the server answers for the Update it already has, or takes it now.
    taken = await handle.start_update(
        update,
        decision,
        id=update_id,
        wait_for_stage=WorkflowUpdateStage.ACCEPTED,
        result_type=DecisionResult,
    )
    # Answered with the acceptance (or refused), or not yet: nothing more is waited for.
    return await before_deadline(timedelta(0), taken.result())


async def before_deadline(
    within: timedelta, call: Awaitable[DecisionResult]
) -> DecisionResult | None:
    """What `call` answers within `within`, or None. Only this deadline gives None: a
    cancellation from outside still cancels. (The SDK turns a cancelled call into its own
    error, so the deadline is told apart by the timeout's state, not by the exception.)"""
    deadline = asyncio.timeout(within.total_seconds())
    try:
        async with deadline:
            return await call
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        if deadline.expired():
            return None
        raise


async def _decide_by_cycle(
    handle: WorkflowHandle[Any, Any],
    decision: Decision,
    update_id: str | None,
    settle_within: timedelta,
) -> DecisionResult:
    """A decision its nomination's cycle takes (a provincial endorsement, within the
    province's quota), sent as the cycle's Update; the cycle then tells the nomination,
    which is waited for here to have moved, up to `settle_within`."""
    assert isinstance(decision, ProvincialEndorsement)
    cycle = handle_cycle(handle)
    request = EndorsementRequest(nomination_id=handle.id, endorsement=decision)
    try:
        result: DecisionResult = await cycle.execute_update(
            CycleWorkflow.endorse, request, id=update_id
        )
    except WorkflowUpdateFailedError as failed:
        raise refused_from(failed) from failed
    if settle_within > timedelta(0):
        result = await settled(handle, result, settle_within)
    return result


def handle_cycle(handle: WorkflowHandle[Any, Any]) -> WorkflowHandle[Any, Any]:
    """The cycle of the nomination `handle` names (its id begins with the cycle's year)."""
    year = handle.id.split("-")[1]
    # The SDK's handle keeps the client it came from, though not as public API.
    return handle._client.get_workflow_handle(cycle_workflow_id(year))


async def settled(
    handle: WorkflowHandle[Any, Any], taken: DecisionResult, within: timedelta
) -> DecisionResult:
    """The nomination's `outcome` once it has settled, or the decision's own answer (still
    `settling`) after `within` or if the nomination cannot be asked: the decision is taken
    either way."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + within.total_seconds()
    for pause in look_pauses():
        # Nothing it set going can have come with the answer itself: look after a pause,
        # and once more at the end of `within`, however short it is.
        await asyncio.sleep(max(min(pause, give_up - loop.time()), 0))
        try:
            result = await handle.query(
                NominationWorkflow.outcome,
                rpc_timeout=timedelta(seconds=max(give_up - loop.time(), 0.1)),
            )
        except (WorkflowQueryFailedError, RPCError):
            return taken
        # Taken by the cycle: settled once the nomination has moved where it said.
        if not result.settling and (taken.settling or result.stage == taken.stage):
            return result
        if loop.time() >= give_up:
            break
    return taken


# How long `settled` pauses before each look. What a decision sets going comes in one
# activity and a workflow task or two: a few tens of milliseconds when the worker is idle,
# seconds when it is busy. So the looks come close together at first, then further apart.
FIRST_LOOK = 0.01
LOOK_GROWTH = 1.5
LONGEST_PAUSE = 0.5


def look_pauses() -> Iterator[float]:
    """The pauses before each of `settled`'s looks, in seconds, without end."""
    pause = FIRST_LOOK
    while True:
        yield pause
        pause = min(pause * LOOK_GROWTH, LONGEST_PAUSE)
