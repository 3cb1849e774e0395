"""The one place settings are read: environment variables with local defaults.

The records database, SMTP and the worker read `OVOP_*` variables (or a `.env` file).
Temporal is reached through the standard `TEMPORAL_*` variables and profiles
(`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS*`,
`TEMPORAL_PROFILE`, `TEMPORAL_CONFIG_FILE`), defaulting to the local dev server; an
empty TEMPORAL_* variable counts as unset. docs/deployment.md lists them all.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.envconfig import ClientConfig

from activities.webhooks import WebhookSubscriber
from api.keys import ApiKey
from codec import CodecKeys, encrypted
from workflows.names import TASK_QUEUE

LOCAL_TEMPORAL = "localhost:7233"


class CodecNotConfigured(Exception):
    """The payload codec is on and has no usable keys; the message says what to set."""


class Settings(BaseSettings):
    # An empty variable counts as unset (compose passes optional ones as `${VAR:-}`).
    model_config = SettingsConfigDict(
        env_prefix="OVOP_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    database_url: str = "sqlite+aiosqlite:///var/ovop.db"
    task_queue: str = TASK_QUEUE
    # How long a stopping worker lets its activities finish (keep below the stop timeout
    # of whatever stops it: docker compose waits `stop_grace_period`, then kills).
    shutdown_grace_seconds: float = 20.0

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_sender: str = "Sekretariat OVOP Kemenperin <ovop@kemenperin.go.id>"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_ca_file: str | None = None  # a private CA the relay's certificate is signed by

    # The HTTP API for the ministry's systems. Keys as JSON: a list of
    # {"name", "sha256", "roles", "institution", "province", "regency", "lab"}.
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_keys: list[ApiKey] = []
    # Outbound webhooks as JSON: a list of {"name", "url", "secret", "events"}.
    webhooks: list[WebhookSubscriber] = []
    webhook_give_up_after: timedelta = timedelta(hours=24)
    webhook_source: str = "https://ovop.kemenperin.go.id/nominations"
    # The registry pre-check: the ministry's registry service, or else a CSV table
    # (by default the one shipped with the demo IKMs).
    registry_url: str | None = None
    registry_csv: Path | None = None
    # How long `ovop` waits for the worker to answer a decision or a query.
    cli_timeout_seconds: float = 30.0

    # The payload codec (codec.py): every payload is encrypted before it reaches Temporal.
    # Keys as JSON {"key id": "base64 of 32 random bytes"}; OVOP_CODEC_KEY_ID names the one
    # that seals new payloads, the others still open older ones. Without them, the file
    # `make run` writes. OVOP_CODEC=false sends payloads in clear (the tests do).
    codec: bool = True
    codec_keys: dict[str, SecretStr] = {}
    codec_key_id: str | None = None
    codec_keys_file: Path = Path("var/codec-keys.json")
    # The Web UI's origins, allowed to call the codec endpoint (/codec on the API).
    codec_cors_origins: list[str] = ["http://localhost:8233"]

    def codec_keys_in_force(self) -> CodecKeys | None:
        """The codec's keys, or None when the codec is off; raises `CodecNotConfigured`."""
        if not self.codec:
            return None
        try:
            if self.codec_keys:
                current = self.codec_key_id
                if current is None and len(self.codec_keys) == 1:
                    [current] = self.codec_keys
                if current is None:
                    raise CodecNotConfigured(
                        "OVOP_CODEC_KEY_ID wajib diisi bila OVOP_CODEC_KEYS berisi lebih dari "
                        "satu kunci: ia menyebut kunci untuk payload baru"
                    )
                return CodecKeys(current=current, keys=self.codec_keys)
            if self.codec_keys_file.is_file():
                return CodecKeys.model_validate_json(self.codec_keys_file.read_text())
        except ValidationError as error:
            problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
            raise CodecNotConfigured(
                f"kunci enkripsi payload tidak dapat dipakai: {problems}"
            ) from None
        raise CodecNotConfigured(
            "kunci enkripsi payload belum diatur: isi OVOP_CODEC_KEYS dan OVOP_CODEC_KEY_ID "
            f"(docs/deployment.md), atau jalankan `make run`, yang membuat {self.codec_keys_file}"
        )


def plain_converter() -> DataConverter:
    """Pydantic models in and out of payloads, in clear: tests and kept histories."""
    return pydantic_data_converter


def data_converter(settings: Settings | None = None) -> DataConverter:
    """The converter every client uses: pydantic models in and out of payloads, encrypted
    by the payload codec unless the settings (by default, the environment's) turn it off."""
    keys = (settings or Settings()).codec_keys_in_force()
    return plain_converter() if keys is None else encrypted(plain_converter(), keys)


def temporal_connect_args() -> dict[str, Any]:
    """`Client.connect` arguments from the standard TEMPORAL_* variables and profile."""
    # Compose passes optional settings on as `${VAR:-}`. envconfig takes an empty value
    # as given: an empty TEMPORAL_API_KEY would switch TLS on and send an empty key.
    env = {k: v for k, v in os.environ.items() if v or not k.startswith("TEMPORAL_")}
    args: dict[str, Any] = dict(ClientConfig.load_client_connect_config(override_env_vars=env))
    args.setdefault("target_host", LOCAL_TEMPORAL)
    return args


async def connect_temporal(settings: Settings | None = None, **overrides: Any) -> Client:
    """A client for the TEMPORAL_* server, with the data converter of `settings`."""
    converter = data_converter(settings)  # before connecting: missing keys are said first
    args = {**temporal_connect_args(), **overrides}
    return await Client.connect(**args, data_converter=converter)
