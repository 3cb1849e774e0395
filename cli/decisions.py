"""`ovop endorse`, `verify`, `resubmit`, `receive-sample`, `assess`, `score`, `award`, `withdraw`,
`extend`, `reassign` and `declare-conflict`: each decision sent as the workflow Update the
rules live behind."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from temporalio.client import WorkflowHandle, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from cli.common import (
    Connected,
    IdArg,
    InstitutionOpt,
    JsonFlag,
    RoleOpt,
    UserOpt,
    actor,
    echo_json,
    fail,
    no_answer,
    not_found,
    parse,
    read_proposal,
    refused,
    run,
)
from cli.intake import kept_document
from documents import require_stored
from domain.decisions import (
    AssessmentFindings,
    AwardDecision,
    ConflictDeclaration,
    DeadlineExtension,
    Decision,
    DecisionResult,
    EndorseOutcome,
    JurorReassignment,
    LabTest,
    ProvincialEndorsement,
    Resubmission,
    SampleReceipt,
    ScoreSheet,
    VerifyDecision,
    VerifyOutcome,
    Withdrawal,
    documents_referenced,
)
from domain.documents import Slot
from domain.errors import Refused
from domain.lab_testing import SampleCondition
from domain.scoring import Criterion
from domain.stages import Role, Stage
from workflows import names
from workflows.client import decide


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


def send(nomination_id: str, decision: Decision, as_json: bool) -> None:
    async def go(ovop: Connected) -> DecisionResult:
        handle = ovop.client.get_workflow_handle(nomination_id)
        timeout = ovop.settings.cli_timeout_seconds
        try:
            # A resubmission's documents and a lab's report, as the API checks them.
            await require_stored(ovop.services.documents, documents_referenced(decision))
            # Half the time for the answer (with what the decision sets going), the rest
            # for asking where a decision taken without it stands.
            settle = timedelta(seconds=timeout / 2)
            return await asyncio.wait_for(decide(handle, decision, settle_within=settle), timeout)
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


def endorse(
    nomination_id: IdArg,
    user: UserOpt,
    institution: InstitutionOpt,
    endorse_it: Annotated[
        bool, typer.Option("--endorse/--return", help="Endorse it, or return it to the regency.")
    ] = True,
    reason: Annotated[str | None, typer.Option(help="Why (needed to return it).")] = None,
    role: RoleOpt = Role.PROPOSER,
    as_json: JsonFlag = False,
) -> None:
    """The provincial office endorses a regency's proposal (within its quota), or returns
    it for correction; --institution names the provincial office."""
    decision = parse(
        ProvincialEndorsement,
        {
            "actor": actor(user, role, institution),
            "outcome": EndorseOutcome.ENDORSE if endorse_it else EndorseOutcome.RETURN,
            "reason": reason,
        },
    )
    send(nomination_id, decision, as_json)


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
    proposal = read_proposal(file)
    decision = parse(
        Resubmission, {"actor": actor(user, role, institution), "proposal": proposal, "note": note}
    )
    send(nomination_id, decision, as_json)


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
    lab_report: Annotated[
        Path | None,
        typer.Option(
            help="The test report (LHU) as a PDF: checked, kept in the document store and"
            " referenced in the findings.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    role: RoleOpt = Role.LAB_ASSESSOR,
    as_json: JsonFlag = False,
) -> None:
    """A Balai Besar lab's findings on the product samples."""
    tests = [_lab_test(t) for t in test]
    report_ref = kept_document(Slot.LAB_REPORT, lab_report) if lab_report else None
    decision = parse(
        AssessmentFindings,
        {
            "actor": actor(user, role, institution),
            "report_number": report,
            "score": score,
            "conforms": conforms,
            "tests": tests,
            "summary": summary,
            "lab_report": report_ref,
        },
    )
    send(nomination_id, decision, as_json)


def receive_sample(
    nomination_id: IdArg,
    user: UserOpt,
    institution: InstitutionOpt,
    received_by: Annotated[str, typer.Option(help="Who at the lab took the sample in.")],
    received_on: Annotated[
        datetime, typer.Option(formats=["%Y-%m-%d"], help="The day the sample arrived.")
    ],
    condition: Annotated[
        SampleCondition, typer.Option(help="baik, rusak (damaged) or kurang (incomplete).")
    ] = SampleCondition.GOOD,
    note: Annotated[
        str | None, typer.Option(help="The sample's state; needed unless it is 'baik'.")
    ] = None,
    role: RoleOpt = Role.LAB_ASSESSOR,
    as_json: JsonFlag = False,
) -> None:
    """A Balai Besar lab records the sample's receipt: its deadline counts from that day."""
    decision = parse(
        SampleReceipt,
        {
            "actor": actor(user, role, institution),
            "received_on": received_on.date(),
            "condition": condition,
            "received_by": received_by,
            "note": note,
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


def declare_conflict(
    nomination_id: IdArg,
    user: UserOpt,
    reason: Annotated[str, typer.Option(help="The conflict of interest, for the operators.")],
    role: RoleOpt = Role.JUROR,
    institution: InstitutionOpt = "Tim Seleksi OVOP",
    as_json: JsonFlag = False,
) -> None:
    """A juror declares a conflict of interest: they score it no more, and the cycle's
    operators are asked to replace them (`ovop reassign`)."""
    decision = parse(
        ConflictDeclaration, {"actor": actor(user, role, institution), "reason": reason}
    )
    send(nomination_id, decision, as_json)


# Each kind of decision's command (its name comes from `DECISIONS`).
COMMANDS: dict[type[Decision], Callable[..., None]] = {
    ProvincialEndorsement: endorse,
    VerifyDecision: verify,
    Resubmission: resubmit,
    AssessmentFindings: assess,
    ScoreSheet: score,
    AwardDecision: award,
    Withdrawal: withdraw,
    DeadlineExtension: extend,
    JurorReassignment: reassign,
    ConflictDeclaration: declare_conflict,
    SampleReceipt: receive_sample,
}
