"""A proposal's documents through the HTTP API on the real stack: checked by content at
upload, kept once, listed by reference in the proposal, read back by whom the access rule
allows, and never in Temporal's history."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from documents.folder import FolderStore
from domain.documents import Slot
from tests.documents import elf, nonce, pdf, png
from tests.integration.api_stack import FINDINGS, Api, as_, fields, problem
from tests.integration.document_stores import stored_count
from tests.support import eventually, fresh_raw

pytestmark = pytest.mark.integration


async def upload(
    api: Api,
    slot: Slot,
    name: str,
    data: bytes,
    permit: str | None = None,
    who: str = "pekalongan",
) -> httpx.Response:
    form = {"slot": slot.value} | ({"permit": permit} if permit else {})
    return await api.http.post(
        "/documents", data=form, files={"file": (name, data)}, headers=as_(who)
    )


async def uploaded(api: Api, slot: Slot, name: str, data: bytes, permit: str | None = None) -> Any:
    response = await upload(api, slot, name, data, permit)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_file_whose_content_does_not_fit_its_slot_is_refused_naming_the_slot(
    api: Api,
) -> None:
    body = problem(await upload(api, Slot.SENTRA_DECREE, "sk-sentra.pdf", elf()), 415)
    assert fields(body) == ["sk_sentra"]
    assert "harus berupa PDF" in body["detail"] and "program (ELF executable)" in body["detail"]

    big = png(padding=6 * 1024 * 1024)
    body = problem(await upload(api, Slot.PHOTO, "foto.png", big), 413)
    assert fields(body) == ["foto_produk"] and "paling besar 5 MB" in body["detail"]

    body = problem(await upload(api, Slot.PERMIT, "halal.pdf", elf(), "HALAL"), 415)
    assert fields(body) == ["izin.HALAL"]
    assert api.documents is not None and await stored_count(api.documents) == 0

    # Only a proposing office uploads; an unknown slot is named as the field at fault.
    body = problem(await upload(api, Slot.PHOTO, "foto.png", png(), who="lab_kb"), 403)
    assert fields(body) == ["X-API-Key"]
    response = await api.http.post(
        "/documents",
        data={"slot": "ktp"},
        files={"file": ("ktp.pdf", pdf())},
        headers=as_("pekalongan"),
    )
    assert fields(problem(response, 422)) == ["slot"]


async def test_an_upload_retried_after_a_dropped_connection_is_stored_once(api: Api) -> None:
    data = pdf(nonce())
    # The first attempt: the whole request is sent, then the connection drops unanswered.
    request = api.http.build_request(
        "POST",
        "/documents",
        data={"slot": "nib"},
        files={"file": ("nib.pdf", data)},
        headers=as_("pekalongan"),
    )
    where = urlsplit(api.base)
    _, writer = await asyncio.open_connection(where.hostname, where.port)
    head = f"POST /documents HTTP/1.1\r\nHost: {where.netloc}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in request.headers.items() if k.lower() != "host"
    )
    writer.write(head.encode() + b"\r\n" + request.read())
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    # The server went on with it: the file is kept before the client tries again.
    sha256 = hashlib.sha256(data).hexdigest()
    assert api.documents is not None

    async def kept() -> bool:
        assert api.documents is not None
        return await api.documents.holds(sha256)

    await eventually(kept, "the dropped upload's file to be kept")

    again = await uploaded(api, Slot.NIB, "nib.pdf", data)
    assert again["sha256"] == sha256
    assert await uploaded(api, Slot.NIB, "nib.pdf", data) == again
    assert api.documents is not None and await stored_count(api.documents) == 1


async def test_a_proposal_lists_its_documents_and_jurors_read_only_the_evidence(
    api: Api,
) -> None:
    raw = fresh_raw(0)  # Kota Pekalongan, batik: assessed by BBSPJI Kerajinan dan Batik
    unknown = {
        "slot": "foto_produk",
        "name": "foto.png",
        "media_type": "image/png",
        "size": 100,
        "sha256": hashlib.sha256(nonce()).hexdigest(),
    }
    body = problem(
        await api.http.post(
            "/nominations", json={**raw, "documents": [unknown]}, headers=as_("pekalongan")
        ),
        422,
    )
    assert fields(body) == ["documents.0.sha256"] and "belum diunggah" in body["detail"]

    photo = await uploaded(api, Slot.PHOTO, "foto batik.png", png(nonce()))
    nib = await uploaded(api, Slot.NIB, "nib.pdf", pdf(nonce()))
    claimed = {**photo, "size": photo["size"] + 1}
    body = problem(
        await api.http.post(
            "/nominations", json={**raw, "documents": [claimed]}, headers=as_("pekalongan")
        ),
        422,
    )
    assert fields(body) == ["documents.0.size"]

    nomination = await api.propose({**raw, "documents": [photo, nib]})
    assert [d.sha256 for d in (await api.state(nomination)).proposal.documents] == [
        photo["sha256"],
        nib["sha256"],
    ]

    async def read(sha256: str, who: str) -> httpx.Response:
        return await api.http.get(
            f"/documents/{sha256}", params={"nomination_id": nomination}, headers=as_(who)
        )

    got = await read(photo["sha256"], "juror")
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert hashlib.sha256(got.content).hexdigest() == photo["sha256"]
    assert (await read(photo["sha256"], "lab_kb")).status_code == 200
    assert (await read(nib["sha256"], "ditjen")).status_code == 200
    for who in ("juror", "lab_kb"):
        body = problem(await read(nib["sha256"], who), 403)
        assert fields(body) == ["sha256"] and "dokumen NIB" in body["detail"]
    assert fields(problem(await read(photo["sha256"], "bantul"), 403)) == ["nomination_id"]
    assert fields(problem(await read(photo["sha256"], "lab_agro"), 403)) == ["nomination_id"]
    other = hashlib.sha256(nonce()).hexdigest()
    assert fields(problem(await read(other, "ditjen"), 404)) == ["sha256"]

    # The nomination as a juror's or a lab's key reads it lists the evidence only: the
    # identity papers are not named, nor their hash given.
    for who, listed in (("juror", [photo]), ("lab_kb", [photo]), ("ditjen", [photo, nib])):
        view = await api.http.get(f"/nominations/{nomination}", headers=as_(who))
        assert view.status_code == 200, view.text
        assert [d["sha256"] for d in view.json()["proposal"]["documents"]] == [
            d["sha256"] for d in listed
        ], who


async def test_no_byte_of_a_document_reaches_the_history_only_its_hash(api: Api) -> None:
    unique = nonce()
    photo = await uploaded(api, Slot.PHOTO, "foto.png", png(unique))
    decree = await uploaded(api, Slot.SENTRA_DECREE, "sk.pdf", pdf(unique))
    nomination = await api.propose({**fresh_raw(0), "documents": [photo, decree]})

    handle = api.env.client.get_workflow_handle(nomination)
    history = await handle.fetch_history()
    raw = b"".join(event.SerializeToString() for event in history.events)
    assert unique not in raw  # the photo's own bytes
    assert unique.hex().encode() not in raw  # the decree's
    # The codec is off in these tests: the references are there in clear, hashes and all.
    assert photo["sha256"].encode() in raw and decree["sha256"].encode() in raw


async def test_an_upload_while_the_store_is_out_of_reach_is_a_503(api: Api, tmp_path: Path) -> None:
    assert isinstance(api.documents, FolderStore)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    api.documents.root = blocked / "documents"
    body = problem(await upload(api, Slot.PHOTO, "foto.png", png(nonce())), 503)
    assert "penyimpanan berkas tidak dapat dijangkau" in body["detail"]


async def test_the_lab_uploads_its_report_and_its_findings_carry_it(api: Api) -> None:
    report = pdf(nonce())
    body = problem(await upload(api, Slot.LAB_REPORT, "lhu.pdf", report), 403)
    assert fields(body) == ["X-API-Key"]  # a regional office does not write the lab's report
    photo = await upload(api, Slot.PHOTO, "foto.png", png(nonce()), who="lab_kb")
    assert fields(problem(photo, 403)) == ["X-API-Key"]
    sent = await upload(api, Slot.LAB_REPORT, "LHU-0042.pdf", report, who="lab_kb")
    assert sent.status_code == 201, sent.text
    lhu = sent.json()

    nomination = await api.propose(fresh_raw(0))  # batik: BBSPJI Kerajinan dan Batik
    verified = await api.http.post(
        f"/nominations/{nomination}/verify",
        json={"outcome": "pass"},
        headers=as_("ditjen", "verif.rina"),
    )
    assert verified.status_code == 200, verified.text

    async def assess(lab_report: dict[str, Any]) -> httpx.Response:
        return await api.http.post(
            f"/nominations/{nomination}/assess",
            json={**FINDINGS, "lab_report": lab_report},
            headers=as_("lab_kb", "lab.kb.1"),
        )

    never_sent = {**lhu, "sha256": hashlib.sha256(nonce()).hexdigest()}
    assert fields(problem(await assess(never_sent), 422)) == ["lab_report.sha256"]
    assert (await assess(lhu)).status_code == 200
    state = await api.state(nomination)
    assert state.findings is not None and state.findings.lab_report is not None
    assert state.findings.lab_report.sha256 == lhu["sha256"]
    got = await api.http.get(
        f"/documents/{lhu['sha256']}", params={"nomination_id": nomination}, headers=as_("juror")
    )
    assert got.status_code == 200 and got.content == report  # evidence the panel reads
