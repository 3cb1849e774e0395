"""The worker under test, in a process of its own so that its CPU and memory are its own.

`python -m bench.worker SPEC_JSON` runs the real nomination worker (the real activities,
a SQLite records database, SMTP to the bench's mail sink) or the baseline worker, with the
tuning in the spec; it prints `ready` once it polls, and stops on SIGTERM.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from temporalio import activity
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.worker import Worker

from activities.events import EventHandled, HandleEventInput
from activities.mail import Mailer, SmtpConfig
from activities.notify import NotifyResult
from activities.records import IssueCertificateInput
from activities.registry import RegistryCheckInput
from bench.baseline import ACTIVITIES, BaselineWorkflow
from bootstrap import connect_temporal, read_settings
from codec import EncryptionCodec
from domain.registry import CheckStatus, RegistryCheck, compare
from records import RecordStore
from worker import Part, activities_for, build_worker, quiet_collector

READY = "ready"
CODEC = "codec"  # the line answering SIGUSR1: the CPU seconds spent in the codec so far


class TimedCodec(EncryptionCodec):
    """The deployed codec, counting the CPU time of the thread that seals and opens each
    payload: the codec's own share of the worker's CPU, without a profiler."""

    seconds = 0.0  # for the whole process: the SDK copies the codec per workflow
    # It only times its parent's seal and open: the worker's runner may answer its question
    # about context as it answers the parent's (`workflows.runner`).
    CONTEXT_AS_PARENT = True

    @classmethod
    def timing(cls, client: Client) -> Client:
        """`client`, its codec (if any) timed."""
        codec = client.data_converter.payload_codec
        if not isinstance(codec, EncryptionCodec):
            return client
        config = client.config()
        config["data_converter"] = dataclasses.replace(
            client.data_converter, payload_codec=cls.of(codec)
        )
        return Client(**config)

    @classmethod
    def of(cls, codec: EncryptionCodec) -> TimedCodec:
        """`codec`, timed."""
        timed = cls.__new__(cls)
        timed.__dict__.update(codec.__dict__)
        return timed

    def seal(self, payload: Payload) -> Payload:
        return self._timed(super().seal, payload)

    def open(self, payload: Payload) -> Payload:
        return self._timed(super().open, payload)

    @staticmethod
    def _timed(step: Callable[[Payload], Payload], payload: Payload) -> Payload:
        began = time.thread_time()
        try:
            return step(payload)
        finally:
            TimedCodec.seconds += time.thread_time() - began


def report_codec() -> None:
    print(f"{CODEC} {TimedCodec.seconds:.6f}", flush=True)


class Tuning(BaseModel):
    """The worker's knobs, the same for the engine and the baseline."""

    max_cached_workflows: int = 1000
    max_concurrent_workflow_tasks: int = 100
    max_concurrent_activities: int = 100
    # The workflows in one process and the activities in another (`ovop-worker
    # --workflows-only` and `--activities-only`), for both kinds.
    split: bool = False

    def describe(self) -> str:
        return (
            f"cache {self.max_cached_workflows}, "
            f"{self.max_concurrent_workflow_tasks} workflow tasks, "
            f"{self.max_concurrent_activities} activities at once"
            + ("; workflows and activities in two processes" if self.split else "")
        )

    def for_worker(self) -> dict[str, int]:
        """The options `Worker` takes."""
        return self.model_dump(exclude={"split"})


class WorkerSpec(BaseModel):
    target: str
    task_queue: str
    real: bool
    records_url: str
    smtp_port: int
    tuning: Tuning
    stub_activities: bool = False  # the real workflow, its activities answering at once
    part: Part = Part.ALL  # this process's part, when the tuning splits them


@activity.defn(name="handle_event")
async def stub_handle_event(input: HandleEventInput) -> EventHandled:
    return EventHandled(recorded=True, mail=NotifyResult())


@activity.defn(name="issue_certificate")
async def stub_issue_certificate(input: IssueCertificateInput) -> str:
    return f"0000/OVOP/IKMA/{input.cycle}"


@activity.defn(name="check_registry")
async def stub_check_registry(input: RegistryCheckInput) -> RegistryCheck:
    return RegistryCheck(
        revision=input.revision,
        status=CheckStatus.DONE,
        findings=compare(input.proposal, None),
        source="registri bench",
    )


STUB_ACTIVITIES: list[Callable[..., Any]] = [
    stub_handle_event,
    stub_issue_certificate,
    stub_check_registry,
]


async def serve(spec: WorkerSpec, stop: asyncio.Event) -> None:
    client = TimedCodec.timing(await connect_temporal(read_settings(), target_host=spec.target))
    tuning: dict[str, Any] = spec.tuning.for_worker()
    part = spec.part
    if not spec.real:
        worker = Worker(
            client,
            task_queue=spec.task_queue,
            workflows=[BaselineWorkflow] if part != Part.ACTIVITIES else [],
            activities=ACTIVITIES if part != Part.WORKFLOWS else [],
            **tuning,
        )
        async with worker:
            print(READY, flush=True)
            await stop.wait()
        return
    if spec.stub_activities or part == Part.WORKFLOWS:
        async with build_worker(client, spec.task_queue, STUB_ACTIVITIES, part=part, **tuning):
            print(READY, flush=True)
            await stop.wait()
        return
    store = RecordStore.connect(spec.records_url)
    await store.migrate_to_head()
    mailer = Mailer(SmtpConfig(host="127.0.0.1", port=spec.smtp_port, timeout=30))
    try:
        async with build_worker(
            client, spec.task_queue, activities_for(store, mailer), part=part, **tuning
        ):
            print(READY, flush=True)
            await stop.wait()
    finally:
        await mailer.close()
        await store.close()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    spec = WorkerSpec.model_validate_json(sys.argv[1])
    if spec.real:
        quiet_collector()  # as `ovop-worker` does; the baseline keeps Python's defaults

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGUSR1, report_codec)
        await serve(spec, stop)

    asyncio.run(run())


if __name__ == "__main__":
    main()
