"""People, proposals and helpers the tests share."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import pytest
from google.protobuf.json_format import MessageToJson
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle

from domain.cycle import CycleConfig
from domain.decisions import (
    Actor,
    AssessmentFindings,
    AwardDecision,
    Decision,
    EndorseOutcome,
    LabTest,
    ProvincialEndorsement,
    ScoreSheet,
    VerifyDecision,
    VerifyOutcome,
    VisitReport,
    VisitSchedule,
    Withdrawal,
)
from domain.examples import (
    example_cycle_config,
    example_findings,
    example_lab_testing,
    example_proposals,
    example_sample_receipt,
    proposer_of,
    provincial_office_of,
)
from domain.labs import Lab
from domain.nomination import Nomination
from domain.proposal import Proposal
from domain.scoring import Criterion
from domain.stages import Role, Stage

VERIFIER = Actor(user_id="verif.rina", role=Role.VERIFIER, institution="Ditjen IKMA")
OFFICIAL = Actor(user_id="dirjen.ikma", role=Role.OFFICIAL, institution="Ditjen IKMA")
OPERATOR = Actor(user_id="op.sari", role=Role.OPERATOR, institution="Ditjen IKMA")
LAB_ASSESSOR = {
    Lab.AGRO: Actor(user_id="lab.agro.1", role=Role.LAB_ASSESSOR, institution="BBSPJI Agro"),
    Lab.KERAJINAN_BATIK: Actor(
        user_id="lab.kb.1", role=Role.LAB_ASSESSOR, institution="BBSPJI Kerajinan dan Batik"
    ),
    Lab.KERAMIK_MINERAL: Actor(
        user_id="lab.kmnl.1", role=Role.LAB_ASSESSOR, institution="BBSPJI Keramik dan Mineral"
    ),
}


_cycles = itertools.count(2030)


def unique_cycle() -> str:
    """A cycle of its own for each test that opens one on a shared server."""
    return str(next(_cycles))


# Tests open cycles of their own on a shared server, in no two-yearly order.
OWN_CYCLE = "uji otomatis: setiap uji membuka siklusnya sendiri"


def on_schedule(cycle: str) -> str:
    """The cycle two years before `cycle`: named outright where the server (the time-skipping
    one) has no visibility to look the last cycle up in."""
    return str(int(cycle) - 2)


def juror(user_id: str) -> Actor:
    return Actor(user_id=user_id, role=Role.JUROR, institution="Tim Seleksi OVOP")


def fresh_raw(
    index: int = 0, cycle: str = "2026", proposed_on: date | None = None
) -> dict[str, Any]:
    """An example proposal with a NIB of its own, so every test has its own workflow id;
    dated `proposed_on` (a test cycle's window is around today) or as the example is."""
    raw = example_proposals(cycle)[index]
    if proposed_on is not None:
        raw["proposed_on"] = proposed_on.isoformat()
    # No leading zero: a NIB typed as a number in a spreadsheet would lose it.
    raw["ikm"]["nib"] = random.choice("123456789") + "".join(
        random.choice("0123456789") for _ in range(12)
    )
    return raw


def fresh(index: int = 0, cycle: str = "2026", proposed_on: date | None = None) -> Proposal:
    return Proposal.model_validate(fresh_raw(index, cycle, proposed_on))


def proposer(p: Proposal) -> Actor:
    return proposer_of(p)


def passes() -> VerifyDecision:
    return VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.PASS)


def findings(lab: Lab, score: float = 85, conforms: bool = True) -> AssessmentFindings:
    return AssessmentFindings(
        actor=LAB_ASSESSOR[lab],
        report_number=f"LHU-{lab.value}-0042",
        score=score,
        conforms=conforms,
        tests=[
            LabTest(
                parameter="kadar air", result="4,8 %", standard="SNI 2907:2008", passed=conforms
            )
        ],
        summary="sampel sesuai standar" if conforms else "kadar air melebihi batas SNI",
    )


def sheet(user_id: str, value: float | dict[Criterion, float], comment: str = "baik") -> ScoreSheet:
    scores = value if isinstance(value, dict) else dict.fromkeys(Criterion, value)
    return ScoreSheet(actor=juror(user_id), scores=scores, comment=comment)


def confirm() -> AwardDecision:
    return AwardDecision(actor=OFFICIAL)


def withdrawal(actor: Actor, reason: str = "IKM mengundurkan diri") -> Withdrawal:
    return Withdrawal(actor=actor, reason=reason)


# --- nominations at a stage, without Temporal (the rules' own tests) -------------------

NOW = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
CONFIG = example_cycle_config("2026")
# A cycle whose labs take samples and test on the commodity's template (release 1.5).
SAMPLES = example_cycle_config("2026", lab_testing=example_lab_testing())
# A cycle whose provincial offices endorse their regencies' proposals first (release 1.5).
ENDORSING = example_cycle_config("2026", endorsement={})
# A cycle that visits each sentra after the lab and before the panel (release 1.5).
VISITING = example_cycle_config("2026", site_visits={})


def endorses(p: Proposal) -> ProvincialEndorsement:
    return ProvincialEndorsement(actor=provincial_office_of(p), outcome=EndorseOutcome.ENDORSE)


def nomination(index: int = 0, config: CycleConfig = CONFIG) -> Nomination:
    p = fresh(index)
    nom = Nomination.propose(p, config, proposer(p))
    nom.start(NOW)
    return nom


def at_stage(stage: Stage, index: int = 0, config: CycleConfig = CONFIG) -> Nomination:
    """A fresh nomination taken, decision by decision, to an open `stage`, through every
    stage its cycle has (a stage only some cycles have is reached under one that has it)."""
    config = {
        Stage.PROVINCIAL_ENDORSEMENT: ENDORSING if config.endorsement is None else config,
        Stage.SAMPLE_AWAITED: SAMPLES if config.lab_testing is None else config,
        Stage.SITE_VISIT: VISITING if config.site_visits is None else config,
    }.get(stage, config)
    nom = nomination(index, config)
    order = [
        Stage.PROVINCIAL_ENDORSEMENT,
        Stage.ADMIN_VERIFICATION,
        Stage.SAMPLE_AWAITED,
        Stage.TECHNICAL_ASSESSMENT,
        Stage.SITE_VISIT,
        Stage.PANEL_SCORING,
        Stage.AWARD_DECISION,
    ]
    if stage == Stage.REVISION_REQUESTED:
        if config.endorsement is not None:
            nom.apply(endorses(nom.proposal), NOW)
        revise = VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason="lengkapi")
        nom.apply(revise, NOW)
        assert nom.stage == stage
        return nom
    while nom.stage != stage:
        assert nom.stage in order[: order.index(stage)], (nom.stage, stage)
        for step in _steps_at(nom):
            nom.apply(step, NOW)
    return nom


def _steps_at(nom: Nomination) -> list[Decision]:
    """The decisions that take `nom` on from the stage it is at."""
    config, p = nom.config, nom.proposal
    match nom.stage:
        case Stage.PROVINCIAL_ENDORSEMENT:
            return [endorses(p)]
        case Stage.ADMIN_VERIFICATION:
            return [passes()]
        case Stage.SAMPLE_AWAITED:
            return [example_sample_receipt(config, p, NOW.date())]
        case Stage.TECHNICAL_ASSESSMENT:
            on_template = config.lab_testing is not None
            return [example_findings(config, p) if on_template else findings(nom.lab)]
        case Stage.SITE_VISIT:
            if nom.visit is None:
                return [visit_scheduled()]
            return [visit_reported(VERIFIER)]
        case Stage.PANEL_SCORING:
            return [sheet(j, 85) for j in nom.panel]
    raise AssertionError(f"no step from {nom.stage}")


def visit_scheduled(visit_on: date | None = None) -> VisitSchedule:
    """The operator sends a verifier, an operator and a juror."""
    team = [VERIFIER.user_id, OPERATOR.user_id, CONFIG.jurors[0].user_id]
    return VisitSchedule(actor=OPERATOR, visit_on=visit_on or NOW.date(), team=team)


def visit_reported(member: Actor, visited_on: date | None = None) -> VisitReport:
    return VisitReport(
        actor=member,
        visited_on=visited_on or NOW.date(),
        findings=dict.fromkeys(Criterion, "sesuai dengan usulan dan berkasnya"),
        summary="Sentra aktif berproduksi; bahan baku dari perajin setempat.",
    )


T = TypeVar("T")

UPDATE_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
}


async def history_events(handle: WorkflowHandle[Any, Any]) -> list[HistoryEvent]:
    return list((await handle.fetch_history()).events)


async def assert_no_trace(
    handle: WorkflowHandle[Any, Any], before: list[HistoryEvent], update_ids: list[str]
) -> None:
    """Refused updates left nothing in the history: what was there is unchanged, and
    whatever came after (the activities of earlier decisions finishing) holds no update
    event, no failed workflow task, and no mention of the refused updates' ids."""
    after = await history_events(handle)
    assert after[: len(before)] == before
    for event in after[len(before) :]:
        assert event.event_type not in UPDATE_EVENTS, event
        assert event.event_type != EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, event
        text = MessageToJson(event)
        for update_id in update_ids:
            assert update_id not in text


async def eventually(check: Callable[[], Awaitable[T | None]], what: str, within: float = 30) -> T:
    """Poll `check` until it holds: for what a real server makes true in its own time
    (visibility, a retry's backoff). Fails, naming `what`, if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = await check()
        if value:
            return value
        if loop.time() > deadline:
            pytest.fail(f"gave up after {within}s waiting for {what}")
        await asyncio.sleep(0.05)


# What a workflow task may have been given, and what it may have written, by event type.
_RESULTS = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
    EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
}
_COMMANDS = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_TIMER_CANCELED,
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
    EventType.EVENT_TYPE_MARKER_RECORDED,
}


def started_on_results(events: list[HistoryEvent]) -> list[str]:
    """The workflow tasks that were given nothing but activity (or signal-sent) results and
    still started something: what a worker could write out of order with a decision
    (sdk-python#1591). The certificate's number may start the award's event, and the last
    result may complete the workflow: every decision is refused by then."""
    scheduled: dict[int, str] = {}
    given: list[HistoryEvent] = []
    found = []
    for i, event in enumerate(events):
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled[event.event_id] = (
                event.activity_task_scheduled_event_attributes.activity_type.name
            )
        if event.event_type != EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            if event.event_type not in (
                EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
                EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
            ):
                given.append(event)
            continue
        inputs = [e for e in given if e.event_type not in _COMMANDS]
        given = []
        written = []
        for later in events[i + 1 :]:
            if later.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
                break
            written.append(later)
        if not inputs or any(e.event_type not in _RESULTS for e in inputs):
            continue
        certificate = any(
            scheduled.get(e.activity_task_completed_event_attributes.scheduled_event_id)
            == "issue_certificate"
            for e in inputs
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
        )
        started = [EventType.Name(e.event_type) for e in written if e.event_type in _COMMANDS]
        if started and not certificate:
            found.append(f"task completed at event {event.event_id} started {started}")
    return found
