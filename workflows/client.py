"""Starting nominations and sending decisions: the client side, shared by every front end."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError

from domain.cycle import CycleConfig
from domain.decisions import (
    Actor,
    AssessmentFindings,
    AwardDecision,
    Decision,
    DecisionResult,
    Resubmission,
    ScoreSheet,
    VerifyDecision,
    Withdrawal,
)
from domain.eligibility import eligibility_problems
from domain.errors import Problem, Refused
from domain.nomination import nomination_id
from domain.presentation import NominationSummary, static_details, summary_line
from domain.proposal import Proposal
from workflows.inputs import NominationInput
from workflows.names import TASK_QUEUE
from workflows.nomination import NominationWorkflow

Handle = WorkflowHandle[NominationWorkflow, NominationSummary]


async def start_nomination(
    client: Client,
    proposal: Proposal,
    config: CycleConfig,
    submitted_by: Actor,
    task_queue: str = TASK_QUEUE,
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
        NominationInput(proposal=proposal, config=config, submitted_by=submitted_by),
        id=nomination_id(proposal.cycle, proposal.ikm.nib, proposal.product.name),
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        static_summary=summary_line(proposal),
        static_details=static_details(proposal),
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
