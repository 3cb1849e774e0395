"""The one bootstrap: the settings, read once, turned into the clients an entry point uses.

Every entry point (`ovop-worker`, `ovop-api`, each `ovop` command, `ovop dev`, `ovop db`
and `ovop temporal`, the benchmark) reads the settings with `read_settings()` and opens
`Services` on them; each client is built on first use, and closed when the `Services` are.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from functools import cached_property
from types import TracebackType
from typing import Any, Self

from pydantic import ValidationError
from temporalio.client import Client
from temporalio.converter import DataConverter

from activities.mail import Mailer, SmtpConfig
from activities.registry import DEMO_REGISTRY, CsvRegistry, HttpRegistry, Registry
from activities.webhooks import WebhookActivities, WebhookOptions
from api.sessions import SHORTEST_SECRET
from codec import CodecKeys, encrypted
from converter import checked_converter
from documents import DocumentStore, S3Access, open_store
from records import RecordStore
from settings import Settings, temporal_connect_args


class CodecNotConfigured(Exception):
    """The payload codec is on and has no usable keys; the message says what to set."""


def read_settings() -> Settings:
    """The environment's settings (`OVOP_*`, or `.env`): the one place they are read."""
    return Settings()


def codec_keys(settings: Settings) -> CodecKeys | None:
    """The codec's keys, or None when the codec is off; raises `CodecNotConfigured`."""
    if not settings.codec:
        return None
    try:
        if settings.codec_keys:
            current = settings.codec_key_id
            if current is None and len(settings.codec_keys) == 1:
                [current] = settings.codec_keys
            if current is None:
                raise CodecNotConfigured(
                    "OVOP_CODEC_KEY_ID wajib diisi bila OVOP_CODEC_KEYS berisi lebih dari "
                    "satu kunci: ia menyebut kunci untuk payload baru"
                )
            return CodecKeys(current=current, keys=settings.codec_keys)
        if settings.codec_keys_file.is_file():
            return CodecKeys.model_validate_json(settings.codec_keys_file.read_text())
    except ValidationError as error:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
        raise CodecNotConfigured(
            f"kunci enkripsi payload tidak dapat dipakai: {problems}"
        ) from None
    raise CodecNotConfigured(
        "kunci enkripsi payload belum diatur: isi OVOP_CODEC_KEYS dan OVOP_CODEC_KEY_ID "
        f"(docs/deployment.md), atau jalankan `make run`, yang membuat {settings.codec_keys_file}"
    )


def session_secret(settings: Settings) -> str | None:
    """The secret the codec's session cookies are signed with, or None when the codec is off
    (the API then serves no /codec); raises `CodecNotConfigured`."""
    if not settings.codec:
        return None
    if settings.session_secret is None:
        raise CodecNotConfigured(
            "OVOP_SESSION_SECRET wajib diisi: ia menandatangani sesi masuk di /codec/masuk, "
            "sama untuk setiap proses API (mis. `openssl rand -hex 32`; docs/deployment.md)"
        )
    return inbox_secret(settings)


def inbox_secret(settings: Settings) -> str | None:
    """The secret the inbox's sign-in links and session cookies are signed with: the
    session secret, whether or not the codec is on; None without one (no inbox)."""
    if settings.session_secret is None:
        return None
    secret = settings.session_secret.get_secret_value()
    if len(secret) < SHORTEST_SECRET:
        raise CodecNotConfigured(
            f"OVOP_SESSION_SECRET terlalu pendek: minimal {SHORTEST_SECRET} karakter acak"
        )
    return secret


def plain_converter() -> DataConverter:
    """Pydantic models in and out of payloads, in clear: tests and kept histories. What a
    workflow cannot take is refused at once (`converter.py`)."""
    return checked_converter


def data_converter(settings: Settings) -> DataConverter:
    """The converter every client uses: pydantic models in and out of payloads, encrypted
    by the payload codec unless the settings turn it off."""
    keys = codec_keys(settings)
    return plain_converter() if keys is None else encrypted(plain_converter(), keys)


async def connect_temporal(settings: Settings, **overrides: Any) -> Client:
    """A client for the TEMPORAL_* server, with the data converter of `settings`."""
    converter = data_converter(settings)  # before connecting: missing keys are said first
    args = {**temporal_connect_args(), **overrides}
    return await Client.connect(**args, data_converter=converter)


def smtp_config(settings: Settings) -> SmtpConfig:
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        start_tls=settings.smtp_starttls,
        use_tls=settings.smtp_tls,
        ca_file=settings.smtp_ca_file,
    )


def registry_from(settings: Settings) -> Registry:
    if settings.registry_url:
        return HttpRegistry(settings.registry_url)
    return CsvRegistry.load(settings.registry_csv or DEMO_REGISTRY)


def webhooks_from(settings: Settings, store: RecordStore) -> WebhookActivities:
    options = WebhookOptions(
        source=settings.webhook_source, give_up_after=settings.webhook_give_up_after
    )
    return WebhookActivities(store, settings.webhooks, options)


def document_store(settings: Settings) -> DocumentStore:
    secret = settings.documents_s3_secret_access_key
    access = S3Access(
        endpoint_url=settings.documents_s3_endpoint,
        region=settings.documents_s3_region,
        access_key_id=settings.documents_s3_access_key_id,
        secret_access_key=secret.get_secret_value() if secret else None,
    )
    return open_store(settings.documents_url, access)


class Services:
    """The clients of one entry point, built from its settings on first use; `async with`
    closes the ones that hold connections."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Client | None = None
        self._closing = AsyncExitStack()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._closing.aclose()

    async def temporal(self) -> Client:
        """The Temporal client; raises `CodecNotConfigured` before connecting, and
        RuntimeError when the server cannot be reached."""
        if self._client is None:
            self._client = await connect_temporal(self.settings)
        return self._client

    @cached_property
    def records(self) -> RecordStore:
        store = RecordStore.connect(self.settings.database_url)
        self._closing.push_async_callback(store.close)
        return store

    @cached_property
    def documents(self) -> DocumentStore:
        store = document_store(self.settings)
        self._closing.push_async_callback(store.close)
        return store

    @cached_property
    def mailer(self) -> Mailer:
        mailer = Mailer(smtp_config(self.settings))
        self._closing.push_async_callback(mailer.close)
        return mailer

    @cached_property
    def registry(self) -> Registry:
        return registry_from(self.settings)

    @cached_property
    def webhooks(self) -> WebhookActivities:
        return webhooks_from(self.settings, self.records)
