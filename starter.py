"""`ovop`: the operator's command line.

Every decision is sent as the workflow Update the rules live behind; a refusal exits
non-zero with the validator's message and the field at fault. `ovop list` reads Temporal
visibility (the search attributes), so it works with no worker running. The commands live
in `cli/`, one module per task; this module puts them together, in the order `--help`
lists them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import typer

from cli import decisions, inspection, intake, operations, visits
from cli.certificates import certificate_app
from cli.cycle import cycle_app
from cli.plenary import decree_app, plenary_app
from domain.decisions import DECISIONS
from provision import db_app, temporal_app

app = typer.Typer(
    help="OVOP nomination engine: start, inspect and decide nominations.",
    epilog=(
        "Exit codes: 0 done; 1 cannot proceed (server, worker, file); 2 refused or "
        "invalid input; 3 already proposed; 4 no such nomination."
    ),
    no_args_is_help=True,
    add_completion=False,
)

COMMANDS: list[tuple[str, Callable[..., None]]] = [
    ("example-proposal", intake.example_proposal),
    ("nominate", intake.nominate),
    ("list", inspection.list_nominations_command),
    ("show", inspection.show),
    # One command per kind of decision, named as the table names it.
    *((kind.command, {**decisions.COMMANDS, **visits.COMMANDS}[kind.model]) for kind in DECISIONS),
    ("explain", inspection.explain),
    ("report", inspection.report),
    ("dev", operations.dev),
    ("mail", inspection.mail),
    ("import", intake.import_),
    ("upload", intake.upload),
    ("webhooks", operations.webhooks),
]
for name, command in COMMANDS:
    app.command(name)(command)
app.add_typer(cycle_app, name="cycle")
app.add_typer(certificate_app, name="certificate")
app.add_typer(plenary_app, name="plenary")
app.add_typer(decree_app, name="decree")
app.add_typer(db_app, name="db")
app.add_typer(temporal_app, name="temporal")


def main() -> None:
    """The `ovop` console script."""
    try:
        app(prog_name="ovop")
        code = 0
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    # The Temporal client's Rust threads can outlive the event loop and abort the process
    # while the interpreter tears itself down (temporalio/sdk-python#300): everything is
    # done and flushed by now, so leave without the teardown.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
