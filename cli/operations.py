"""`ovop dev`, the whole local stack, and `ovop webhooks`, the deliveries to the ministry's
systems. (`ovop db` and `ovop temporal` live in provision.py.)"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column

from bootstrap import Services, read_settings
from cli.common import JsonFlag, echo_json, echo_table, fail, number, on_records
from domain.presentation import when_compact
from records import WebhookDeliveryRow
from settings import local_var


def dev(
    var: Annotated[
        Path | None,
        typer.Option(help="Where the local stack keeps its files (default: OVOP_VAR, or var/)."),
    ] = None,
    seed: Annotated[bool, typer.Option(help="Start the demo nominations.")] = True,
    temporal_port: Annotated[int, typer.Option(help="Temporal's gRPC port.", min=1)] = 7233,
    ui_port: Annotated[int, typer.Option(help="The Temporal Web UI's port.", min=1)] = 8233,
    smtp_port: Annotated[int, typer.Option(help="The mail sink's SMTP port.", min=1)] = 1025,
    api_port: Annotated[
        int | None, typer.Option(help="The HTTP API's port (default: OVOP_API_PORT).", min=1)
    ] = None,
) -> None:
    """Run the whole local stack: Temporal + Web UI, mail sink, worker, API, demo nominations."""
    import demo
    import devstack
    from worker import quiet_collector

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    settings = read_settings()
    ports = devstack.Ports(
        temporal=temporal_port, ui=ui_port, smtp=smtp_port, api=api_port or settings.api_port
    )
    quiet_collector()  # its worker and API run in this process
    try:
        asyncio.run(devstack.run(settings, var or local_var(), ports, seed))
    except (devstack.DevStackError, demo.DemoError) as error:
        fail(str(error))


_DELIVERY_STATUS = {"pending": "dicoba ulang", "delivered": "terkirim", "failed": "gagal"}


def webhooks(
    failed: Annotated[bool, typer.Option("--failed", help="Only deliveries given up.")] = False,
    nomination: Annotated[str | None, typer.Option(help="Only this nomination's.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Webhook deliveries to the ministry's systems, newest first (from the records DB)."""

    async def deliveries(services: Services) -> list[WebhookDeliveryRow]:
        return await services.records.webhook_deliveries(
            status="failed" if failed else None, nomination_id=nomination
        )

    rows = on_records(deliveries)
    if as_json:
        echo_json([asdict(r) for r in rows])
        return
    if rows:
        echo_table(
            [
                "PERCOBAAN TERAKHIR",
                Column("USULAN", no_wrap=True),
                number("NO"),
                "PERISTIWA",
                "PENERIMA",
                "STATUS",
                number("PERCOBAAN"),
                "GALAT TERAKHIR",
            ],
            [
                [
                    when_compact(r.last_attempt_at),
                    r.nomination_id,
                    str(r.seq),
                    r.event_kind,
                    r.subscriber,
                    _DELIVERY_STATUS.get(r.status, r.status),
                    str(r.attempts),
                    r.last_error if r.last_error and r.status != "delivered" else "",
                ]
                for r in rows
            ],
        )
    typer.echo(f"{len(rows)} pengiriman webhook" + (" yang gagal" if failed else ""))
