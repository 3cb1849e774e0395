"""Serving the API with uvicorn: on its own (`ovop-api`) or inside the local stack."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from temporalio.client import Client

from activities.mail import Mailer
from api.app import create_app
from api.deps import ApiDeps, CodecDeps
from api.idempotency import IdempotencyKeys
from api.keys import KeyRing
from api.sessions import SessionCookies
from bootstrap import Services, codec_keys, inbox_secret, session_secret, smtp_config
from codec import EncryptionCodec
from documents import DocumentStore
from records import RecordStore
from settings import Settings
from web.deps import InboxDeps
from web.directory import Directory
from web.links import SignInLinks
from web.sessions import InboxCookies

log = logging.getLogger("ovop.api")


class ApiServer(uvicorn.Server):
    """uvicorn, leaving the signals to whoever runs it (the local stack, a test)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def api_server(
    app: Starlette, host: str, port: int, forwarded_allow_ips: str = "127.0.0.1"
) -> ApiServer:
    """uvicorn for `app`. Behind a reverse proxy, `forwarded_allow_ips` names the proxy:
    its X-Forwarded-For then gives each request its client's own address (the sign-in
    page's limit per client) and X-Forwarded-Proto its scheme."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan="off",
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    return ApiServer(config)


async def start(server: ApiServer) -> asyncio.Task[None]:
    """Run the server in a task and return once it accepts connections."""
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            return task
        if task.done():
            break
        await asyncio.sleep(0.01)
    server.should_exit = True
    await asyncio.gather(task, return_exceptions=True)
    raise RuntimeError(f"API tidak dapat dimulai di {server.config.host}:{server.config.port}")


async def stop(server: ApiServer, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await task


def inbox_deps(settings: Settings, client: Client, secret: str | None) -> InboxDeps | None:
    """The inbox's parts, when there is a session secret to sign its links and cookies."""
    if secret is None:
        return None
    return InboxDeps(
        cookies=InboxCookies(secret),
        links=SignInLinks(secret, settings.api_public_url),
        directory=Directory(client),
        mailer=Mailer(smtp_config(settings)),
        web_ui_url=settings.web_ui_url,
        secure_cookies=settings.api_public_url.startswith("https://"),
    )


def api_deps(
    settings: Settings, client: Client, store: RecordStore, documents: DocumentStore | None = None
) -> ApiDeps:
    secret = session_secret(settings)
    # The Web UI gets payloads as Temporal holds them: one in clear stays unmarked, so that
    # what the UI sends back through /codec/encode carries no marker sealed inside it.
    keys = codec_keys(settings)
    codec = EncryptionCodec(keys) if keys is not None else None
    return ApiDeps(
        client=client,
        store=store,
        idempotency=IdempotencyKeys(store.engine),
        keys=KeyRing(settings.api_keys),
        task_queue=settings.task_queue,
        public_url=settings.api_public_url,
        inbox=inbox_deps(settings, client, inbox_secret(settings)),
        documents=documents,
        codec=(
            CodecDeps(codec, SessionCookies(secret), tuple(settings.codec_cors_origins))
            if codec is not None and secret is not None
            else None
        ),
    )


async def serve(services: Services, halt: asyncio.Event) -> None:
    settings, store = services.settings, services.records
    session_secret(settings)  # a missing secret is said before anything starts
    await store.migrate_to_head()
    client = await services.temporal()
    server = api_server(
        create_app(api_deps(settings, client, store, services.documents)),
        settings.api_host,
        settings.api_port,
        settings.forwarded_allow_ips,
    )
    task = await start(server)
    log.info(
        "API on http://%s:%s (%s keys)",
        settings.api_host,
        settings.api_port,
        len(settings.api_keys),
    )
    try:
        await halt.wait()
    finally:
        await stop(server, task)


def main() -> None:
    from worker import run_until_signalled

    run_until_signalled(serve, "ovop-api")


if __name__ == "__main__":
    main()
