"""The proposing office in the inbox, over HTTP as a browser without JavaScript uses it: a
draft kept half-filled and finished later, a proposal refused at its field or started as
the API starts it, and a proposal returned for revision, corrected and sent back."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode

from domain.nomination import nomination_id
from domain.proposal import Proposal
from domain.stages import Stage
from intake.spreadsheet import values_of
from tests.integration.inbox_stack import Browser, InboxSite, csrf_of
from tests.support import fresh_raw

pytestmark = pytest.mark.integration

VERIFIER = "rina@example.id"
PEKALONGAN_OFFICE = "disperin.pekalongan@example.id"
BANTUL_OFFICE = "disperin.bantul@example.id"


def fresh_values(index: int = 0) -> dict[str, str]:
    """An example proposal of a NIB and product of its own, as the form's fields."""
    raw = fresh_raw(index)
    raw["product"]["name"] += f" {uuid.uuid4().hex[:8]}"
    return values_of(Proposal.model_validate(raw))


async def post_form(b: Browser, path: str, values: dict[str, Any], action: str) -> Any:
    token = csrf_of((await b.http.get(path)).text)
    return await b.http.post(path, data={**values, "action": action, "csrf": token})


async def started(site: InboxSite, nid: str) -> bool:
    try:
        await site.api.env.client.get_workflow_handle(nid).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def test_an_office_keeps_a_draft_finishes_it_later_and_proposes(site: InboxSite) -> None:
    values = fresh_values()
    half = {k: values[k] for k in ("nama_ikm", "produk_nama", "komoditas")}
    async with site.signed_in(PEKALONGAN_OFFICE) as office:
        saved = await post_form(office, "/usulan/baru", half, "draft")
        assert saved.status_code == 303, saved.text
        draft_path = saved.headers["location"].split("?")[0]
        assert "Draf tersimpan" in (await office.http.get(saved.headers["location"])).text
        listed = await office.http.get("/usulan")
        assert f'href="{draft_path}"' in listed.text and values["produk_nama"] in listed.text

        again = (await office.http.get(draft_path)).text  # coming back to it
        assert f'value="{values["nama_ikm"]}"' in again
        assert 'value="Dinas Perdagangan, Koperasi dan UKM Kota Pekalongan" ' in again

        wrong = {**values, "nib": values["nib"][:12]}
        refused = await post_form(office, draft_path, wrong, "submit")
        assert refused.status_code == 422
        assert 'id="nib-error"' in refused.text and "13 digit angka" in refused.text
        assert (
            'aria-invalid="true"' in refused.text
            and "belum ada usulan yang dimulai" in refused.text
        )
        nid = nomination_id("2026", values["nib"], values["produk_nama"])
        assert not await started(site, nid)
        assert not await started(site, nomination_id("2026", wrong["nib"], values["produk_nama"]))

        sent = await post_form(office, draft_path, values, "submit")
        assert sent.status_code == 200, sent.text
        assert (
            nid in sent.text
            and "Sekretariat Verifikasi OVOP Ditjen IKMA telah diberi tahu" in sent.text
        )
        assert (await office.http.get(draft_path)).status_code == 404  # the draft is gone

        twice = await post_form(office, "/usulan/baru", values, "submit")
        assert twice.status_code == 409
        assert 'id="produk_nama-error"' in twice.text and nid in twice.text

    state = await site.api.state(nid)
    assert state.stage == Stage.ADMIN_VERIFICATION
    office_fields = state.proposal.proposing_office
    assert office_fields.contact.email == PEKALONGAN_OFFICE
    assert state.submitted_by.user_id == "disperin.pekalongan"


async def test_another_office_can_neither_open_nor_post_a_draft(site: InboxSite) -> None:
    async with site.signed_in(PEKALONGAN_OFFICE) as office:
        saved = await post_form(office, "/usulan/baru", {"nama_ikm": "IKM Uji"}, "draft")
        draft_path = saved.headers["location"].split("?")[0]
    async with site.signed_in(BANTUL_OFFICE) as other:
        opened = await other.http.get(draft_path)
        assert opened.status_code == 403 and "bukan milik Dinas Anda" in opened.text
        token = csrf_of((await other.http.get("/usulan/baru")).text)
        posted = await other.http.post(
            draft_path, data={"nama_ikm": "Diubah", "action": "draft", "csrf": token}
        )
        assert posted.status_code == 403
        assert draft_path not in (await other.http.get("/usulan")).text
    async with site.signed_in(VERIFIER) as verifier:
        assert (await verifier.http.get("/usulan/baru")).status_code == 403


async def test_a_sentra_outside_the_office_s_region_is_refused_at_its_province(
    site: InboxSite,
) -> None:
    bantul = fresh_values(2)
    async with site.signed_in(PEKALONGAN_OFFICE) as office:
        refused = await post_form(office, "/usulan/baru", bantul, "submit")
        forged = await office.http.post("/usulan/baru", data={**bantul, "action": "submit"})
    assert refused.status_code == 403
    assert 'id="sentra_provinsi-error"' in refused.text and "di luar wilayah" in refused.text
    assert forged.status_code == 403 and "token keamanan" in forged.text
    assert not await started(site, nomination_id("2026", bantul["nib"], bantul["produk_nama"]))


async def test_a_returned_proposal_is_corrected_and_sent_back_from_the_task_page(
    site: InboxSite,
) -> None:
    values = fresh_values()
    async with site.signed_in(PEKALONGAN_OFFICE) as office:
        sent = await post_form(office, "/usulan/baru", values, "submit")
        assert sent.status_code == 200, sent.text
    nid = nomination_id("2026", values["nib"], values["produk_nama"])
    async with site.signed_in(VERIFIER) as verifier:
        reason = "Nomor SK sentra tidak sesuai dengan salinan SK yang dilampirkan."
        returned = await verifier.decide(nid, {"outcome": "revise", "reason": reason})
        assert returned.status_code == 200, returned.text

    async with site.signed_in(PEKALONGAN_OFFICE) as office:
        assert f'href="/tugas/{nid}"' in (await office.http.get("/tugas")).text
        assert f'href="/tugas/{nid}"' in (await office.http.get("/usulan")).text
        task = (await office.http.get(f"/tugas/{nid}")).text
        assert reason in task and "perbaikan ke-1 dari paling banyak 2 kali" in task
        assert f'value="{values["sk_nomor"]}"' in task and f'value="{values["nib"]}"' in task

        other_nib = {**values, "nib": "9" * 13}
        refused = await office.decide(nid, other_nib)
        assert refused.status_code == 422
        assert 'id="nib-error"' in refused.text and "NIB tidak boleh diubah" in refused.text
        assert (await site.api.state(nid)).stage == Stage.REVISION_REQUESTED

        corrected = {**values, "sk_nomor": "500/113/2021", "note": "SK sudah dibetulkan."}
        taken = await office.decide(nid, corrected)
        assert taken.status_code == 200 and "Keputusan diterima" in taken.text

    state = await site.api.state(nid)
    assert state.stage == Stage.ADMIN_VERIFICATION and state.revisions == 1
    assert state.proposal.sentra.decree.number == "500/113/2021"
    assert state.events[-1].reason == "SK sudah dibetulkan."
