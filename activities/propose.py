"""A nomination proposed from a small input (the Web UI's Start Workflow form, or
`temporal workflow start`): admitted through its cycle as `ovop nominate` and the API admit it.

The input is the operator's JSON as it came; it is checked here, so that a malformed one is
refused naming its fields instead of failing the workflow's task over and over.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.access import require_proposer
from domain.cycle import already_proposed
from domain.decisions import Actor
from domain.eligibility import eligible
from domain.errors import Refused, problems_from
from domain.nomination import nomination_id
from domain.proposal import Model, Proposal
from workflows.client import nominate
from workflows.refusals import refusal

# The memo key naming the ProposeNomination workflow a nomination was started by.
PROPOSED_THROUGH = "proposed_through"


class Submission(Model):
    """What the operator types: the proposal (as `ovop example-proposal` prints it) and who
    proposes it."""

    proposal: Proposal
    submitted_by: Actor


class ProposeInput(Model):
    submission: Any  # as typed in the form: checked by `submission_from`
    # The ProposeNomination workflow's id: a start retried with it finds its own nomination.
    proposed_through: str


def submission_from(data: Any) -> Submission:
    """The submission, eligible and proposed by its proposing office, or `Refused` naming
    each field as the operator typed it."""
    try:
        submission = Submission.model_validate(data)
    except ValidationError as error:
        raise Refused(problems_from(error)) from None
    try:
        eligible(submission.proposal)
    except Refused as error:
        raise error.within("proposal") from None
    require_proposer(submission.submitted_by, submission.proposal, "submitted_by")
    return submission


class ProposeActivities:
    """Starts nominations through their cycle, with the worker's client and task queue."""

    def __init__(self, client: Client, task_queue: str) -> None:
        self._client = client
        self._task_queue = task_queue

    @activity.defn(name="propose_nomination")
    async def propose(self, input: ProposeInput) -> str:
        """The canonical nomination id; a refusal is not retried."""
        try:
            return await self._propose(input)
        except Refused as error:
            raise refusal(error) from None

    async def _propose(self, input: ProposeInput) -> str:
        submission = submission_from(input.submission)
        proposal = submission.proposal
        memo = {PROPOSED_THROUGH: input.proposed_through}
        try:
            handle = await nominate(
                self._client, proposal, submission.submitted_by, self._task_queue, memo=memo
            )
        except WorkflowAlreadyStartedError:
            nid = nomination_id(proposal.cycle, proposal.ikm.nib, proposal.product.name)
            if await self._started_by(nid) == input.proposed_through:
                return nid  # this start, retried after it went through
            raise already_proposed(proposal.cycle, nid).within("proposal") from None
        return handle.id

    async def _started_by(self, nid: str) -> str | None:
        memo = await (await self._client.get_workflow_handle(nid).describe()).memo()
        started_by = memo.get(PROPOSED_THROUGH)
        return started_by if isinstance(started_by, str) else None
