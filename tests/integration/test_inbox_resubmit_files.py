"""A proposal returned for revision is corrected with new files from its task page: the
proposing office uploads a new SK sentra PDF, which replaces the one held and becomes its
version 2 (the first stays readable among the earlier versions), and a photo, which is
added. A renamed program sent as a photo is refused naming its file, and nothing is
recorded or kept."""

from __future__ import annotations

import hashlib
import html
import uuid

import pytest

from domain.decisions import VerifyDecision, VerifyOutcome
from domain.documents import Slot
from domain.examples import example_proposals
from domain.stages import Stage
from intake.spreadsheet import values_of
from tests.documents import elf, nonce, pdf, png
from tests.integration.api_stack import as_
from tests.integration.inbox_stack import InboxSite, csrf_of
from tests.support import passes
from workflows.client import decide

pytestmark = pytest.mark.integration

PEKALONGAN_OFFICE = "disperin.pekalongan@example.id"


async def uploaded(site: InboxSite, slot: Slot, name: str, data: bytes) -> dict[str, object]:
    sent = await site.api.http.post(
        "/documents",
        data={"slot": slot.value},
        files={"file": (name, data)},
        headers=as_("pekalongan"),
    )
    assert sent.status_code == 201, sent.text
    ref: dict[str, object] = sent.json()
    return ref


async def test_a_returned_proposal_is_resubmitted_with_a_new_sk_and_an_added_photo(
    site: InboxSite,
) -> None:
    first_sk = await uploaded(site, Slot.SENTRA_DECREE, "sk.pdf", pdf(nonce()))
    first_photo = await uploaded(site, Slot.PHOTO, "batik.png", png(nonce()))
    raw = example_proposals("2026")[0]
    raw["product"]["name"] += f" {uuid.uuid4().hex[:8]}"  # a fresh nomination
    nomination = await site.api.propose({**raw, "documents": [first_sk, first_photo]})
    handle = site.api.env.client.get_workflow_handle(nomination)
    reason = "Salinan SK sentra tidak terbaca; lampirkan juga foto proses produksi."
    await decide(
        handle,
        VerifyDecision(actor=passes().actor, outcome=VerifyOutcome.REVISE, reason=reason),
    )
    state = await site.api.state(nomination)
    assert state.stage == Stage.REVISION_REQUESTED
    new_sk, new_photo, program = pdf(nonce()), png(nonce()), elf(nonce())
    assert site.api.documents is not None

    async with site.signed_in(PEKALONGAN_OFFICE) as office:
        form = html.unescape((await office.http.get(f"/tugas/{nomination}")).text)
        assert 'enctype="multipart/form-data"' in form
        assert 'name="documents.sk_sentra"' in form and 'name="documents.foto_produk"' in form
        assert 'name="documents.izin"' not in form
        assert "SK penetapan sentra IKM (mengganti)" in form
        assert "mengganti sk.pdf (versi 1)" in form and "Foto produk (menambah)" in form
        values = {**values_of(state.proposal), "note": "SK dan foto diperbarui."}
        files = [
            ("documents.sk_sentra", ("sk-terbaca.pdf", new_sk, "application/pdf")),
            ("documents.foto_produk", ("proses.png", new_photo, "image/png")),
            ("documents.foto_produk", ("proses-2.png", program, "image/png")),
        ]
        refused = await office.http.post(
            f"/tugas/{nomination}", data={**values, "csrf": csrf_of(form)}, files=files
        )
        assert refused.status_code == 422, refused.text
        said = html.unescape(refused.text)
        assert 'id="documents.foto_produk-error"' in said and "'proses-2.png'" in said
        assert "foto produk harus berupa" in said and "'proses.png'" not in said
        assert (await site.api.state(nomination)).events == state.events
        assert not await site.api.documents.holds(hashlib.sha256(new_sk).hexdigest())

        sent = await office.http.post(
            f"/tugas/{nomination}", data={**values, "csrf": csrf_of(said)}, files=files[:2]
        )
        assert sent.status_code == 200 and "Keputusan diterima" in sent.text, sent.text

    nom = await site.api.state(nomination)
    assert nom.stage == Stage.ADMIN_VERIFICATION and nom.revisions == 1
    listed = {(d.name, d.slot, d.version) for d in nom.proposal.documents}
    assert listed == {
        ("sk-terbaca.pdf", Slot.SENTRA_DECREE, 2),
        ("batik.png", Slot.PHOTO, 1),
        ("proses.png", Slot.PHOTO, 2),
    }
    assert [(d.sha256, d.version) for d in nom.earlier_documents] == [(first_sk["sha256"], 1)]
    assert await site.api.documents.holds(hashlib.sha256(new_photo).hexdigest())
