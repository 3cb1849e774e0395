"""`ovop`: the operator's command line.

Every decision is sent as the workflow Update the rules live behind; a refusal exits
non-zero with the validator's message and the field at fault. `ovop list` reads Temporal
visibility (the search attributes), so it works with no worker running.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from bootstrap import CodecNotConfigured, Services, read_settings
from domain.cycle import CycleConfig
from domain.cycle_book import Closing, ConfigChange, CycleSetup, CycleStatus, cycle_workflow_id
from domain.decisions import (
    Actor,
    AssessmentFindings,
    AwardDecision,
    DeadlineExtension,
    Decision,
    DecisionResult,
    JurorReassignment,
    LabTest,
    Resubmission,
    ScoreSheet,
    VerifyDecision,
    VerifyOutcome,
    Withdrawal,
)
from domain.eligibility import parse_proposal
from domain.errors import Refused, problems_from
from domain.examples import example_cycle_config, example_proposals, proposer_of
from domain.labs import Lab
from domain.nomination import Nomination
from domain.presentation import NominationView, describe, view, when
from domain.proposal import Commodity
from domain.scoring import Criterion
from domain.stages import Role, Stage
from settings import Settings, temporal_connect_args
from workflows import names
from workflows.client import (
    CycleHandle,
    close_cycle,
    configure_cycle,
    decide,
    open_cycle,
)
from workflows.client import nominate as nominate_in_cycle
from workflows.cycle import CycleWorkflow
from workflows.nomination import NominationWorkflow
from workflows.visibility import (
    NominationFilter,
    NominationRow,
    list_nominations,
    visibility_query,
)

app = typer.Typer(
    help="OVOP nomination engine: start, inspect and decide nominations.",
    epilog=(
        "Exit codes: 0 done; 1 cannot proceed (server, worker, file); 2 refused or "
        "invalid input; 3 already proposed; 4 no such nomination."
    ),
    no_args_is_help=True,
    add_completion=False,
)

# Exit codes, as the epilog above tells operators and scripts.
CANNOT_PROCEED, REFUSED, ALREADY_PROPOSED, NOT_FOUND = 1, 2, 3, 4

T = TypeVar("T")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for programs to read.")]
UserOpt = Annotated[str, typer.Option("--as", help="Your user id.")]
RoleOpt = Annotated[Role, typer.Option("--role", help="The role you act in.")]
InstitutionOpt = Annotated[str, typer.Option("--institution", help="The institution you act for.")]
ConfigOpt = Annotated[
    Path | None, typer.Option(help="The cycle's configuration (JSON); default: the example.")
]
IdArg = Annotated[str, typer.Argument(help="The nomination's id (its workflow id).")]


def fail(message: str, code: int = CANNOT_PROCEED) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def refused(error: Refused, title: str = "Ditolak:") -> NoReturn:
    lines = [title] + [f"  - {p.field}: {p.message}" for p in error.problems]
    fail("\n".join(lines), REFUSED)


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


def parse(model: type[T], data: Any, title: str = "Ditolak:") -> T:
    try:
        return model.model_validate(data)  # type: ignore[attr-defined, no-any-return]
    except ValidationError as error:
        refused(Refused(problems_from(error)), title)


@dataclass(frozen=True)
class Connected:
    """What a command that talks to Temporal works with: the client, and its settings."""

    client: Client
    settings: Settings


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
            return await action(Connected(client, services.settings))

    try:
        return asyncio.run(go())
    except RPCError as error:
        if error.status == RPCStatusCode.UNAVAILABLE:
            server_down(error)
        if error.status == RPCStatusCode.NOT_FOUND:
            fail(f"tidak ditemukan: {error.message}", NOT_FOUND)
        fail(f"server Temporal menolak permintaan: {error.message}")


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


async def closed_or_unknown(handle: WorkflowHandle[Any, Any]) -> NoReturn:
    """After Temporal said NOT_FOUND to a decision: the nomination has ended, or never was."""
    try:
        description = await handle.describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            not_found(handle.id)
        raise
    stage = description.typed_search_attributes.get(names.STAGE)
    where = f"{Stage(stage).label} ({stage})" if stage else "akhir"
    refused(
        Refused.one(
            "stage",
            f"usulan ini sudah selesai pada tahap {where}; tidak ada keputusan lagi yang "
            "dapat diberikan",
        )
    )


def echo_json(value: Any) -> None:
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json(indent=2))
    else:
        typer.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def load_config(cycle: str, path: Path | None) -> CycleConfig:
    """The cycle's configuration from a JSON file; without one, the example configuration."""
    if path is None:
        return example_cycle_config(cycle)
    config = parse(CycleConfig, read_json(path))
    if config.cycle != cycle:
        fail(f"{path} mengatur siklus {config.cycle}, bukan {cycle}")
    return config


# --- proposals ----------------------------------------------------------------------


@app.command("example-proposal")
def example_proposal(
    index: Annotated[int, typer.Option(help="Which example (0-5).", min=0, max=5)] = 0,
    cycle: Annotated[str, typer.Option(help="The award cycle.")] = str(date.today().year),
) -> None:
    """Print a valid proposal as JSON, to copy and edit."""
    echo_json(example_proposals(cycle)[index])


@app.command()
def nominate(
    file: Annotated[Path, typer.Argument(help="The proposal, as JSON.")],
    as_json: JsonFlag = False,
) -> None:
    """Validate a proposal and start its nomination in its cycle (which must be open)."""
    try:
        proposal = parse_proposal(read_json(file))
    except Refused as error:
        refused(error)

    async def go(ovop: Connected) -> str:
        try:
            handle = await nominate_in_cycle(
                ovop.client, proposal, proposer_of(proposal), ovop.settings.task_queue
            )
        except Refused as error:
            refused(error)
        return handle.id

    from temporalio.exceptions import WorkflowAlreadyStartedError

    try:
        workflow_id = run(go)
    except WorkflowAlreadyStartedError as error:
        fail(f"usulan ini sudah pernah diajukan: {error.workflow_id}", ALREADY_PROPOSED)
    if as_json:
        echo_json({"id": workflow_id})
    else:
        typer.echo(f"Usulan diterima: {workflow_id}")


# --- inspecting ---------------------------------------------------------------------


@app.command("list")
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
    typer.echo(
        table(
            ["ID", "TAHAP", "PROVINSI", "KOMODITAS", "BATAS WAKTU", "NILAI", "BINTANG"],
            [list_row(r) for r in rows],
        )
    )
    typer.echo(f"\n{len(rows)} usulan.  Kueri (juga untuk Web UI): {query}")


def list_row(row: NominationRow) -> list[str]:
    open_stage = row.stage is not None and not row.stage.is_terminal
    return [
        row.id,
        row.stage.value if row.stage else "-",
        row.province.value if row.province else "-",
        row.commodity.value if row.commodity else "-",
        when(row.deadline) if row.deadline and open_stage else "-",
        f"{row.score:g}" if row.score is not None else "-",
        str(row.stars) if row.stars is not None else "-",
    ]


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    )


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


@app.command()
def show(nomination_id: IdArg, as_json: JsonFlag = False) -> None:
    """Where a nomination stands, what it waits for and until when, and its history."""

    async def go(ovop: Connected) -> NominationView:
        return view(await nomination_state(ovop, nomination_id))

    nom = run(go)
    if as_json:
        echo_json(nom)
        return
    typer.echo(f"{nom.id}")
    typer.echo(f"  Produk      : {nom.product_name} ({nom.commodity.label})")
    typer.echo(f"  IKM         : {nom.ikm_name}")
    typer.echo(f"  Daerah      : {nom.regency}, {nom.province.value}")
    typer.echo(f"  Balai Besar : {nom.lab.label}")
    typer.echo(f"  Tahap       : {nom.stage_label} ({nom.stage.value})")
    if nom.waiting:
        typer.echo(f"  Menunggu    : {nom.waiting}")
    if nom.deadline and not nom.stage.is_terminal:
        late = " (terlambat, telah dieskalasi)" if nom.escalated else ""
        typer.echo(f"  Batas waktu : {when(nom.deadline)}{late}")
    if nom.final_score is not None:
        typer.echo(f"  Nilai akhir : {nom.final_score:g}")
    if nom.stars is not None:
        typer.echo(f"  Penghargaan : {nom.stars} bintang ({nom.certificate_number})")
    typer.echo("  Riwayat:")
    for event in nom.events:
        moved = f"  [{event.from_stage.value} -> {event.to_stage.value}]"
        typer.echo(f"    {event.seq:>2}. {describe(event)}{moved if event.is_transition else ''}")


# --- decisions ----------------------------------------------------------------------


def send(nomination_id: str, decision: Decision, as_json: bool) -> None:
    async def go(ovop: Connected) -> DecisionResult:
        handle = ovop.client.get_workflow_handle(nomination_id)
        timeout = ovop.settings.cli_timeout_seconds
        try:
            return await asyncio.wait_for(decide(handle, decision), timeout)
        except Refused as error:
            refused(error)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                await closed_or_unknown(handle)
            raise
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
            no_answer(
                handle,
                timeout,
                "Keputusan ini belum tentu diterima: periksa dengan `ovop show` "
                "sebelum mengirimnya lagi.",
            )

    result = run(go)
    if as_json:
        echo_json(result)
    else:
        line = f"{result.nomination_id}: {result.message}"
        if result.certificate_number:
            line += f" (sertifikat {result.certificate_number})"
        typer.echo(line)


def actor(user: str, role: Role, institution: str) -> Actor:
    return parse(Actor, {"user_id": user, "role": role, "institution": institution})


@app.command()
def verify(
    nomination_id: IdArg,
    user: UserOpt,
    passed: Annotated[bool, typer.Option("--pass", help="It passes verification.")] = False,
    reject: Annotated[str | None, typer.Option(help="Reject it, for this reason.")] = None,
    revise: Annotated[str | None, typer.Option(help="Ask for a revision: what to fix.")] = None,
    role: RoleOpt = Role.VERIFIER,
    institution: InstitutionOpt = "Ditjen IKMA",
    as_json: JsonFlag = False,
) -> None:
    """Administrative verification: --pass, --reject REASON or --revise REASON."""
    chosen = [o for o, on in [("pass", passed), ("reject", reject), ("revise", revise)] if on]
    if len(chosen) != 1:
        fail("pilih tepat satu: --pass, --reject ALASAN atau --revise ALASAN", 2)
    decision = parse(
        VerifyDecision,
        {
            "actor": actor(user, role, institution),
            "outcome": VerifyOutcome(chosen[0]),
            "reason": reject or revise,
        },
    )
    send(nomination_id, decision, as_json)


@app.command()
def resubmit(
    nomination_id: IdArg,
    file: Annotated[Path, typer.Argument(help="The corrected proposal, as JSON.")],
    user: UserOpt,
    institution: InstitutionOpt,
    note: Annotated[str | None, typer.Option(help="What was corrected.")] = None,
    role: RoleOpt = Role.PROPOSER,
    as_json: JsonFlag = False,
) -> None:
    """Send the corrected proposal after a revision request."""
    try:
        proposal = parse_proposal(read_json(file))
    except Refused as error:
        refused(error)
    decision = parse(
        Resubmission, {"actor": actor(user, role, institution), "proposal": proposal, "note": note}
    )
    send(nomination_id, decision, as_json)


@app.command()
def assess(
    nomination_id: IdArg,
    user: UserOpt,
    institution: InstitutionOpt,
    report: Annotated[str, typer.Option(help="The lab report number.")],
    score: Annotated[float, typer.Option(help="The technical score, 0-100.")],
    summary: Annotated[str, typer.Option(help="The findings in a sentence or two.")],
    test: Annotated[
        list[str],
        typer.Option(help="A test result: 'parameter=result;standard;pass|fail'. Repeat."),
    ],
    conforms: Annotated[
        bool, typer.Option("--conforms/--does-not-conform", help="Does it meet the standard?")
    ] = True,
    role: RoleOpt = Role.LAB_ASSESSOR,
    as_json: JsonFlag = False,
) -> None:
    """A Balai Besar lab's findings on the product samples."""
    tests = [_lab_test(t) for t in test]
    decision = parse(
        AssessmentFindings,
        {
            "actor": actor(user, role, institution),
            "report_number": report,
            "score": score,
            "conforms": conforms,
            "tests": tests,
            "summary": summary,
        },
    )
    send(nomination_id, decision, as_json)


def _lab_test(text: str) -> LabTest:
    parameter, _, rest = text.partition("=")
    parts = rest.split(";")
    if not parameter or len(parts) != 3 or parts[2] not in ("pass", "fail"):
        fail(f"--test {text!r}: tulis sebagai 'parameter=hasil;standar;pass' atau '...;fail'", 2)
    return parse(
        LabTest,
        {
            "parameter": parameter.strip(),
            "result": parts[0].strip(),
            "standard": parts[1].strip() or None,
            "passed": parts[2] == "pass",
        },
    )


@app.command()
def score(
    nomination_id: IdArg,
    user: UserOpt,
    local_resources: Annotated[float, typer.Option(help=Criterion.LOCAL_RESOURCES.label)],
    culture_authenticity: Annotated[float, typer.Option(help=Criterion.CULTURE_AUTHENTICITY.label)],
    quality_presentation: Annotated[float, typer.Option(help=Criterion.QUALITY_PRESENTATION.label)],
    market_potential: Annotated[float, typer.Option(help=Criterion.MARKET_POTENTIAL.label)],
    sustainable_production: Annotated[
        float, typer.Option(help=Criterion.SUSTAINABLE_PRODUCTION.label)
    ],
    comment: Annotated[str, typer.Option(help="The juror's comment.")],
    role: RoleOpt = Role.JUROR,
    institution: InstitutionOpt = "Tim Seleksi OVOP",
    as_json: JsonFlag = False,
) -> None:
    """A juror's scores on the five criteria, 0-100 each."""
    decision = parse(
        ScoreSheet,
        {
            "actor": actor(user, role, institution),
            "scores": {
                Criterion.LOCAL_RESOURCES: local_resources,
                Criterion.CULTURE_AUTHENTICITY: culture_authenticity,
                Criterion.QUALITY_PRESENTATION: quality_presentation,
                Criterion.MARKET_POTENTIAL: market_potential,
                Criterion.SUSTAINABLE_PRODUCTION: sustainable_production,
            },
            "comment": comment,
        },
    )
    send(nomination_id, decision, as_json)


@app.command()
def award(
    nomination_id: IdArg,
    user: UserOpt,
    confirm: Annotated[bool, typer.Option("--confirm", help="Confirm the panel's stars.")] = False,
    override: Annotated[
        int | None, typer.Option(help="Award these stars instead (0: none).")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why, when overriding.")] = None,
    role: RoleOpt = Role.OFFICIAL,
    institution: InstitutionOpt = "Ditjen IKMA",
    as_json: JsonFlag = False,
) -> None:
    """The award decision: --confirm, or --override STARS --reason R."""
    if confirm == (override is not None):
        fail("pilih tepat satu: --confirm atau --override BINTANG --reason ALASAN", 2)
    decision = parse(
        AwardDecision,
        {"actor": actor(user, role, institution), "override_stars": override, "reason": reason},
    )
    send(nomination_id, decision, as_json)


@app.command()
def withdraw(
    nomination_id: IdArg,
    user: UserOpt,
    reason: Annotated[str, typer.Option(help="Why it is withdrawn.")],
    role: RoleOpt = Role.OPERATOR,
    institution: InstitutionOpt = "Ditjen IKMA",
    as_json: JsonFlag = False,
) -> None:
    """Withdraw a nomination at any open stage (its proposer, or an operator)."""
    decision = parse(Withdrawal, {"actor": actor(user, role, institution), "reason": reason})
    send(nomination_id, decision, as_json)


@app.command()
def extend(
    nomination_id: IdArg,
    user: UserOpt,
    reason: Annotated[str, typer.Option(help="Why the deadline moves.")],
    until: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="The new due day.")
    ] = None,
    working_days: Annotated[
        int | None, typer.Option(help="Or: move the due day by this many working days.")
    ] = None,
    role: RoleOpt = Role.OPERATOR,
    institution: InstitutionOpt = "Ditjen IKMA",
    as_json: JsonFlag = False,
) -> None:
    """Extend the current stage's deadline (an operator); every pending reminder moves too."""
    decision = parse(
        DeadlineExtension,
        {
            "actor": actor(user, role, institution),
            "until": until.date() if until else None,
            "working_days": working_days,
            "reason": reason,
        },
    )
    send(nomination_id, decision, as_json)


@app.command()
def reassign(
    nomination_id: IdArg,
    user: UserOpt,
    juror: Annotated[str, typer.Option(help="The juror leaving the panel.")],
    reason: Annotated[str, typer.Option(help="Why (dropped out, a conflict of interest).")],
    role: RoleOpt = Role.OPERATOR,
    institution: InstitutionOpt = "Ditjen IKMA",
    as_json: JsonFlag = False,
) -> None:
    """Take a juror off a panel; the cycle assigns another (an operator)."""
    decision = parse(
        JurorReassignment,
        {"actor": actor(user, role, institution), "juror_id": juror, "reason": reason},
    )
    send(nomination_id, decision, as_json)


@app.command()
def explain(nomination_id: IdArg, as_json: JsonFlag = False) -> None:
    """How a nomination's final score was reached: scores, weights, adjustments, stars."""

    nom = run(lambda ovop: nomination_state(ovop, nomination_id))
    why = nom.result.explanation if nom.result else None
    if why is None:
        fail(f"{nomination_id}: penilaian Tim Seleksi belum ditutup", 1)
    if as_json:
        echo_json(why)
        return
    weights = ", ".join(f"{c.label} {why.weights.of(c):g}%" for c in Criterion)
    typer.echo(f"Bobot kriteria: {weights}")
    typer.echo(f"Median nilai juri: {why.median:g}")
    for line in why.jurors:
        mark = f"  (jauh dari median, bobot {line.weight:g})" if line.outlier else ""
        typer.echo(f"  {line.juror_id:<16} {line.total:6.2f}  selisih {line.deviation:5.2f}{mark}")
    typer.echo(f"Nilai Tim Seleksi (rata-rata berbobot): {why.panel_score:.2f}")
    typer.echo(f"Nilai teknis Balai Besar: {why.lab_score:g} (bobot {why.lab_weight:g})")
    typer.echo(
        f"Nilai akhir: (1 - {why.lab_weight:g}) x {why.panel_score:.2f} + "
        f"{why.lab_weight:g} x {why.lab_score:g} = {why.final_score:.2f}"
    )
    typer.echo(f"Bintang: {why.stars}")
    if why.next_level is not None:
        typer.echo(
            f"Ke {why.next_level.stars} bintang (min. {why.next_level.min_score:g}): "
            f"kurang {why.points_to_next_level:g} poin"
        )


# --- cycles -------------------------------------------------------------------------

cycle_app = typer.Typer(help="Open, configure, inspect and close an award cycle.")
app.add_typer(cycle_app, name="cycle")
CycleArg = Annotated[str, typer.Argument(help="The cycle, e.g. 2026.")]


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
    config: Annotated[
        Path | None, typer.Option(help="The cycle's configuration (JSON); default: the example.")
    ] = None,
    role: RoleOpt = Role.OPERATOR,
    institution: InstitutionOpt = "Ditjen IKMA",
) -> None:
    """Open a cycle: its rules, its panel roster and its proposal window."""
    setup = parse(
        CycleSetup,
        {
            "config": load_config(cycle, config),
            "window": {"opens": opens.date(), "closes": closes.date()},
            "opened_by": actor(user, role, institution),
        },
    )

    async def go(ovop: Connected) -> str:
        try:
            return (await open_cycle(ovop.client, setup, ovop.settings.task_queue)).id
        except Refused as error:
            refused(error)

    from temporalio.exceptions import WorkflowAlreadyStartedError

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
    for stage, count in status.by_stage.items():
        typer.echo(f"    {stage.label:<32} {count}")
    if status.juror_loads:
        loads = ", ".join(f"{j} {n}" for j, n in status.juror_loads.items())
        typer.echo(f"  Beban juri: {loads}")


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


# --- results ------------------------------------------------------------------------


@app.command()
def report(
    cycle: Annotated[str, typer.Argument(help="The cycle, e.g. 2026.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the two files.")] = Path(
        "var/laporan"
    ),
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
    xlsx_path, html_path = reports.write(results, out)
    f = results.funnel
    state = f"SEMENTARA: {f.still_open} usulan masih berjalan" if results.provisional else "AKHIR"
    typer.echo(f"Hasil OVOP {cycle} ({state})")
    typer.echo(f"  {f.count(None)} usulan, {len(results.awarded)} meraih penghargaan")
    typer.echo(f"  lembar kerja : {xlsx_path}")
    typer.echo(f"  halaman HTML : {html_path}")


# --- the local stack ----------------------------------------------------------------


@app.command()
def dev(
    var: Annotated[Path, typer.Option(help="Where the local stack keeps its files.")] = Path("var"),
    seed: Annotated[bool, typer.Option(help="Start the demo nominations.")] = True,
    temporal_port: Annotated[int, typer.Option(help="Temporal's gRPC port.", min=1)] = 7233,
    ui_port: Annotated[int, typer.Option(help="The Temporal Web UI's port.", min=1)] = 8233,
    smtp_port: Annotated[int, typer.Option(help="The mail sink's SMTP port.", min=1)] = 1025,
    api_port: Annotated[
        int | None, typer.Option(help="The HTTP API's port (default: OVOP_API_PORT).", min=1)
    ] = None,
) -> None:
    """Run the whole local stack: Temporal + Web UI, mail sink, worker, API, demo nominations."""
    import devstack

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    settings = read_settings()
    ports = devstack.Ports(
        temporal=temporal_port, ui=ui_port, smtp=smtp_port, api=api_port or settings.api_port
    )
    try:
        asyncio.run(devstack.run(settings, var, ports, seed))
    except devstack.DevStackError as error:
        fail(str(error))


@app.command()
def mail(
    var: Annotated[Path, typer.Option(help="Where the local stack keeps its files.")] = Path("var"),
    as_json: JsonFlag = False,
) -> None:
    """List the messages the local mail sink has kept."""
    import devstack

    messages = devstack.read_mail(var / "mail")
    rows = [
        {"file": str(path), "to": m["To"], "subject": m["Subject"], "date": m["Date"]}
        for path, m in messages
    ]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['date']}  {row['to']}\n    {row['subject']}\n    {row['file']}")
    typer.echo(f"{len(rows)} pesan di {var / 'mail'}")


# --- integration -------------------------------------------------------------------


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The spreadsheet (.xlsx or .csv); see --template.")],
    template: Annotated[
        bool, typer.Option("--template", help="Write the blank spreadsheet to FILE instead.")
    ] = False,
    only_valid: Annotated[
        bool, typer.Option("--only-valid", help="Start the good rows even if others are bad.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Import proposals from a spreadsheet: every row checked first, each started once."""
    from intake.importer import ImportResult, start_rows
    from intake.spreadsheet import SpreadsheetError, read_proposals, write_template

    try:
        if template:
            write_template(file)
            where = "lembar 'Petunjuk'" if file.suffix.lower() == ".xlsx" else "templat XLSX"
            typer.echo(f"Templat ditulis: {file} (petunjuk pengisian pada {where})")
            return
        rows = read_proposals(file)
    except SpreadsheetError as error:
        fail(str(error), 2)
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
        with typer.progressbar(length=len(good), label="Memulai usulan", file=sys.stderr) as bar:
            return await start_rows(ovop.client, good, ovop.settings.task_queue, bar.update)

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
        typer.secho(f"Baris {number}: ditolak siklus: {refusal}", fg=typer.colors.RED, err=True)
    typer.echo(
        f"{len(result.started)} usulan dimulai, {len(result.skipped)} dilewati karena sudah ada"
        + (f", {len(result.refused)} ditolak siklus" if result.refused else "")
        + (f", {len(bad)} baris bermasalah tidak dimulai" if bad else "")
        + "."
    )


_DELIVERY_STATUS = {"pending": "dicoba ulang", "delivered": "terkirim", "failed": "gagal"}


@app.command()
def webhooks(
    failed: Annotated[bool, typer.Option("--failed", help="Only deliveries given up.")] = False,
    nomination: Annotated[str | None, typer.Option(help="Only this nomination's.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Webhook deliveries to the ministry's systems, newest first (from the records DB)."""
    from sqlalchemy.exc import OperationalError

    settings = read_settings()

    async def go() -> list[dict[str, Any]]:
        async with Services(settings) as services:
            return await services.records.webhook_deliveries(
                status="failed" if failed else None, nomination_id=nomination
            )

    try:
        rows = asyncio.run(go())
    except OperationalError as error:
        fail(f"basis data catatan tidak dapat dibaca ({settings.database_url}): {error.orig}")
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        status = _DELIVERY_STATUS.get(r["status"], r["status"])
        typer.echo(
            f"{when(r['last_attempt_at'])}  {r['nomination_id']} #{r['seq']} {r['event_kind']}"
            f" -> {r['subscriber']}: {status}, {r['attempts']} percobaan"
        )
        if r["last_error"] and r["status"] != "delivered":
            typer.echo(f"    {r['last_error']}")
    typer.echo(f"{len(rows)} pengiriman webhook" + (" yang gagal" if failed else ""))


# --- deploying: the records schema, the Temporal namespace -----------------------------

from provision import db_app, temporal_app  # noqa: E402  (after the commands above, as listed)

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
