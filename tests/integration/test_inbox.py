"""The inbox over HTTP, as a browser without JavaScript uses it: signing in by the link the
real SMTP server received, the tasks a person finds, a decision taken or refused at its
field, and every way in that must be refused."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.mail import Mailer
from domain.events import EventKind
from domain.examples import example_proposals
from domain.notifications import task_path
from domain.stages import Stage
from records import RecordStore
from tests.documents import nonce, png
from tests.integration.api_stack import as_
from tests.integration.conftest import SmtpServer
from tests.integration.inbox_stack import InboxSite, csrf_of, inbox_site

pytestmark = pytest.mark.integration

VERIFIER = "rina@example.id"
JUROR = "juri_budi@example.id"
PEKALONGAN_OFFICE = "disperin.pekalongan@example.id"
BANTUL_OFFICE = "disperin.bantul@example.id"


async def proposed(site: InboxSite, index: int = 0) -> str:
    raw = example_proposals("2026")[index]
    raw["product"]["name"] += f" {uuid.uuid4().hex[:8]}"  # a fresh nomination
    who = {0: "pekalongan", 2: "bantul"}[index]
    return await site.api.propose(raw, who)


async def test_a_verifier_signs_in_by_link_finds_the_task_and_decides(site: InboxSite) -> None:
    nomination = await proposed(site)
    async with site.browser() as b:
        first = await b.http.get("/tugas")
        assert first.status_code == 303 and first.headers["location"] == "/masuk?ke=/tugas"
        seen = len(site.sign_in_links(VERIFIER))
        sent = await b.ask_for_link(VERIFIER, task_path(nomination))
        assert sent.status_code == 200 and "Periksa email Anda" in sent.text
        link = await site.new_link_to(VERIFIER, seen)
        signed = await b.use_link(link)
        assert signed.status_code == 303 and signed.headers["location"] == task_path(nomination)

        inbox = await b.http.get("/tugas")
        assert f'href="/tugas/{nomination}"' in inbox.text
        assert "Verifikasi administrasi" in inbox.text and "hari kerja" in inbox.text

        before = len((await site.api.state(nomination)).events)
        refused = await b.decide(nomination, {"outcome": "revise"})
        assert refused.status_code == 422
        assert 'id="reason-error"' in refused.text and 'aria-invalid="true"' in refused.text
        assert len((await site.api.state(nomination)).events) == before  # nothing recorded

        taken = await b.decide(nomination, {"outcome": "pass"})
        assert taken.status_code == 200 and "Keputusan diterima" in taken.text
        assert (await site.api.state(nomination)).stage == Stage.TECHNICAL_ASSESSMENT

    async with site.browser() as other:  # the same link again, in another browser
        again = await other.use_link(link)
        assert again.status_code == 400 and "sudah pernah dipakai" in again.text


async def test_the_verifier_sees_the_documents_and_the_checklist_of_what_is_missing(
    site: InboxSite,
) -> None:
    photo = await site.api.http.post(
        "/documents",
        data={"slot": "foto_produk"},
        files={"file": ("foto batik.png", png(nonce()))},
        headers=as_("pekalongan"),
    )
    assert photo.status_code == 201, photo.text
    raw = example_proposals("2026")[0]
    raw["product"]["name"] += f" {uuid.uuid4().hex[:8]}"  # a fresh nomination
    nomination = await site.api.propose({**raw, "documents": [photo.json()]})
    async with site.signed_in(VERIFIER) as b:
        page = (await b.http.get(f"/tugas/{nomination}")).text
        # The verifier opens the file from the task page, as its link gives it.
        sha256 = photo.json()["sha256"]
        assert f'href="/tugas/{nomination}/berkas/{sha256}"' in page
        got = await b.http.get(f"/tugas/{nomination}/berkas/{sha256}")
        assert got.status_code == 200 and got.headers["content-type"] == "image/png"
        assert hashlib.sha256(got.content).hexdigest() == sha256
        assert got.headers["content-disposition"].startswith("attachment;")
        other = hashlib.sha256(nonce()).hexdigest()
        assert (await b.http.get(f"/tugas/{nomination}/berkas/{other}")).status_code == 404
    async with site.signed_in(JUROR) as juror:  # no task of theirs: nothing of it to read
        refused = await juror.http.get(f"/tugas/{nomination}/berkas/{sha256}")
        assert refused.status_code == 403
    checklist = page[page.index('id="berkas-belum-lengkap"') :]
    assert "SK penetapan sentra IKM belum dilampirkan (PDF)" in checklist
    assert "dokumen NIB belum dilampirkan (PDF)" in checklist
    assert "foto produk belum" not in checklist
    assert photo.json()["sha256"] in page and "foto batik.png" in page


async def test_the_sign_in_page_tells_no_one_who_is_listed(site: InboxSite) -> None:
    async with site.browser() as b:
        known = await b.ask_for_link(VERIFIER)
        unknown = await b.ask_for_link("orang.lain@example.id")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(VERIFIER, "X") == unknown.text.replace("orang.lain@example.id", "X")
    await site.new_link_to(VERIFIER, 0)
    assert [r for r, _ in site.mail.received] == [VERIFIER]


async def test_links_asked_for_too_often_are_refused(site: InboxSite) -> None:
    async with site.browser() as b:
        answers = [(await b.ask_for_link(VERIFIER)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    await site.new_link_to(VERIFIER, 2)  # the third
    assert len(site.mail.received) == 3


async def test_an_expired_or_altered_link_is_refused(site: InboxSite) -> None:
    stale = site.links.url(VERIFIER, "/tugas", timedelta(seconds=-1))
    async with site.browser() as b:
        expired = await b.use_link(stale)
        assert expired.status_code == 400 and "kedaluwarsa" in expired.text
        altered = await b.use_link(stale[:-3] + "abc")
        assert altered.status_code == 400 and "tidak sah" in altered.text
        assert (await b.http.get("/tugas")).status_code == 303  # still not signed in


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    site: InboxSite,
) -> None:
    nomination = await proposed(site)
    async with site.signed_in(VERIFIER) as b:
        forged = await b.http.post(f"/tugas/{nomination}", data={"outcome": "pass"})
        assert forged.status_code == 403 and "token keamanan" in forged.text
        wrong = await b.http.post(f"/tugas/{nomination}", data={"outcome": "pass", "csrf": "palsu"})
        assert wrong.status_code == 403
    assert (await site.api.state(nomination)).stage == Stage.ADMIN_VERIFICATION


async def test_a_proposer_cannot_open_another_region_s_nomination(site: InboxSite) -> None:
    pekalongan, bantul = await proposed(site, 0), await proposed(site, 2)
    async with site.signed_in(VERIFIER) as v:
        returned = await v.decide(bantul, {"outcome": "revise", "reason": "Lengkapi SK sentra."})
        assert returned.status_code == 200
        await v.decide(pekalongan, {"outcome": "revise", "reason": "Lengkapi SK sentra."})
    async with site.signed_in(BANTUL_OFFICE) as office:
        inbox = (await office.http.get("/tugas")).text
        assert bantul in inbox and pekalongan not in inbox
        other = await office.http.get(f"/tugas/{pekalongan}")
        assert other.status_code == 403 and "bukan untuk Anda" in other.text


async def test_a_session_and_a_spent_link_hold_on_every_api_process(
    site: InboxSite,
    dev_env: WorkflowEnvironment,
    store: RecordStore,
    mailer: Mailer,
    smtp: SmtpServer,
) -> None:
    """Two API processes behind a load balancer: the same secret, the same records."""
    async with inbox_site(dev_env, store, mailer, smtp.inbox) as other:
        async with site.signed_in(VERIFIER) as first, other.browser() as second:
            second.http.cookies = first.http.cookies  # the next request lands on the other
            assert (await second.http.get("/tugas")).status_code == 200

        seen = len(site.sign_in_links(VERIFIER))
        async with site.browser() as asking:
            await asking.ask_for_link(VERIFIER)
        link = await site.new_link_to(VERIFIER, seen)
        async with other.browser() as b:
            assert (await b.use_link(link)).status_code == 303
        async with site.browser() as b:
            again = await b.use_link(link)
            assert again.status_code == 400 and "sudah pernah dipakai" in again.text


async def test_a_decision_sent_twice_is_taken_once(site: InboxSite) -> None:
    """A double click, or the page sent again: the same form is the same Update."""
    nomination = await proposed(site)
    async with site.signed_in(VERIFIER) as b:
        shown = (await b.http.get(f"/tugas/{nomination}")).text
        once = re.search(r'name="once" value="([^"]+)"', shown)
        assert once, shown
        form = {"outcome": "pass", "csrf": csrf_of(shown), "once": once[1]}
        first = await b.http.post(f"/tugas/{nomination}", data=form)
        again = await b.http.post(f"/tugas/{nomination}", data=form)
    assert first.status_code == again.status_code == 200, again.text
    assert "Keputusan diterima" in again.text
    kinds = [e.kind for e in (await site.api.state(nomination)).events]
    assert kinds.count(EventKind.VERIFIED) == 1
