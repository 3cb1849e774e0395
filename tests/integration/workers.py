"""Worker processes as a deployment runs them: `python -m worker`, settings from the
environment, against the dev server, the records database and SMTP on loopback. Used by
the two-worker test and the fault tests, which stop and kill them."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from temporalio.client import Client

READY = "worker polling task queue"


@dataclass
class WorkerProcess:
    """One `python -m worker`, its log kept as it runs."""

    name: str
    process: asyncio.subprocess.Process
    log: list[str] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def identity_prefix(self) -> str:
        return f"{self.process.pid}@"  # the SDK's default identity: pid@host

    async def follow(self, keep: Path) -> None:
        assert self.process.stderr is not None
        with keep.open("a") as file:
            async for raw in self.process.stderr:
                line = raw.decode(errors="replace").rstrip()
                self.log.append(line)
                file.write(line + "\n")
                if READY in line:
                    self.ready.set()

    def tail(self) -> str:
        return "\n".join(self.log[-30:])

    async def kill(self) -> None:
        """SIGKILL: no handler runs, nothing under way is finished or reported."""
        self.process.kill()
        await self.process.wait()


@dataclass
class Workers:
    """Worker processes on one task queue, with the settings a deployment gives them."""

    env: dict[str, str]
    cwd: Path
    started: list[tuple[WorkerProcess, asyncio.Task[None]]] = field(default_factory=list)

    @classmethod
    def on(
        cls, client: Client, records_url: str, smtp_port: int, cwd: Path, prefix: str = "w"
    ) -> Workers:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OVOP_", "TEMPORAL_"))}
        env |= {
            "TEMPORAL_ADDRESS": client.service_client.config.target_host,
            "TEMPORAL_NAMESPACE": client.namespace,
            "OVOP_DATABASE_URL": records_url,
            "OVOP_SMTP_HOST": "127.0.0.1",
            "OVOP_SMTP_PORT": str(smtp_port),
            "OVOP_TASK_QUEUE": f"{prefix}-{uuid.uuid4()}",
            "OVOP_SHUTDOWN_GRACE_SECONDS": "15",
            "OVOP_CODEC": "false",  # the test's own client reads payloads in clear
        }
        return cls(env, cwd)

    @property
    def task_queue(self) -> str:
        return self.env["OVOP_TASK_QUEUE"]

    @property
    def running(self) -> list[WorkerProcess]:
        return [w for w, _ in self.started if w.process.returncode is None]

    async def start(self, name: str, *args: str) -> WorkerProcess:
        """`python -m worker`, with `args` (`--workflows-only`...)."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "worker",
            *args,
            env=self.env,
            cwd=self.cwd,  # no stray .env file
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        worker = WorkerProcess(name, process)
        follower = asyncio.create_task(worker.follow(self.cwd / f"worker-{name}.log"))
        self.started.append((worker, follower))
        ready = asyncio.create_task(worker.ready.wait())
        await asyncio.wait([ready, follower], timeout=60, return_when=asyncio.FIRST_COMPLETED)
        if not worker.ready.is_set():
            ready.cancel()
            pytest.fail(f"worker {name} did not start:\n{worker.tail()}")
        return worker

    async def stop_all(self) -> None:
        for worker, follower in self.started:
            if worker.process.returncode is None:
                worker.process.kill()
            await worker.process.wait()
            await follower
