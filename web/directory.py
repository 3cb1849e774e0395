"""The open cycles' configurations, read from their workflows: who may sign in, and in
which roles (`domain.people`). Read again after a few seconds, so a person added to a
cycle's staff can sign in at once."""

from __future__ import annotations

import asyncio
import time

from temporalio.client import Client, WorkflowExecutionStatus

from domain.cycle import CycleConfig
from domain.cycle_book import CycleBook
from domain.people import Person, find_person
from workflows.cycle import CycleWorkflow
from workflows.visibility import CYCLE_WORKFLOW_TYPE, quote

FRESH_FOR = 10.0  # seconds


class Directory:
    def __init__(self, client: Client) -> None:
        self._client = client
        self._configs: list[CycleConfig] = []
        self._read_at = -FRESH_FOR
        self._lock = asyncio.Lock()

    async def configs(self) -> list[CycleConfig]:
        async with self._lock:
            if time.monotonic() - self._read_at >= FRESH_FOR:
                self._configs = await self._read()
                self._read_at = time.monotonic()
            return self._configs

    async def _read(self) -> list[CycleConfig]:
        query = (
            f"WorkflowType = {quote(CYCLE_WORKFLOW_TYPE)} AND "
            f"ExecutionStatus = {quote(WorkflowExecutionStatus.RUNNING.name.title())}"
        )
        ids = [e.id async for e in self._client.list_workflows(query)]

        async def config_of(workflow_id: str) -> CycleConfig:
            handle = self._client.get_workflow_handle_for(CycleWorkflow.run, workflow_id)
            book: CycleBook = await handle.query(CycleWorkflow.book)
            return book.config

        configs = await asyncio.gather(*(config_of(i) for i in ids))
        return sorted(configs, key=lambda c: c.cycle, reverse=True)

    async def person(self, email: str) -> Person | None:
        return find_person(await self.configs(), email)

    async def config(self, cycle: str) -> CycleConfig | None:
        return next((c for c in await self.configs() if c.cycle == cycle), None)
