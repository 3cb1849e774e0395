"""What every `ovop` command shares: exit codes, options, messages, and the connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich import box
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from bootstrap import CodecNotConfigured, Services, read_settings
from domain.decisions import Actor
from domain.eligibility import parse_proposal
from domain.errors import RefusalKind, Refused, problems_from
from domain.proposal import Proposal
from domain.stages import Role
from settings import Settings, temporal_connect_args

# Exit codes, as `ovop --help`'s epilog tells operators and scripts.
CANNOT_PROCEED, REFUSED, ALREADY_PROPOSED, NOT_FOUND = 1, 2, 3, 4
# A refusal's exit code comes from its kind.
REFUSED_EXIT = {
    RefusalKind.INPUT: REFUSED,
    RefusalKind.STAGE: REFUSED,
    RefusalKind.ACCESS: REFUSED,
    RefusalKind.CONFLICT: ALREADY_PROPOSED,
    RefusalKind.NOT_FOUND: NOT_FOUND,
    RefusalKind.GONE: REFUSED,
    RefusalKind.UNSUPPORTED: REFUSED,
    RefusalKind.TOO_LARGE: REFUSED,
}

T = TypeVar("T")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for programs to read.")]
UserOpt = Annotated[str, typer.Option("--as", help="Your user id.")]
RoleOpt = Annotated[Role, typer.Option("--role", help="The role you act in.")]
InstitutionOpt = Annotated[str, typer.Option("--institution", help="The institution you act for.")]
IdArg = Annotated[str, typer.Argument(help="The nomination's id (its workflow id).")]


def fail(message: str, code: int = CANNOT_PROCEED) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def refused(error: Refused, title: str = "Ditolak:") -> NoReturn:
    lines = [title] + [f"  - {p.field}: {p.message}" for p in error.problems]
    fail("\n".join(lines), REFUSED_EXIT[error.kind])


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"berkas tidak ditemukan: {path}")
    except IsADirectoryError:
        fail(f"{path} adalah folder, bukan berkas JSON")
    except OSError as error:
        fail(f"berkas {path} tidak dapat dibaca: {error.strerror}")
    except UnicodeDecodeError:
        fail(f"{path} bukan teks UTF-8; simpan usulan sebagai JSON UTF-8")
    except json.JSONDecodeError as error:
        fail(f"{path} bukan JSON yang sah: baris {error.lineno}, kolom {error.colno}: {error.msg}")


def read_proposal(path: Path) -> Proposal:
    """A proposal from a JSON file, checked; a refusal names each field at fault."""
    try:
        return parse_proposal(read_json(path))
    except Refused as error:
        refused(error)


def parse(model: type[T], data: Any, title: str = "Ditolak:") -> T:
    try:
        return model.model_validate(data)  # type: ignore[attr-defined, no-any-return]
    except ValidationError as error:
        refused(Refused(problems_from(error)), title)


@dataclass(frozen=True)
class Connected:
    """What a command that talks to Temporal works with: the client, its settings, and the
    entry point's other clients (the document store)."""

    client: Client
    settings: Settings
    services: Services


def run(action: Callable[[Connected], Awaitable[T]]) -> T:
    """Read the settings, connect to Temporal and run `action`, turning connection trouble
    into a message."""

    async def go() -> T:
        async with Services(read_settings()) as services:
            try:
                client = await services.temporal()
            except RuntimeError as error:
                server_down(error)
            except CodecNotConfigured as error:
                fail(str(error))
            return await action(Connected(client, services.settings, services))

    try:
        return asyncio.run(go())
    except RPCError as error:
        if error.status == RPCStatusCode.UNAVAILABLE:
            server_down(error)
        if error.status == RPCStatusCode.NOT_FOUND:
            fail(f"tidak ditemukan: {error.message}", NOT_FOUND)
        fail(f"server Temporal menolak permintaan: {error.message}")


def on_records(action: Callable[[Services], Awaitable[T]]) -> T:
    """Run `action` on the records database alone (no Temporal), turning a database that
    cannot be read into a message."""
    from sqlalchemy.exc import OperationalError

    settings = read_settings()

    async def go() -> T:
        async with Services(settings) as services:
            return await action(services)

    try:
        return asyncio.run(go())
    except OperationalError as error:
        fail(f"basis data catatan tidak dapat dibaca ({settings.database_url}): {error.orig}")


def server_down(error: Exception) -> NoReturn:
    target = temporal_connect_args()["target_host"]
    fail(
        f"tidak dapat terhubung ke server Temporal di {target}.\n"
        "Jalankan `make run`, atau atur TEMPORAL_ADDRESS ke server yang benar.\n"
        f"(rincian: {error})"
    )


def not_found(nomination_id: str) -> NoReturn:
    fail(
        f"usulan tidak ditemukan: {nomination_id}\n"
        "Periksa id-nya dengan `ovop list` (id berbentuk ovop-SIKLUS-produk-xxxxxxxxxx).",
        NOT_FOUND,
    )


def no_answer(handle: WorkflowHandle[Any, Any], seconds: float, what: str) -> NoReturn:
    fail(
        f"tidak ada jawaban dari worker dalam {seconds:g} detik untuk {handle.id}.\n"
        f"Apakah worker berjalan (`make run` atau `ovop-worker`)? {what}"
    )


def echo_json(value: Any) -> None:
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json(indent=2))
    else:
        typer.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def echo_table(columns: Sequence[str | Column], rows: Iterable[Sequence[str]]) -> None:
    """Rows under their headers, drawn by Rich: wrapped to the width of a terminal, but one
    line a row, without trailing spaces, when piped or captured, so what reads it finds each
    value whole."""
    table = Table(*columns, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # values are text, never Rich markup
    console = Console(highlight=False)
    if console.is_terminal:
        console.print(table)
        return
    wide = Console(highlight=False, width=100_000)
    with wide.capture() as captured:
        wide.print(table)
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


def number(header: str) -> Column:
    """A column of numbers, aligned on the right."""
    return Column(header, justify="right")


def actor(user: str, role: Role, institution: str) -> Actor:
    return parse(Actor, {"user_id": user, "role": role, "institution": institution})
