"""The production connections, encrypted and authenticated, against real servers on loopback:
SMTP with STARTTLS and a login, Temporal over mutual TLS (the dev server behind a TLS
terminator that demands a client certificate, as a load balancer in front of a cluster
does), and PostgreSQL over TLS."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import text
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.testing import WorkflowEnvironment

from activities.mail import Mailer, SmtpConfig
from bootstrap import connect_temporal
from records import RecordStore
from settings import Settings
from tests.integration.conftest import Inbox, free_port

pytestmark = pytest.mark.integration

USER, PASSWORD = "ovop-relay", "sandi-rahasia"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA(organization_name="Kemenperin uji")


@dataclass
class Pki:
    folder: Path
    ca: trustme.CA

    def server_context(self, require_client_cert: bool = False) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
        if require_client_cert:
            self.ca.configure_trust(context)
            context.verify_mode = ssl.CERT_REQUIRED
        return context

    def write(self) -> dict[str, Path]:
        paths = {"ca": self.folder / "ca.pem", "cert": self.folder / "worker.pem"}
        paths["key"] = self.folder / "worker.key"
        self.ca.cert_pem.write_to_path(str(paths["ca"]))
        client = self.ca.issue_cert("ovop-worker.kemenperin.go.id")
        client.cert_chain_pems[0].write_to_path(str(paths["cert"]))
        client.private_key_pem.write_to_path(str(paths["key"]))
        return paths


@pytest.fixture
def pki(ca: trustme.CA, tmp_path: Path) -> Pki:
    return Pki(tmp_path, ca)


# --- SMTP: STARTTLS and a login ----------------------------------------------------------


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # the server answers 235 or 535 itself


@pytest.fixture
def relay(pki: Pki) -> Iterator[tuple[Inbox, int]]:
    """A relay like the ministry's: STARTTLS before anything, then a login, then mail."""
    inbox, port = Inbox(), free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=pki.server_context(),
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticate,
    )
    controller.start()
    yield inbox, port
    controller.stop()


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "ovop@kemenperin.go.id"
    msg["To"] = "disperin@example.id"
    msg["Subject"] = "Uji kiriman"
    msg.set_content("isi")
    return msg


async def send(config: SmtpConfig) -> None:
    async with Mailer(config).connection() as smtp:
        await smtp.send_message(message())


async def test_mail_goes_through_starttls_with_a_login(relay: tuple[Inbox, int], pki: Pki) -> None:
    inbox, port = relay
    ca_file = str(pki.write()["ca"])
    good = SmtpConfig(
        host="localhost", port=port, start_tls=True, username=USER, password=PASSWORD,
        ca_file=ca_file, timeout=10,
    )  # fmt: skip

    await send(good)
    assert [rcpt for rcpt, _ in inbox.received] == ["disperin@example.id"]

    with pytest.raises(aiosmtplib.SMTPAuthenticationError):
        await send(SmtpConfig(**{**good.__dict__, "password": "salah"}))
    with pytest.raises(aiosmtplib.SMTPException, match="STARTTLS"):  # no login in clear
        await send(SmtpConfig(**{**good.__dict__, "start_tls": False}))
    with pytest.raises(ssl.SSLCertVerificationError):
        await send(SmtpConfig(**{**good.__dict__, "ca_file": None}))  # not the system's CAs
    assert len(inbox.received) == 1


# --- Temporal: mutual TLS ----------------------------------------------------------------


@contextlib.asynccontextmanager
async def tls_terminator(context: ssl.SSLContext, upstream: str) -> AsyncIterator[int]:
    """TLS on a port of its own, plain gRPC on to `upstream`: a load balancer in small."""
    host, port = upstream.rsplit(":", 1)
    context.set_alpn_protocols(["h2"])

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(host, int(port))
        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))

    listen = free_port()
    server = await asyncio.start_server(handle, "127.0.0.1", listen, ssl=context)
    async with server:
        yield listen


async def test_temporal_over_mutual_tls_from_the_standard_variables(
    dev_env: WorkflowEnvironment, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = pki.write()
    upstream = dev_env.client.service_client.config.target_host
    async with tls_terminator(pki.server_context(require_client_cert=True), upstream) as port:
        monkeypatch.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{port}")
        monkeypatch.setenv("TEMPORAL_TLS_SERVER_NAME", "localhost")
        monkeypatch.setenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH", str(paths["ca"]))
        monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", str(paths["cert"]))
        monkeypatch.setenv("TEMPORAL_TLS_CLIENT_KEY_PATH", str(paths["key"]))

        client = await connect_temporal(Settings())
        info = await client.workflow_service.get_system_info(GetSystemInfoRequest())
        assert info.server_version

        # Without the client certificate the terminator refuses the connection.
        monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", "")
        monkeypatch.setenv("TEMPORAL_TLS_CLIENT_KEY_PATH", "")
        with pytest.raises(RuntimeError):
            await connect_temporal(Settings())


# --- PostgreSQL: TLS ---------------------------------------------------------------------


async def test_records_over_tls_on_postgresql(postgres_database: str) -> None:
    plain = RecordStore.connect(postgres_database)
    async with plain.engine.connect() as conn:
        ssl_on = await conn.scalar(text("SHOW ssl"))
    await plain.close()
    if ssl_on != "on":
        pytest.skip(
            "PostgreSQL TLS test skipped: the server has ssl = off (.ci/postgres turns it on)"
        )
    store = RecordStore.connect(f"{postgres_database}?ssl=require")
    try:
        async with store.engine.connect() as conn:
            encrypted = await conn.scalar(
                text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            )
        assert encrypted is True
    finally:
        await store.close()
