"""An award's certificate read as its holder and the public read it: the PDF served by the
API (its text read back by a PDF library), its QR code decoded by a real decoder (ZXing) from
the image embedded in the PDF, and the URL it holds opened on the API, which answers with
that winner; an unknown number is unknown, a revoked one says so, with its reason; nothing
personal anywhere. The API is the real app on the test's records database (SQLite, and
PostgreSQL where one is given), called over ASGI; certificates need no Temporal.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import cast

import httpx
import pypdf
import pytest
import zxingcpp
from temporalio.client import Client
from typer.testing import CliRunner

from api.app import ApiDeps, create_app
from api.idempotency import IdempotencyKeys
from api.keys import KeyRing
from domain.certificates import verification_url
from domain.nomination import Nomination
from domain.presentation import summarize
from domain.stages import Stage
from records import RecordStore
from starter import app as ovop
from tests.integration.api_stack import KEYS, as_, problem
from tests.support import NOW, at_stage, confirm

pytestmark = pytest.mark.integration

PUBLIC_URL = "https://ovop.kemenperin.go.id"
UNKNOWN = "0999/OVOP/IKMA/2026"


async def awarded(store: RecordStore, index: int = 0) -> tuple[Nomination, str]:
    """A nomination awarded as the workflow awards it (the rules, then the certificate
    number from the ledger), its events recorded as the record activity records them."""
    nom = at_stage(Stage.AWARD_DECISION, index)
    nom.apply(confirm(), NOW)
    number = await store.issue_certificate(nom.id, nom.proposal.cycle)
    nom.grant(number, NOW)
    summary = summarize(nom)
    for event in nom.events:
        await store.record(summary, event)
    return nom, number


def personal(nom: Nomination) -> list[str]:
    """What no certificate or verification page may show: people, NIB, emails, phones."""
    p = nom.proposal
    contacts = [p.ikm.owner, p.proposing_office.contact, p.provincial_office.contact]
    return [p.ikm.nib] + [str(v) for c in contacts for v in (c.name, c.email, c.phone)]


@pytest.fixture
async def http(store: RecordStore) -> AsyncIterator[httpx.AsyncClient]:
    async with records_api(store) as client:
        yield client


@asynccontextmanager
async def records_api(store: RecordStore) -> AsyncIterator[httpx.AsyncClient]:
    """The API as `create_app` builds it, on the test's records database; certificates'
    routes never reach Temporal."""
    deps = ApiDeps(
        client=cast(Client, None),
        store=store,
        idempotency=IdempotencyKeys(store.engine),
        keys=KeyRing(KEYS.values()),
        task_queue="unused",
        public_url=PUBLIC_URL,
    )
    transport = httpx.ASGITransport(app=create_app(deps))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        yield client


def qr_codes_in(pdf: bytes) -> list[str]:
    """Every QR code in the PDF's images, as ZXing decodes the pixels."""
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    return [
        code.text
        for image in page.images
        for code in zxingcpp.read_barcodes(image.image)
        if code.format == zxingcpp.BarcodeFormat.QRCode
    ]


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


async def test_the_certificate_qr_code_opens_a_page_that_answers_with_that_winner(
    store: RecordStore, http: httpx.AsyncClient
) -> None:
    nom, number = await awarded(store)
    p, stars = nom.proposal, nom.award.stars if nom.award else 0

    served = await http.get(f"/certificates/{number}", headers=as_("operator"))
    assert served.status_code == 200, served.text
    assert served.headers["content-type"] == "application/pdf"
    pdf = served.content
    assert (await http.get(f"/certificates/{number}", headers=as_("operator"))).content == pdf

    text = text_of(pdf)
    for said in [
        "SERTIFIKAT PENGHARGAAN IKM OVOP",
        f"Nomor: {number}",
        p.ikm.name,
        p.product.name,
        f"Bintang {stars}",
        "★" * stars,
        p.sentra.regency,
        f"Provinsi {p.sentra.province.value}",
        p.product.commodity.label,
        "pada tanggal 1 April 2026",
        "Direktur Jenderal",
    ]:
        assert said in text, said
    assert [s for s in personal(nom) if s in text] == []

    [url] = qr_codes_in(pdf)
    assert url == verification_url(PUBLIC_URL, number) == f"{PUBLIC_URL}/verifikasi/{number}"

    answer = await http.get(url)
    assert answer.status_code == 200, answer.text
    assert answer.json() | {"statement": "…"} == {
        "number": number,
        "cycle": "2026",
        "ikm_name": p.ikm.name,
        "product_name": p.product.name,
        "commodity": p.product.commodity.value,
        "regency": p.sentra.regency,
        "province": p.sentra.province.value,
        "stars": stars,
        "awarded_at": "2026-04-01T02:00:00Z",
        "revoked_at": None,
        "revocation_reason": None,
        "status": "berlaku",
        "statement": "…",
    }
    page = await http.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for said in ["SAH.", number, p.ikm.name, p.product.name, f"Bintang {stars}", "2026"]:
        assert said in page.text, said
    assert [s for s in personal(nom) if s in page.text + answer.text] == []


async def test_an_unknown_number_is_answered_as_unknown(
    store: RecordStore, http: httpx.AsyncClient
) -> None:
    await awarded(store)
    body = problem(await http.get(f"/verifikasi/{UNKNOWN}"), 404)
    assert body["title"] == "Sertifikat tidak terdaftar"
    assert "tidak terdaftar" in body["detail"]
    page = await http.get(f"/verifikasi/{UNKNOWN}", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "TIDAK TERDAFTAR." in page.text and UNKNOWN in page.text
    for garbage in ["abc", "0001/OVOP/IKMA/2026/x", "%00"]:
        problem(await http.get(f"/verifikasi/{garbage}"), 404)
    problem(await http.get(f"/certificates/{UNKNOWN}", headers=as_("operator")), 404)


async def test_a_number_issued_but_not_yet_recorded_as_awarded_is_not_verified(
    store: RecordStore, http: httpx.AsyncClient
) -> None:
    """The ledger issues the number just before the award is recorded: until the award is
    recorded, the certificate does not stand."""
    nom = at_stage(Stage.AWARD_DECISION)
    number = await store.issue_certificate(nom.id, "2026")
    problem(await http.get(f"/verifikasi/{number}"), 404)


async def test_the_pdf_goes_to_operators_and_the_offices_that_reach_the_nomination(
    store: RecordStore, http: httpx.AsyncClient
) -> None:
    _, number = await awarded(store)  # a batik of Kota Pekalongan, Jawa Tengah
    path = f"/certificates/{number}"
    allowed = {"operator", "ditjen", "pekalongan", "jateng"}
    for who in KEYS:
        response = await http.get(path, headers=as_(who))
        assert response.status_code == (200 if who in allowed else 403), who
    problem(await http.get(path), 401)


async def test_a_revoked_certificate_says_so_with_its_date_and_reason(
    store: RecordStore, http: httpx.AsyncClient
) -> None:
    nom, number = await awarded(store)
    revoke = f"/certificates/{number}/revoke"
    reason = "Produk terbukti bukan hasil produksi IKM penerima"

    assert problem(
        await http.post(revoke, json={"reason": reason}, headers=as_("verifier", "v")), 403
    )
    body = problem(
        await http.post(revoke, json={"reason": " "}, headers=as_("operator", "op.sari")), 422
    )
    assert body["errors"][0]["field"] == "reason"
    problem(await http.post(revoke, json={}, headers=as_("operator", "op.sari")), 422)
    problem(await http.post(revoke, json={"reason": reason}, headers=as_("operator")), 422)

    done = await http.post(revoke, json={"reason": reason}, headers=as_("operator", "op.sari"))
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "dicabut"
    body = problem(
        await http.post(revoke, json={"reason": "lagi"}, headers=as_("operator", "op.sari")), 409
    )
    assert reason in body["detail"]

    answer = await http.get(f"/verifikasi/{number}")
    assert answer.status_code == 200
    verified = answer.json()
    assert verified["status"] == "dicabut"
    assert verified["revocation_reason"] == reason and verified["revoked_at"]
    assert "telah dicabut pada tanggal" in verified["statement"]
    page = await http.get(f"/verifikasi/{number}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "DICABUT." in page.text and reason in page.text and "SAH." not in page.text
    assert [s for s in personal(nom) if s in page.text] == []

    body = problem(await http.get(f"/certificates/{number}", headers=as_("operator")), 410)
    assert "telah dicabut" in body["detail"]


async def test_the_ovop_command_writes_checks_and_revokes_a_certificate(
    store: RecordStore, records_url: str, tmp_path: Path
) -> None:
    nom, number = await awarded(store)
    env = {"OVOP_DATABASE_URL": records_url, "OVOP_PUBLIC_URL": PUBLIC_URL}

    async def ovop_(*args: str) -> tuple[int, str]:
        result = await asyncio.to_thread(CliRunner().invoke, ovop, list(args), env=env)
        return result.exit_code, result.output

    out = tmp_path / "sertifikat.pdf"
    assert await ovop_("certificate", "pdf", number, "--out", str(out)) == (
        0,
        f"Sertifikat {number} ditulis ke {out}\n",
    )
    assert qr_codes_in(out.read_bytes()) == [f"{PUBLIC_URL}/verifikasi/{number}"]
    assert nom.proposal.product.name in text_of(out.read_bytes())

    code, said = await ovop_("certificate", "check", number)
    assert code == 0 and "sah dan tercatat" in said and "Bintang" in said
    assert (await ovop_("certificate", "check", UNKNOWN))[0] == 4

    code, said = await ovop_("certificate", "revoke", number, "--reason", "", "--as", "op.sari")
    assert code == 2 and "reason" in said
    code, said = await ovop_(
        "certificate",
        "revoke",
        number,
        "--reason",
        "Data palsu",
        "--as",
        "op.sari",
        "--role",
        "verifier",
    )
    assert code == 2 and "actor.role" in said
    code, said = await ovop_(
        "certificate", "revoke", number, "--reason", "Data palsu", "--as", "op.sari", "--json"
    )
    assert code == 0 and json.loads(said)["status"] == "dicabut"
    code, said = await ovop_("certificate", "pdf", number, "--out", str(out))
    assert code == 2 and "telah dicabut" in said
