"""Site visits (`CycleConfig.site_visits`) through the inbox over HTTP: the operator
schedules the visit and its team on their task page; a member of the team signs in, finds
the report in their inbox and sends it with its photos, uploaded with the form. A file
that is not an image is refused naming it, and nothing is recorded or kept; the report
with the good photo sends the nomination to the panel, whose jurors read it with the
photo's link.

The test opens a cycle of its own with site visits beside the session's 2026 cycle (same
staff, same worker)."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.calendar import local_date
from domain.examples import example_cycle_config
from domain.regions import TimeZone
from domain.scoring import Criterion
from domain.stages import Stage
from tests.documents import elf, png
from tests.integration.conftest import own_cycle
from tests.integration.inbox_stack import InboxSite, csrf_of
from tests.integration.test_inbox_deciders import OPERATOR, VERIFIER, by_letter, seated
from tests.support import findings, fresh_raw, passes, unique_cycle
from workflows.client import CycleHandle, decide

pytestmark = pytest.mark.integration

CHECKBOX = re.compile(r'name="(team\.\d+)" value="([^"]+)"')
FOUND = {c: f"Temuan lapangan atas {c.label.lower()}." for c in Criterion}


@pytest.fixture
async def cycle(dev_env: WorkflowEnvironment, cycle_2026: str) -> AsyncIterator[CycleHandle]:
    """A cycle of this test's own whose nominations are visited before the panel."""
    config = example_cycle_config(unique_cycle(), site_visits={})
    async with own_cycle(dev_env.client, config) as handle:
        yield handle


async def test_the_operator_schedules_the_visit_and_its_team_reports_with_photos(
    site: InboxSite, cycle: CycleHandle
) -> None:
    year = cycle.id.removeprefix("ovop-cycle-")
    nomination = await site.api.propose(fresh_raw(0, year, date.today()), "pekalongan")
    handle = site.api.env.client.get_workflow_handle(nomination)
    await decide(handle, passes())
    await decide(handle, findings((await site.api.state(nomination)).lab))
    assert (await site.api.state(nomination)).stage == Stage.SITE_VISIT
    today = local_date(datetime.now(UTC), TimeZone.WIB).isoformat()

    async with by_letter(site, OPERATOR, nomination) as op:
        page = html.unescape((await op.http.get(f"/tugas/{nomination}")).text)
        assert "Jadwal verifikasi lapangan" in page and "Rina Marlina" in page
        boxes = {user_id: name for name, user_id in CHECKBOX.findall(page)}
        team = ["verif.rina", "op.sari"]
        scheduled = await op.decide(
            nomination, {"visit_on": today, **{boxes[u]: u for u in team}, "note": "Pagi."}
        )
        assert scheduled.status_code == 200, scheduled.text
        moved = html.unescape((await op.http.get(f"/tugas/{nomination}")).text)
        assert 'id="jadwal-kunjungan"' in moved and "Rina Marlina, Sari Wulandari" in moved
    state = await site.api.state(nomination)
    assert state.visit is not None and state.visit.team == team

    good, bad = png(nomination.encode()), elf(nomination.encode())
    async with site.signed_in(VERIFIER) as member:
        inbox = html.unescape((await member.http.get("/tugas")).text)
        assert f"/tugas/{nomination}" in inbox
        form = (await member.http.get(f"/tugas/{nomination}")).text
        assert 'enctype="multipart/form-data"' in form and 'name="photos"' in form
        report = {
            "visited_on": today,
            **{f"findings.{c.value}": text for c, text in FOUND.items()},
            "summary": "Sentra aktif berproduksi, sesuai dengan berkas usulan.",
            "csrf": csrf_of(form),
        }
        photos = [
            ("photos", ("sentra.png", good, "image/png")),
            ("photos", ("proses-produksi.png", bad, "image/png")),
        ]
        refused = await member.http.post(f"/tugas/{nomination}", data=report, files=photos)
        assert refused.status_code == 422, refused.text
        said = html.unescape(refused.text)
        assert 'id="photos-error"' in said and "'proses-produksi.png'" in said
        assert "foto verifikasi lapangan harus berupa" in said and "'sentra.png'" not in said
        assert (await site.api.state(nomination)).events == state.events
        assert site.api.documents is not None
        assert not await site.api.documents.holds(hashlib.sha256(good).hexdigest())

        sent = await member.http.post(
            f"/tugas/{nomination}", data={**report, "csrf": csrf_of(said)}, files=photos[:1]
        )
        assert sent.status_code == 200 and "Keputusan diterima" in sent.text, sent.text

    nom = await seated(site, nomination)
    assert nom.stage == Stage.PANEL_SCORING and nom.visit_report is not None
    sha256 = hashlib.sha256(good).hexdigest()
    assert [p.sha256 for p in nom.visit_report.photos] == [sha256]
    first = next(j.email for j in nom.config.jurors if j.user_id == nom.panel[0])
    async with by_letter(site, str(first), nomination) as juror:
        sheet = html.unescape((await juror.http.get(f"/tugas/{nomination}")).text)
        assert 'id="laporan-kunjungan"' in sheet and "Rina Marlina, Sari Wulandari" in sheet
        assert all(text in sheet for text in FOUND.values())
        assert "sesuai dengan berkas usulan" in sheet
        link = f"/tugas/{nomination}/berkas/{sha256}"
        assert f'<a href="{link}" download>sentra.png</a>' in sheet
        photo = await juror.http.get(link)
        assert photo.status_code == 200 and photo.content == good
