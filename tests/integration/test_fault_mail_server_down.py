"""Faults: the mail server down for a while, then back. Nominations move on meanwhile;
every message is delivered once the server is back, none lost, none twice."""

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
from tests.integration.faults import Nominations, fault_seed, retrying
from tests.integration.ledger import histories_of, keep_histories, reconcile, retries, unreplayable
from tests.support import eventually
from worker import activities_for, build_worker

pytestmark = [pytest.mark.integration, pytest.mark.slow(seconds=40)]

NOMINATIONS = 20


@pytest.mark.parametrize("records_url", ["sqlite"], indirect=True)
async def test_mail_server_down_for_a_while_then_back(
    dev_env: WorkflowEnvironment,
    store: RecordStore,
    smtp: SmtpServer,
    mailer: Mailer,
    tmp_path: Path,
) -> None:
    seed = fault_seed()
    task_queue = f"smtp-down-{uuid.uuid4()}"
    began = time.monotonic()
    async with build_worker(dev_env.client, task_queue, activities_for(store, mailer)):
        run = Nominations.planned(dev_env.client, task_queue, NOMINATIONS, random.Random(seed))
        await run.propose()

        async def flowing() -> bool:
            return len(smtp.inbox.received) >= NOMINATIONS

        await eventually(flowing, "the first mail to arrive")
        smtp.stop()
        down = time.monotonic()
        before = len(smtp.inbox.received)
        run.drive()

        async def failing_while_deciding() -> bool:
            deciding = run.actors.taken >= NOMINATIONS
            return deciding and await retrying(run.handles, {"handle_event"}) >= NOMINATIONS // 4

        await eventually(
            failing_while_deciding,
            "mail failing on a quarter of the nominations while decisions go on",
        )
        decided_while_down = run.actors.taken
        smtp.start()
        outage = time.monotonic() - down

        summaries = await run.finish()
        states = [await run.actors.state(h) for h in run.handles]
        histories = await histories_of(run.handles)
        nondeterministic = await unreplayable(histories, tmp_path)
    ledger = await reconcile(store, smtp.inbox, states)
    await keep_histories(run.handles, ledger, tmp_path)
    cost = retries(histories)

    figures = (
        f"seed {seed}; mail server down {outage:.1f}s after {before} messages "
        f"({decided_while_down} decisions taken meanwhile); {ledger.figures()}; "
        f"retried: {dict(cost)}; {time.monotonic() - began:.1f}s in all"
    )
    print(f"\n[fault: SMTP down] {figures}")
    assert not nondeterministic, "\n".join(nondeterministic)
    assert [s.stage for s in summaries] == [fate.stage for _, fate in run.plan], figures
    assert not ledger.problems, f"{figures}\n{ledger.report()}"
    assert cost["handle_event retried"] >= NOMINATIONS // 4, figures
