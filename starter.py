"""`ovop`: the operator's command line.

Every decision is sent as the workflow Update the rules live behind; a refusal exits
non-zero with the validator's message and the field at fault.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain.cycle import CycleConfig
from domain.decisions import (
    Actor,
    AssessmentFindings,
    AwardDecision,
    Decision,
    DecisionResult,
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
from domain.nomination import Nomination
from domain.presentation import describe, when
from domain.scoring import Criterion
from domain.stages import Role
from settings import Settings, connect_temporal, temporal_connect_args
from workflows.client import decide, start_nomination
from workflows.nomination import NominationWorkflow

app = typer.Typer(
    help="OVOP nomination engine: start, inspect and decide nominations.",
    no_args_is_help=True,
    add_completion=False,
)

T = TypeVar("T")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for programs to read.")]
UserOpt = Annotated[str, typer.Option("--as", help="Your user id.")]
RoleOpt = Annotated[Role, typer.Option("--role", help="The role you act in.")]
InstitutionOpt = Annotated[str, typer.Option("--institution", help="The institution you act for.")]
IdArg = Annotated[str, typer.Argument(help="The nomination's id (its workflow id).")]


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def refused(error: Refused) -> NoReturn:
    lines = ["Ditolak:"] + [f"  - {p.field}: {p.message}" for p in error.problems]
    fail("\n".join(lines), 2)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"berkas tidak ditemukan: {path}")
    except json.JSONDecodeError as error:
        fail(f"{path} bukan JSON yang sah: baris {error.lineno}, kolom {error.colno}: {error.msg}")


def parse(model: type[T], data: Any) -> T:
    try:
        return model.model_validate(data)  # type: ignore[attr-defined, no-any-return]
    except ValidationError as error:
        refused(Refused(problems_from(error)))


def run(action: Callable[[Client], Awaitable[T]]) -> T:
    """Connect to Temporal and run `action`, turning connection trouble into a message."""

    async def go() -> T:
        try:
            client = await connect_temporal()
        except RuntimeError as error:
            target = temporal_connect_args()["target_host"]
            fail(
                f"tidak dapat terhubung ke server Temporal di {target}: {error}\n"
                "jalankan `make run`, atau atur TEMPORAL_ADDRESS"
            )
        return await action(client)

    try:
        return asyncio.run(go())
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            fail(f"tidak ditemukan: {error.message}")
        fail(f"server Temporal menolak permintaan: {error.message}")


def echo_json(value: Any) -> None:
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json(indent=2))
    else:
        typer.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def load_config(cycle: str, path: Path | None) -> CycleConfig:
    if path is None:
        return example_cycle_config(cycle)
    config = parse(CycleConfig, read_json(path))
    if config.cycle != cycle:
        fail(f"{path} mengatur siklus {config.cycle}, usulan untuk siklus {cycle}")
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
    config: Annotated[
        Path | None, typer.Option(help="The cycle's configuration (JSON); default: the example.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Validate a proposal and start its nomination."""
    try:
        proposal = parse_proposal(read_json(file))
    except Refused as error:
        refused(error)
    cycle_config = load_config(proposal.cycle, config)

    async def go(client: Client) -> str:
        try:
            handle = await start_nomination(
                client, proposal, cycle_config, proposer_of(proposal), Settings().task_queue
            )
        except Refused as error:
            refused(error)
        return handle.id

    from temporalio.exceptions import WorkflowAlreadyStartedError

    try:
        workflow_id = run(go)
    except WorkflowAlreadyStartedError as error:
        fail(f"usulan ini sudah pernah diajukan: {error.workflow_id}", 3)
    if as_json:
        echo_json({"id": workflow_id})
    else:
        typer.echo(f"Usulan diterima: {workflow_id}")


# --- inspecting ---------------------------------------------------------------------


@app.command()
def show(nomination_id: IdArg, as_json: JsonFlag = False) -> None:
    """Where a nomination stands, what it waits for and until when, and its history."""

    async def go(client: Client) -> Nomination:
        return await client.get_workflow_handle(nomination_id).query(NominationWorkflow.state)

    nom = run(go)
    if as_json:
        echo_json(nom)
        return
    p = nom.proposal
    typer.echo(f"{nom.id}")
    typer.echo(f"  Produk      : {p.product.name} ({p.product.commodity.label})")
    typer.echo(f"  IKM         : {p.ikm.name}")
    typer.echo(f"  Daerah      : {p.sentra.regency}, {p.sentra.province.value}")
    typer.echo(f"  Tahap       : {nom.stage.label} ({nom.stage.value})")
    if nom.deadline and not nom.stage.is_terminal:
        typer.echo(f"  Batas waktu : {when(nom.deadline)}")
    if nom.result:
        typer.echo(f"  Nilai akhir : {nom.result.final_score:g}")
    if nom.award and nom.award.certificate_number:
        typer.echo(f"  Penghargaan : {nom.award.stars} bintang ({nom.award.certificate_number})")
    typer.echo("  Riwayat:")
    for event in nom.events:
        typer.echo(f"    {event.seq:>2}. {describe(event)}")


# --- decisions ----------------------------------------------------------------------


def send(nomination_id: str, decision: Decision, as_json: bool) -> None:
    async def go(client: Client) -> DecisionResult:
        try:
            return await decide(client.get_workflow_handle(nomination_id), decision)
        except Refused as error:
            refused(error)

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


# --- the local stack ----------------------------------------------------------------


@app.command()
def dev(
    var: Annotated[Path, typer.Option(help="Where the local stack keeps its files.")] = Path("var"),
    seed: Annotated[bool, typer.Option(help="Start the demo nominations.")] = True,
) -> None:
    """Run the whole local stack: Temporal + Web UI, mail sink, worker, demo nominations."""
    import devstack

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    try:
        asyncio.run(devstack.run(Settings(), var, devstack.Ports(), seed))
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


# --- deploying: the records schema, the Temporal namespace -----------------------------

from provision import db_app, temporal_app  # noqa: E402  (after the commands above, as listed)

app.add_typer(db_app, name="db")
app.add_typer(temporal_app, name="temporal")


def main() -> None:
    app(prog_name="ovop")


if __name__ == "__main__":
    main()
