"""The open cycles' configurations, read from their workflows: who may sign in, and in
which roles (`domain.people`). Read again after a few seconds, so a person added to a
cycle's staff can sign in at once.

A cycle that does not answer within `ANSWER_WITHIN` (its worker is away) keeps the
configuration last read, and is not asked again for `QUIET_FOR`: one cycle that cannot
answer must not hold up every page. While Temporal itself cannot be reached, the
configurations last read stand.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowQueryFailedError
from temporalio.service import RPCError

from domain.cycle import CycleConfig
from domain.people import Person, find_person
from workflows.cycle import CycleWorkflow
from workflows.visibility import CYCLE_WORKFLOW_TYPE, quote

FRESH_FOR = 10.0  # seconds
ANSWER_WITHIN = timedelta(seconds=2)
QUIET_FOR = 300.0  # seconds a cycle that did not answer is left alone

log = logging.getLogger("ovop.web")


class Directory:
    def __init__(self, client: Client) -> None:
        self._client = client
        self._configs: dict[str, CycleConfig] = {}  # by the cycle's workflow id
        self._silent: dict[str, float] = {}  # workflow id -> when it last failed to answer
        self._read_at = -FRESH_FOR
        self._lock = asyncio.Lock()

    async def configs(self) -> list[CycleConfig]:
        async with self._lock:
            if time.monotonic() - self._read_at >= FRESH_FOR:
                await self._read()
                self._read_at = time.monotonic()
            return sorted(self._configs.values(), key=lambda c: c.cycle, reverse=True)

    async def _read(self) -> None:
        query = (
            f"WorkflowType = {quote(CYCLE_WORKFLOW_TYPE)} AND "
            f"ExecutionStatus = {quote(WorkflowExecutionStatus.RUNNING.name.title())}"
        )
        try:
            ids = [e.id async for e in self._client.list_workflows(query)]
        except RPCError as error:
            log.warning("open cycles not listed (%s); the last ones read stand", error)
            return
        now = time.monotonic()
        asked = [i for i in ids if now - self._silent.get(i, -QUIET_FOR) >= QUIET_FOR]
        answers = await asyncio.gather(*(self._config_of(i) for i in asked))
        for workflow_id, config in zip(asked, answers, strict=True):
            if config is None:
                self._silent[workflow_id] = now
            else:
                self._silent.pop(workflow_id, None)
                self._configs[workflow_id] = config
        for gone in set(self._configs) - set(ids):
            del self._configs[gone]

    async def _config_of(self, workflow_id: str) -> CycleConfig | None:
        handle = self._client.get_workflow_handle_for(CycleWorkflow.run, workflow_id)
        try:
            config: CycleConfig = await handle.query(
                CycleWorkflow.config, rpc_timeout=ANSWER_WITHIN
            )
        except (RPCError, WorkflowQueryFailedError) as error:
            log.warning("cycle %s did not answer: %s", workflow_id, error)
            return None
        return config

    async def person(self, email: str) -> Person | None:
        return find_person(await self.configs(), email)

    async def config(self, cycle: str) -> CycleConfig | None:
        return next((c for c in await self.configs() if c.cycle == cycle), None)
