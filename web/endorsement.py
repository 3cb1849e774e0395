"""The provincial office's form on its task page (`endorsement`): it endorses a regency's
proposal or returns it with a reason; where the cycle sets a quota for the commodity, the
page shows it and the places the province has taken, as the cycle's book counts them
(`domain.endorsement.endorsed_alike`). The cycle checks the quota again when the decision
arrives; the page only lays it out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError

from domain.cycle_book import cycle_workflow_id
from domain.endorsement import endorsed_alike
from domain.nomination import Nomination
from web.task import FORMS, DecisionForm
from workflows.cycle import CycleWorkflow

BOOK_WITHIN = timedelta(seconds=5)  # a page waits this long for the cycle's count


async def _quota(client: Client, nom: Nomination) -> dict[str, Any]:
    """The province's quota for the nomination's commodity, and the nominations it has
    endorsed so far (None where the cycle did not answer); nothing without a quota."""
    rules = nom.config.endorsement
    quota = rules.quota.get(nom.proposal.product.commodity) if rules else None
    if quota is None:
        return {"quota": None}
    handle = client.get_workflow_handle_for(CycleWorkflow.run, cycle_workflow_id(nom.config.cycle))
    try:
        book = await handle.query(CycleWorkflow.book, rpc_timeout=BOOK_WITHIN)
    except (RPCError, WorkflowQueryFailedError):
        return {"quota": quota, "endorsed": None}
    p = nom.proposal
    endorsed = endorsed_alike(book.entries.values(), p.sentra.province, p.product.commodity)
    return {"quota": quota, "endorsed": endorsed, "places_left": max(quota - len(endorsed), 0)}


def register() -> None:
    FORMS["endorse"] = DecisionForm(asked=_quota)
