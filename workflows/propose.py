"""`ProposeNomination`: a nomination started from the Web UI or the `temporal` CLI."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.propose import ProposeActivities, ProposeInput
    from workflows.names import PROPOSE_NOMINATION
    from workflows.refusals import REFUSED

# Refusals are not retried (the activity marks them non-retryable); an unreachable cycle
# or server is, for a while, and then the operator is told.
PROPOSE_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))
PROPOSE_TIMEOUT = timedelta(minutes=1)
PROPOSE_GIVE_UP = timedelta(minutes=10)


@workflow.defn(name=PROPOSE_NOMINATION)
class ProposeNominationWorkflow:
    """Propose one nomination through its cycle, exactly as `ovop nominate` does.

    Input (JSON): `{"proposal": <as ovop example-proposal prints it>, "submitted_by":
    {"user_id": ..., "role": "proposer", "institution": <the proposing office>}}`.
    Result: the nomination's id. A refusal fails the workflow at once, with the cycle's
    reasons, each naming its field. Starting again with the same workflow id after a start
    that went through gives the same nomination back. No queries, signals or updates.
    """

    @workflow.run
    async def run(self, submission: Any) -> str:
        # `Any`: the input is checked by the activity, which names each field at fault; a
        # typed one would fail the workflow's task, again and again, on a typo.
        try:
            return await workflow.execute_activity_method(
                ProposeActivities.propose,
                ProposeInput(submission=submission, proposed_through=workflow.info().workflow_id),
                start_to_close_timeout=PROPOSE_TIMEOUT,
                schedule_to_close_timeout=PROPOSE_GIVE_UP,
                retry_policy=PROPOSE_RETRY,
            )
        except ActivityError as failed:
            refused = failed.cause
            if isinstance(refused, ApplicationError) and refused.type == REFUSED:
                # The refusal itself, not "activity failed", is what the operator reads.
                raise ApplicationError(
                    refused.message, *refused.details, type=REFUSED, non_retryable=True
                ) from None
            raise
