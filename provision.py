"""Provisioning, run by an operations engineer on every deployment: `ovop db ...` for the
records schema and `ovop temporal setup` for the namespace and its search attributes.

Both are safe to run again: a deployment runs them before every start of the workers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from google.protobuf.duration_pb2 import Duration
from sqlalchemy.engine import make_url
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, RegisterNamespaceRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError, RPCStatusCode

import migrations
from bootstrap import CodecNotConfigured, Services, read_settings
from records import RecordStore
from settings import temporal_connect_args
from workflows.names import SEARCH_ATTRIBUTES

T = TypeVar("T")

db_app = typer.Typer(help="The records database: its schema, by migrations.", no_args_is_help=True)
temporal_app = typer.Typer(help="The Temporal namespace the workers use.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for programs to read.")]


class SetupError(Exception):
    """The namespace cannot be made ready; the message says what to do."""


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


# --- the records database --------------------------------------------------------------


def _on_records(action: Callable[[RecordStore], Awaitable[T]]) -> T:
    settings = read_settings()
    url = settings.database_url

    async def go() -> T:
        async with Services(settings) as services:
            return await action(services.records)

    try:
        return asyncio.run(go())
    except (OSError, ConnectionError) as error:
        _fail(f"tidak dapat terhubung ke basis data catatan {make_url(url)}: {error}")
    except Exception as error:
        if type(error).__module__.startswith(("sqlalchemy", "asyncpg")):
            _fail(f"basis data catatan {make_url(url)} menolak: {error}")
        raise


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option(help="The revision to reach.")] = "head",
) -> None:
    """Create the records schema, or bring it up to the newest migration (OVOP_DATABASE_URL)."""

    async def go(store: RecordStore) -> tuple[migrations.SchemaStatus, migrations.SchemaStatus]:
        before = await migrations.status(store.engine)
        await migrations.upgrade(store.engine, revision)
        return before, await migrations.status(store.engine)

    before, after = _on_records(go)
    was = before.current or "kosong"
    if before.current == after.current:
        typer.echo(f"Skema basis data catatan sudah pada revisi {after.current}.")
    else:
        typer.echo(f"Skema basis data catatan: {was} -> {after.current}.")


@db_app.command("status")
def db_status(as_json: JsonFlag = False) -> None:
    """The schema's revision and the newest one; exits 1 when it is behind."""
    found = _on_records(lambda store: migrations.status(store.engine))
    behind = not found.up_to_date and found.known
    if as_json:
        typer.echo(json.dumps({"current": found.current, "head": found.head, "behind": behind}))
    elif behind:
        typer.echo(
            f"Skema tertinggal: {found.current or 'kosong'}, kode memerlukan {found.head}. "
            f"Jalankan `{migrations.UPGRADE_COMMAND}`."
        )
    else:
        typer.echo(f"Skema pada revisi {found.current} (terbaru yang dikenal: {found.head}).")
    if behind:
        raise typer.Exit(1)


# --- the Temporal namespace ------------------------------------------------------------


async def ensure_namespace(client: Client, retention: timedelta) -> bool:
    """Register the client's namespace unless it exists; True when it was registered."""
    try:
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=client.namespace)
        )
        return False
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
    await client.workflow_service.register_namespace(
        RegisterNamespaceRequest(
            namespace=client.namespace,
            workflow_execution_retention_period=Duration(seconds=int(retention.total_seconds())),
        )
    )
    return True


async def ensure_search_attributes(
    client: Client,
    keys: Sequence[SearchAttributeKey[Any]] = SEARCH_ATTRIBUTES,
    attempts: int = 30,
) -> list[str]:
    """Add the custom search attributes the namespace lacks; the names added.

    A namespace registered a moment ago is not known to every frontend yet: wait for it.
    """
    for attempt in range(attempts):
        try:
            listed = await client.operator_service.list_search_attributes(
                ListSearchAttributesRequest(namespace=client.namespace)
            )
            existing = dict(listed.custom_attributes)
            wrong = [
                f"{k.name} bertipe {IndexedValueType.Name(existing[k.name])}, "
                f"kode memerlukan {k.indexed_value_type.name}"
                for k in keys
                if k.name in existing and existing[k.name] != int(k.indexed_value_type)
            ]
            if wrong:
                raise SetupError("atribut pencarian dengan tipe lain: " + "; ".join(wrong))
            missing = [k for k in keys if k.name not in existing]
            if missing:
                await client.operator_service.add_search_attributes(
                    AddSearchAttributesRequest(
                        namespace=client.namespace,
                        search_attributes={
                            k.name: IndexedValueType.ValueType(k.indexed_value_type)
                            for k in missing
                        },
                    )
                )
            return [k.name for k in missing]
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND or attempt == attempts - 1:
                raise
            await asyncio.sleep(1)
    raise AssertionError("unreachable")


@temporal_app.command("setup")
def temporal_setup(
    retention_days: Annotated[
        int, typer.Option(help="How long closed nominations stay in Temporal, if registered.")
    ] = 365,
    register_namespace: Annotated[
        bool,
        typer.Option(help="Register the namespace when missing (not on Temporal Cloud)."),
    ] = True,
) -> None:
    """Make the namespace ready: registered, with the custom search attributes (TEMPORAL_*)."""

    async def go() -> tuple[str, bool, list[str]]:
        async with Services(read_settings()) as services:
            try:
                client = await services.temporal()
            except RuntimeError as error:
                target = temporal_connect_args()["target_host"]
                raise SetupError(
                    f"tidak dapat terhubung ke server Temporal di {target}: {error}"
                ) from error
            except CodecNotConfigured as error:
                raise SetupError(str(error)) from error
            created = register_namespace and await ensure_namespace(
                client, timedelta(days=retention_days)
            )
            return client.namespace, created, await ensure_search_attributes(client)

    try:
        namespace, created, added = asyncio.run(go())
    except SetupError as error:
        _fail(str(error))
    except RPCError as error:
        _fail(f"server Temporal menolak: {error.message}")
    if created:
        typer.echo(f"Namespace {namespace} didaftarkan (retensi {retention_days} hari).")
    typer.echo(
        f"Atribut pencarian ditambahkan di {namespace}: {', '.join(added)}."
        if added
        else f"Semua atribut pencarian sudah ada di {namespace}."
    )
