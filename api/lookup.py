"""A nomination as the API's routes read it: its workflow's answer to a query, and the place
(region, lab) that decides whose key reaches it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from temporalio.client import WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from api.deps import ApiDeps
from api.problems import ApiProblem, not_found
from domain.access import Place
from domain.nomination import Nomination, is_nomination_id
from domain.presentation import NominationSummary
from workflows.nomination import NominationWorkflow

log = logging.getLogger("ovop.api")
T = TypeVar("T")


def place_of(s: NominationSummary | Nomination) -> Place:
    if isinstance(s, Nomination):
        return Place.of_proposal(s.proposal)
    return Place(s.province, s.regency, s.lab)


async def ask(d: ApiDeps, nomination_id: str, query: Callable[[NominationWorkflow], T]) -> T:
    """A query to a nomination's workflow. An id that is not a nomination's (a cycle's,
    say) or that no nomination has is a 404; a nomination that cannot answer, a 503."""
    if not is_nomination_id(nomination_id):
        raise not_found(nomination_id)
    handle = d.client.get_workflow_handle_for(NominationWorkflow.run, nomination_id)
    try:
        return await handle.query(query)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise not_found(nomination_id) from None
        raise
    except WorkflowQueryFailedError as error:
        log.warning("nomination %s did not answer %s: %s", nomination_id, query, error)
        raise ApiProblem(
            503,
            "unavailable",
            "Layanan sementara tidak tersedia",
            f"usulan {nomination_id} sedang tidak dapat dibaca; coba lagi nanti",
            nomination_id=nomination_id,
        ) from None
