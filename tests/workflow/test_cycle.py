"""The cycle: configuration fixed per nomination, the proposal window, panels that spread
the load and never seat a conflicted juror, hidden scores, and closing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowHandle

from domain.calendar import local_date
from domain.cycle import CycleConfig, ProposalWindow
from domain.cycle_book import (
    Closing,
    ConfigChange,
    CycleBook,
    CycleSetup,
    CycleStatus,
    cycle_workflow_id,
)
from domain.decisions import JurorReassignment
from domain.errors import Refused
from domain.events import EventKind
from domain.examples import example_cycle_config
from domain.proposal import Proposal
from domain.regions import TimeZone
from domain.scoring import SCALE_2013, Criterion
from domain.stages import Role, Stage
from tests.conftest import skip
from tests.support import (
    OPERATOR,
    confirm,
    fresh,
    on_schedule,
    sheet,
    unique_cycle,
    withdrawal,
)
from tests.workflow.conftest import Nominations, state, to_panel
from workflows.client import close_cycle, configure_cycle, decide, open_cycle
from workflows.cycle import CycleWorkflow
from workflows.inputs import CycleInput, JurorViewRequest
from workflows.nomination import NominationWorkflow

CycleHandle = WorkflowHandle[CycleWorkflow, CycleStatus]


async def a_cycle(
    nominations: Nominations, window: ProposalWindow | None = None, **overrides: Any
) -> tuple[str, CycleHandle, CycleConfig]:
    cycle = unique_cycle()
    today = (await nominations.env.get_current_time()).date()
    window = window or ProposalWindow(
        opens=today - timedelta(days=30), closes=today + timedelta(days=30)
    )
    config = example_cycle_config(cycle, **overrides)
    handle = await open_cycle(
        nominations.client,
        CycleSetup(
            config=config, window=window, opened_by=OPERATOR, previous_cycle=on_schedule(cycle)
        ),
        nominations.task_queue,
    )
    return cycle, handle, config


async def made_today(nominations: Nominations, index: int, cycle: str) -> Proposal:
    """An example proposal of `cycle`, dated the server's today (windows are around it)."""
    return fresh(index, cycle, (await nominations.env.get_current_time()).date())


async def test_a_cycle_refuses_a_configuration_it_cannot_run(nominations: Nominations) -> None:
    today = (await nominations.env.get_current_time()).date()
    window = ProposalWindow(opens=today, closes=today)
    cycle = unique_cycle()
    config = example_cycle_config(cycle)
    few = config.model_copy(update={"jurors": config.jurors[:4]})
    with pytest.raises(Refused) as refused:
        await open_cycle(
            nominations.client,
            CycleSetup(
                config=few, window=window, opened_by=OPERATOR, previous_cycle=on_schedule(cycle)
            ),
        )
    assert set(refused.value.fields) == {"config.jurors"}
    assert "Gerabah: 1 juri, perlu 3" in str(refused.value)
    clerk = OPERATOR.model_copy(update={"role": Role.VERIFIER})
    with pytest.raises(Refused) as refused:
        await open_cycle(
            nominations.client,
            CycleSetup(
                config=config, window=window, opened_by=clerk, previous_cycle=on_schedule(cycle)
            ),
        )
    assert refused.value.fields == ["actor.role"]


async def test_proposals_dated_outside_the_window_or_ahead_are_refused_with_the_dates(
    nominations: Nominations,
) -> None:
    # The cycle's today is the ministry's, in WIB: from 17.00 UTC on, a day ahead of UTC's.
    today = local_date(await nominations.env.get_current_time(), TimeZone.WIB)
    closed = ProposalWindow(opens=today - timedelta(days=20), closes=today - timedelta(days=2))
    cycle, _, _ = await a_cycle(nominations, window=closed)
    for days, said in ((-25, "di luar masa"), (-1, "di luar masa"), (1, "belum tiba")):
        dated = fresh(0, cycle, today + timedelta(days=days))
        with pytest.raises(Refused) as refused:
            await nominations.nominate(dated)
        assert refused.value.fields == ["proposed_on"]
        assert said in str(refused.value) and closed.describe() in str(refused.value)
    # Dated within the window, received after it has closed: the date does not reopen it.
    with pytest.raises(Refused) as refused:
        await nominations.nominate(fresh(0, cycle, closed.closes))
    assert refused.value.fields == ["cycle"]
    assert "setelah masa pengusulan berakhir" in str(refused.value)
    with pytest.raises(Refused) as refused:
        await nominations.nominate(fresh(0, unique_cycle()))  # never opened
    assert refused.value.fields == ["cycle"] and "belum dibuka" in str(refused.value)


async def test_a_new_configuration_applies_to_new_nominations_only(
    nominations: Nominations,
) -> None:
    cycle, handle, config = await a_cycle(nominations)
    before = await nominations.nominate(await made_today(nominations, 0, cycle))
    message = await configure_cycle(
        handle,
        ConfigChange(
            actor=OPERATOR,
            config=config.model_copy(update={"star_scale": SCALE_2013}),
            reason="kembali ke skala 1-5 bintang",
        ),
    )
    assert "berlaku untuk usulan baru saja; 1 usulan yang sedang berjalan" in message
    # What the inbox reads of the cycle: the configuration new nominations take now.
    assert (await handle.query(CycleWorkflow.config)).star_scale == SCALE_2013
    after = await nominations.nominate(await made_today(nominations, 0, cycle))
    for h, stars in ((before, 3), (after, 5)):
        p = (await state(h)).proposal
        nom = await to_panel(h, p)
        for j in nom.panel:
            await decide(h, sheet(j, 95))
        await decide(h, confirm())
        assert (await h.result()).stars == stars
    book = await handle.query(CycleWorkflow.book)
    assert [e.version for e in book.entries.values()] == [1, 2]


async def test_panels_spread_the_load_and_seat_no_conflicted_juror(
    nominations: Nominations,
) -> None:
    # Anyaman from Jawa Barat: six jurors judge it, none conflicted but by declaration.
    cycle, handle, config = await a_cycle(nominations)
    proposals = [await made_today(nominations, 3, cycle) for _ in range(8)]
    declared = proposals[0].ikm.nib
    jurors = [
        j.model_copy(update={"declared_conflicts": [declared]}) if j.user_id == "juri.wayan" else j
        for j in config.jurors
    ]
    await configure_cycle(
        handle,
        ConfigChange(
            actor=OPERATOR,
            config=config.model_copy(update={"jurors": jurors}),
            reason="juri Wayan menyatakan konflik kepentingan",
        ),
    )
    panels = []
    for p in proposals:
        h = await nominations.nominate(p)
        panels.append((p, await to_panel(h, p)))
    for p, nom in panels:
        assert len(nom.panel) == config.panel.size
        for seat in nom.seats:
            assert seat.home_province != p.sentra.province
            assert p.ikm.nib not in seat.declared_conflicts
    assert "juri.wayan" not in panels[0][1].panel
    loads = Counter(j for _, nom in panels for j in nom.panel)
    assert loads == Counter((await handle.query(CycleWorkflow.status)).juror_loads)
    assert max(loads.values()) - min(loads.values()) <= 1, loads  # 24 seats over 6 jurors


async def test_a_juror_who_drops_out_is_replaced_by_the_cycle(nominations: Nominations) -> None:
    cycle, handle, _ = await a_cycle(nominations)
    p = await made_today(nominations, 3, cycle)  # anyaman: six jurors could sit on its panel
    h = await nominations.nominate(p)
    nom = await to_panel(h, p)
    leaving, *staying = nom.panel
    await decide(h, sheet(leaving, 90))
    await decide(
        h,
        JurorReassignment(actor=OPERATOR, juror_id=leaving, reason="juri sakit, mengundurkan diri"),
    )
    nom = await state(h)
    assert leaving not in nom.panel and leaving not in nom.scores
    assert len(nom.panel) == 3 and set(staying) < set(nom.panel)
    newcomer = next(j for j in nom.panel if j not in staying)
    assert nom.seat_of(newcomer).home_province != p.sentra.province  # type: ignore[union-attr]
    kinds = [e.kind for e in nom.events][-3:]
    assert kinds == [EventKind.SCORED, EventKind.JUROR_REASSIGNED, EventKind.PANEL_ASSIGNED]
    loads = (await handle.query(CycleWorkflow.status)).juror_loads
    assert loads.get(leaving, 0) == 0 and loads[newcomer] == 1
    with pytest.raises(Refused) as refused:
        await decide(h, sheet(leaving, 90))
    assert refused.value.fields == ["actor.user_id"]
    for j in nom.panel:
        await decide(h, sheet(j, 80))
    assert (await state(h)).stage == Stage.AWARD_DECISION


async def test_jurors_do_not_see_each_other_s_scores_until_the_panel_closes(
    nominations: Nominations,
) -> None:
    cycle, _, _ = await a_cycle(nominations)
    p = await made_today(nominations, 4, cycle)
    h = await nominations.nominate(p)
    nom = await to_panel(h, p)
    first, second, third = nom.panel
    await decide(h, sheet(first, 70.5))
    await decide(h, sheet(first, 88.25, "setelah kunjungan lapangan"))  # revised before close
    await decide(h, sheet(second, 76))
    view = await h.query(NominationWorkflow.juror_view, JurorViewRequest(user_id=second))
    assert view.assigned and view.my_scores is not None
    assert view.my_scores.scores[Criterion.MARKET_POTENTIAL] == 76
    assert (view.jurors_scored, view.panel_closed, view.result) == (2, False, None)
    seen = view.model_dump_json()
    assert "88.25" not in seen and "70.5" not in seen and "kunjungan" not in seen
    await decide(h, sheet(third, 82))
    view = await h.query(NominationWorkflow.juror_view, JurorViewRequest(user_id=second))
    assert view.panel_closed and view.result is not None
    assert view.result.juror_totals[first] == 88.25


async def test_the_cycle_counts_its_nominations_and_closes_when_all_are_done(
    nominations: Nominations,
) -> None:
    today = (await nominations.env.get_current_time()).date()
    window = ProposalWindow(opens=today - timedelta(days=10), closes=today + timedelta(days=2))
    cycle, handle, _ = await a_cycle(nominations, window=window)
    running = await nominations.nominate(await made_today(nominations, 1, cycle))
    awarded = await nominations.nominate(await made_today(nominations, 2, cycle))
    p = (await state(awarded)).proposal
    nom = await to_panel(awarded, p)
    for j in nom.panel:
        await decide(awarded, sheet(j, 85))
    await decide(awarded, confirm())
    await awarded.result()
    status = await handle.query(CycleWorkflow.status)
    assert status.nominations == 2
    assert status.by_stage == {Stage.ADMIN_VERIFICATION: 1, Stage.AWARDED: 1}
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    assert "**Usulan:** 2" in metadata.current_details
    assert "- Meraih Penghargaan: 1" in metadata.current_details

    with pytest.raises(Refused, match="masa pengusulan masih berjalan"):
        await close_cycle(handle, Closing(actor=OPERATOR))
    await skip(nominations.env, timedelta(days=4))
    with pytest.raises(Refused, match="1 usulan masih berjalan"):
        await close_cycle(handle, Closing(actor=OPERATOR))
    await decide(running, withdrawal(OPERATOR))
    await running.result()
    status = await close_cycle(handle, Closing(actor=OPERATOR))
    assert status.closed and status.by_stage == {Stage.AWARDED: 1, Stage.WITHDRAWN: 1}
    assert (await handle.result()).closed
    with pytest.raises(Refused) as refused:
        await nominations.nominate(await made_today(nominations, 0, cycle))
    assert refused.value.fields == ["cycle"]


async def test_the_final_score_explains_itself(nominations: Nominations) -> None:
    cycle, _, config = await a_cycle(
        nominations, panel={"size": 3, "quorum": 2, "lab_weight": 0.2, "outlier_points": 15}
    )
    p = await made_today(nominations, 0, cycle)
    h = await nominations.nominate(p)
    nom = await to_panel(h, p)
    a, b, c = nom.panel
    await decide(h, sheet(a, 82))
    await decide(h, sheet(b, 78))
    await decide(
        h,
        sheet(
            c,
            {
                Criterion.LOCAL_RESOURCES: 40,
                Criterion.CULTURE_AUTHENTICITY: 45,
                Criterion.QUALITY_PRESENTATION: 50,
                Criterion.MARKET_POTENTIAL: 35,
                Criterion.SUSTAINABLE_PRODUCTION: 40,
            },
        ),
    )
    nom = await state(h)
    assert nom.result is not None and nom.result.explanation is not None
    why = nom.result.explanation
    assert why.recompute() == nom.result.final_score
    outlier = next(line for line in why.jurors if line.juror_id == c)
    assert outlier.outlier and outlier.weight == 0.5
    assert outlier.total == (40 * 20 + 45 * 20 + 50 * 25 + 35 * 20 + 40 * 15) / 100
    panel = (82 + 78 + outlier.total * 0.5) / 2.5
    assert nom.result.final_score == round(0.8 * panel + 0.2 * 85, 2)
    assert why.next_level is not None
    assert why.points_to_next_level == round(why.next_level.min_score - why.final_score, 2)
    assert nom.result.recommended_stars == config.star_scale.stars_for(nom.result.final_score)


def test_window_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="ditutup setelah dibuka"):
        ProposalWindow(opens=date(2026, 5, 1), closes=date(2026, 4, 1))


async def test_jurors_keep_their_own_zone_for_reminders(nominations: Nominations) -> None:
    cycle, _, _ = await a_cycle(nominations)
    p = await made_today(nominations, 1, cycle)  # tenun from NTT: Bali (WITA) and Java (WIB) jurors
    h = await nominations.nominate(p)
    nom = await to_panel(h, p)
    assert nom.plan is not None
    zones = {s.zone for s in nom.plan.steps if s.zone is not None}
    assert zones == {seat.home_province.timezone for seat in nom.seats}


async def test_a_cycle_opened_a_year_after_the_last_needs_a_reason_which_it_keeps(
    nominations: Nominations,
) -> None:
    cycle = unique_cycle()
    today = (await nominations.env.get_current_time()).date()
    window = ProposalWindow(opens=today, closes=today + timedelta(days=30))
    setup = CycleSetup(
        config=example_cycle_config(cycle),
        window=window,
        opened_by=OPERATOR,
        previous_cycle=str(int(cycle) - 1),
    )
    with pytest.raises(Refused) as refused:
        await open_cycle(nominations.client, setup, nominations.task_queue)
    assert refused.value.fields == ["off_schedule_reason"]
    reason = "Penetapan ulang jadwal oleh Direktur Jenderal IKMA"
    handle = await open_cycle(
        nominations.client,
        setup.model_copy(update={"off_schedule_reason": reason}),
        nominations.task_queue,
    )
    status = await handle.query(CycleWorkflow.status)
    assert (status.previous_cycle, status.off_schedule_reason) == (str(int(cycle) - 1), reason)


async def test_a_cycle_opened_before_the_setting_keeps_the_province_conflict(
    nominations: Nominations,
) -> None:
    """A cycle opened before the same-province conflict became a setting keeps it for each
    of its versions (docs/versioning.md): one that continued as new after the deploy,
    carrying a book without the setting, and one whose first run started before. A cycle
    opened now does not."""
    cycle = unique_cycle()
    today = (await nominations.env.get_current_time()).date()
    setup = CycleSetup(
        config=example_cycle_config(cycle),
        window=ProposalWindow(opens=today, closes=today + timedelta(days=30)),
        opened_by=OPERATOR,
        previous_cycle=on_schedule(cycle),
    )
    carried = CycleBook.open(setup, datetime.now(UTC)).model_copy(
        update={"province_rule_set": False}
    )
    handle = await nominations.client.start_workflow(
        CycleWorkflow.run,
        CycleInput(setup=setup, book=carried),
        id=cycle_workflow_id(cycle),
        task_queue=nominations.task_queue,
    )
    book = await handle.query(CycleWorkflow.book)
    assert [v.config.panel.same_province_conflict for v in book.versions] == [True]

    # Opened before it: the start input has no `corrected_rules`.
    legacy = unique_cycle()
    setup = setup.model_copy(
        update={"config": example_cycle_config(legacy), "previous_cycle": on_schedule(legacy)}
    )
    handle = await nominations.client.start_workflow(
        CycleWorkflow.run,
        CycleInput(setup=setup),
        id=cycle_workflow_id(legacy),
        task_queue=nominations.task_queue,
    )
    book = await handle.query(CycleWorkflow.book)
    assert [v.config.panel.same_province_conflict for v in book.versions] == [True]

    _, opened, _ = await a_cycle(nominations)
    book = await opened.query(CycleWorkflow.book)
    assert [v.config.panel.same_province_conflict for v in book.versions] == [False]
