"""`ovop cycle open`, `status`, `configure` and `close`: an award cycle's rules, roster and
proposal window."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from temporalio.exceptions import WorkflowAlreadyStartedError

from cli.common import (
    Connected,
    InstitutionOpt,
    JsonFlag,
    RoleOpt,
    UserOpt,
    actor,
    echo_json,
    echo_table,
    fail,
    number,
    parse,
    read_json,
    refused,
    run,
)
from domain.cycle import CycleConfig
from domain.cycle_book import Closing, ConfigChange, CycleSetup, CycleStatus, cycle_workflow_id
from domain.errors import Refused
from domain.examples import example_cycle_config
from domain.stages import Role
from workflows.client import CycleHandle, close_cycle, configure_cycle, open_cycle
from workflows.cycle import CycleWorkflow

T = TypeVar("T")


def load_config(cycle: str, path: Path | None) -> CycleConfig:
    """The cycle's configuration from a JSON file; without one, the example configuration."""
    if path is None:
        return example_cycle_config(cycle)
    config = parse(CycleConfig, read_json(path))
    if config.cycle != cycle:
        fail(f"{path} mengatur siklus {config.cycle}, bukan {cycle}")
    return config


cycle_app = typer.Typer(help="Open, configure, inspect and close an award cycle.")
CycleArg = Annotated[str, typer.Argument(help="The cycle, e.g. 2026.")]
ConfigOpt = Annotated[
    Path | None, typer.Option(help="The cycle's configuration (JSON); default: the example.")
]


def cycle_call(cycle: str, action: Callable[[CycleHandle], Awaitable[T]]) -> T:
    async def go(ovop: Connected) -> T:
        handle = ovop.client.get_workflow_handle(cycle_workflow_id(cycle), result_type=CycleStatus)
        try:
            return await action(handle)
        except Refused as error:
            refused(error)

    return run(go)


@cycle_app.command("open")
def cycle_open(
    cycle: CycleArg,
    user: UserOpt,
    opens: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="First day of proposals.")],
    closes: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Last day of proposals.")],
    config: ConfigOpt = None,
    reason: Annotated[
        str | None,
        typer.Option(help="Why the cycle opens other than two years after the last one."),
    ] = None,
    role: RoleOpt = Role.OPERATOR,
    institution: InstitutionOpt = "Ditjen IKMA",
) -> None:
    """Open a cycle: its rules, its panel roster and its proposal window. A cycle opens two
    years after the last one; any other year needs --reason."""
    setup = parse(
        CycleSetup,
        {
            "config": load_config(cycle, config),
            "window": {"opens": opens.date(), "closes": closes.date()},
            "opened_by": actor(user, role, institution),
            "off_schedule_reason": reason,
        },
    )

    async def go(ovop: Connected) -> str:
        try:
            return (await open_cycle(ovop.client, setup, ovop.settings.task_queue)).id
        except Refused as error:
            refused(error)

    try:
        typer.echo(f"Siklus dibuka: {run(go)}")
    except WorkflowAlreadyStartedError:
        fail(f"siklus OVOP {cycle} sudah dibuka", 3)


@cycle_app.command("status")
def cycle_status(cycle: CycleArg, as_json: JsonFlag = False) -> None:
    """How many nominations stand at each stage, and each juror's panel load."""
    status = cycle_call(cycle, lambda h: h.query(CycleWorkflow.status))
    if as_json:
        echo_json(status)
        return
    state = "ditutup" if status.closed else "terbuka"
    typer.echo(f"Siklus OVOP {status.cycle} ({state}), konfigurasi versi {status.version}")
    typer.echo(f"  Masa pengusulan: {status.window.describe()}")
    typer.echo(f"  Usulan: {status.nominations}")
    if status.off_schedule_reason:
        after = f" setelah siklus {status.previous_cycle}" if status.previous_cycle else ""
        typer.echo(f"  Dibuka di luar jadwal dua tahunan{after}: {status.off_schedule_reason}")
    if status.by_stage:
        typer.echo("")
        echo_table(
            ["TAHAP", number("USULAN")],
            [[stage.label, str(count)] for stage, count in status.by_stage.items()],
        )
    if status.juror_loads:
        typer.echo("\nBeban juri:")
        echo_table(
            ["JURI", number("USULAN")],
            [[juror, str(load)] for juror, load in status.juror_loads.items()],
        )


@cycle_app.command("configure")
def cycle_configure(
    cycle: CycleArg,
    file: Annotated[Path, typer.Argument(help="The new configuration (JSON).")],
    user: UserOpt,
    reason: Annotated[str, typer.Option(help="Why the rules change.")],
    role: RoleOpt = Role.OPERATOR,
    institution: InstitutionOpt = "Ditjen IKMA",
) -> None:
    """A new configuration version; it applies to nominations that start from now on."""
    change = parse(
        ConfigChange,
        {
            "actor": actor(user, role, institution),
            "config": load_config(cycle, file).with_national_calendar(),
            "reason": reason,
        },
    )
    typer.echo(cycle_call(cycle, lambda h: configure_cycle(h, change)))


@cycle_app.command("close")
def cycle_close(
    cycle: CycleArg,
    user: UserOpt,
    role: RoleOpt = Role.OPERATOR,
    institution: InstitutionOpt = "Ditjen IKMA",
) -> None:
    """Close a cycle after its window, once every nomination has ended."""
    closing = parse(Closing, {"actor": actor(user, role, institution)})
    status = cycle_call(cycle, lambda h: close_cycle(h, closing))
    typer.echo(f"Siklus OVOP {status.cycle} ditutup: {status.nominations} usulan.")
