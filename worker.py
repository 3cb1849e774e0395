"""The worker: builds the clients from the settings and runs the nomination workflows."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from activities.mail import Mailer, MailRenderer, SmtpConfig
from activities.notify import NotifyActivities
from activities.records import RecordActivities
from activities.store import RecordStore
from settings import Settings, connect_temporal
from workflows.nomination import NominationWorkflow

log = logging.getLogger("ovop.worker")


def smtp_config(settings: Settings) -> SmtpConfig:
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        start_tls=settings.smtp_starttls,
        use_tls=settings.smtp_tls,
    )


def activities_for(store: RecordStore, mailer: Mailer) -> Sequence[Callable[..., Any]]:
    records = RecordActivities(store)
    notify = NotifyActivities(mailer, MailRenderer(), store)
    return [records.record_event, records.issue_certificate, notify.notify]


def build_worker(
    client: Client, task_queue: str, activities: Sequence[Callable[..., Any]], **tuning: Any
) -> Worker:
    """The nomination worker; `tuning` goes to `Worker` as it is (`max_cached_workflows`...)."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[NominationWorkflow],
        activities=activities,
        **tuning,
    )


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    store = RecordStore.connect(settings.database_url)
    await store.create_schema()
    client = await connect_temporal()
    mailer = Mailer(smtp_config(settings))
    worker = build_worker(client, settings.task_queue, activities_for(store, mailer))
    log.info("worker on task queue %s, records in %s", settings.task_queue, settings.database_url)
    try:
        async with worker:
            await stop.wait()
    finally:
        await store.close()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(Settings(), stop)

    asyncio.run(run())


if __name__ == "__main__":
    main()
