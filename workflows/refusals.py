"""A refusal across Temporal: raised in a validator as an `ApplicationError`, and read back
by the client as the same `Refused`, its kind and each field at fault."""

from __future__ import annotations

from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.errors import Problem, RefusalKind, Refused

REFUSED = "Refused"


def refusal(error: Refused) -> ApplicationError:
    """A refused decision as the caller receives it: the message, its kind, each field."""
    return ApplicationError(
        str(error),
        {"kind": error.kind.value, "problems": [[p.field, p.message] for p in error.problems]},
        type=REFUSED,
        non_retryable=True,
    )


def refused_from(failed: WorkflowUpdateFailedError) -> Refused:
    """The workflow's refusal as the client raises it; any other failure of an Update is
    refused input, with what the workflow said."""
    cause = failed.cause
    if isinstance(cause, ApplicationError) and cause.type == REFUSED and cause.details:
        said = cause.details[0]
        problems = [Problem(field, message) for field, message in said["problems"]]
        return Refused(problems, RefusalKind(said["kind"]))
    message = str(cause) if cause is not None else str(failed)
    while isinstance(cause, ApplicationError) and cause.cause is not None:
        cause = cause.cause
        message = f"{message}: {cause}"
    return Refused.one("(input)", message)
