"""Those who judge a nomination, through their inbox pages over HTTP: the lab assessor's
findings, the jurors' score sheets (each blind to the others' until the panel closes),
the official's award, and a juror's conflict of interest, which an operator then settles
by replacing them. Each signs in by the link a letter carries."""

from __future__ import annotations

import html
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest

from domain.examples import example_cycle_config, example_proposals
from domain.nomination import Nomination
from domain.notifications import task_path
from domain.scoring import Criterion
from domain.stages import Stage
from tests.integration.inbox_stack import Browser, InboxSite
from tests.support import eventually

pytestmark = pytest.mark.integration

CONFIG = example_cycle_config("2026")
VERIFIER = "rina@example.id"
LAB_KB = "penilai1.kb@example.id"  # the batik's lab: Kerajinan dan Batik
OFFICIAL = "dirjen.ikma@example.id"
OPERATOR = "sari@example.id"
# Values no page may show another juror before the panel closes.
SECRET_SCORE, SECRET_COMMENT = "83.5", "Motif parang rusak ini sungguh istimewa"


@asynccontextmanager
async def by_letter(site: InboxSite, email: str, nomination: str) -> AsyncIterator[Browser]:
    """A browser signed in with the link a letter about `nomination` carries."""
    async with site.browser() as b:
        link = site.links.url(email, task_path(nomination), timedelta(hours=1))
        signed = await b.use_link(link)
        assert signed.status_code == 303, signed.text
        yield b


def email_of(user_id: str) -> str:
    return str(next(j.email for j in CONFIG.jurors if j.user_id == user_id))


def sheet(value: str, comment: str) -> dict[str, str]:
    return {**{f"scores.{c.value}": value for c in Criterion}, "comment": comment}


async def seated(site: InboxSite, nomination: str) -> Nomination:
    async def check() -> Nomination | None:
        nom = await site.api.state(nomination)
        return nom if len(nom.panel) == CONFIG.panel.size and not nom.jurors_wanted else None

    return await eventually(check, "the cycle to seat the panel")


async def at_panel(site: InboxSite) -> Nomination:
    """A fresh batik nomination, verified and assessed through the verifier's and the lab
    assessor's pages, with its panel seated."""
    raw = example_proposals("2026")[0]
    raw["product"]["name"] += f" {uuid.uuid4().hex[:8]}"
    nomination = await site.api.propose(raw, "pekalongan")
    async with by_letter(site, VERIFIER, nomination) as v:
        assert (await v.decide(nomination, {"outcome": "pass"})).status_code == 200
    async with by_letter(site, LAB_KB, nomination) as lab:
        page = await lab.http.get(f"/tugas/{nomination}")
        assert page.status_code == 200 and 'name="tests.5.parameter"' in page.text
        findings = {
            "report_number": "LHU/KB/2026/0042",
            "score": "120",
            "conforms": "true",
            "tests.0.parameter": "ketahanan luntur warna",
            "tests.0.result": "4-5",
            "tests.0.standard": "SNI ISO 105-C06",
            "tests.0.passed": "true",
            "summary": "Sampel memenuhi persyaratan mutu.",
        }
        before = (await site.api.state(nomination)).events
        refused = await lab.decide(nomination, findings)
        assert refused.status_code == 422
        assert 'id="score-error"' in refused.text and "LHU/KB/2026/0042" in refused.text
        assert (await site.api.state(nomination)).events == before
        taken = await lab.decide(nomination, {**findings, "score": "86"})
        assert taken.status_code == 200 and "Keputusan diterima" in taken.text
    return await seated(site, nomination)


async def test_jurors_score_blind_to_each_other_and_the_official_decides_the_award(
    site: InboxSite,
) -> None:
    nom = await at_panel(site)
    nomination, (first, second, third) = nom.id, nom.panel
    outsider = next(j.user_id for j in CONFIG.jurors if j.user_id not in nom.panel)
    async with by_letter(site, email_of(outsider), nomination) as o:
        assert (await o.http.get(f"/tugas/{nomination}")).status_code == 403

    async with by_letter(site, email_of(first), nomination) as a:
        page = (await a.http.get(f"/tugas/{nomination}")).text
        assert "Pemanfaatan sumber daya lokal (bobot 20%)" in page and "90-100" in page
        assert "Nyatakan konflik kepentingan" in page
        before = (await site.api.state(nomination)).events
        too_high = await a.decide(nomination, sheet("120", SECRET_COMMENT))
        assert too_high.status_code == 422
        assert 'id="scores.local_resources-error"' in too_high.text
        assert (await site.api.state(nomination)).events == before
        taken = await a.decide(nomination, sheet(SECRET_SCORE, SECRET_COMMENT))
        assert taken.status_code == 200
        mine = (await a.http.get(f"/tugas/{nomination}")).text
        assert f'value="{SECRET_SCORE}"' in mine and SECRET_COMMENT in mine  # their own

    async with by_letter(site, email_of(second), nomination) as b:
        blind = (await b.http.get(f"/tugas/{nomination}")).text
        assert SECRET_SCORE not in blind and "83,5" not in blind
        assert SECRET_COMMENT not in html.unescape(blind)
        assert (await b.decide(nomination, sheet("80", "Mutu baik."))).status_code == 200
    async with by_letter(site, email_of(third), nomination) as c:
        assert (await c.decide(nomination, sheet("78", "Pasar luas."))).status_code == 200
        closed = html.unescape((await c.http.get(f"/tugas/{nomination}")).text)
        assert "telah ditutup" in closed and SECRET_COMMENT in closed and "83,5" in closed
        assert 'name="scores.local_resources"' not in closed

    assert (await site.api.state(nomination)).stage == Stage.AWARD_DECISION
    async with by_letter(site, OFFICIAL, nomination) as official:
        page = (await official.http.get(f"/tugas/{nomination}")).text
        assert "Rekomendasi Tim Seleksi" in page and "Nilai akhir: (1 - 0,2) x" in page
        before = (await site.api.state(nomination)).events
        unexplained = await official.decide(
            nomination, {"choice": "override", "override_stars": "0"}
        )
        assert unexplained.status_code == 422 and 'id="reason-error"' in unexplained.text
        assert (await site.api.state(nomination)).events == before
        confirmed = await official.decide(nomination, {"choice": "confirm"})
        assert confirmed.status_code == 200 and "Keputusan diterima" in confirmed.text
    awarded = await site.api.state(nomination)
    assert awarded.award is not None and not awarded.award.overridden


async def test_a_juror_declares_a_conflict_and_an_operator_replaces_them(
    site: InboxSite,
) -> None:
    nom = await at_panel(site)
    nomination, conflicted = nom.id, nom.panel[0]
    reason = "Pemilik IKM ini adalah saudara sepupu saya."
    async with by_letter(site, email_of(conflicted), nomination) as juror:
        unexplained = await juror.decide(nomination, {"action": "declare-conflict"})
        assert unexplained.status_code == 422 and 'id="reason-error"' in unexplained.text
        declared = await juror.decide(nomination, {"action": "declare-conflict", "reason": reason})
        assert declared.status_code == 200 and "konflik kepentingan tercatat" in declared.text
        page = (await juror.http.get(f"/tugas/{nomination}")).text
        assert "Anda telah menyatakan konflik kepentingan" in page
        scored = await juror.decide(nomination, sheet("80", "baik"))
        assert scored.status_code == 403 and "telah menyatakan konflik kepentingan" in scored.text
    state = await site.api.state(nomination)
    assert state.conflicts_declared() == {conflicted: reason}

    async def operators_told() -> bool:  # the letter goes out with the event's activity
        letters = [m for r, m in site.mail.received if r == OPERATOR]
        return any("konflik kepentingan" in str(m["Subject"]) for m in letters)

    await eventually(operators_told, "the operators' letter about the conflict")

    async with by_letter(site, OPERATOR, nomination) as operator:
        inbox = (await operator.http.get("/tugas")).text
        assert f'href="/tugas/{nomination}"' in inbox and "Penggantian juri" in inbox
        page = html.unescape((await operator.http.get(f"/tugas/{nomination}")).text)
        assert f'<option value="{conflicted}" selected>' in page and reason in page
        replaced = await operator.decide(
            nomination,
            {"juror_id": conflicted, "reason": f"Juri menyatakan konflik kepentingan: {reason}"},
        )
        assert replaced.status_code == 200 and "Keputusan diterima" in replaced.text
        assert (await operator.http.get(f"/tugas/{nomination}")).status_code == 403

    after = await seated(site, nomination)
    assert conflicted not in after.panel and conflicted in after.dropped
    async with by_letter(site, email_of(conflicted), nomination) as juror:
        assert (await juror.http.get(f"/tugas/{nomination}")).status_code == 403
