"""The results report of a whole cycle (110 nominations, see `cycle_data`): the funnel and
the rankings counted exactly, the spreadsheet read back, the page rendered in Chromium."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from matplotlib import image
from openpyxl import load_workbook
from typer.testing import CliRunner

import reports
from domain.proposal import Commodity
from domain.scoring import CoachingLevel
from domain.stages import Stage
from reports.xlsx import SHEETS
from starter import app
from tests.reports.chromium import CHROMIUM, screenshot
from tests.reports.conftest import RecordedCycle
from tests.reports.cycle_data import CATALOGUE, CYCLE, REPORT_TIME, shift

# Each commodity's ranking, as plan positions (see cycle_data), and the ranks they get.
ORDER = [11, 1, 2, 3, 9, 22, 4, 5, 6, 10, 7, 8, 14, 12]
RANKS = [1, 2, 3, 4, 5, 6, 7, 8, 8, 10, 11, 12, 13, 14]
BASE_SCORE = {11: 90.4, 1: 88.4, 2: 84.0, 3: 84.0, 9: 81.8, 22: 80.0, 4: 78.8, 5: 75.0,
              6: 75.0, 10: 72.4, 7: 68.4, 8: 61.6, 14: 60.0, 12: 56.0}  # fmt: skip
STARS = {11: 3, 1: 3, 2: 3, 3: 3, 9: 3, 10: 3, 4: 2, 5: 2, 6: 2, 7: 1, 8: 1}
COACHING = {3: CoachingLevel.CENTRAL, 2: CoachingLevel.PROVINCE, 1: CoachingLevel.REGENCY}


@pytest.fixture(scope="module")
async def results(recorded: RecordedCycle) -> reports.CycleResults:
    return await reports.build(recorded.store, CYCLE, max_stars=3, now=REPORT_TIME)


@pytest.fixture(scope="module")
def written(
    results: reports.CycleResults, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    return reports.write(results, tmp_path_factory.mktemp("laporan"))


def product(commodity: Commodity, position: int) -> str:
    return CATALOGUE[commodity][position - 1][0]


async def test_the_cycle_holds_every_final_and_open_stage(recorded: RecordedCycle) -> None:
    rows = await recorded.store.nominations_of_cycle(CYCLE)

    assert len(rows) == 110
    assert Counter(r.commodity for r in rows) == {c.value: 22 for c in Commodity}
    assert len({r.province for r in rows}) == 34
    assert Counter(r.stage for r in rows) == {
        "AWARDED": 55,
        "NOT_AWARDED": 15,
        "REJECTED": 10,
        "EXPIRED": 5,
        "WITHDRAWN": 5,
        "ADMIN_VERIFICATION": 3,
        "REVISION_REQUESTED": 2,
        "TECHNICAL_ASSESSMENT": 5,
        "PANEL_SCORING": 5,
        "AWARD_DECISION": 5,
    }


async def test_the_funnel_counts_each_nomination_once_at_every_stage_it_reached(
    results: reports.CycleResults,
) -> None:
    funnel = results.funnel

    assert [(s.label, s.count) for s in funnel.steps] == [
        ("Usulan diterima", 110),
        ("Lolos verifikasi administrasi", 88),
        ("Lolos penilaian teknis Balai Besar", 77),
        ("Sampai penetapan penghargaan", 66),
        ("Meraih penghargaan", 55),
    ]
    assert {e.stage: e.count for e in funnel.endings} == {
        Stage.REJECTED: 10,
        Stage.EXPIRED: 5,
        Stage.WITHDRAWN: 5,
        Stage.NOT_AWARDED: 15,
    }
    not_awarded = next(e for e in funnel.endings if e.stage == Stage.NOT_AWARDED)
    assert {r.label: r.count for r in not_awarded.reasons} == {
        "tidak memenuhi standar uji Balai Besar": 5,
        "nilai akhir di bawah batas bintang terendah": 5,
        "ditetapkan tanpa bintang oleh pejabat penetap": 5,
    }
    assert {o.stage: o.count for o in funnel.open} == {
        Stage.ADMIN_VERIFICATION: 3,
        Stage.REVISION_REQUESTED: 2,
        Stage.TECHNICAL_ASSESSMENT: 5,
        Stage.PANEL_SCORING: 5,
        Stage.AWARD_DECISION: 5,
    }
    # Sent back for revision at least once: 3 per commodity by the plan, 2 still waiting
    # for their revision, 1 verified again after one, 1 withdrawn during one.
    assert funnel.revised == 19
    assert results.provisional
    assert results.star_counts == {1: 10, 2: 15, 3: 30}


async def test_each_commodity_is_ranked_by_final_score_then_lab_score(
    results: reports.CycleResults,
) -> None:
    assert [r.commodity for r in results.rankings] == list(Commodity)
    certificates = []
    for ranking in results.rankings:
        c = ranking.commodity
        ranked = ranking.ranked
        assert [r.entry.product_name for r in ranked] == [product(c, p) for p in ORDER], c
        assert [r.rank for r in ranked] == RANKS, c
        assert [r.shared for r in ranked] == [r in (8,) for r in RANKS], c
        for position, row in zip(ORDER, ranked, strict=True):
            e = row.entry
            expected = BASE_SCORE[position] + 0.8 * shift(c)
            assert e.final_score == pytest.approx(expected, abs=0.005), (c, position)
            if position in STARS:
                assert e.stage == Stage.AWARDED
                assert e.stars == STARS[position]
                assert e.coaching_level == COACHING[STARS[position]]
                assert e.certificate_number is not None
                certificates.append(e.certificate_number)
            else:
                assert e.stars is None and e.certificate_number is None
        by_position = dict(zip(ORDER, ranked, strict=True))
        assert by_position[2].entry.lab_score == 80 and by_position[3].entry.lab_score == 75
        assert by_position[10].entry.overridden and by_position[10].entry.recommended_stars == 2
        assert by_position[11].entry.previous_certificate is not None
        assert by_position[22].provisional and by_position[22].entry.recommended_stars == 3
        assert by_position[14].entry.status.endswith(
            "ditetapkan tanpa bintang oleh pejabat penetap"
        )
        assert (ranking.proposals, ranking.awarded, ranking.open) == (22, 11, 4)
    assert len(certificates) == len(set(certificates)) == 55


async def test_the_tallies_per_province_agree_with_what_happened(
    recorded: RecordedCycle, results: reports.CycleResults
) -> None:
    expected: dict[str, Counter[str]] = {}
    for _, _, nom in recorded.played:
        tally = expected.setdefault(nom.proposal.sentra.province.value, Counter())
        tally["proposals"] += 1
        if nom.stage == Stage.AWARDED:
            assert nom.award is not None
            tally[f"stars{nom.award.stars}"] += 1
        if not nom.stage.is_terminal:
            tally["open"] += 1

    got = {
        t.name: Counter(
            {"proposals": t.proposals, "open": t.open}
            | {f"stars{level}": n for level, n in t.stars.items()}
        )
        for t in results.by_province
    }
    assert {k: +v for k, v in got.items()} == expected
    awards = [t.awarded for t in results.by_province]
    assert awards == sorted(awards, reverse=True)
    assert sum(t.proposals for t in results.by_commodity) == 110


async def test_the_spreadsheet_reads_back(
    results: reports.CycleResults, written: tuple[Path, Path]
) -> None:
    xlsx, _ = written
    assert xlsx.name == "hasil-ovop-2026-sementara.xlsx"
    book = load_workbook(xlsx)
    assert book.sheetnames == list(SHEETS)

    summary = book["Ringkasan"]
    cells = [row for row in summary.iter_rows(values_only=True) if row[0] is not None]
    verified = next(r for r in cells if r[0] == "Lolos verifikasi administrasi")
    assert verified[:3] == ("Lolos verifikasi administrasi", 88, 0.8)
    assert next(r for r in cells if r[0] == "Meraih penghargaan")[:2] == ("Meraih penghargaan", 55)
    assert next(r for r in cells if r[0] == "3 bintang")[:2] == ("3 bintang", 30)
    assert str(summary["A3"].value).startswith("HASIL SEMENTARA: 20 usulan masih berjalan")

    ranking = book["Peringkat per Komoditas"]
    header = [c.value for c in ranking[1]]
    assert header[:10] == [
        "Komoditas",
        "Peringkat",
        "Peringkat Sama",
        "Nama IKM",
        "Produk",
        "Kabupaten/Kota",
        "Provinsi",
        "Nilai Akhir",
        "Nilai Uji Balai Besar",
        "Bintang",
    ]
    assert ranking.freeze_panes == "A2"
    assert ranking.auto_filter.ref == "A1:Q71"
    rows = list(ranking.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 70
    batik = [r for r in rows if r[0] == "Kain Batik"]
    assert [r[1] for r in batik] == RANKS
    top = batik[0]
    col = {name: i for i, name in enumerate(header)}
    assert top[col["Produk"]] == product(Commodity.KAIN_BATIK, 11)
    assert top[col["Nilai Akhir"]] == pytest.approx(90.8)
    assert top[col["Bintang"]] == 3
    assert top[col["Pembinaan Lanjutan"]] == CoachingLevel.CENTRAL.label
    assert str(top[col["Nomor Sertifikat"]]).endswith("/OVOP/IKMA/2026")
    assert ranking.cell(row=2, column=col["Nilai Akhir"] + 1).number_format == "0.00"
    assert ranking.column_dimensions["E"].width >= len(product(Commodity.KAIN_BATIK, 3))

    provinces = book["Per Provinsi"]
    last = [c.value for c in provinces[provinces.max_row]]
    assert last[:5] == ["Jumlah", 110, 88, 77, 55]
    assert provinces.freeze_panes == "A2"

    full = book["Data Lengkap"]
    header = [c.value for c in full[1]]
    rows = list(full.iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in rows} == {e.id for e in results.entries}
    assert len(rows) == 110
    proposed = header.index("Diusulkan (WIB)") + 1
    assert isinstance(full.cell(row=2, column=proposed).value, datetime)
    assert full.cell(row=2, column=proposed).number_format == "dd/mm/yyyy hh:mm"
    reasons = {r[header.index("Alasan Keputusan Akhir")] for r in rows}
    assert "sentra IKM belum memiliki SK bupati/wali kota" in reasons


async def test_the_page_is_self_contained_and_says_it_is_provisional(
    written: tuple[Path, Path],
) -> None:
    _, html = written
    page = html.read_text(encoding="utf-8")

    assert html.name == "hasil-ovop-2026-sementara.html"
    assert "HASIL SEMENTARA" in page
    assert page.count("<svg") == 3
    for label in (c.label for c in Commodity):
        assert label in page
    for fetching in ("<script", "<link", "src=", "@import", "url(http"):
        assert fetching not in page
    stripped = page.replace("http://www.w3.org/", "")  # SVG namespaces, never fetched
    assert "http://" not in stripped and "https://" not in stripped


async def test_the_page_renders_in_headless_chromium(
    written: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is absent (Debian package `chromium`): page not rendered"
        with capsys.disabled():
            print(f"\nSKIP {reason}")
        pytest.skip(reason)
    _, html = written
    png = tmp_path / "laporan.png"

    await asyncio.to_thread(screenshot, html, png, 1200, 2400)

    pixels = image.imread(str(png))
    assert pixels.shape[:2] == (2400, 1200)
    # The page's blue (#1d4e89: the title, the funnel, the table headers) is on screen.
    rgb = (pixels[:, :, :3] * 255).round()
    blue = ((abs(rgb[:, :, 0] - 0x1D) < 4) & (abs(rgb[:, :, 1] - 0x4E) < 4)) & (
        abs(rgb[:, :, 2] - 0x89) < 4
    )
    assert blue.sum() > 20_000


def test_ovop_report_writes_both_files_and_prints_their_paths(
    recorded: RecordedCycle, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app, ["report", CYCLE, "--out", str(tmp_path), "--database-url", recorded.url]
    )

    assert result.exit_code == 0, result.output
    assert "SEMENTARA: 20 usulan masih berjalan" in result.output
    for name in ("hasil-ovop-2026-sementara.xlsx", "hasil-ovop-2026-sementara.html"):
        assert str(tmp_path / name) in result.output
        assert (tmp_path / name).stat().st_size > 10_000


def test_ovop_report_says_when_there_is_nothing_to_report(
    recorded: RecordedCycle, tmp_path: Path
) -> None:
    missing = CliRunner().invoke(
        app, ["report", CYCLE, "--database-url", f"sqlite+aiosqlite:///{tmp_path}/tidak-ada.db"]
    )
    empty = CliRunner().invoke(app, ["report", "2030", "--database-url", recorded.url])

    assert missing.exit_code == 1
    assert "basis data catatan tidak ditemukan" in missing.output
    assert not (tmp_path / "tidak-ada.db").exists()
    assert empty.exit_code == 1
    assert "tidak ada usulan siklus 2030" in empty.output
