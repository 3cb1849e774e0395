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

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.envconfig import ClientConfig

from activities.webhooks import WebhookSubscriber
from api.keys import ApiKey
from workflows.names import TASK_QUEUE

LOCAL_TEMPORAL = "localhost:7233"


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


def data_converter() -> DataConverter:
    """The converter every client uses: pydantic models in and out of payloads."""
    return pydantic_data_converter


def temporal_connect_args() -> dict[str, Any]:
    """`Client.connect` arguments from the standard TEMPORAL_* variables and profile."""
    # Compose passes optional settings on as `${VAR:-}`. envconfig takes an empty value
    # as given: an empty TEMPORAL_API_KEY would switch TLS on and send an empty key.
    env = {k: v for k, v in os.environ.items() if v or not k.startswith("TEMPORAL_")}
    args: dict[str, Any] = dict(ClientConfig.load_client_connect_config(override_env_vars=env))
    args.setdefault("target_host", LOCAL_TEMPORAL)
    return args


async def connect_temporal(**overrides: Any) -> Client:
    args = {**temporal_connect_args(), **overrides}
    return await Client.connect(**args, data_converter=data_converter())
