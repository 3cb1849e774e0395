"""A whole cycle of 110 nominations, five commodities, through the real workflows and the
real records database, to the plenary of each commodity and the cycle's one decree, closed
and reported: the report's numbers are the workflows' own.

The decree's PDF (read back with a PDF library) lists exactly the agreed winners; each
winner's certificate carries a QR code (decoded by ZXing from the PDF's image) that opens
the API's verification page, which answers with that winner; an unknown number is unknown.

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
from domain.certificates import verification_url
from domain.cycle import CycleConfig, ProposalWindow
from domain.cycle_book import Closing, CycleSetup, PlenaryOpening
from domain.decisions import VerifyDecision, VerifyOutcome
from domain.decree import Decree, DecreeOrder
from domain.errors import Refused
from domain.examples import example_cycle_config
from domain.labs import route_lab
from domain.plenary import AgreedList, AgreedWinner, DroppedNominee
from domain.presentation import NominationSummary
from domain.proposal import Commodity, Proposal
from domain.registry import CheckStatus
from domain.stages import Stage
from records import RecordStore
from tests.conftest import skip, steady_client, time_skipping_server
from tests.integration.api_stack import as_
from tests.integration.test_certificate_verification import (
    PUBLIC_URL,
    UNKNOWN,
    qr_codes_in,
    records_api,
    text_of,
)
from tests.support import (
    OFFICIAL,
    OPERATOR,
    VERIFIER,
    eventually,
    findings,
    fresh,
    juror,
    on_schedule,
    passes,
    proposer,
    sheet,
    unique_cycle,
)
from tests.support import withdrawal as withdraw
from tests.workflow.conftest import Calls, stub_activities
from workflows.client import (
    CycleHandle,
    agree_plenary,
    close_cycle,
    decide,
    issue_decree,
    nominate,
    open_cycle,
    open_plenary,
)
from workflows.cycle import CycleWorkflow
from workflows.nomination import NominationWorkflow

pytestmark = [pytest.mark.integration, pytest.mark.slow(seconds=130)]

CYCLE = unique_cycle()
PER_COMMODITY = 22
CHAIR = "juri.budi"


def by_decree(config: CycleConfig) -> CycleConfig:
    """The cycle's awards by one decree, its list for batik recorded by the chair."""
    chair = next(j.user_id for j in config.jurors if j.user_id == CHAIR)
    plenary = config.plenary.model_copy(update={"by_decree": True, "chairs": [chair]})
    return config.model_copy(update={"plenary": plenary})


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
        + ["dropped"] * 1  # recommended, and left out by the plenary
        + ["scored"] * (PER_COMMODITY - 6)
    )
    rng.shuffle(plan)
    return plan


async def run_one(client: Client, task_queue: str, p: Proposal, fate: str, score: float) -> str:
    """One nomination, proposed through the cycle and taken to the end `fate` says, or to
    the award decision, where it waits for the cycle's decree.

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
    return handle.id  # ended below the lowest star, or waiting for the decree


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
    config = by_decree(example_cycle_config(CYCLE))

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
            records.record_decree,
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
        fate_of = {i: fate for i, (_, fate, _) in zip(ids, jobs, strict=True)}
        agreed = await plenaries(cycle, fate_of, config)
        with pytest.raises(Refused, match="masa pengusulan masih berjalan"):
            await issue_decree(cycle, DecreeOrder(actor=OFFICIAL))
        await skip(time_env, timedelta(days=5))  # the window is over
        decree = await issue_decree(cycle, DecreeOrder(actor=OFFICIAL))
        summaries = [
            await client.get_workflow_handle(i, result_type=NominationSummary).result() for i in ids
        ]
        status = await close_cycle(cycle, Closing(actor=OPERATOR))

    assert status.closed and status.nominations == len(jobs) == 110
    await the_decree_names_exactly_the_agreed_winners(store, decree, agreed, summaries)
    await each_certificate_is_verified_by_its_qr_code(store, summaries)
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


async def plenaries(
    cycle: CycleHandle, fate_of: dict[str, str], config: CycleConfig
) -> dict[Commodity, AgreedList]:
    """Each commodity's plenary opened and its list agreed: the recommendations, except one
    nominee dropped and, in each commodity, the first one's stars changed, each with its
    reason. The chair records the batik list; an operator records the others on the chair's
    behalf. A list that changes stars without a reason is refused, naming the field."""
    agreed: dict[Commodity, AgreedList] = {}
    for commodity in Commodity:
        ranking = await open_plenary(cycle, PlenaryOpening(actor=OPERATOR, commodity=commodity))
        recommended = [e.nominee for e in ranking.entries if e.nominee.recommended_stars]
        assert recommended and [e.position for e in ranking.entries] == list(
            range(1, len(ranking.entries) + 1)
        )
        winners = [
            AgreedWinner(nomination_id=n.nomination_id, stars=n.recommended_stars)
            for n in recommended
            if fate_of[n.nomination_id] != "dropped"
        ]
        changed = 1 if winners[0].stars > 1 else 2
        without_reason = AgreedList(
            actor=OPERATOR,
            cycle=CYCLE,
            commodity=commodity,
            winners=[winners[0].model_copy(update={"stars": changed}), *winners[1:]],
        )
        with pytest.raises(Refused) as refused:
            await agree_plenary(cycle, without_reason)
        assert "winners.0.reason" in [p.field for p in refused.value.problems]
        agreed[commodity] = AgreedList(
            actor=juror(CHAIR) if commodity == Commodity.KAIN_BATIK else OPERATOR,
            cycle=CYCLE,
            commodity=commodity,
            winners=[
                winners[0].model_copy(
                    update={"stars": changed, "reason": "keunggulan motif dibahas dalam pleno"}
                ),
                *winners[1:],
            ],
            dropped=[
                DroppedNominee(nomination_id=n.nomination_id, reason="tidak aktif berproduksi")
                for n in recommended
                if fate_of[n.nomination_id] == "dropped"
            ],
        )
        await agree_plenary(cycle, agreed[commodity])
        book = await cycle.query(CycleWorkflow.book)  # what `ovop plenary show` reads
        assert (book.plenaries[commodity], book.agreed[commodity]) == (ranking, agreed[commodity])
    return agreed


async def the_decree_names_exactly_the_agreed_winners(
    store: RecordStore,
    decree: Decree,
    agreed: dict[Commodity, AgreedList],
    summaries: list[NominationSummary],
) -> None:
    """The decree as recorded and drawn: every agreed winner with its stars, nobody else;
    each winner awarded with them, every other nominee not awarded."""
    stars = {w.nomination_id: w.stars for a in agreed.values() for w in a.winners}
    assert {w.nomination_id: w.stars for w in decree.winners} == stars
    by_id = {s.id: s for s in summaries}
    awarded = {s.id: s.stars for s in summaries if s.stage == Stage.AWARDED}
    assert awarded == stars
    for a in agreed.values():
        for dropped in a.dropped:
            assert by_id[dropped.nomination_id].stage == Stage.NOT_AWARDED

    assert await store.decree(CYCLE) == decree
    async with records_api(store) as http:
        served = await http.get(f"/keputusan/{CYCLE}")  # public, as the letters name it
        assert served.status_code == 200 and served.headers["content-type"] == "application/pdf"
        assert (await http.get(f"/keputusan/{int(CYCLE) + 2}")).status_code == 404
    text = " ".join(text_of(served.content).split())
    assert decree.number in text
    for s in summaries:
        named = s.product_name in text
        assert named == (s.id in stars), f"{s.product_name} ({s.stage}) named: {named}"


async def each_certificate_is_verified_by_its_qr_code(
    store: RecordStore, summaries: list[NominationSummary]
) -> None:
    async with records_api(store) as http:
        for s in summaries:
            if s.stage != Stage.AWARDED:
                continue
            assert s.certificate_number is not None
            served = await http.get(
                f"/certificates/{s.certificate_number}", headers=as_("operator")
            )
            assert served.status_code == 200, served.text
            [url] = qr_codes_in(served.content)
            assert url == verification_url(PUBLIC_URL, s.certificate_number)
            answer = await http.get(url.removeprefix(PUBLIC_URL))
            assert answer.status_code == 200, answer.text
            said = answer.json()
            assert (said["product_name"], said["stars"], said["status"]) == (
                s.product_name,
                s.stars,
                "berlaku",
            )
        unknown = await http.get(f"/verifikasi/{UNKNOWN}")
        assert unknown.status_code == 404
