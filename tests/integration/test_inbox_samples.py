"""Samples and test templates (`CycleConfig.lab_testing`) through the inbox over HTTP: the
lab assessor records the sample's receipt on their task page (a refused receipt records
nothing), then fills in the commodity's template parameter by parameter; a product that
does not conform goes to the panel, whose jurors and official read the lab's
recommendation, and the official needs a reason to award it stars.

The test opens a cycle of its own with test templates beside the session's 2026 cycle
(same staff, same worker)."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.decisions import ScoreSheet
from domain.examples import example_cycle_config, example_lab_testing
from domain.proposal import Commodity
from domain.scoring import Criterion
from domain.stages import Stage
from tests.integration.conftest import own_cycle
from tests.integration.inbox_stack import InboxSite
from tests.integration.test_inbox_deciders import by_letter, seated
from tests.support import fresh_raw, juror, unique_cycle
from workflows.client import CycleHandle, decide

pytestmark = pytest.mark.integration

VERIFIER = "rina@example.id"
LAB_KB = "penilai1.kb@example.id"  # the batik's lab: Kerajinan dan Batik
OFFICIAL = "dirjen.ikma@example.id"
BATIK = example_lab_testing().templates[Commodity.KAIN_BATIK]
HIDDEN = re.compile(r'<input type="hidden" name="(tests\.\d+\.\w+)" value="([^"]*)">')


@pytest.fixture
async def cycle(dev_env: WorkflowEnvironment, cycle_2026: str) -> AsyncIterator[CycleHandle]:
    """A cycle of this test's own whose labs test samples on the example templates."""
    config = example_cycle_config(unique_cycle(), lab_testing=example_lab_testing())
    async with own_cycle(dev_env.client, config) as handle:
        yield handle


async def test_the_lab_records_the_sample_fills_the_template_and_the_panel_reads_its_advice(
    site: InboxSite, cycle: CycleHandle
) -> None:
    year = cycle.id.removeprefix("ovop-cycle-")
    nomination = await site.api.propose(fresh_raw(0, year, date.today()), "pekalongan")
    async with by_letter(site, VERIFIER, nomination) as v:
        assert (await v.decide(nomination, {"outcome": "pass"})).status_code == 200
    assert (await site.api.state(nomination)).stage == Stage.SAMPLE_AWAITED

    async with by_letter(site, LAB_KB, nomination) as lab:
        page = html.unescape((await lab.http.get(f"/tugas/{nomination}")).text)
        assert "Penerimaan sampel produk" in page and BATIK.sample in page
        today = re.search(r'name="received_on" value="([0-9-]+)"', page)
        assert today, page
        assert '<option value="rusak">Rusak: ' in page

        receipt = {"received_on": today[1], "condition": "rusak", "received_by": "Sutrisno"}
        before = (await site.api.state(nomination)).events
        unexplained = await lab.decide(nomination, receipt)
        assert unexplained.status_code == 422 and 'id="note-error"' in unexplained.text
        assert "uraikan kondisi sampel yang rusak" in unexplained.text
        tomorrow = (date.fromisoformat(today[1]) + timedelta(days=1)).isoformat()
        early = await lab.decide(nomination, {**receipt, "received_on": tomorrow, "note": "retak"})
        assert early.status_code == 422 and 'id="received_on-error"' in early.text
        assert "setelah hari ini" in early.text
        state = await site.api.state(nomination)
        assert state.stage == Stage.SAMPLE_AWAITED and state.events == before

        received = await lab.decide(nomination, {**receipt, "condition": "baik"})
        assert received.status_code == 200 and "Keputusan diterima" in received.text
        state = await site.api.state(nomination)
        assert state.stage == Stage.TECHNICAL_ASSESSMENT
        assert state.sample is not None and state.sample.received_by == "Sutrisno"

        form = html.unescape((await lab.http.get(f"/tugas/{nomination}")).text)
        assert 'id="sampel-diterima"' in form and "Sutrisno" in form and today[1] in form
        rows = [t.name for t in BATIK.parameters]
        assert all(f'<tr id="uji-{i}">' in form for i in range(len(rows)))
        assert 'name="tests.3.result"' not in form
        for t in BATIK.parameters:
            assert t.name in form and t.method in form
        hidden = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
        assert [hidden[f"tests.{i}.parameter"] for i in range(len(rows))] == rows
        findings = {
            **hidden,
            **{f"tests.{i}.result": "4-5" for i in range(len(rows))},
            **{f"tests.{i}.passed": "true" for i in range(len(rows))},
            "tests.0.result": "2",
            "tests.0.passed": "false",
            "report_number": "LHU/KB/2026/0077",
            "score": "64",
            "conforms": "false",
            "summary": "Tahan luntur warna terhadap pencucian di bawah persyaratan.",
        }
        assessed = await lab.decide(nomination, findings)
        assert assessed.status_code == 200, assessed.text

    nom = await seated(site, nomination)
    assert nom.stage == Stage.PANEL_SCORING and nom.lab_advised_against
    assert nom.findings is not None
    assert [t.parameter for t in nom.findings.tests] == rows

    first = next(j.email for j in nom.config.jurors if j.user_id == nom.panel[0])
    async with by_letter(site, str(first), nomination) as j:
        advice = html.unescape((await j.http.get(f"/tugas/{nomination}")).text)
        assert 'id="rekomendasi-balai"' in advice and "LHU/KB/2026/0077" in advice
        assert f"{rows[0]}: 2" in advice and rows[1] + ":" not in advice
        assert f"{rows[0]} ({BATIK.parameters[0].method})" in advice  # the dossier's table
    handle = site.api.env.client.get_workflow_handle(nomination)
    for user_id in nom.panel:
        sheet = ScoreSheet(
            actor=juror(user_id), scores=dict.fromkeys(Criterion, 90), comment="Motif baik."
        )
        await decide(handle, sheet)
    assert (await site.api.state(nomination)).stage == Stage.AWARD_DECISION

    async with by_letter(site, OFFICIAL, nomination) as official:
        award = html.unescape((await official.http.get(f"/tugas/{nomination}")).text)
        assert 'id="rekomendasi-balai"' in award and "meskipun Balai Besar" in award
        unexplained = await official.decide(nomination, {"choice": "confirm"})
        assert unexplained.status_code == 422 and 'id="reason-error"' in unexplained.text
        assert "LHU/KB/2026/0077" in html.unescape(unexplained.text)
    assert (await site.api.state(nomination)).award is None
