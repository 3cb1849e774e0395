"""The decree's PDF, read back with a PDF library: it names exactly the agreed winners, under
their commodity, with its number and date; the same decree gives the same bytes."""

from __future__ import annotations

import io

from pypdf import PdfReader

from domain.decisions import Actor
from domain.decree import Decree, DecreeOrder, issue_decree
from domain.plenary import AgreedList, DroppedNominee, rank_all
from domain.proposal import Commodity
from reports.decree import render_decree
from tests.plenary_support import (
    CONFIG,
    ISSUED_AT,
    NUMBER,
    as_recommended,
    nominee,
    sample_decree,
)
from tests.support import OFFICIAL


def text_of(pdf: bytes) -> str:
    """The document's text with every run of whitespace (line and cell breaks) one space."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def nominees_named(rankings) -> dict[str, str]:
    return {
        e.nominee.nomination_id: e.nominee.product_name
        for ranking in rankings.values()
        for e in ranking.entries
    }


def assert_names_exactly_its_winners(decree: Decree, products: dict[str, str]) -> None:
    text = text_of(render_decree(decree))
    winners = {w.nomination_id for w in decree.winners}
    for nomination_id, product in products.items():
        assert (product in text) == (nomination_id in winners), product
    headings = [f"Komoditas {c.label}" for c in decree.commodities]
    bounds = [text.index(h) for h in headings] + [len(text)]
    for i, commodity in enumerate(decree.commodities):
        section = text[bounds[i] : bounds[i + 1]]
        for w in decree.winners_of(commodity):
            assert (
                f"{w.product_name} IKM {w.product_name} {w.regency} {w.province.value}" in section
            )


def test_the_decree_lists_exactly_the_agreed_winners_with_its_number_and_date() -> None:
    rankings, _, decree = sample_decree()
    assert_names_exactly_its_winners(decree, nominees_named(rankings))
    text = text_of(render_decree(decree))
    assert "KEPUTUSAN DIREKTUR JENDERAL INDUSTRI KECIL, MENENGAH, DAN ANEKA" in text
    assert f"NOMOR {NUMBER} TENTANG PENETAPAN PENERIMA PENGHARGAAN IKM OVOP TAHUN 2026" in text
    for part in ["Menimbang", "Mengingat", "MEMUTUSKAN", "Menetapkan", "LAMPIRAN"]:
        assert part in text, part
    assert "Ditetapkan di Jakarta pada tanggal 9 Desember 2026" in text
    assert "Direktur Jenderal IKMA" in text  # the signatory, as the cycle's staff names them
    # Batik: raised to 3 stars (centre coaches), added at 1 star (the regency coaches).
    assert "Batik Gentongan Tanjungbumi Kota Pekalongan Jawa Tengah 3 Pusat" in text
    assert "Batik Tulis Lasem Tiga Negeri Kota Pekalongan Jawa Tengah 1 Kabupaten/Kota" in text


def test_sixty_nominees_over_pages_are_all_there_and_only_the_winners() -> None:
    commodities = list(Commodity)
    nominees = [
        nominee(
            f"ovop-2026-uji-{i:02d}",
            [50 + i % 45] * 3,
            50 + i % 45,
            commodities[i % 5],
            product=f"Produk Uji Nomor {i:02d}",
        )
        for i in range(60)
    ]
    rankings = rank_all(nominees, CONFIG)
    agreed: dict[Commodity, AgreedList] = {}
    for commodity, ranking in rankings.items():
        listed = as_recommended(ranking)
        # Each plenary drops its first recommended nominee.
        first, *rest = listed.winners
        agreed[commodity] = listed.model_copy(
            update={
                "winners": rest,
                "dropped": [DroppedNominee(nomination_id=first.nomination_id, reason="dicoret")],
            }
        )
    decree = issue_decree(rankings, agreed, DecreeOrder(actor=OFFICIAL), CONFIG, NUMBER, ISSUED_AT)
    assert 30 < len(decree.winners) < 60
    assert_names_exactly_its_winners(decree, nominees_named(rankings))


def test_the_same_decree_gives_the_same_pdf() -> None:
    _, _, decree = sample_decree()
    first = render_decree(decree)
    assert first.startswith(b"%PDF-")
    assert render_decree(decree) == first
    other = decree.model_copy(update={"number": "0002/KEP/OVOP/IKMA/2026"})
    assert render_decree(other) != first


def test_the_legal_bases_are_those_the_official_cites() -> None:
    rankings, agreed, _ = sample_decree()
    order = DecreeOrder(
        actor=Actor(user_id="dirjen.ikma", role=OFFICIAL.role, institution="Ditjen IKMA"),
        legal_bases=["Peraturan Menteri Perindustrian Nomor 99 Tahun 2099 tentang Uji Coba"],
    )
    decree = issue_decree(rankings, agreed, order, CONFIG, NUMBER, ISSUED_AT)
    text = text_of(render_decree(decree))
    assert (
        "Mengingat : 1. Peraturan Menteri Perindustrian Nomor 99 Tahun 2099 tentang Uji Coba."
        in text
    )
    assert "Undang-Undang Nomor 3 Tahun 2014" not in text
