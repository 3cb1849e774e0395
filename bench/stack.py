"""The bench's own stack: a Temporal dev server on random ports with its SQLite file in a
temporary folder, an SMTP sink, and worker processes whose CPU and memory are measured."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from temporalio.client import Client

from bench.worker import CODEC, READY, WorkerSpec
from devstack import Ports, temporal_command, wait_for_temporal
from settings import Settings
from worker import Part


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Usage:
    """A process's CPU seconds (user + system, all threads) and resident memory."""

    cpu: float
    rss: int

    @classmethod
    def of(cls, process: psutil.Process) -> Usage:
        with process.oneshot():
            t = process.cpu_times()
            return cls(cpu=t.user + t.system, rss=process.memory_info().rss)


async def cancelled(tasks: Sequence[asyncio.Future[Any]]) -> None:
    """Cancel `tasks` and wait until they have finished."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _stop(process: asyncio.subprocess.Process, grace: float = 15) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            process.kill()
            await process.wait()


@dataclass
class Stack:
    root: Path
    server: asyncio.subprocess.Process
    sink: asyncio.subprocess.Process
    client: Client
    target: str
    smtp_port: int

    @classmethod
    async def start(cls, root: Path, settings: Settings, server_args: Sequence[str] = ()) -> Stack:
        ports = Ports(temporal=free_port(), ui=free_port(), smtp=free_port())
        log = root / "temporal.log"
        with log.open("ab") as server_log:
            server = await asyncio.create_subprocess_exec(
                *temporal_command(root, ports),
                "--headless",
                *server_args,
                stdout=server_log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        sink = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{ports.smtp}",
            "-c",
            "aiosmtpd.handlers.Sink",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            client = await wait_for_temporal(server, log, ports, settings)
            await _wait_for_port(ports.smtp, sink)
        except BaseException:
            await _stop(sink)
            await _stop(server)
            raise
        return cls(root, server, sink, client, f"127.0.0.1:{ports.temporal}", ports.smtp)

    def server_usage(self) -> Usage:
        return Usage.of(psutil.Process(self.server.pid))

    def sink_usage(self) -> Usage:
        return Usage.of(psutil.Process(self.sink.pid))

    async def stop(self) -> None:
        await _stop(self.sink)
        await _stop(self.server)


async def _wait_for_port(port: int, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"the SMTP sink exited with {process.returncode}")
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await writer.wait_closed()
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the SMTP sink did not listen on {port} within 30 s")


@dataclass
class WorkerProcess:
    """A `bench.worker` process, or two when the tuning splits the workflows from the
    activities: started, measured (both together), stopped.

    Its stdout is read all the time: the SDK's core writes its own warnings there (a
    workflow task over 5 s, under load), passed on to the bench's stderr, among the codec's
    answers, queued for `codec_seconds`. Left unread, a full pipe would stall the worker."""

    spec: WorkerSpec
    process: asyncio.subprocess.Process  # the workflows' (or the only) process
    ps: psutil.Process
    activities: WorkerProcess | None = None
    answers: asyncio.Queue[float] = field(default_factory=asyncio.Queue)
    reader: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, spec: WorkerSpec, log: Path) -> WorkerProcess:
        if not spec.tuning.split or spec.part != Part.ALL:
            return await cls._start(spec, log)
        workflows = await cls._start(spec.model_copy(update={"part": Part.WORKFLOWS}), log)
        try:
            workflows.activities = await cls._start(
                spec.model_copy(update={"part": Part.ACTIVITIES}), log
            )
        except BaseException:
            await workflows.stop()
            raise
        return workflows

    @classmethod
    async def _start(cls, spec: WorkerSpec, log: Path) -> WorkerProcess:
        with log.open("ab") as err:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.worker",
                spec.model_dump_json(),
                stdout=asyncio.subprocess.PIPE,
                stderr=err,
                start_new_session=True,
            )
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), 120)
        except TimeoutError:
            line = b""
        if line.decode().strip() != READY:
            await _stop(process)
            tail = (await asyncio.to_thread(log.read_text, errors="replace"))[-2000:]
            raise RuntimeError(f"the bench worker did not start:\n{tail}")
        worker = cls(spec, process, psutil.Process(process.pid))
        worker.reader = asyncio.create_task(worker._read(process.stdout))
        return worker

    async def _read(self, stdout: asyncio.StreamReader) -> None:
        while raw := await stdout.readline():
            line = raw.decode(errors="replace")
            words = line.split()
            if len(words) == 2 and words[0] == CODEC:
                self.answers.put_nowait(float(words[1]))
            else:
                sys.stderr.write(f"worker: {line}")

    async def codec_seconds(self) -> float:
        """The CPU seconds the worker (both processes) has spent in the codec so far."""
        self.process.send_signal(signal.SIGUSR1)
        try:
            own = await asyncio.wait_for(self.answers.get(), 60)
        except TimeoutError:
            raise RuntimeError(
                f"the bench worker (exit code {self.process.returncode}) did not say its codec time"
            ) from None
        theirs = await self.activities.codec_seconds() if self.activities is not None else 0.0
        return own + theirs

    async def exited(self) -> int:
        """Wait until a process of the worker exits (it should not during a run); its
        return code."""
        waits = [asyncio.ensure_future(self.process.wait())]
        if self.activities is not None:
            waits.append(asyncio.ensure_future(self.activities.exited()))
        try:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            return done.pop().result()
        finally:
            await cancelled(waits)

    def usage(self) -> Usage:
        own = Usage.of(self.ps)
        if self.activities is None:
            return own
        theirs = self.activities.usage()
        return Usage(cpu=own.cpu + theirs.cpu, rss=own.rss + theirs.rss)

    async def stop(self) -> None:
        await _stop(self.process)
        if self.reader is not None:
            await cancelled([self.reader])
        if self.activities is not None:
            await self.activities.stop()
