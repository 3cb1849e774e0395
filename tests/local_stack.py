"""`make run` as a newcomer runs it: `ovop dev` in a process of its own, on free ports, with
its files in a folder of the test's. Used by the `make run` check and the browser check."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
from dataclasses import dataclass, field
from pathlib import Path

from devstack import port_is_free
from tests.conftest import binary
from tests.integration.conftest import free_port

READY = "Ctrl-C menghentikan semuanya."
START_TIMEOUT = 120  # seconds: the server, the worker and six demo nominations


def fresh_env() -> dict[str, str]:
    """The environment without any TEMPORAL_* or OVOP_* setting of the caller's."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "OVOP_"))}


@dataclass
class Ports:
    temporal: int = field(default_factory=free_port)
    ui: int = field(default_factory=free_port)
    smtp: int = field(default_factory=free_port)
    api: int = field(default_factory=free_port)

    def all_free(self) -> bool:
        return all(port_is_free(p) for p in (self.temporal, self.ui, self.smtp, self.api))


@dataclass
class LocalStack:
    """One run of `ovop dev`, from its start to its Ctrl-C."""

    var: Path
    ports: Ports
    process: asyncio.subprocess.Process
    output: list[str] = field(default_factory=list)

    @classmethod
    async def start(cls, var: Path, ports: Ports) -> LocalStack:
        env = fresh_env()
        process = await asyncio.create_subprocess_exec(
            binary("ovop"),
            "dev",
            *("--var", str(var), "--temporal-port", str(ports.temporal)),
            *("--ui-port", str(ports.ui), "--smtp-port", str(ports.smtp)),
            *("--api-port", str(ports.api)),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        stack = cls(var, ports, process)
        try:
            await asyncio.wait_for(stack._read_until(READY), START_TIMEOUT)
        except BaseException:
            await stack.stop()
            raise
        return stack

    async def _read_until(self, marker: str) -> None:
        assert self.process.stdout is not None
        while True:
            line = await self.process.stdout.readline()
            if not line:
                raise AssertionError("`ovop dev` ended before it was ready:\n" + self.text)
            self.output.append(line.decode(errors="replace").rstrip("\n"))
            if marker in self.output[-1]:
                return

    @property
    def text(self) -> str:
        return "\n".join(self.output)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.ports.temporal}"

    def demo(self) -> dict[str, tuple[str, bool]]:
        """The banner's demo nominations: stage -> (workflow id, already there before)."""
        found = re.findall(r"^  ([A-Z_]+) +(ovop-\S+)(  \(sudah ada\))?$", self.text, re.M)
        return {stage: (workflow_id, bool(existed)) for stage, workflow_id, existed in found}

    async def stop(self) -> int:
        """Ctrl-C, as a person would; returns the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            assert self.process.stdout is not None
            try:
                rest, _ = await asyncio.wait_for(self.process.communicate(), 60)
            except TimeoutError:
                self.process.kill()
                raise
            self.output += rest.decode(errors="replace").splitlines()
        code = self.process.returncode
        assert code is not None
        return code

    async def temporal(self, *args: str) -> str:
        """The `temporal` CLI against this stack's server."""
        process = await asyncio.create_subprocess_exec(
            binary("temporal"),
            *args,
            "--address",
            self.address,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, err.decode()
        return out.decode()

    async def ovop(self, *args: str) -> str:
        """`ovop ARGS` as the banner says to run it against this stack."""
        env = fresh_env() | {
            "TEMPORAL_ADDRESS": self.address,
            "OVOP_CODEC_KEYS_FILE": str(self.var / "codec-keys.json"),
        }
        process = await asyncio.create_subprocess_exec(
            binary("ovop"),
            *args,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, f"ovop {' '.join(args)}: {err.decode()}"
        return out.decode()

    async def workflow_ids(self, query: str) -> list[str]:
        """`temporal workflow list --query QUERY`, as the ids it lists."""
        listed = json.loads(await self.temporal("workflow", "list", "--query", query, "-o", "json"))
        return sorted(w["execution"]["workflowId"] for w in listed or [])
