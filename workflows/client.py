"""Starting nominations and sending decisions: the client side, shared by every front end."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.cycle import CycleConfig
from domain.cycle_book import (
    Closing,
    ConfigChange,
    CycleBook,
    CycleSetup,
    CycleStatus,
    Registration,
    cycle_workflow_id,
)
from domain.decisions import (
    Actor,
    AssessmentFindings,
    AwardDecision,
    DeadlineExtension,
    Decision,
    DecisionResult,
    JurorReassignment,
    Resubmission,
    ScoreSheet,
    VerifyDecision,
    Withdrawal,
)
from domain.eligibility import eligibility_problems
from domain.errors import Problem, Refused
from domain.labs import route_lab
from domain.nomination import nomination_id
from domain.presentation import NominationSummary, static_details, summary_line
from domain.proposal import Proposal
from domain.stages import Stage
from workflows import names
from workflows.cycle import CycleWorkflow
from workflows.inputs import CycleInput, NominationInput
from workflows.names import CYCLE, TASK_QUEUE
from workflows.nomination import NominationWorkflow

Handle = WorkflowHandle[NominationWorkflow, NominationSummary]


async def open_cycle(
    client: Client, setup: CycleSetup, task_queue: str = TASK_QUEUE
) -> WorkflowHandle[CycleWorkflow, CycleStatus]:
    """Open a cycle: its configuration checked first, then its workflow started once."""
    CycleBook.open(setup, datetime.now(UTC))  # raises Refused, naming the field
    config = setup.config.with_national_calendar()
    cycle = config.cycle
    return await client.start_workflow(
        CycleWorkflow.run,
        CycleInput(setup=setup.model_copy(update={"config": config})),
        id=cycle_workflow_id(cycle),
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        search_attributes=TypedSearchAttributes([SearchAttributePair(CYCLE, cycle)]),
        static_summary=f"Siklus OVOP {cycle} · pengusulan {setup.window.describe()}",
    )


CycleHandle = WorkflowHandle[CycleWorkflow, CycleStatus]


async def configure_cycle(handle: CycleHandle, change: ConfigChange) -> str:
    """A new configuration version, for nominations that start from now on."""
    try:
        return await handle.execute_update(CycleWorkflow.configure, change)
    except WorkflowUpdateFailedError as failed:
        raise refused_from(failed) from failed


async def close_cycle(handle: CycleHandle, closing: Closing) -> CycleStatus:
    """Close the cycle once its window is over and every nomination has ended."""
    try:
        return await handle.execute_update(CycleWorkflow.close, closing)
    except WorkflowUpdateFailedError as failed:
        raise refused_from(failed) from failed


async def nominate(
    client: Client,
    proposal: Proposal,
    submitted_by: Actor,
    task_queue: str = TASK_QUEUE,
    memo: dict[str, Any] | None = None,
) -> Handle:
    """Propose through the cycle: it checks the window and gives the rules to run under,
    and balances the panels; then the nomination starts."""
    problems = eligibility_problems(proposal)
    if problems:
        raise Refused(problems)
    cycle = client.get_workflow_handle(cycle_workflow_id(proposal.cycle))
    registration = Registration(
        nomination_id=nomination_id(proposal.cycle, proposal.ikm.nib, proposal.product.name),
        commodity=proposal.product.commodity,
        province=proposal.sentra.province,
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
        proposal,
        admission.config,
        submitted_by,
        task_queue,
        cycle_workflow_id=cycle.id,
        memo=memo,
    )


async def start_nomination(
    client: Client,
    proposal: Proposal,
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
    problems = eligibility_problems(proposal)
    if proposal.cycle != config.cycle:
        problems.append(
            Problem(
                "cycle", f"usulan untuk siklus {proposal.cycle}, konfigurasi siklus {config.cycle}"
            )
        )
    if problems:
        raise Refused(problems)
    return await client.start_workflow(
        NominationWorkflow.run,
        NominationInput(
            proposal=proposal,
            config=config.with_national_calendar(),
            submitted_by=submitted_by,
            cycle_workflow_id=cycle_workflow_id,
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
) -> DecisionResult:
    """Send a decision as the matching workflow Update; a refusal raises `Refused`."""
    try:
        match decision:
            case VerifyDecision():
                return await handle.execute_update(
                    NominationWorkflow.verify, decision, id=update_id
                )
            case Resubmission():
                return await handle.execute_update(
                    NominationWorkflow.resubmit, decision, id=update_id
                )
            case AssessmentFindings():
                return await handle.execute_update(
                    NominationWorkflow.assess, decision, id=update_id
                )
            case ScoreSheet():
                return await handle.execute_update(NominationWorkflow.score, decision, id=update_id)
            case AwardDecision():
                return await handle.execute_update(
                    NominationWorkflow.decide_award, decision, id=update_id
                )
            case Withdrawal():
                return await handle.execute_update(
                    NominationWorkflow.withdraw, decision, id=update_id
                )
            case DeadlineExtension():
                return await handle.execute_update(
                    NominationWorkflow.extend_deadline, decision, id=update_id
                )
            case JurorReassignment():
                return await handle.execute_update(
                    NominationWorkflow.reassign_juror, decision, id=update_id
                )
    except WorkflowUpdateFailedError as failed:
        raise refused_from(failed) from failed
    raise TypeError(f"not a decision: {decision!r}")


def refused_from(failed: WorkflowUpdateFailedError) -> Refused:
    """The workflow's refusal, with each field at fault, as the client raised it."""
    cause = failed.cause
    if isinstance(cause, ApplicationError) and cause.type == "Refused" and cause.details:
        return Refused([Problem(d["field"], d["message"]) for d in cause.details])
    message = str(cause) if cause is not None else str(failed)
    while isinstance(cause, ApplicationError) and cause.cause is not None:
        cause = cause.cause
        message = f"{message}: {cause}"
    return Refused.one("(input)", message)
