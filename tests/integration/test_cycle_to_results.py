"""A whole cycle of 110 nominations, five commodities, through the real workflows and the
real records database, closed and reported: the report's numbers are the workflows' own.

It runs on the time-skipping server (the cycle can only close once its window is over)
with the real record activities on SQLite.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from temporalio import activity
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

import reports
from activities.events import EventHandled, HandleEventInput
from activities.notify import NotifyResult
from activities.records import RecordActivities
from domain.cycle import ProposalWindow
from domain.cycle_book import Closing, CycleSetup
from domain.decisions import AwardDecision, VerifyDecision, VerifyOutcome
from domain.examples import example_cycle_config
from domain.labs import route_lab
from domain.presentation import NominationSummary
from domain.proposal import Commodity, Proposal
from domain.registry import CheckStatus
from domain.stages import Stage
from records import RecordStore
from tests.conftest import skip, steady_client, time_skipping_server
from tests.support import (
    OFFICIAL,
    OPERATOR,
    VERIFIER,
    confirm,
    eventually,
    findings,
    fresh,
    on_schedule,
    passes,
    proposer,
    sheet,
    unique_cycle,
)
from tests.support import withdrawal as withdraw
from tests.workflow.conftest import Calls, stub_activities
from workflows.client import close_cycle, decide, nominate, open_cycle
from workflows.cycle import CycleWorkflow
from workflows.nomination import NominationWorkflow

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CYCLE = unique_cycle()
PER_COMMODITY = 22


# Real records; everything else (mail, webhooks, the registry) stubbed, as it is not the subject.
STUBBED = {"check_registry"}


def recording_only(store: RecordStore) -> Callable[..., Any]:
    @activity.defn(name="handle_event")
    async def handle_event(input: HandleEventInput) -> EventHandled:
        return EventHandled(
            recorded=await store.record(input.nomination, input.event), mail=NotifyResult()
        )

    return handle_event


def name_of(fn: Callable[..., Any]) -> str:
    return str(activity._Definition.must_from_callable(fn).name)


def fates(rng: random.Random) -> list[str]:
    """What becomes of each nomination of one commodity: every ending represented."""
    plan = (
        ["rejected"] * 2
        + ["withdrawn"] * 1
        + ["lab_fails"] * 2
        + ["override_none"] * 1
        + ["scored"] * (PER_COMMODITY - 6)
    )
    rng.shuffle(plan)
    return plan


async def run_one(client: Client, task_queue: str, p: Proposal, fate: str, score: float) -> str:
    """One nomination, proposed through the cycle and taken to the end `fate` says.

    Its registry pre-check is answered first. The nomination does not wait for it (only the
    verifier would read it), but the time-skipping server keeps its clock locked for an
    activity still queued or running when its workflow ends: the days skipped below would
    then never pass.
    """
    handle = await nominate(client, p, proposer(p), task_queue)

    async def checked() -> bool:
        nom = await handle.query(NominationWorkflow.state)
        return nom.registry is not None and nom.registry.status != CheckStatus.PENDING

    await eventually(checked, f"the registry pre-check of {handle.id}")
    if fate == "rejected":
        await decide(
            handle,
            VerifyDecision(actor=VERIFIER, outcome=VerifyOutcome.REJECT, reason="SK tidak sah"),
        )
        return handle.id
    await decide(handle, passes())
    if fate == "withdrawn":
        await decide(handle, withdraw(OPERATOR, "IKM berhenti berproduksi"))
        return handle.id
    lab = route_lab(p.product.commodity)
    if fate == "lab_fails":
        await decide(handle, findings(lab, 40, conforms=False))
        return handle.id
    await decide(handle, findings(lab, 80))
    nom = await handle.query(NominationWorkflow.state)
    for j in nom.panel:
        await decide(handle, sheet(j, score))
    nom = await handle.query(NominationWorkflow.state)
    if nom.stage != Stage.AWARD_DECISION:
        return handle.id  # below the lowest star
    if fate == "override_none":
        await decide(
            handle,
            AwardDecision(actor=OFFICIAL, override_stars=0, reason="tidak aktif berproduksi"),
        )
    else:
        await decide(handle, confirm())
    return handle.id


@pytest.fixture
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """A server of its own: the days skipped here fire no timer another test left."""
    async with time_skipping_server() as env:
        yield env


async def test_a_cycle_of_110_nominations_runs_to_its_results(
    time_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    rng = random.Random(2036)
    store = RecordStore.connect(f"sqlite+aiosqlite:///{tmp_path / 'records.db'}")
    await store.migrate_to_head()
    records = RecordActivities(store)
    client = steady_client(time_env)
    task_queue = f"cycle-{CYCLE}"
    today = (await time_env.get_current_time()).date()
    window = ProposalWindow(opens=today - timedelta(days=1), closes=today + timedelta(days=3))
    config = example_cycle_config(CYCLE)

    # Index of an example proposal for each commodity.
    by_commodity = {
        Commodity.KAIN_BATIK: 0,
        Commodity.KAIN_TENUN: 1,
        Commodity.GERABAH: 2,
        Commodity.ANYAMAN: 3,
        Commodity.MAKANAN_MINUMAN: 4,
    }
    jobs: list[tuple[Proposal, str, float]] = []
    for index in by_commodity.values():
        for fate in fates(rng):
            p = fresh(index, CYCLE, today)
            p = p.model_copy(
                update={
                    "product": p.product.model_copy(
                        update={"name": f"{p.product.name} {rng.randrange(10**6)}"}
                    )
                }
            )
            jobs.append((p, fate, rng.choice([55, 63, 66, 72, 75, 81, 86, 93])))

    async with Worker(
        time_env.client,
        task_queue=task_queue,
        workflows=[NominationWorkflow, CycleWorkflow],
        activities=[
            recording_only(store),
            records.issue_certificate,
            *[fn for fn in stub_activities(Calls()) if name_of(fn) in STUBBED],
        ],
        max_concurrent_activities=20,
    ):
        cycle = await open_cycle(
            client,
            CycleSetup(
                config=config,
                window=window,
                opened_by=OPERATOR,
                previous_cycle=on_schedule(config.cycle),
            ),
            task_queue,
        )
        ids: list[str] = []
        for start in range(0, len(jobs), 10):  # ten at a time: the cycle takes ten updates at once
            batch = jobs[start : start + 10]
            ids += await asyncio.gather(*(run_one(client, task_queue, *job) for job in batch))
        summaries = [
            await client.get_workflow_handle(i, result_type=NominationSummary).result() for i in ids
        ]
        await skip(time_env, timedelta(days=5))
        status = await close_cycle(cycle, Closing(actor=OPERATOR))

    assert status.closed and status.nominations == len(jobs) == 110
    finals = Counter(s.stage for s in summaries)
    assert status.by_stage == dict(finals)
    results = await reports.build(store, CYCLE, max_stars=config.star_scale.max_stars)
    await store.close()

    assert not results.provisional
    funnel = results.funnel
    assert funnel.count(None) == 110
    assert funnel.ended(Stage.REJECTED) == finals[Stage.REJECTED] == 10
    assert funnel.ended(Stage.WITHDRAWN) == finals[Stage.WITHDRAWN] == 5
    assert funnel.count(Stage.AWARDED) == finals[Stage.AWARDED]
    assert funnel.ended(Stage.NOT_AWARDED) == finals[Stage.NOT_AWARDED]
    awarded = [s for s in summaries if s.stage == Stage.AWARDED]
    numbers = [s.certificate_number for s in awarded]
    assert len(set(numbers)) == len(numbers) > 40
    stars = Counter(s.stars for s in awarded)
    assert {level: n for level, n in stars.items()} == {
        level: sum(t.stars[level] for t in results.by_commodity) for level in stars
    }
    for ranking in results.rankings:
        scores = [r.entry.final_score or 0.0 for r in ranking.ranked]
        assert scores == sorted(scores, reverse=True)
        assert ranking.proposals == PER_COMMODITY

    xlsx_path, html_path = reports.write(results, tmp_path / "laporan")
    book = openpyxl.load_workbook(xlsx_path)
    assert {"Ringkasan", "Peringkat per Komoditas", "Per Provinsi", "Data Lengkap"} <= set(
        book.sheetnames
    )
    data = book["Data Lengkap"]
    assert data.max_row - 1 == 110
    assert "HASIL AKHIR" in html_path.read_text(encoding="utf-8")
