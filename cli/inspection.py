"""`ovop list`, `show`, `explain`, `report` and `mail`: what stands where, and why."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column
from temporalio.client import WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from bootstrap import read_settings
from cli.common import (
    Connected,
    IdArg,
    JsonFlag,
    echo_json,
    echo_table,
    fail,
    no_answer,
    not_found,
    number,
    parse,
    run,
)
from domain.documents import DocumentRef, file_size
from domain.events import NominationEvent
from domain.labs import Lab
from domain.nomination import Nomination
from domain.presentation import (
    LAB_TEST_COLUMNS,
    NominationView,
    describe,
    explained,
    lab_test_row,
    view,
    when,
    when_compact,
)
from domain.proposal import Commodity
from domain.stages import Stage
from settings import local_var
from workflows.nomination import NominationWorkflow
from workflows.visibility import (
    NominationFilter,
    NominationRow,
    list_nominations,
    visibility_query,
)


def list_nominations_command(
    stage: Annotated[
        Stage | None, typer.Option(case_sensitive=False, help="Only nominations at this stage.")
    ] = None,
    cycle: Annotated[str | None, typer.Option(help="Only this award cycle, e.g. 2026.")] = None,
    province: Annotated[
        str | None, typer.Option(help='Only this province, e.g. "Jawa Tengah".')
    ] = None,
    regency: Annotated[
        str | None, typer.Option(help='Only this regency or city, e.g. "Kota Pekalongan".')
    ] = None,
    commodity: Annotated[
        Commodity | None, typer.Option(case_sensitive=False, help="Only this commodity.")
    ] = None,
    lab: Annotated[
        Lab | None, typer.Option(case_sensitive=False, help="Only those assessed by this lab.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many.", min=1, max=10000)] = 100,
    as_json: JsonFlag = False,
) -> None:
    """Find nominations by stage, cycle, province, regency, commodity or lab (newest first)."""
    given = {
        "stage": stage,
        "cycle": cycle,
        "province": province,
        "regency": regency,
        "commodity": commodity,
        "lab": lab,
    }
    where = parse(
        NominationFilter, {k: v for k, v in given.items() if v is not None}, "Filter tidak sah:"
    )
    rows = run(lambda ovop: list_nominations(ovop.client, where, limit=limit))
    if as_json:
        echo_json([row.model_dump(mode="json") for row in rows])
        return
    query = visibility_query(where)
    if not rows:
        typer.echo(f"Tidak ada usulan yang cocok.\n  Kueri: {query}")
        return
    echo_table(
        [
            Column("ID", no_wrap=True),
            "TAHAP",
            "PROVINSI",
            "KOMODITAS",
            "BATAS WAKTU",
            number("NILAI"),
            number("BINTANG"),
        ],
        [list_row(r) for r in rows],
    )
    typer.echo(f"\n{len(rows)} usulan.  Kueri (juga untuk Web UI): {query}")


def list_row(row: NominationRow) -> list[str]:
    open_stage = row.stage is not None and not row.stage.is_terminal
    return [
        row.id,
        row.stage.value if row.stage else "-",
        row.province.value if row.province else "-",
        row.commodity.value if row.commodity else "-",
        when_compact(row.deadline) if row.deadline and open_stage else "-",
        f"{row.score:g}" if row.score is not None else "-",
        str(row.stars) if row.stars is not None else "-",
    ]


async def nomination_state(ovop: Connected, nomination_id: str) -> Nomination:
    """The nomination's whole state, from its workflow; an unknown id or no worker is said."""
    handle = ovop.client.get_workflow_handle(nomination_id)
    seconds = ovop.settings.cli_timeout_seconds
    timeout = timedelta(seconds=seconds)
    try:
        state: Nomination = await handle.query(NominationWorkflow.state, rpc_timeout=timeout)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            not_found(nomination_id)
        if error.status in (RPCStatusCode.CANCELLED, RPCStatusCode.DEADLINE_EXCEEDED):
            no_answer(handle, seconds, "Tanpa worker, `ovop list` tetap menampilkan tahapnya.")
        raise
    except WorkflowQueryFailedError as error:
        fail(f"{nomination_id} tidak dapat dibaca sebagai usulan OVOP: {error}")
    return state


def show(nomination_id: IdArg, as_json: JsonFlag = False) -> None:
    """Where a nomination stands, what it waits for and until when, and its history."""

    async def go(ovop: Connected) -> NominationView:
        return view(await nomination_state(ovop, nomination_id))

    nom = run(go)
    if as_json:
        echo_json(nom)
        return
    print_view(nom)


def print_view(nom: NominationView) -> None:
    """What `ovop show` prints of a nomination."""
    typer.echo(f"{nom.id}")
    typer.echo(f"  Produk      : {nom.product_name} ({nom.commodity.label})")
    typer.echo(f"  IKM         : {nom.ikm_name}")
    typer.echo(f"  Daerah      : {nom.regency}, {nom.province.value}")
    typer.echo(f"  Balai Besar : {nom.lab.label}")
    typer.echo(f"  Tahap       : {nom.stage_label} ({nom.stage.value})")
    if nom.endorsement:
        typer.echo(f"  Rekomendasi : {nom.endorsement}")
    if nom.waiting:
        typer.echo(f"  Menunggu    : {nom.waiting}")
    if nom.deadline and not nom.stage.is_terminal:
        late = " (terlambat, telah dieskalasi)" if nom.escalated else ""
        typer.echo(f"  Batas waktu : {when(nom.deadline)}{late}")
    if nom.sample_asked:
        typer.echo(f"  Sampel      : {nom.sample_asked}")
    if nom.sample_received:
        typer.echo(f"  Sampel      : diterima {nom.sample_received}")
    if nom.final_score is not None:
        typer.echo(f"  Nilai akhir : {nom.final_score:g}")
    if nom.stars is not None:
        typer.echo(f"  Penghargaan : {nom.stars} bintang ({nom.certificate_number})")
    if nom.lab_tests:
        typer.echo("\nHasil uji Balai Besar:")
        echo_table(list(LAB_TEST_COLUMNS), [lab_test_row(t) for t in nom.lab_tests])
    if nom.lab_advice:
        typer.echo(f"PERHATIAN: {nom.lab_advice}")
    if nom.site_visit:
        typer.echo(f"\nVerifikasi lapangan: {nom.site_visit}")
    if nom.visit_findings:
        echo_table(["KRITERIA", "TEMUAN"], [list(row) for row in nom.visit_findings])
    for title, documents in (
        ("Berkas usulan", nom.documents),
        ("Versi sebelumnya (telah diganti)", nom.earlier_documents),
    ):
        if documents:
            typer.echo(f"\n{title}:")
            echo_table(
                [
                    "BERKAS",
                    number("VERSI"),
                    "NAMA",
                    "JENIS",
                    number("UKURAN"),
                    Column("SHA-256", no_wrap=True),
                ],
                [document_row(ref) for ref in documents],
            )
    if nom.missing_documents and not nom.stage.is_terminal:
        typer.echo("\nBerkas belum lengkap:")
        for line in nom.missing_documents:
            typer.echo(f"  - {line}")
    typer.echo("\nRiwayat:")
    echo_table([number("NO"), "PERISTIWA", "PERPINDAHAN TAHAP"], map(history_row, nom.events))


def document_row(ref: DocumentRef) -> list[str]:
    return [
        ref.label,
        str(ref.version),
        ref.name,
        ref.media_type.label,
        file_size(ref.size),
        ref.sha256,
    ]


def history_row(event: NominationEvent) -> list[str]:
    moved = f"{event.from_stage.value} -> {event.to_stage.value}" if event.is_transition else ""
    return [str(event.seq), describe(event), moved]


def explain(nomination_id: IdArg, as_json: JsonFlag = False) -> None:
    """How a nomination's final score was reached: scores, weights, adjustments, stars."""

    nom = run(lambda ovop: nomination_state(ovop, nomination_id))
    why = nom.result.explanation if nom.result else None
    if why is None:
        fail(f"{nomination_id}: penilaian Tim Seleksi belum ditutup", 1)
    if as_json:
        echo_json(why)
        return
    said = explained(why)
    typer.echo(said.weights)
    typer.echo(f"{said.median}\n")
    echo_table(["JURI", number("NILAI"), number("SELISIH"), "CATATAN"], said.jurors)
    typer.echo("")
    for line in said.lines:
        typer.echo(line)


def report(
    cycle: Annotated[str, typer.Argument(help="The cycle, e.g. 2026.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the two files (default: var/laporan)."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="The records database (default: OVOP_DATABASE_URL)."),
    ] = None,
) -> None:
    """Write a cycle's results: a spreadsheet (XLSX) and an HTML page with charts."""
    import reports
    from reports.cli import RecordsUnavailable, read_results

    if not cycle.isdigit() or len(cycle) != 4:
        fail(f"siklus harus berupa tahun empat angka, misalnya 2026, bukan {cycle!r}")
    try:
        results = read_results(database_url or read_settings().database_url, cycle)
    except RecordsUnavailable as error:
        fail(str(error))
    if not results.entries:
        fail(f"tidak ada usulan siklus {cycle} di basis data catatan")
    xlsx_path, html_path = reports.write(results, out or local_var() / "laporan")
    f = results.funnel
    state = f"SEMENTARA: {f.still_open} usulan masih berjalan" if results.provisional else "AKHIR"
    typer.echo(f"Hasil OVOP {cycle} ({state})")
    typer.echo(f"  {f.count(None)} usulan, {len(results.awarded)} meraih penghargaan")
    typer.echo(f"  lembar kerja : {xlsx_path}")
    typer.echo(f"  halaman HTML : {html_path}")


def mail(
    var: Annotated[
        Path | None,
        typer.Option(help="Where the local stack keeps its files (default: OVOP_VAR, or var/)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the messages the local mail sink has kept."""
    import devstack

    var = var or local_var()
    messages = devstack.read_mail(var / "mail")
    rows = [
        {"file": str(path), "to": m["To"], "subject": m["Subject"], "date": m["Date"]}
        for path, m in messages
    ]
    if as_json:
        echo_json(rows)
        return
    if rows:
        echo_table(
            ["TANGGAL", "KEPADA", "SUBJEK", "BERKAS"],
            [[row["date"], row["to"], row["subject"], row["file"]] for row in rows],
        )
    typer.echo(f"{len(rows)} pesan di {var / 'mail'}")
