"""A selection run as the ministry runs it (release 1.5: `endorsement`, `lab_testing` and
`site_visits` all on), on the time-skipping server, through the cycle: the province
endorses, the verifier passes a proposal with its documents, the sample arrives and the
lab's deadline counts from that day, the lab's findings follow the commodity's template,
the site visit is scheduled and reported with its photos, and the panel and the official
award it. And a visit's rules: who is on its team, who reports it, on what."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.calendar import at_local, local_date
from domain.decisions import AwardDecision
from domain.documents import Slot, checked_document
from domain.errors import RefusalKind, Refused
from domain.events import EventKind
from domain.examples import example_findings, example_lab_testing, example_sample_receipt
from domain.regions import TimeZone
from domain.scoring import Criterion
from domain.stages import Stage
from tests.documents import pdf, png
from tests.support import (
    OFFICIAL,
    OPERATOR,
    VERIFIER,
    endorses,
    juror,
    passes,
    sheet,
    visit_reported,
    visit_scheduled,
)
from tests.workflow.conftest import Calls, Nominations, state
from tests.workflow.test_cycle import a_cycle, made_today
from workflows.client import decide

DOSSIER = [
    checked_document(Slot.SENTRA_DECREE, "sk-sentra.pdf", pdf(b"sk sentra bantul")),
    checked_document(Slot.PHOTO, "gerabah.png", png(b"gerabah")),
]
VISIT_PHOTO = checked_document(Slot.VISIT_PHOTO, "kunjungan.png", png(b"tungku pembakaran"))


async def test_endorsed_verified_sampled_tested_visited_scored_and_awarded(
    nominations: Nominations, calls: Calls
) -> None:
    cycle, _, config = await a_cycle(
        nominations, endorsement={}, lab_testing=example_lab_testing(), site_visits={}
    )
    p = (await made_today(nominations, 2, cycle)).model_copy(update={"documents": DOSSIER})
    handle = await nominations.nominate(p)
    assert (await state(handle)).stage == Stage.PROVINCIAL_ENDORSEMENT

    assert (await decide(handle, endorses(p))).stage == Stage.ADMIN_VERIFICATION
    nom = await state(handle)
    assert nom.documents == DOSSIER
    assert (await decide(handle, passes())).stage == Stage.SAMPLE_AWAITED

    env = nominations.env
    await env.sleep(timedelta(days=6))
    arrived = local_date(await env.get_current_time(), TimeZone.WIB) - timedelta(days=2)
    receipt = example_sample_receipt(config, p, arrived)
    assert (await decide(handle, receipt)).stage == Stage.TECHNICAL_ASSESSMENT
    nom = await state(handle)
    calendar = nom.config.calendar
    assert calendar is not None
    due = calendar.add_working_days(arrived, config.deadlines.assessment_days)
    assert nom.deadline == at_local(due, config.deadlines.closes_at, TimeZone.WIB)

    lab = example_findings(config, p)
    assert [t.parameter for t in lab.tests] == [
        t.name
        for t in config.lab_testing.templates[p.product.commodity].parameters  # type: ignore[union-attr]
    ]
    assert (await decide(handle, lab)).stage == Stage.SITE_VISIT
    assert await calls.mailed(handle.id, "assessed") >= {
        str(o.email) for o in config.staff.operators
    }

    today = local_date(await env.get_current_time(), TimeZone.WIB)
    await decide(handle, visit_scheduled(today + timedelta(days=3)))
    team = await calls.mailed(handle.id, "visit_scheduled")
    assert str(config.staff.verifiers[0].email) in team and str(p.ikm.owner.email) in team
    await env.sleep(timedelta(days=3))
    visited_on = local_date(await env.get_current_time(), TimeZone.WIB)
    report = visit_reported(VERIFIER, visited_on).model_copy(update={"photos": [VISIT_PHOTO]})
    assert (await decide(handle, report)).stage == Stage.PANEL_SCORING
    nom = await state(handle)
    assert nom.visit_report == report and VISIT_PHOTO in nom.documents

    for j in nom.panel:
        await decide(handle, sheet(j, 86))
    await decide(handle, AwardDecision(actor=OFFICIAL))
    summary = await handle.result()
    assert summary.stage == Stage.AWARDED and summary.stars
    assert calls.stages(handle.id) == [
        "PROVINCIAL_ENDORSEMENT",
        "ADMIN_VERIFICATION",
        "SAMPLE_AWAITED",
        "TECHNICAL_ASSESSMENT",
        "SITE_VISIT",
        "PANEL_SCORING",
        "AWARD_DECISION",
        "AWARDED",
    ]


async def test_a_visit_s_team_is_the_cycle_s_people_and_only_they_report_it(
    nominations: Nominations,
) -> None:
    cycle, _, config = await a_cycle(nominations, site_visits={})
    p = await made_today(nominations, 0, cycle)
    handle = await nominations.nominate(p)
    await decide(handle, passes())
    await decide(handle, example_findings(config, p))
    nom = await state(handle)
    assert nom.stage == Stage.SITE_VISIT and nom.panel == []  # no jurors before the visit

    today = local_date(await nominations.env.get_current_time(), TimeZone.WIB)
    with pytest.raises(Refused) as refused:
        await decide(handle, visit_reported(VERIFIER, today))
    assert (refused.value.kind, refused.value.fields) == (RefusalKind.STAGE, ["stage"])
    stranger = visit_scheduled(today).model_copy(update={"team": [VERIFIER.user_id, "tamu.x"]})
    with pytest.raises(Refused) as refused:
        await decide(handle, stranger)
    assert refused.value.fields == ["team.1"]
    alone = visit_scheduled(today).model_copy(update={"team": [VERIFIER.user_id]})
    with pytest.raises(Refused) as refused:
        await decide(handle, alone)
    assert refused.value.fields == ["team"]
    with pytest.raises(Refused) as refused:
        await decide(handle, visit_scheduled(today - timedelta(days=1)))
    assert refused.value.fields == ["visit_on"]

    await decide(handle, visit_scheduled(today))
    off_team = juror(config.jurors[1].user_id)
    with pytest.raises(Refused) as refused:
        await decide(handle, visit_reported(off_team, today))
    assert (refused.value.kind, refused.value.fields) == (RefusalKind.ACCESS, ["actor.user_id"])
    partial = visit_reported(OPERATOR, today)
    partial = partial.model_copy(
        update={"findings": {Criterion.LOCAL_RESOURCES: "bahan baku setempat"}}
    )
    with pytest.raises(Refused) as refused:
        await decide(handle, partial)
    assert "findings.culture_authenticity" in refused.value.fields
    assert (await state(handle)).stage == Stage.SITE_VISIT

    member = juror(config.jurors[0].user_id)  # a juror on the team may report it too
    assert (await decide(handle, visit_reported(member, today))).stage == Stage.PANEL_SCORING
    assert [e.kind for e in (await state(handle)).events][-3:-1] == [
        EventKind.VISIT_SCHEDULED,
        EventKind.VISITED,
    ]
