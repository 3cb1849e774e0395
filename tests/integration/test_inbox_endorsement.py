"""The provincial office's endorsement (`CycleConfig.endorsement`) through the inbox over
HTTP: the office signs in, finds its regencies' proposals in its inbox, and endorses or
returns each on its task page, within the province's quota for the commodity, which the
page shows; a refused decision records nothing and says why at its field.

The test opens a cycle of its own with a quota beside the session's 2026 cycle (same
staff, same worker)."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from datetime import date

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.events import EventKind
from domain.examples import example_cycle_config
from domain.proposal import Commodity
from domain.regions import Province
from domain.stages import Stage
from tests.integration.conftest import own_cycle
from tests.integration.inbox_stack import InboxSite
from tests.support import eventually, fresh_raw, unique_cycle
from workflows.client import CycleHandle

pytestmark = pytest.mark.integration

BATIK = Commodity.KAIN_BATIK  # the first example's commodity, from Kota Pekalongan
QUOTA = f"kuota rekomendasi {Province.JAWA_TENGAH.value} untuk komoditas {BATIK.label}"


@pytest.fixture
async def cycle(dev_env: WorkflowEnvironment, cycle_2026: str) -> AsyncIterator[CycleHandle]:
    """A cycle of this test's own whose provinces endorse one batik proposal each."""
    config = example_cycle_config(unique_cycle(), endorsement={"quota": {BATIK: 1}})
    async with own_cycle(dev_env.client, config) as handle:
        yield handle


async def test_the_province_endorses_within_its_quota_and_returns_with_a_reason(
    site: InboxSite, cycle: CycleHandle
) -> None:
    year = cycle.id.removeprefix("ovop-cycle-")
    raws = [fresh_raw(0, year, date.today()) for _ in range(2)]
    raws[1]["product"]["name"] += " Kedua"
    first, second = [await site.api.propose(raw, "pekalongan") for raw in raws]
    assert (await site.api.state(first)).stage == Stage.PROVINCIAL_ENDORSEMENT
    province = raws[0]["provincial_office"]["contact"]["email"]

    async with site.signed_in(province) as office:

        async def both_listed() -> str | None:
            inbox = (await office.http.get("/tugas")).text
            return inbox if all(f'href="/tugas/{n}"' in inbox for n in (first, second)) else None

        inbox = await eventually(both_listed, "both proposals in the province's inbox")
        assert inbox.count(">Rekomendasi dinas provinsi</a>") >= 2

        page = html.unescape((await office.http.get(f"/tugas/{first}")).text)
        assert "Rekomendasi dinas provinsi" in page and 'id="kuota-rekomendasi"' in page
        assert f"{QUOTA[0].upper()}{QUOTA[1:]}:</strong> 1 usulan." in page
        assert "Sudah direkomendasikan: 0 usulan; sisa kuota: 1 usulan." in page
        assert "Alasan (wajib bila usulan dikembalikan)" in page
        endorsed = await office.decide(first, {"outcome": "endorse"})
        assert endorsed.status_code == 200 and "Keputusan diterima" in endorsed.text
        assert (await site.api.state(first)).stage == Stage.ADMIN_VERIFICATION

        page = html.unescape((await office.http.get(f"/tugas/{second}")).text)
        assert f"Sudah direkomendasikan: 1 usulan ({first}); sisa kuota: 0 usulan." in page
        before = (await site.api.state(second)).events
        full = await office.decide(second, {"outcome": "endorse"})
        said = html.unescape(full.text)
        assert full.status_code == 422 and 'id="outcome-error"' in said
        assert f"{QUOTA} sudah penuh (1 usulan: {first})" in said
        unexplained = await office.decide(second, {"outcome": "return"})
        assert unexplained.status_code == 422 and 'id="reason-error"' in unexplained.text
        assert "alasan wajib diisi bila usulan dikembalikan" in unexplained.text
        state = await site.api.state(second)
        assert state.stage == Stage.PROVINCIAL_ENDORSEMENT and state.events == before

        reason = "Kuota batik provinsi sudah terisi; ajukan produk unggulan lain."
        returned = await office.decide(second, {"outcome": "return", "reason": reason})
        assert returned.status_code == 200, returned.text
    state = await site.api.state(second)
    assert state.stage == Stage.REVISION_REQUESTED and state.returned_by_province
    assert state.events[-1].kind == EventKind.RETURNED and state.events[-1].reason == reason

    regency = raws[1]["proposing_office"]["contact"]["email"]
    async with site.signed_in(regency) as proposer:
        task = html.unescape((await proposer.http.get(f"/tugas/{second}")).text)
        by = raws[1]["provincial_office"]["name"]
        assert (
            f"dikembalikan oleh {by} untuk diperbaiki" in task and f"Alasan {by}: {reason}" in task
        )
        assert f"usulan kembali ke {by} untuk direkomendasikan" in task
