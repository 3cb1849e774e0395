"""Nominations whose histories are kept beside the replay test.

`make histories` (`python -m tests.replay.scenarios`) records each scenario on today's code
as `histories/<scenario>-<RELEASE>.json`. Histories of earlier releases stay: a nomination
started under them may still be running and must still replay. When a change to the
workflow is guarded by `workflow.patched` (docs/versioning.md), raise RELEASE and record
again; never rewrite an older release's file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from temporalio import activity
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle, WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.propose import ProposeInput
from bootstrap import plain_converter
from domain.calendar import local_date
from domain.cycle import CycleConfig, ProposalWindow
from domain.cycle_book import Closing, ConfigChange, CycleSetup, CycleStatus, PlenaryOpening
from domain.decisions import (
    AwardDecision,
    EndorseOutcome,
    JurorReassignment,
    Resubmission,
    VerifyDecision,
    VerifyOutcome,
)
from domain.decree import DecreeOrder
from domain.documents import Slot, checked_document
from domain.errors import Refused
from domain.examples import (
    example_cycle_config,
    example_findings,
    example_lab_testing,
    example_sample_receipt,
    example_visit_report,
    example_visit_schedule,
    submission_of,
)
from domain.labs import route_lab
from domain.nomination import Nomination
from domain.plenary import AgreedList, AgreedWinner
from domain.regions import TimeZone
from tests.conftest import binary, register_search_attributes, skip, steady_client
from tests.documents import pdf, png
from tests.support import (
    OFFICIAL,
    OPERATOR,
    SAMPLES,
    VERIFIER,
    confirm,
    endorses,
    findings,
    fresh,
    fresh_raw,
    on_schedule,
    passes,
    proposer,
    sheet,
    withdrawal,
)
from tests.workflow.conftest import Calls, stub_activities, to_panel
from workflows.client import (
    agree_plenary,
    close_cycle,
    configure_cycle,
    decide,
    issue_decree,
    nominate,
    open_cycle,
    open_plenary,
    start_nomination,
)
from workflows.cycle import CycleWorkflow
from workflows.names import SEARCH_ATTRIBUTES
from workflows.nomination import NominationWorkflow
from workflows.propose import ProposeNominationWorkflow
from workflows.refusals import refusal

HISTORIES = Path(__file__).parent / "histories"
RELEASE = "1.6"
CONFIG = example_cycle_config("2026")
CYCLE = "2030"  # a cycle of the scenarios' own, on a test server shared with none
# A cycle that keeps jurors off their home province's nominations: the panel falls short.
PROVINCE_RULE = CONFIG.keeping_province_conflicts()

Scenario = Callable[
    [WorkflowEnvironment, WorkflowHandle[NominationWorkflow, object]], Awaitable[None]
]


async def awarded_after_revision(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:  # type: ignore[type-arg]
    nom: Nomination = await handle.query(NominationWorkflow.state)
    p = nom.proposal
    await decide(
        handle, VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason="foto")
    )
    await decide(handle, Resubmission(actor=proposer(p), proposal=p, note="foto ditambahkan"))
    await decide(handle, passes())
    await decide(handle, findings(route_lab(p.product.commodity)))
    nom = await handle.query(NominationWorkflow.state)
    for j in nom.panel:
        await decide(handle, sheet(j, 85))
    await decide(handle, confirm())


async def sleep_past_deadline(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:  # type: ignore[type-arg]
    nom: Nomination = await handle.query(NominationWorkflow.state)
    assert nom.deadline is not None
    await env.sleep(nom.deadline - await env.get_current_time() + timedelta(hours=1))


async def expired(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:  # type: ignore[type-arg]
    await decide(handle, VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason="SK"))
    await sleep_past_deadline(env, handle)


async def escalated_then_withdrawn(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:  # type: ignore[type-arg]
    await sleep_past_deadline(env, handle)
    await decide(handle, withdrawal(OPERATOR))


async def panel_short_of_a_juror(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:  # type: ignore[type-arg]
    """Batik from Jawa Tengah under the same-province rule: four batik jurors, one from the
    province; one of the three on the panel drops out and the roster has no one left. The
    other two carry on."""
    nom: Nomination = await handle.query(NominationWorkflow.state)
    await decide(handle, passes())
    await decide(handle, findings(route_lab(nom.proposal.product.commodity)))
    nom = await handle.query(NominationWorkflow.state)
    leaving, *staying = nom.panel
    await decide(handle, JurorReassignment(actor=OPERATOR, juror_id=leaving, reason="sakit"))
    for j in staying:
        await decide(handle, sheet(j, 85))
    await decide(handle, confirm())


# Release 1.4's documents: a dossier proposed, one of its files replaced on revision (its
# next version), and the lab's report carried by the findings. References only: the
# workflow never sees a byte, so the stand-in activities need no store.
SK = checked_document(Slot.SENTRA_DECREE, "sk-sentra.pdf", pdf(b"sk-1"))
SK_CORRECTED = checked_document(Slot.SENTRA_DECREE, "sk-sentra-perbaikan.pdf", pdf(b"sk-2"))
PHOTO = checked_document(Slot.PHOTO, "foto.png", png(b"foto"))
LHU = checked_document(Slot.LAB_REPORT, "LHU-0042.pdf", pdf(b"lhu"))


async def awarded_with_documents(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:  # type: ignore[type-arg]
    nom: Nomination = await handle.query(NominationWorkflow.state)
    p = nom.proposal
    await decide(handle, VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REVISE, reason="SK"))
    corrected = p.model_copy(update={"documents": [SK_CORRECTED, PHOTO]})
    await decide(handle, Resubmission(actor=proposer(p), proposal=corrected, note="SK baru"))
    await decide(handle, passes())
    lab = route_lab(p.product.commodity)
    await decide(handle, findings(lab).model_copy(update={"lab_report": LHU}))
    nom = await handle.query(NominationWorkflow.state)
    for j in nom.panel:
        await decide(handle, sheet(j, 85))
    await decide(handle, confirm())


# Release 1.5's samples (`lab_testing`): the sample asked for, its deadline missed and
# escalated, then received; findings on the template with a parameter failing go on to the
# panel, and the official awards with a reason.
async def sample_late_then_awarded(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:  # type: ignore[type-arg]
    await decide(handle, passes())
    await sleep_past_deadline(env, handle)
    nom: Nomination = await handle.query(NominationWorkflow.state)
    arrived = local_date(await env.get_current_time(), TimeZone.WIB)
    await decide(handle, example_sample_receipt(SAMPLES, nom.proposal, arrived))
    await decide(handle, example_findings(SAMPLES, nom.proposal, conforms=False))
    nom = await handle.query(NominationWorkflow.state)
    for j in nom.panel:
        await decide(handle, sheet(j, 85))
    await decide(handle, AwardDecision(actor=OFFICIAL, reason="uji ulang IKM memenuhi SNI"))


SCENARIOS: dict[str, Scenario] = {
    "awarded_after_revision": awarded_after_revision,
    "expired": expired,
    "escalated_then_withdrawn": escalated_then_withdrawn,
    "panel_short_of_a_juror": panel_short_of_a_juror,
    "awarded_unsubscribed": awarded_after_revision,  # no webhook subscriber
    "awarded_with_documents": awarded_with_documents,
    "sample_late_then_awarded": sample_late_then_awarded,
}
DOCUMENTS = {"awarded_with_documents": [SK, PHOTO]}
UNSUBSCRIBED = {"awarded_unsubscribed"}
CONFIGS = {"panel_short_of_a_juror": PROVINCE_RULE, "sample_late_then_awarded": SAMPLES}


def as_kept(history: WorkflowHistory) -> str:
    """A history as kept: Temporal's JSON, with the workflow id it ran under beside the
    events (a replay under another id would draw another panel)."""
    events = json.loads(history.to_json())
    return json.dumps({"workflowId": history.workflow_id, **events}, indent=2) + "\n"


def read_kept(path: Path) -> WorkflowHistory:
    """A kept history, under the workflow id it ran under (files of 1.0: its name)."""
    kept = json.loads(path.read_text())
    return WorkflowHistory.from_json(kept.pop("workflowId", path.stem), kept)


async def record_history(env: WorkflowEnvironment, name: str, index: int = 0) -> WorkflowHistory:
    """Run one scenario to its end and return its history, under its workflow id (the
    panel's jurors are drawn by it)."""
    task_queue = f"replay-{uuid.uuid4()}"
    client = steady_client(env)
    p = fresh(index).model_copy(update={"documents": DOCUMENTS.get(name, [])})
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[NominationWorkflow],
        activities=stub_activities(Calls(subscribers=[] if name in UNSUBSCRIBED else ["siinas"])),
    ):
        config = CONFIGS.get(name, CONFIG)
        handle = await start_nomination(client, p, config, proposer(p), task_queue)
        await SCENARIOS[name](env, handle)
        await handle.result()
    return await handle.fetch_history()


# `ProposeNomination` (the Web UI's small start): admitted, and refused by its cycle. Its
# activity is stood in for here: the history holds only what it answered.
PROPOSALS = ("admitted", "refused")
PROPOSAL_HISTORIES = HISTORIES / "propose"


async def record_proposal(env: WorkflowEnvironment, outcome: str) -> WorkflowHistory:
    """Run one `ProposeNomination` to its end and return its history."""

    @activity.defn(name="propose_nomination")
    async def propose(input: ProposeInput) -> str:
        if outcome == "refused":
            raise refusal(Refused.one("proposed_on", "di luar masa pengusulan"))
        return "ovop-2026-batik-tulis-jlamprang-0123456789"

    task_queue = f"replay-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[ProposeNominationWorkflow],
        activities=[propose],
    ):
        handle = await steady_client(env).start_workflow(
            ProposeNominationWorkflow.run,
            submission_of(fresh_raw(0)),
            id=f"usul-{uuid.uuid4()}",
            task_queue=task_queue,
        )
        with contextlib.suppress(WorkflowFailureError):
            await handle.result()
    return await handle.fetch_history()


# The cycle: opened, a new configuration version, two nominations admitted (one to its
# award, with its panel assigned by the cycle; one withdrawn), the window over, closed.
# `decreed` (release 1.2): the same with awards by decree (`plenary.by_decree`): the award
# comes from the commodity's plenary and the cycle's decree, not from an official's Update;
# the nomination awarded by it is kept too (`awarded_by_decree`).
CYCLE_HISTORIES = HISTORIES / "cycle"
CYCLES = ("closed_with_two_nominations", "decreed")


async def open_recorded_cycle(
    client: Client, config: CycleConfig, window: ProposalWindow, task_queue: str
) -> WorkflowHandle[CycleWorkflow, CycleStatus]:
    """A recorded scenario's cycle, opened by the operator."""
    return await open_cycle(
        client,
        # The test server keeps no visibility to find the last cycle in: it is named.
        CycleSetup(
            config=config,
            window=window,
            opened_by=OPERATOR,
            previous_cycle=on_schedule(config.cycle),
        ),
        task_queue,
    )


async def record_cycle(
    env: WorkflowEnvironment, name: str
) -> tuple[WorkflowHistory, WorkflowHistory]:
    """Run one cycle to its close; its history, and its awarded nomination's."""
    task_queue = f"replay-{uuid.uuid4()}"
    client = steady_client(env)
    today = (await env.get_current_time()).date()
    window = ProposalWindow(opens=today - timedelta(days=10), closes=today + timedelta(days=2))
    by_decree = name == "decreed"
    cycle_year = str(int(CYCLE) + 2) if by_decree else CYCLE  # a cycle id of its own
    config = example_cycle_config(cycle_year)
    if by_decree:
        config = config.model_copy(
            update={"plenary": config.plenary.model_copy(update={"by_decree": True})}
        )
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[NominationWorkflow, CycleWorkflow],
        activities=stub_activities(Calls()),
    ):
        cycle = await open_recorded_cycle(client, config, window, task_queue)
        await configure_cycle(
            cycle, ConfigChange(actor=OPERATOR, config=config, reason="juri ditambah")
        )
        withdrawn, awarded = [
            await nominate(client, p, proposer(p), task_queue)
            for p in (fresh(1, cycle_year, today), fresh(2, cycle_year, today))
        ]
        nom = await to_panel(awarded, (await awarded.query(NominationWorkflow.state)).proposal)
        for j in nom.panel:
            await decide(awarded, sheet(j, 85))
        await decide(withdrawn, withdrawal(OPERATOR))
        if by_decree:
            await skip(env, timedelta(days=4))  # a decree comes after the window
            commodity = nom.proposal.product.commodity
            ranking = await open_plenary(cycle, PlenaryOpening(actor=OPERATOR, commodity=commodity))
            [entry] = ranking.entries
            await agree_plenary(
                cycle,
                AgreedList(
                    actor=OPERATOR,
                    cycle=cycle_year,
                    commodity=commodity,
                    winners=[
                        AgreedWinner(
                            nomination_id=awarded.id, stars=entry.nominee.recommended_stars
                        )
                    ],
                ),
            )
            await issue_decree(cycle, DecreeOrder(actor=OFFICIAL))
        else:
            await decide(awarded, confirm())
        await asyncio.gather(awarded.result(), withdrawn.result())
        if not by_decree:
            await skip(env, timedelta(days=4))
        await close_cycle(cycle, Closing(actor=OPERATOR))
        await cycle.result()
    return await cycle.fetch_history(), await awarded.fetch_history()


async def record_whole_selection(
    env: WorkflowEnvironment,
) -> tuple[WorkflowHistory, WorkflowHistory]:
    """Release 1.5's selection as the ministry runs it, through its cycle: returned by the
    province, corrected and endorsed, verified, its sample received, tested on the
    template with a parameter failing, visited (moved once) and reported, scored, and
    awarded with a reason. The cycle's history and the nomination's."""
    task_queue = f"replay-{uuid.uuid4()}"
    client = steady_client(env)
    today = (await env.get_current_time()).date()
    cycle_year = str(int(CYCLE) + 4)  # a cycle id of its own
    config = example_cycle_config(
        cycle_year,
        endorsement={"quota": {"gerabah": 2}},
        lab_testing=example_lab_testing(),
        site_visits={},
    )
    window = ProposalWindow(opens=today - timedelta(days=10), closes=today + timedelta(days=2))
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[NominationWorkflow, CycleWorkflow],
        activities=stub_activities(Calls()),
    ):
        cycle = await open_recorded_cycle(client, config, window, task_queue)
        p = fresh(2, cycle_year, today).model_copy(
            update={"documents": DOCUMENTS["awarded_with_documents"]}
        )
        handle = await nominate(client, p, proposer(p), task_queue)
        returning = endorses(p).model_copy(
            update={"outcome": EndorseOutcome.RETURN, "reason": "PIRT"}
        )
        await decide(handle, returning)
        await decide(handle, Resubmission(actor=proposer(p), proposal=p, note="PIRT terlampir"))
        await decide(handle, endorses(p))
        await decide(handle, passes())
        day = local_date(await env.get_current_time(), TimeZone.WIB)
        await decide(handle, example_sample_receipt(config, p, day))
        await decide(handle, example_findings(config, p, conforms=False))
        await decide(handle, example_visit_schedule(config, day + timedelta(days=1)))
        await decide(handle, example_visit_schedule(config, day + timedelta(days=2)))
        await skip(env, timedelta(days=2))
        visited = local_date(await env.get_current_time(), TimeZone.WIB)
        await decide(handle, example_visit_report(config, visited))
        nom: Nomination = await handle.query(NominationWorkflow.state)
        for j in nom.panel:
            await decide(handle, sheet(j, 85))
        await decide(handle, AwardDecision(actor=OFFICIAL, reason="uji ulang IKM memenuhi SNI"))
        await handle.result()
        await skip(env, timedelta(days=4))
        await close_cycle(cycle, Closing(actor=OPERATOR))
        await cycle.result()
    return await cycle.fetch_history(), await handle.fetch_history()


async def main() -> None:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=binary("temporal-test-server"), data_converter=plain_converter()
    )
    await register_search_attributes(env.client, SEARCH_ATTRIBUTES)
    HISTORIES.mkdir(exist_ok=True)
    for name in SCENARIOS:
        (HISTORIES / f"{name}-{RELEASE}.json").write_text(as_kept(await record_history(env, name)))
        print(f"recorded {name}")
    PROPOSAL_HISTORIES.mkdir(exist_ok=True)
    for outcome in PROPOSALS:
        kept = PROPOSAL_HISTORIES / f"{outcome}-{RELEASE}.json"
        kept.write_text(as_kept(await record_proposal(env, outcome)))
        print(f"recorded ProposeNomination {outcome}")
    CYCLE_HISTORIES.mkdir(exist_ok=True)
    for name in CYCLES:
        cycle, awarded = await record_cycle(env, name)
        (CYCLE_HISTORIES / f"{name}-{RELEASE}.json").write_text(as_kept(cycle))
        if name == "decreed":
            (HISTORIES / f"awarded_by_decree-{RELEASE}.json").write_text(as_kept(awarded))
        print(f"recorded CycleWorkflow {name}")
    cycle, whole = await record_whole_selection(env)
    (CYCLE_HISTORIES / f"whole_selection-{RELEASE}.json").write_text(as_kept(cycle))
    (HISTORIES / f"whole_selection-{RELEASE}.json").write_text(as_kept(whole))
    print("recorded the whole selection")
    await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
