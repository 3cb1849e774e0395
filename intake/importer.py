"""Starting the nominations of a checked spreadsheet: each once, however often it is imported.

Workflow ids are derived from the cycle, NIB and product, so a row already started is
refused by Temporal and reported as skipped, never started twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.errors import Refused
from domain.examples import proposer_of
from domain.proposal import Proposal
from workflows.client import nominate


@dataclass
class ImportResult:
    started: list[tuple[int, str]] = field(default_factory=list)  # (row, nomination id)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # already there
    refused: list[tuple[int, Refused]] = field(default_factory=list)  # by the cycle; a file changed


async def start_rows(
    client: Client,
    rows: list[tuple[int, Proposal]],
    task_queue: str,
    progress: Callable[[int], None] = lambda _: None,
    concurrency: int = 8,
    keep: Callable[[Proposal], Awaitable[None]] | None = None,
) -> ImportResult:
    """Propose each row's nomination in its cycle, a few at a time (a cycle admits ten
    at once); `progress` hears of each one done. `keep` stores a row's documents first
    (`intake.dossier.keep_documents`)."""
    result = ImportResult()
    gate = asyncio.Semaphore(concurrency)

    async def one(number: int, proposal: Proposal) -> None:
        async with gate:
            try:
                if keep is not None:
                    await keep(proposal)
                handle = await nominate(client, proposal, proposer_of(proposal), task_queue)
                result.started.append((number, handle.id))
            except WorkflowAlreadyStartedError as exists:
                result.skipped.append((number, exists.workflow_id))
            except Refused as refused:
                result.refused.append((number, refused))
        progress(1)

    await asyncio.gather(*(one(number, p) for number, p in rows))
    result.started.sort()
    result.skipped.sort()
    result.refused.sort(key=lambda r: r[0])
    return result
