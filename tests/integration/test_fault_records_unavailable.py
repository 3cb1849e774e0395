"""Faults: the records database unavailable for a while. The record and mail activities
fail and are retried; once the database is back nothing is lost and nothing doubled.

On SQLite another process holds the file's write lock; on PostgreSQL the test's database
refuses connections and loses the open ones, as in a restart or a failover.
"""

from __future__ import annotations

import random
import time
import uuid
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.mail import Mailer
from records import RecordStore
from tests.integration.conftest import SmtpServer
from tests.integration.faults import (
    Nominations,
    PostgresOutage,
    SqliteLockedOut,
    fault_seed,
    retrying,
)
from tests.integration.ledger import histories_of, keep_histories, reconcile, retries, unreplayable
from tests.support import eventually
from worker import activities_for, build_worker

pytestmark = [pytest.mark.integration, pytest.mark.slow(seconds=50)]

NOMINATIONS = 20
RECORDS = {"handle_event", "issue_certificate"}


async def test_records_database_unavailable_for_a_while_then_back(
    request: pytest.FixtureRequest,
    dev_env: WorkflowEnvironment,
    records_url: str,
    store: RecordStore,
    smtp: SmtpServer,
    mailer: Mailer,
    tmp_path: Path,
) -> None:
    seed = fault_seed()
    task_queue = f"records-down-{uuid.uuid4()}"
    began = time.monotonic()
    if records_url.startswith("sqlite"):
        outage: PostgresOutage | SqliteLockedOut = SqliteLockedOut(records_url)
        # The worker waits a second for the lock, not thirty, so the test sees it give up.
        worker_url = f"{records_url}?timeout=1"
    else:
        outage = PostgresOutage(records_url, request.getfixturevalue("postgres_server"))
        worker_url = records_url
    worker_store = RecordStore.connect(worker_url)
    try:
        async with build_worker(dev_env.client, task_queue, activities_for(worker_store, mailer)):
            run = Nominations.planned(dev_env.client, task_queue, NOMINATIONS, random.Random(seed))
            await run.propose()

            async def flowing() -> bool:
                return len(smtp.inbox.received) >= NOMINATIONS

            await eventually(flowing, "the first events to be recorded and mailed")
            await outage.begin()
            down = time.monotonic()
            run.drive()
            try:

                async def failing_while_deciding() -> bool:
                    deciding = run.actors.taken >= NOMINATIONS
                    return deciding and await retrying(run.handles, RECORDS) >= NOMINATIONS // 4

                await eventually(
                    failing_while_deciding,
                    "records failing on a quarter of the nominations while decisions go on",
                )
                decided_while_down = run.actors.taken
            finally:
                await outage.end()
            unavailable = time.monotonic() - down

            summaries = await run.finish()
            states = [await run.actors.state(h) for h in run.handles]
            histories = await histories_of(run.handles)
            nondeterministic = await unreplayable(histories, tmp_path)
    finally:
        await worker_store.close()
    await store.engine.dispose()  # its connections were cut with the rest
    ledger = await reconcile(store, smtp.inbox, states)
    await keep_histories(run.handles, ledger, tmp_path)
    cost = retries(histories)

    figures = (
        f"seed {seed}; records unavailable {unavailable:.1f}s "
        f"({decided_while_down} decisions taken meanwhile); {ledger.figures()}; "
        f"retried: {dict(cost)}; {time.monotonic() - began:.1f}s in all"
    )
    print(f"\n[fault: records database unavailable, {store.engine.dialect.name}] {figures}")
    assert not nondeterministic, "\n".join(nondeterministic)
    assert [s.stage for s in summaries] == [fate.stage for _, fate in run.plan], figures
    assert not ledger.problems, f"{figures}\n{ledger.report()}"
    assert cost["handle_event retried"] >= NOMINATIONS // 4, figures
