"""The engine's settings: environment variables with local defaults, read by `bootstrap.py`.

The records database, SMTP and the worker read `OVOP_*` variables (or a `.env` file).
Temporal is reached through the standard `TEMPORAL_*` variables and profiles
(`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS*`,
`TEMPORAL_PROFILE`, `TEMPORAL_CONFIG_FILE`), defaulting to the local dev server; an
empty TEMPORAL_* variable counts as unset. docs/deployment.md lists them all.
Nothing here connects to anything: `bootstrap.py` turns the settings into clients.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, HttpUrl, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.envconfig import ClientConfig

from integrations import ApiKey, WebhookSubscriber
from workflows.names import TASK_QUEUE

LOCAL_TEMPORAL = "localhost:7233"


def local_var() -> Path:
    """Where the local stack of `make run` keeps its files (records, codec keys, API keys,
    mail), found the same from any directory: `OVOP_VAR` when set, else the `var/` folder of
    the source checkout this code runs from, else `./var` (an installed package).
    """
    if given := os.environ.get("OVOP_VAR"):
        return Path(given).expanduser().resolve()
    checkout = Path(__file__).resolve().parent
    if (checkout / "pyproject.toml").is_file():
        return checkout / "var"
    return Path("var").resolve()


class Settings(BaseSettings):
    # An empty variable counts as unset (compose passes optional ones as `${VAR:-}`).
    # A refused value is not echoed: some of them are secrets (webhook, SMTP, codec keys).
    model_config = SettingsConfigDict(
        env_prefix="OVOP_",
        env_file=".env",
        extra="ignore",
        env_ignore_empty=True,
        hide_input_in_errors=True,
    )

    database_url: str = Field(
        default_factory=lambda: f"sqlite+aiosqlite:///{local_var() / 'ovop.db'}"
    )
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
    # The API's address as the public reaches it (e.g. https://ovop.kemenperin.go.id):
    # each certificate's QR code opens its verification page there. Default: this machine.
    public_url: HttpUrl | None = None
    # Outbound webhooks as JSON: a list of {"name", "url", "secret", "previous_secret",
    # "events"}; secrets in the Standard Webhooks form `whsec_<base64>`.
    webhooks: list[WebhookSubscriber] = []
    webhook_give_up_after: timedelta = timedelta(hours=24)
    webhook_source: str = "https://ovop.kemenperin.go.id/nominations"
    # The registry pre-check: the ministry's registry service, or else a CSV table
    # (by default the one shipped with the demo IKMs).
    registry_url: str | None = None
    registry_csv: Path | None = None
    # Where a proposal's documents are kept, outside Temporal: `file:///<folder>` (by default
    # var/documents) or `s3://<bucket>[/<prefix>]`, S3-compatible storage reached at the
    # endpoint below (empty: AWS) with these credentials (empty: the AWS_* variables, a
    # profile or the instance's role).
    documents_url: str = Field(default_factory=lambda: (local_var() / "documents").as_uri())
    documents_s3_endpoint: str | None = None
    documents_s3_region: str | None = None
    documents_s3_access_key_id: str | None = None
    documents_s3_secret_access_key: SecretStr | None = None
    # How long `ovop` waits for the worker to answer a decision or a query.
    cli_timeout_seconds: float = 30.0

    # The payload codec (codec.py): every payload is encrypted before it reaches Temporal.
    # Keys as JSON {"key id": "base64 of 32 random bytes"}; OVOP_CODEC_KEY_ID names the one
    # that seals new payloads, the others still open older ones. Without them, the file
    # `make run` writes. OVOP_CODEC=false sends payloads in clear (the tests do).
    codec: bool = True
    codec_keys: dict[str, SecretStr] = {}
    codec_key_id: str | None = None
    codec_keys_file: Path = Field(default_factory=lambda: local_var() / "codec-keys.json")
    # The Web UI's origins, allowed to call the codec endpoint (/codec on the API).
    codec_cors_origins: list[str] = ["http://localhost:8233"]
    # Signs the codec endpoint's browser sessions (api/sessions.py) and the sign-in links in
    # the worker's letters: the same on every API process and worker, at least 32
    # characters; required by `ovop-api` while the codec is on.
    session_secret: SecretStr | None = None
    # The reverse proxy in front of the API (its address, or "*" when only it can reach the
    # API): its X-Forwarded-For and X-Forwarded-Proto are then believed.
    forwarded_allow_ips: str = "127.0.0.1"
    # The Temporal Web UI, where the inbox's cycle page links each nomination.
    web_ui_url: str = "http://localhost:8233"

    @property
    def api_public_url(self) -> str:
        """Where the public reaches the API, without a trailing slash."""
        if self.public_url is None:
            return f"http://localhost:{self.api_port}"
        return str(self.public_url).rstrip("/")


def temporal_connect_args() -> dict[str, Any]:
    """`Client.connect` arguments from the standard TEMPORAL_* variables and profile."""
    # Compose passes optional settings on as `${VAR:-}`. envconfig takes an empty value
    # as given: an empty TEMPORAL_API_KEY would switch TLS on and send an empty key.
    env = {k: v for k, v in os.environ.items() if v or not k.startswith("TEMPORAL_")}
    args: dict[str, Any] = dict(ClientConfig.load_client_connect_config(override_env_vars=env))
    args.setdefault("target_host", LOCAL_TEMPORAL)
    return args
