"""`ovop example-proposal`, `nominate`, `import` and `upload`: proposals and their documents in."""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from temporalio.exceptions import WorkflowAlreadyStartedError

from bootstrap import Services, read_settings
from cli.common import (
    ALREADY_PROPOSED,
    Connected,
    JsonFlag,
    echo_json,
    fail,
    read_proposal,
    refused,
    run,
)
from documents import require_stored
from domain.decisions import documents_referenced
from domain.documents import DocumentRef, Slot, checked_document, require_fits
from domain.errors import Refused
from domain.examples import DEMO_EXAMPLES, example_proposals, proposer_of, submission_of
from domain.permits import PermitKind
from domain.proposal import Proposal
from workflows.client import nominate as nominate_in_cycle


def example_proposal(
    index: Annotated[
        int,
        typer.Option(
            help=f"Which example (0-{DEMO_EXAMPLES}); 0-{DEMO_EXAMPLES - 1} are the demo"
            f" nominations `make run` seeds, {DEMO_EXAMPLES} is not.",
            min=0,
            max=DEMO_EXAMPLES,
        ),
    ] = DEMO_EXAMPLES,
    cycle: Annotated[str, typer.Option(help="The award cycle.")] = str(date.today().year),
    submission: Annotated[
        bool,
        typer.Option(
            "--submission",
            help="Print the input of the ProposeNomination workflow instead (the Web UI's"
            " Start Workflow form): the proposal and who proposes it.",
        ),
    ] = False,
) -> None:
    """Print a valid proposal as JSON, to copy and edit."""
    raw = example_proposals(cycle)[index]
    echo_json(submission_of(raw) if submission else raw)


def nominate(
    file: Annotated[Path, typer.Argument(help="The proposal, as JSON.")],
    as_json: JsonFlag = False,
) -> None:
    """Validate a proposal and start its nomination in its cycle (which must be open)."""
    proposal = read_proposal(file)

    async def go(ovop: Connected) -> str:
        try:
            await require_stored(ovop.services.documents, documents_referenced(proposal))
            handle = await nominate_in_cycle(
                ovop.client, proposal, proposer_of(proposal), ovop.settings.task_queue
            )
        except Refused as error:
            refused(error)
        return handle.id

    try:
        workflow_id = run(go)
    except WorkflowAlreadyStartedError as error:
        fail(f"usulan ini sudah pernah diajukan: {error.workflow_id}", ALREADY_PROPOSED)
    if as_json:
        echo_json({"id": workflow_id})
    else:
        typer.echo(f"Usulan diterima: {workflow_id}")


def import_(
    file: Annotated[Path, typer.Argument(help="The spreadsheet (.xlsx or .csv); see --template.")],
    template: Annotated[
        bool, typer.Option("--template", help="Write the blank spreadsheet to FILE instead.")
    ] = False,
    only_valid: Annotated[
        bool, typer.Option("--only-valid", help="Start the good rows even if others are bad.")
    ] = False,
    files: Annotated[
        Path | None,
        typer.Option(
            "--files",
            help="The folder or .zip holding the files the berkas_* columns name"
            " (default: the spreadsheet's folder).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import proposals from a spreadsheet: every row checked first, each started once;
    the documents its rows name are checked with them and stored before each starts."""
    from intake.dossier import attach_documents, keep_documents, open_files
    from intake.importer import ImportResult, start_rows
    from intake.spreadsheet import SpreadsheetError, read_proposals, write_template

    try:
        if template:
            write_template(file)
            where = "lembar 'Petunjuk'" if file.suffix.lower() == ".xlsx" else "templat XLSX"
            typer.echo(f"Templat ditulis: {file} (petunjuk pengisian pada {where})")
            return
        rows = read_proposals(file)
        source = open_files(file, files) if any(r.files for r in rows) else None
    except SpreadsheetError as error:
        fail(str(error), 2)
    found = attach_documents(rows, source) if source is not None else {}
    good = [(r.number, r.proposal) for r in rows if r.proposal is not None]
    bad = [r for r in rows if r.problems]
    for row in bad:
        for problem in row.problems:
            typer.secho(str(problem), fg=typer.colors.RED, err=True)
    if bad and not only_valid:
        fail(
            f"Tidak ada usulan yang dimulai: {len(bad)} dari {len(rows)} baris bermasalah. "
            f"Perbaiki berkasnya, atau jalankan dengan --only-valid untuk memulai "
            f"{len(good)} baris yang benar.",
            2,
        )

    async def go(ovop: Connected) -> ImportResult:
        async def keep(proposal: Proposal) -> None:
            if source is not None:
                await keep_documents(proposal, source, found, ovop.services.documents)

        with typer.progressbar(length=len(good), label="Memulai usulan", file=sys.stderr) as bar:
            return await start_rows(
                ovop.client, good, ovop.settings.task_queue, bar.update, keep=keep
            )

    result = run(go) if good else ImportResult()
    if as_json:
        echo_json(
            {
                "started": [{"row": n, "id": i} for n, i in result.started],
                "skipped": [{"row": n, "id": i} for n, i in result.skipped],
                "refused": [
                    {"row": n, "problems": [str(p) for p in e.problems]} for n, e in result.refused
                ],
                "invalid": [
                    {"row": r.number, "problems": [str(p) for p in r.problems]} for r in bad
                ],
            }
        )
        return
    for number, workflow_id in result.started:
        typer.echo(f"Baris {number}: dimulai {workflow_id}")
    for number, workflow_id in result.skipped:
        typer.echo(f"Baris {number}: dilewati, sudah ada {workflow_id}")
    for number, refusal in result.refused:
        typer.secho(f"Baris {number}: ditolak: {refusal}", fg=typer.colors.RED, err=True)
    typer.echo(
        f"{len(result.started)} usulan dimulai, {len(result.skipped)} dilewati karena sudah ada"
        + (f", {len(result.refused)} ditolak" if result.refused else "")
        + (f", {len(bad)} baris bermasalah tidak dimulai" if bad else "")
        + "."
    )


def upload(
    slot: Annotated[Slot, typer.Argument(help="The dossier's slot the file is for.")],
    file: Annotated[
        Path, typer.Argument(help="The file.", exists=True, dir_okay=False, readable=True)
    ],
    permit: Annotated[
        PermitKind | None, typer.Option(help="For the `izin` slot: which permit it proves.")
    ] = None,
) -> None:
    """Check a document by its content, keep it in the document store (OVOP_DOCUMENTS_URL),
    and print its reference as JSON, for the proposal's `documents` (or, slot `lhu`, the
    findings' `lab_report`)."""
    ref = kept_document(slot, file, permit)
    echo_json(ref.model_dump(mode="json", exclude_none=True))


def kept_document(slot: Slot, file: Path, permit: PermitKind | None = None) -> DocumentRef:
    """The reference of `file` once it is checked for `slot` and kept in the store."""
    with file.open("rb") as opened:
        data = opened.read(slot.rule.max_bytes + 1)  # a larger file is refused unread
    try:
        require_fits(slot, permit, file.name, file.stat().st_size)
        ref = checked_document(slot, file.name, data, permit)
    except Refused as error:
        refused(error, f"{file} ditolak:")

    async def keep() -> None:
        async with Services(read_settings()) as services:
            await services.documents.put(data)

    asyncio.run(keep())
    return ref
