"""The worker: runs the nomination workflows with the clients `bootstrap.py` builds."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import make_url
from temporalio.client import Client
from temporalio.worker import Worker

from activities.events import EventActivities
from activities.mail import Mailer, MailRenderer
from activities.notify import Notifier
from activities.propose import ProposeActivities
from activities.records import RecordActivities
from activities.registry import DEMO_REGISTRY, CsvRegistry, Registry, RegistryActivities
from activities.webhooks import WebhookActivities, WebhookOptions
from bootstrap import CodecNotConfigured, Services, read_settings
from migrations import SchemaBehind, require_current
from records import RecordStore
from workflows.cycle import CycleWorkflow
from workflows.nomination import NominationWorkflow
from workflows.propose import ProposeNominationWorkflow

log = logging.getLogger("ovop.worker")


def activities_for(
    store: RecordStore,
    mailer: Mailer,
    webhooks: WebhookActivities | None = None,
    registry: Registry | None = None,
) -> Sequence[Callable[..., Any]]:
    """Every activity the workflow calls; no webhook subscribers and the demo registry
    table unless told otherwise."""
    hooks = webhooks or WebhookActivities(store, [], WebhookOptions())
    events = EventActivities(store, Notifier(mailer, MailRenderer(), store), hooks)
    records = RecordActivities(store)
    checks = RegistryActivities(registry or CsvRegistry.load(DEMO_REGISTRY))
    return [events.handle_event, records.issue_certificate, checks.check]


def activities_from(services: Services) -> Sequence[Callable[..., Any]]:
    """Every activity the workflow calls, with the clients and subscribers of the settings."""
    return activities_for(services.records, services.mailer, services.webhooks, services.registry)


def build_worker(
    client: Client,
    task_queue: str,
    activities: Sequence[Callable[..., Any]],
    graceful_shutdown: timedelta = timedelta(0),
    **tuning: Any,
) -> Worker:
    """The nomination worker; `tuning` goes to `Worker` as it is (`max_cached_workflows`...).

    `ProposeNomination` comes with its activity, which starts nominations with the worker's
    own client on its own task queue.
    """
    proposals = ProposeActivities(client, task_queue)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[NominationWorkflow, CycleWorkflow, ProposeNominationWorkflow],
        activities=[*activities, proposals.propose],
        # On SIGTERM, activities under way finish (a mail sent is then also remembered)
        # before the worker leaves the queue to the others.
        graceful_shutdown_timeout=graceful_shutdown,
        **tuning,
    )


async def serve(services: Services, stop: asyncio.Event) -> None:
    settings = services.settings
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
        activities_from(services),
        graceful_shutdown=timedelta(seconds=settings.shutdown_grace_seconds),
    )
    async with worker:
        log.info(
            "worker polling task queue %s, records in %s",
            settings.task_queue,
            make_url(settings.database_url),  # printed with the password masked
        )
        await stop.wait()
        log.info("stopping: letting activities under way finish")


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

    try:
        asyncio.run(run())
    except (SchemaBehind, CodecNotConfigured) as problem:
        log.error("%s", problem)
        raise SystemExit(f"{name}: {problem}") from None


def main() -> None:
    run_until_signalled(serve)


if __name__ == "__main__":
    main()
