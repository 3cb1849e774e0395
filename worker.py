"""The worker: runs the nomination workflows with the clients `bootstrap.py` builds."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.engine import make_url
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import HistoryEventFilterType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflowservice.v1 import (
    DeleteWorkflowExecutionRequest,
    DescribeWorkflowExecutionRequest,
    GetWorkflowExecutionHistoryRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from activities.events import EventActivities
from activities.mail import LOCAL_PUBLIC_URL, Mailer, MailRenderer, TaskLink
from activities.notify import Notifier
from activities.propose import ProposeActivities
from activities.records import RecordActivities
from activities.registry import DEMO_REGISTRY, CsvRegistry, Registry, RegistryActivities
from activities.webhooks import WebhookActivities, WebhookOptions
from bootstrap import CodecNotConfigured, Services, inbox_secret, read_settings
from codec import ENCODING, NOT_SEALED, EncryptionCodec
from migrations import SchemaBehind, require_current
from records import RecordStore
from settings import Settings
from web.links import SignInLinks
from workflows import runner
from workflows.cycle import CycleWorkflow
from workflows.nomination import NominationWorkflow
from workflows.propose import ProposeNominationWorkflow

log = logging.getLogger("ovop.worker")


def activities_for(
    store: RecordStore,
    mailer: Mailer,
    webhooks: WebhookActivities | None = None,
    registry: Registry | None = None,
    public_url: str = LOCAL_PUBLIC_URL,
    task_link: TaskLink | None = None,
) -> Sequence[Callable[..., Any]]:
    """Every activity the workflow calls; no webhook subscribers, the demo registry table,
    certificates verified and tasks taken on this machine, and letters without sign-in
    links unless told otherwise."""
    hooks = webhooks or WebhookActivities(store, [], WebhookOptions())
    renderer = MailRenderer(public_url, task_link)
    events = EventActivities(store, Notifier(mailer, renderer, store), hooks)
    records = RecordActivities(store)
    checks = RegistryActivities(registry or CsvRegistry.load(DEMO_REGISTRY))
    return [events.handle_event, records.issue_certificate, records.record_decree, checks.check]


def activities_from(services: Services) -> Sequence[Callable[..., Any]]:
    """Every activity the workflow calls, with the clients and subscribers of the settings."""
    return activities_for(
        services.records,
        services.mailer,
        services.webhooks,
        services.registry,
        services.settings.api_public_url,
        letter_links(services.settings),
    )


def letter_links(settings: Settings) -> TaskLink | None:
    """The sign-in links the letters give, signed with the API's session secret so that
    the API lets them in; None without a secret (the letters then give the bare task
    address, where the reader signs in). A secret too short is refused, as the API
    refuses it (`bootstrap.inbox_secret`)."""
    secret = inbox_secret(settings)
    return None if secret is None else SignInLinks(secret, settings.api_public_url).for_letter


class UnsealedStarts:
    """Deletes each workflow run the worker refused because its start input came in clear.

    The server writes a start's input into the run's first event before any worker sees
    it; the worker's converter then fails the run at once (`NotSealed`, `converter.py`).
    The codec tells this purge which workflow a payload in clear came to; once that run has
    closed, failed for `NotSealed`, the purge deletes it, and with it the input (on the dev
    server's SQLite, `secure_delete` overwrites the rows; docs/deployment.md). A payload in
    clear sent to a run started sealed (an Update, refused before it reaches the history)
    deletes nothing.
    """

    # How long to wait for a run started in clear to close: refused at its first workflow
    # task, which waits for a worker to take it.
    CLOSE_WAIT = timedelta(minutes=10)
    # How many seconds to wait for the deletion to be done.
    GONE_POLLS = 120

    def __init__(self, client: Client) -> None:
        self._client = client
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self.deleted: list[str] = []

    def watching(self, client: Client) -> Client:
        """`client`, its codec telling this purge of payloads in clear; `client` itself when
        payloads are not sealed (the codec off: tests, kept histories)."""
        codec = client.data_converter.payload_codec
        if not isinstance(codec, EncryptionCodec):
            return client
        converter = dataclasses.replace(
            client.data_converter, payload_codec=codec.listening(self.note)
        )
        config = client.config()
        config["data_converter"] = converter
        return Client(**config)

    def note(self, workflow_id: str) -> None:
        if workflow_id in self._tasks:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a payload decoded outside the worker's loop: nothing to purge
            return
        task = loop.create_task(self._purge(workflow_id))
        self._tasks[workflow_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(workflow_id, None))

    async def settled(self, workflow_id: str) -> None:
        """Once the run of `workflow_id` noted so far is deleted, or known not to need it."""
        task = self._tasks.get(workflow_id)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _purge(self, workflow_id: str) -> None:
        service, namespace = self._client.workflow_service, self._client.namespace
        try:
            described = await service.describe_workflow_execution(
                DescribeWorkflowExecutionRequest(
                    namespace=namespace, execution=WorkflowExecution(workflow_id=workflow_id)
                )
            )
            run = described.workflow_execution_info.execution
            if not await self._started_in_clear(run):
                return  # a sealed run, sent an Update in clear: refused, nothing kept
            closing = await self._closing_event(run)
            failed = closing.workflow_execution_failed_event_attributes if closing else None
            if failed is None or failed.failure.application_failure_info.type != NOT_SEALED:
                return
            await service.delete_workflow_execution(
                DeleteWorkflowExecutionRequest(namespace=namespace, workflow_execution=run)
            )
            await self._gone(run)
            self.deleted.append(workflow_id)
            log.warning(
                "deleted workflow %s (run %s): its start input was sent in clear, refused",
                workflow_id,
                run.run_id,
            )
        except RPCError as error:
            log.warning("could not purge workflow %s sent in clear: %s", workflow_id, error)

    async def _started_in_clear(self, run: WorkflowExecution) -> bool:
        first = await self._client.workflow_service.get_workflow_execution_history(
            GetWorkflowExecutionHistoryRequest(
                namespace=self._client.namespace, execution=run, maximum_page_size=1
            )
        )
        started = first.history.events[0].workflow_execution_started_event_attributes
        return any(p.metadata.get("encoding") != ENCODING for p in started.input.payloads)

    async def _closing_event(self, run: WorkflowExecution) -> HistoryEvent | None:
        """The run's last event once it has closed (long polls, each up to the server's
        limit, until CLOSE_WAIT: a refused start closes at its first workflow task, which
        waits for a worker)."""
        deadline = asyncio.get_running_loop().time() + self.CLOSE_WAIT.total_seconds()
        while asyncio.get_running_loop().time() < deadline:
            closing = await self._client.workflow_service.get_workflow_execution_history(
                GetWorkflowExecutionHistoryRequest(
                    namespace=self._client.namespace,
                    execution=run,
                    wait_new_event=True,
                    history_event_filter_type=HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
                    skip_archival=True,
                ),
                timeout=timedelta(seconds=70),
            )
            if closing.history.events:
                return closing.history.events[-1]
        return None

    async def _gone(self, run: WorkflowExecution) -> None:
        """The server deletes a closed run in a task of its own once its queue's position is
        saved (`history.transferProcessorUpdateAckInterval`, 30 s by default): until then,
        the refusal stays readable where the operator started it."""
        request = DescribeWorkflowExecutionRequest(namespace=self._client.namespace, execution=run)
        for _ in range(self.GONE_POLLS):
            try:
                await self._client.workflow_service.describe_workflow_execution(request)
            except RPCError as error:
                if error.status == RPCStatusCode.NOT_FOUND:
                    return
                raise
            await asyncio.sleep(1)
        raise RPCError(
            f"run {run.run_id} still there {self.GONE_POLLS} s after its deletion",
            RPCStatusCode.DEADLINE_EXCEEDED,
            b"",
        )


class NominationWorker(Worker):
    """The worker, with the purge of the starts it refused for coming in clear."""

    def __init__(self, client: Client, **options: Any) -> None:
        self.unsealed_starts = UnsealedStarts(client)
        watched = self.unsealed_starts.watching(client)
        if not options.get("debug_mode"):  # the SDK's debug mode wants its own sandbox
            options.setdefault("workflow_runner", runner.workflow_runner(watched.data_converter))
        super().__init__(watched, **options)

    async def shutdown(self) -> None:
        await super().shutdown()
        await self.unsealed_starts.close()


class Part(StrEnum):
    """What a worker process runs. A deployment may run the workflows and the activities in
    processes of their own, scaled apart: the workflows' tasks are short and a person's
    decision waits on them, the activities' wait on the database, the mail server and the
    webhook receivers."""

    ALL = "all"
    WORKFLOWS = "workflows"
    ACTIVITIES = "activities"


def build_worker(
    client: Client,
    task_queue: str,
    activities: Sequence[Callable[..., Any]],
    graceful_shutdown: timedelta = timedelta(0),
    part: Part = Part.ALL,
    **tuning: Any,
) -> NominationWorker:
    """The nomination worker; `tuning` goes to `Worker` as it is (`max_cached_workflows`...).

    `ProposeNomination` comes with its activity, which starts nominations with the worker's
    own client on its own task queue.
    """
    proposals = ProposeActivities(client, task_queue)
    workflows = [NominationWorkflow, CycleWorkflow, ProposeNominationWorkflow]
    return NominationWorker(
        client,
        task_queue=task_queue,
        workflows=workflows if part != Part.ACTIVITIES else [],
        activities=[*activities, proposals.propose] if part != Part.WORKFLOWS else [],
        # On SIGTERM, activities under way finish (a mail sent is then also remembered)
        # before the worker leaves the queue to the others.
        graceful_shutdown_timeout=graceful_shutdown,
        **tuning,
    )


async def serve(services: Services, stop: asyncio.Event, part: Part = Part.ALL) -> None:
    settings = services.settings
    if part != Part.WORKFLOWS:  # the workflows alone never touch the records
        schema = await require_current(services.records.engine)
        if not schema.up_to_date:
            log.warning(
                "records schema is at %s, newer than this code's %s: a newer release "
                "migrated it; this worker carries on",
                schema.current,
                schema.head,
            )
    worker = build_worker(
        await services.temporal(),
        settings.task_queue,
        activities_from(services) if part != Part.WORKFLOWS else [],
        graceful_shutdown=timedelta(seconds=settings.shutdown_grace_seconds),
        part=part,
    )
    async with worker:
        log.info(
            "worker polling task queue %s%s%s",
            settings.task_queue,
            "" if part == Part.ALL else f" ({part.value} only)",
            "" if part == Part.WORKFLOWS else f", records in {make_url(settings.database_url)}",
        )
        await stop.wait()
        log.info("stopping: letting activities under way finish")


# Container objects allocated and not yet freed between two young collections; Python's
# default is 700. Not more: a middle collection takes ten young generations' survivors at
# once, and at 50,000 a worker whose cache (50) evicted runs all the time paused 1.5 s on
# one core for each, near the SDK's 2 s limit on a workflow's thread.
YOUNG_COLLECTION_AFTER = 10_000


def quiet_collector() -> None:
    """Fewer garbage collections in a long-lived process, and none walking what it has
    imported by the time it is called (before the service starts: what the service builds
    afterwards stays collectable).

    A worker keeps a few objects per payload, row and letter a while: at Python's default
    threshold it ran a young collection every 700 of them, and at most every hundredth
    was a full one, walking all the process holds (the cached workflows, the modules):
    0.3 to 0.4 s on one core each, 4.7 % of the bench worker's CPU at 500 nominations. What
    is alive when this is called is frozen out of every collection, and the young generation
    grows to `YOUNG_COLLECTION_AFTER` objects before it is collected, the older ones after
    as many of those as before."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_AFTER, middle, old)


def run_until_signalled(
    service: Callable[[Services, asyncio.Event], Awaitable[None]], name: str = "ovop-worker"
) -> None:
    """Run a long-lived service (the worker, the API) until SIGINT or SIGTERM; `name` starts
    the message it stops with when it cannot start."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with Services(read_settings()) as services:
            await service(services, stop)

    quiet_collector()
    try:
        asyncio.run(run())
    except (SchemaBehind, CodecNotConfigured) as problem:
        log.error("%s", problem)
        raise SystemExit(f"{name}: {problem}") from None


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="ovop-worker", description="Run the OVOP worker until SIGINT or SIGTERM."
    )
    only = parser.add_mutually_exclusive_group()
    for part, other in ((Part.WORKFLOWS, "activity"), (Part.ACTIVITIES, "workflow")):
        only.add_argument(
            f"--{part.value}-only",
            dest="part",
            action="store_const",
            const=part,
            help=f"run the {part.value} and no {other} (scale them apart)",
        )
    chosen: Part = parser.parse_args(argv).part or Part.ALL

    async def serving(services: Services, stop: asyncio.Event) -> None:
        await serve(services, stop, chosen)

    run_until_signalled(serving)


if __name__ == "__main__":
    main()
