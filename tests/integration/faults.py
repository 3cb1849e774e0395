"""What the fault tests share: nominations on their way, each driven by its people, and
the server's own view of which activities are being retried."""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url
from temporalio.client import Client

from devstack import Ports, temporal_command, wait_for_temporal
from domain.cycle import CycleConfig
from domain.examples import example_cycle_config
from domain.presentation import NominationSummary
from domain.proposal import Proposal
from settings import Settings
from tests.databases import plain_dsn
from tests.integration.actors import Actors, Fate, fates
from tests.integration.conftest import free_port
from tests.support import fresh, proposer
from workflows.client import Handle, start_nomination

CONFIG = example_cycle_config("2026")


@dataclass
class Nominations:
    """Nominations started at once and taken to their fates concurrently."""

    client: Client
    task_queue: str
    plan: list[tuple[Proposal, Fate]]
    config: CycleConfig = CONFIG
    actors: Actors = field(default_factory=Actors)
    handles: list[Handle] = field(default_factory=list)
    _runs: list[asyncio.Task[NominationSummary]] = field(default_factory=list)

    @classmethod
    def planned(
        cls, client: Client, task_queue: str, count: int, rng: random.Random
    ) -> Nominations:
        plan = [(fresh(i % 6), fate) for i, fate in enumerate(fates(count, rng))]
        return cls(client, task_queue, plan)

    @property
    def decisions(self) -> int:
        """How many decisions their people will take in all."""
        return sum(fate.decisions(self.config.panel.size) for _, fate in self.plan)

    async def propose(self) -> None:
        """Start every nomination's workflow; nobody decides yet."""
        self.handles = list(await asyncio.gather(*(self._start(p) for p, _ in self.plan)))

    def drive(self) -> None:
        """Let their people decide, each nomination on its own."""
        self._runs = [
            asyncio.create_task(self._run(h, p, fate))
            for h, (p, fate) in zip(self.handles, self.plan, strict=True)
        ]

    async def _start(self, p: Proposal) -> Handle:
        return await start_nomination(self.client, p, self.config, proposer(p), self.task_queue)

    async def _run(self, handle: Handle, p: Proposal, fate: Fate) -> NominationSummary:
        await self.actors.drive(handle, p, fate)
        # Waiting for the end is a long poll: it meets a restarting server too.
        return await self.actors.surely(handle.result)

    async def start(self) -> None:
        await self.propose()
        self.drive()

    async def finish(self) -> list[NominationSummary]:
        """Each one's end, in the order planned."""
        return list(await asyncio.gather(*self._runs))

    async def finish_within(self, seconds: float) -> list[NominationSummary | BaseException]:
        """Each one's end, or what kept it from its end within `seconds` (TimeoutError
        when it was still going)."""
        _, going = await asyncio.wait(self._runs, timeout=seconds)
        for run in going:
            run.cancel()
        await asyncio.gather(*going, return_exceptions=True)
        return [
            TimeoutError("still going") if run in going else (run.exception() or run.result())
            for run in self._runs
        ]


def fault_seed() -> int:
    """The run's random seed: `OVOP_FAULT_SEED` when given, so a failing run can be run
    again as it was, or else a new one. Printed either way (pytest shows it on failure)."""
    given = os.environ.get("OVOP_FAULT_SEED")
    seed = int(given) if given else random.randrange(2**32)
    print(f"[fault] seed {seed} (OVOP_FAULT_SEED={seed} runs it again)")
    return seed


async def retrying(handles: Iterable[Handle], activities: set[str], attempt: int = 3) -> int:
    """How many of these nominations have one of `activities` failed and waiting for its
    `attempt`-th try (or later), as the server sees it: from the third, it has failed
    again after the fault began, not only been cut off by it."""
    described = await asyncio.gather(*(h.describe() for h in handles))
    return sum(
        any(
            a.activity_type.name in activities and a.attempt >= attempt
            for a in d.raw_description.pending_activities
        )
        for d in described
    )


class PostgresOutage:
    """The records database refuses new connections and loses the open ones, as when its
    server restarts or fails over. Only the test's own database: the PostgreSQL server,
    which other tests share, stays up."""

    def __init__(self, records_url: str, server: URL) -> None:
        self.database = make_url(records_url).database
        self.server = server

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(plain_dsn(self.server))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def begin(self) -> None:
        await self._admin(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS false')
        await self._admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{self.database}' AND pid <> pg_backend_pid()"
        )

    async def end(self) -> None:
        await self._admin(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS true')


class SqliteLockedOut:
    """Another process holds the records file's write lock for a while (an operator's
    open transaction, a VACUUM, a copy taken the wrong way)."""

    def __init__(self, records_url: str) -> None:
        path = make_url(records_url).database
        assert path is not None
        self.path = path
        self._holder: sqlite3.Connection | None = None

    def _lock(self) -> None:
        holder = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN EXCLUSIVE")
        self._holder = holder

    def _unlock(self) -> None:
        assert self._holder is not None
        self._holder.execute("ROLLBACK")
        self._holder.close()
        self._holder = None

    async def begin(self) -> None:
        await asyncio.to_thread(self._lock)

    async def end(self) -> None:
        await asyncio.to_thread(self._unlock)


@dataclass
class DevServer:
    """`temporal server start-dev` on a SQLite file, started as `ovop dev` starts it, on
    free ports; it may be stopped and started again on the same file and port. Time
    skipping per workflow is on, so a test may move one nomination's clock forward
    (`TimeSkipper.fast_forward`) while the others keep real time."""

    var: Path
    ports: Ports = field(
        default_factory=lambda: Ports(
            temporal=free_port(), ui=free_port(), smtp=free_port(), api=free_port()
        )
    )
    process: asyncio.subprocess.Process | None = None

    @property
    def log(self) -> Path:
        return self.var / "temporal.log"

    async def start(self) -> Client:
        command = [
            *temporal_command(self.var, self.ports),
            "--headless",
            *("--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"),
        ]
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *command, stdout=log, stderr=asyncio.subprocess.STDOUT
            )
        return await wait_for_temporal(self.process, self.log, self.ports, Settings())

    async def stop(self) -> None:
        """SIGTERM, as `ovop dev` and a service manager stop it."""
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()
