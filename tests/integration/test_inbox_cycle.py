"""The operator's cycle page over HTTP: the cycle's counts per stage and juror loads as its
workflow holds them, each nomination's Web UI link, and everyone else refused.

Each test opens a cycle of its own beside the session's 2026 cycle (same staff, same
worker): the page asks every running nomination of its cycle for its state, and the 2026
cycle keeps other tests' nominations whose workers have stopped.

Which nominations are overdue, and whom they wait for, is told by `domain.oversight` and
tested in tests/unit/test_oversight.py: the dev server cannot skip to a deadline."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from domain.cycle_book import CycleStatus
from domain.examples import example_cycle_config
from domain.oversight import juror_loads
from domain.stages import Stage
from tests.integration.conftest import own_cycle
from tests.integration.inbox_stack import Browser, InboxSite, csrf_of
from tests.support import (
    eventually,
    findings,
    fresh_raw,
    passes,
    unique_cycle,
)
from workflows.client import CycleHandle, decide
from workflows.cycle import CycleWorkflow

pytestmark = pytest.mark.integration

SARI = "sari@example.id"  # the cycles' operator
RINA = "rina@example.id"  # a verifier
WEB_UI = "http://localhost:8233"  # InboxDeps.web_ui_url as the site leaves it


@pytest.fixture
async def cycle(dev_env: WorkflowEnvironment, cycle_2026: str) -> AsyncIterator[CycleHandle]:
    """A cycle of this test's own, served by the 2026 cycle's worker."""
    async with own_cycle(dev_env.client, example_cycle_config(unique_cycle())) as handle:
        yield handle


async def proposed(site: InboxSite, cycle: str) -> str:
    """A fresh nomination from Kota Pekalongan, at administrative verification."""
    return await site.api.propose(fresh_raw(0, cycle, date.today()), "pekalongan")


async def at_panel(site: InboxSite, cycle: str) -> str:
    """A fresh nomination, verified and assessed: its panel is seated."""
    nomination = await proposed(site, cycle)
    handle = site.api.env.client.get_workflow_handle(nomination)
    await decide(handle, passes())
    lab = (await site.api.state(nomination)).lab
    await decide(handle, findings(lab))
    assert (await site.api.state(nomination)).stage == Stage.PANEL_SCORING
    return nomination


async def shown_with_status(
    b: Browser, cycle: CycleHandle, holds: dict[Stage, int]
) -> tuple[httpx.Response, CycleStatus]:
    """The cycle's page and status once the cycle counts `holds` (each nomination reports
    its stage to its cycle by a signal, after the decision's answer)."""
    path = f"/siklus/{cycle.id.removeprefix('ovop-cycle-')}"

    async def counted() -> tuple[httpx.Response, CycleStatus] | None:
        status = await cycle.query(CycleWorkflow.status)
        if status.by_stage != holds:
            return None
        return await b.http.get(path), status

    return await eventually(counted, f"the cycle to count {holds}")


def row_of(html: str, nomination: str) -> str:
    found = re.search(rf'<tr id="u-{re.escape(nomination)}">(.*?)</tr>', html, re.S)
    assert found, f"no row for {nomination}"
    return found.group(1)


async def test_an_operator_sees_stages_juror_loads_and_each_nomination_s_web_ui_link(
    site: InboxSite, cycle: CycleHandle
) -> None:
    year = cycle.id.removeprefix("ovop-cycle-")
    nomination = await at_panel(site, year)
    verifying = await proposed(site, year)
    async with site.signed_in(SARI) as b:
        listing = await b.http.get("/siklus")
        assert listing.status_code == 200 and f'href="/siklus/{year}"' in listing.text
        assert 'href="/siklus">Siklus</a>' in listing.text  # in the menu

        holds = {Stage.ADMIN_VERIFICATION: 1, Stage.PANEL_SCORING: 1}
        shown, status = await shown_with_status(b, cycle, holds)
        assert shown.status_code == 200
        html = shown.text
        assert html.count('<tr id="tahap-') == len(status.by_stage) == 2
        for stage, count in status.by_stage.items():
            assert (
                f'<tr id="tahap-{stage.value}"><td data-label="Tahap">{stage.label}</td>'
                f'<td data-label="Jumlah usulan">{count}</td></tr>'
            ) in html
        assert '<dd id="jumlah-usulan">2</dd>' in html

        config = example_cycle_config(year)
        shown_loads = re.findall(
            r'<td data-label="Juri">([^<]+)</td><td data-label="Jumlah panel">(\d+)</td>', html
        )
        expected = [(j.name, str(j.panels)) for j in juror_loads(status.juror_loads, config)]
        assert shown_loads == expected
        panel = (await site.api.state(nomination)).panel
        assert sorted(name for name, _ in shown_loads) == sorted(
            j.name for j in config.jurors if j.user_id in panel
        )

        namespace = site.api.env.client.namespace
        for each, stage in (
            (nomination, Stage.PANEL_SCORING),
            (verifying, Stage.ADMIN_VERIFICATION),
        ):
            row = row_of(html, each)
            assert f'href="{WEB_UI}/namespaces/{namespace}/workflows/{each}"' in row
            assert stage.label in row and "pukul" in row  # its deadline, in words
            assert "/tugas/" not in row  # an operator holds no task on it
        assert "Tidak ada usulan yang melewati batas waktu" in html


async def test_an_operator_signs_in_with_their_key_as_a_listed_operator_only(
    site: InboxSite, cycle: CycleHandle
) -> None:
    year = cycle.id.removeprefix("ovop-cycle-")
    nomination = await proposed(site, year)  # at verification: no operator's task
    async with site.browser() as b:
        token = csrf_of((await b.http.get("/masuk")).text)
        stranger = await b.http.post(
            "/masuk/kunci",
            data={"key": "key-ditjen", "user_id": "op.tamu", "ke": "/siklus", "csrf": token},
        )
        assert stranger.status_code == 422 and 'id="user_id-error"' in stranger.text
        assert "tidak terdaftar sebagai operator" in stranger.text
        signed = await b.http.post(
            "/masuk/kunci",
            data={"key": "key-ditjen", "user_id": "op.sari", "ke": "/siklus", "csrf": token},
        )
        assert signed.status_code == 303 and signed.headers["location"] == "/siklus"
        listing = await b.http.get("/siklus")
        assert f'href="/siklus/{year}"' in listing.text and 'href="/siklus/2026"' in listing.text
        shown = await b.http.get(f"/siklus/{year}")
        assert shown.status_code == 200
        # The key also verifies, but op.sari is no listed verifier: the key signs in an
        # operator, and verification is not an operator's task.
        assert nomination in shown.text
        assert f'href="/tugas/{nomination}"' not in row_of(shown.text, nomination)
        assert (await b.http.get(f"/tugas/{nomination}")).status_code == 403


async def test_anyone_but_an_operator_is_refused_and_an_unknown_cycle_is_not_found(
    site: InboxSite, cycle: CycleHandle
) -> None:
    year = cycle.id.removeprefix("ovop-cycle-")
    async with site.signed_in(RINA) as v:
        refused = await v.http.get(f"/siklus/{year}")
        assert refused.status_code == 403 and "Halaman ini untuk operator" in refused.text
        assert f"Rina Marlina tidak terdaftar sebagai operator siklus OVOP {year}" in refused.text
        assert (await v.http.get("/siklus/2026")).status_code == 403
        assert (await v.http.get("/siklus")).status_code == 403
        assert 'href="/siklus"' not in refused.text  # no menu entry for a verifier
    async with site.signed_in(SARI) as b:
        unknown = await b.http.get("/siklus/1999")
        assert unknown.status_code == 404 and "Tidak ada siklus OVOP 1999" in unknown.text
    async with site.browser() as nobody:
        away = await nobody.http.get(f"/siklus/{year}")
        assert away.status_code == 303 and away.headers["location"] == f"/masuk?ke=/siklus/{year}"
