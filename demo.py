"""The demo nominations of `make run` (`ovop dev`): a cycle with every stage, and example
nominations left waiting at each stage a person acts on, taken there decision by decision
as real people would; and the local stack's API keys."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from api.keys import hash_key, new_key
from domain.calendar import local_date
from domain.cycle import CycleConfig, ProposalWindow
from domain.cycle_book import CycleSetup
from domain.decisions import (
    Actor,
    AwardDecision,
    Decision,
    EndorseOutcome,
    ProvincialEndorsement,
    ScoreSheet,
    VerifyDecision,
    VerifyOutcome,
)
from domain.eligibility import parse_proposal
from domain.examples import (
    DEMO_EXAMPLES,
    example_cycle_config,
    example_findings,
    example_lab_testing,
    example_proposals,
    example_sample_receipt,
    example_visit_report,
    example_visit_schedule,
    proposer_of,
    provincial_office_of,
)
from domain.nomination import Nomination
from domain.scoring import Criterion
from domain.stages import Role, Stage
from domain.tasks import people_asked
from integrations import ApiKey
from workflows.client import Handle, decide, nominate, open_cycle
from workflows.nomination import NominationWorkflow

DEMO_CYCLE = "2026"


class DemoError(Exception):
    """A demo nomination could not be taken to its stage; the message says where it stopped."""


# Where each example nomination is left waiting: every stage a person acts on, in the
# Web UI and the inbox (the first six as before release 1.5, then its stages).
DEMO_STAGES = [
    Stage.ADMIN_VERIFICATION,
    Stage.TECHNICAL_ASSESSMENT,
    Stage.PANEL_SCORING,
    Stage.REVISION_REQUESTED,
    Stage.AWARD_DECISION,
    Stage.AWARDED,
    Stage.PROVINCIAL_ENDORSEMENT,
    Stage.SAMPLE_AWAITED,
    Stage.SITE_VISIT,
]


async def seed_demo(client: Client, task_queue: str) -> list[tuple[str, Stage, bool]]:
    """Start the demo nominations that do not exist yet and take each to its stage.

    Returns (id, stage, newly started) for each; a nomination that already exists is left
    exactly as it is, so a second run seeds nothing twice.
    """
    await open_demo_cycle(client, task_queue)
    seeded = []
    for raw, target in zip(example_proposals(DEMO_CYCLE)[:DEMO_EXAMPLES], DEMO_STAGES, strict=True):
        proposal = parse_proposal(raw)
        try:
            handle = await nominate(client, proposal, proposer_of(proposal), task_queue)
        except WorkflowAlreadyStartedError as exists:
            seeded.append((exists.workflow_id, target, False))
            continue
        await drive_to(handle, target)
        seeded.append((handle.id, target, True))
    return seeded


def demo_cycle_config() -> CycleConfig:
    """The demo's cycle, with every stage of release 1.5: the provincial offices endorse
    first, the labs test samples on their templates, and a team visits each sentra."""
    return example_cycle_config(
        DEMO_CYCLE, endorsement={}, lab_testing=example_lab_testing(), site_visits={}
    )


async def open_demo_cycle(client: Client, task_queue: str) -> None:
    """The demo's cycle, open for proposals from January of its year until a year from now."""
    today = datetime.now(UTC).date()
    setup = CycleSetup(
        config=demo_cycle_config(),
        window=ProposalWindow(
            opens=date(int(DEMO_CYCLE), 1, 5), closes=today + timedelta(days=365)
        ),
        opened_by=Actor(user_id="op.sari", role=Role.OPERATOR, institution="Ditjen IKMA"),
    )
    with contextlib.suppress(WorkflowAlreadyStartedError):
        await open_cycle(client, setup, task_queue)


async def drive_to(handle: Handle, target: Stage) -> None:
    """Take the decisions that bring a fresh nomination to `target`, stage by stage through
    every stage its cycle has, as real people would. At the panel one juror has scored, and
    at the site visit the operator has scheduled it: the rest wait for the others."""
    nom: Nomination = await handle.query(NominationWorkflow.state)
    while nom.stage != target:
        for decision in _steps_at(nom, target):
            await decide(handle, decision)
        before, nom = nom.stage, await handle.query(NominationWorkflow.state)
        if nom.stage == before:
            raise DemoError(f"usulan demo {handle.id} tidak beranjak dari {before.value}")
    if target in (Stage.PANEL_SCORING, Stage.SITE_VISIT):
        await decide(handle, _steps_at(nom, target)[0])


def _steps_at(nom: Nomination, target: Stage) -> list[Decision]:
    """The decisions that take `nom` on from the stage it is at, towards `target`."""
    config, proposal, now = nom.config, nom.proposal, datetime.now(UTC)
    match nom.stage:
        case Stage.PROVINCIAL_ENDORSEMENT:
            office = provincial_office_of(proposal)
            return [ProvincialEndorsement(actor=office, outcome=EndorseOutcome.ENDORSE)]
        case Stage.ADMIN_VERIFICATION if target == Stage.REVISION_REQUESTED:
            reason = "Lampirkan salinan SK sentra yang dilegalisasi dan foto proses produksi."
            return [VerifyDecision(actor=_VERIFIER, outcome=VerifyOutcome.REVISE, reason=reason)]
        case Stage.ADMIN_VERIFICATION:
            return [VerifyDecision(actor=_VERIFIER, outcome=VerifyOutcome.PASS)]
        case Stage.SAMPLE_AWAITED:  # the sample arrives today, in the lab's time
            today = local_date(now, config.staff.lab_desk(nom.lab).zone)
            return [example_sample_receipt(config, proposal, today)]
        case Stage.TECHNICAL_ASSESSMENT:
            return [example_findings(config, proposal)]
        case Stage.SITE_VISIT:  # the team visits today, and reports at once
            today = local_date(now, nom.zone_of_deadline(Stage.SITE_VISIT))
            return [example_visit_schedule(config, today), example_visit_report(config, today)]
        case Stage.PANEL_SCORING:
            return [
                ScoreSheet(
                    actor=Actor(user_id=juror, role=Role.JUROR, institution="Tim Seleksi OVOP"),
                    scores=dict.fromkeys(Criterion, 84 + 2 * i),
                    comment="Produk khas daerah dengan mutu baik dan pasar yang jelas.",
                )
                for i, juror in enumerate(nom.panel)
            ]
        case Stage.AWARD_DECISION:
            official = Actor(user_id="dirjen.ikma", role=Role.OFFICIAL, institution="Ditjen IKMA")
            return [AwardDecision(actor=official)]
    raise DemoError(f"usulan demo tidak dapat dibawa dari {nom.stage.value} ke {target.value}")


_VERIFIER = Actor(user_id="verif.rina", role=Role.VERIFIER, institution="Ditjen IKMA")


async def demo_people_asked(
    client: Client, seeded: list[tuple[str, Stage, bool]]
) -> list[tuple[Stage, list[str]]]:
    """Whom each demo nomination waits for: the addresses to sign in to the inbox with."""
    asked = []
    for workflow_id, _, _ in seeded:
        nom: Nomination = await client.get_workflow_handle(workflow_id).query(
            NominationWorkflow.state
        )
        people = [p.email for p in people_asked(nom)]
        if people:
            asked.append((nom.stage, people))
    return asked


def demo_keys(var: Path) -> dict[str, ApiKey]:
    """API keys for the local stack, kept in `var/api-keys.json` (plain, for this machine
    only) so that they stay the same from one `make run` to the next."""
    path = var / "api-keys.json"
    if not path.exists():
        path.write_text(json.dumps({n: new_key() for n in _DEMO_KEYS}, indent=2))
        path.chmod(0o600)
    plain: dict[str, str] = json.loads(path.read_text())
    return {
        plain[name]: ApiKey.model_validate({"name": name, "sha256": hash_key(plain[name]), **spec})
        for name, spec in _DEMO_KEYS.items()
    }


_DEMO_KEYS: dict[str, dict[str, Any]] = {
    "ditjen-ikma": {
        "roles": ["verifier", "official", "operator"],
        "institution": "Ditjen IKMA",
    },
    "disperin-pekalongan": {
        "roles": ["proposer"],
        "institution": "Dinas Perdagangan, Koperasi dan UKM Kota Pekalongan",
        "province": "Jawa Tengah",
        "regency": "Kota Pekalongan",
    },
    "bbspji-kerajinan-batik": {
        "roles": ["lab_assessor"],
        "institution": "BBSPJI Kerajinan dan Batik",
        "lab": "BBSPJI_KERAJINAN_BATIK",
    },
}
