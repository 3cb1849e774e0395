"""The results as a spreadsheet to hand over: a summary, the ranking per commodity, the
tallies per province, and every nomination in full. Headers in Indonesian, the header
row frozen and filterable, scores and dates as numbers with their formats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from domain.stages import Stage
from reports.formatting import local, when
from reports.results import CycleResults, Entry, Ranked, Tally

SCORE = "0.00"
COUNT = "0"
SHARE = "0.0%"
MOMENT = "dd/mm/yyyy hh:mm"

SHEETS = ("Ringkasan", "Peringkat per Komoditas", "Per Provinsi", "Data Lengkap")

_HEADER_FILL = PatternFill("solid", fgColor="1D4E89")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_BOLD = Font(bold=True)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")

Column = tuple[str, str | None]  # header, number format


def write_xlsx(results: CycleResults, path: Path) -> None:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = SHEETS[0]
    _summary(summary, results)
    _ranking(book.create_sheet(SHEETS[1]), results)
    _provinces(book.create_sheet(SHEETS[2]), results)
    _everything(book.create_sheet(SHEETS[3]), results)
    book.properties.title = f"Hasil IKM OVOP {results.cycle}"
    book.properties.creator = "Mesin nominasi OVOP, Ditjen IKMA"
    book.save(path)


def status_line(results: CycleResults) -> str:
    if results.provisional:
        return (
            f"HASIL SEMENTARA: {results.funnel.still_open} usulan masih berjalan; "
            "hasil belum resmi dan dapat berubah"
        )
    return "HASIL AKHIR: semua usulan telah selesai diproses"


# --- the sheets -----------------------------------------------------------------------


def _summary(ws: Worksheet, r: CycleResults) -> None:
    ws.append([f"Hasil Penilaian dan Penghargaan IKM OVOP Siklus {r.cycle}"])
    ws["A1"].font = Font(bold=True, size=14, color="1D4E89")
    ws.append(["Kementerian Perindustrian, Ditjen Industri Kecil, Menengah, dan Aneka"])
    ws.append([status_line(r)])
    ws["A3"].font = Font(bold=True, color="9C4221" if r.provisional else "276749")
    ws.append([f"Disusun {when(r.generated_at)} dari catatan usulan"])
    ws.freeze_panes = "A5"

    funnel = r.funnel
    headers: set[int] = set()
    headers.add(
        _block(
            ws,
            [("Corong usulan", None), ("Usulan", COUNT), ("% dari usulan diterima", SHARE)],
            [[s.label, s.count, s.share] for s in funnel.steps],
        )
    )
    headers.add(
        _block(
            ws,
            [("Tidak melanjutkan", None), ("Usulan", COUNT), ("Keterangan", None)],
            [
                [e.stage.label, e.count, "; ".join(f"{x.label}: {x.count}" for x in e.reasons)]
                for e in funnel.endings
            ]
            + [
                [f"Masih berjalan: {o.stage.label}", o.count, "hasil belum final"]
                for o in funnel.open
            ]
            + [["Pernah dikembalikan untuk perbaikan", funnel.revised, "dihitung satu kali"]],
        )
    )
    headers.add(
        _block(
            ws,
            [("Bintang", None), ("Penghargaan", COUNT)],
            [[f"{level} bintang", r.star_counts[level]] for level in reversed(r.star_levels)],
        )
    )
    headers.add(
        _block(ws, _tally_columns("Komoditas", r), _tally_rows(r.by_commodity, r), total=True)
    )
    _fit(ws, headers, skip_rows=4)


def _ranking(ws: Worksheet, r: CycleResults) -> None:
    columns: list[Column] = [
        ("Komoditas", None),
        ("Peringkat", COUNT),
        ("Peringkat Sama", None),
        ("Nama IKM", None),
        ("Produk", None),
        ("Kabupaten/Kota", None),
        ("Provinsi", None),
        ("Nilai Akhir", SCORE),
        ("Nilai Uji Balai Besar", SCORE),
        ("Bintang", COUNT),
        ("Rekomendasi Tim Seleksi (Bintang)", COUNT),
        ("Status", None),
        ("Rekomendasi Balai Besar", None),
        ("Nomor Sertifikat", None),
        ("Pembinaan Lanjutan", None),
        ("Penilaian Ulang atas Sertifikat", None),
        ("ID Usulan", None),
    ]
    rows = [
        _ranking_row(ranking.commodity.label, row)
        for ranking in r.rankings
        for row in ranking.ranked
    ]
    _table(ws, columns, rows)


def _ranking_row(commodity: str, row: Ranked) -> list[Any]:
    e = row.entry
    return [
        commodity,
        row.rank,
        "Ya" if row.shared else "",
        e.ikm_name,
        e.product_name,
        e.regency,
        e.province.value,
        e.final_score,
        e.lab_score,
        e.stars if e.stage == Stage.AWARDED else None,
        e.recommended_stars,
        e.status,
        e.lab_advice,
        e.certificate_number,
        e.coaching_level.label if e.coaching_level else None,
        e.previous_certificate,
        e.id,
    ]


def _provinces(ws: Worksheet, r: CycleResults) -> None:
    _table(ws, _tally_columns("Provinsi", r), _tally_rows(r.by_province, r), total=True)


def _everything(ws: Worksheet, r: CycleResults) -> None:
    columns: list[Column] = [
        ("ID Usulan", None),
        ("Siklus", None),
        ("Nama IKM", None),
        ("Produk", None),
        ("Komoditas", None),
        ("Provinsi", None),
        ("Kabupaten/Kota", None),
        ("Balai Besar", None),
        ("Tahap", None),
        ("Status", None),
        ("Nilai Akhir", SCORE),
        ("Nilai Uji Balai Besar", SCORE),
        ("Nomor Laporan Uji", None),
        ("Rekomendasi Balai Besar", None),
        ("Rekomendasi Tim Seleksi (Bintang)", COUNT),
        ("Bintang", COUNT),
        ("Ditetapkan Berbeda dari Rekomendasi", None),
        ("Nomor Sertifikat", None),
        ("Pembinaan Lanjutan", None),
        ("Penilaian Ulang atas Sertifikat", None),
        ("Jumlah Perbaikan", COUNT),
        ("Berhenti pada Tahap", None),
        ("Alasan Keputusan Akhir", None),
        ("Batas Waktu (WIB)", MOMENT),
        ("Diusulkan (WIB)", MOMENT),
        ("Diperbarui (WIB)", MOMENT),
    ]
    _table(ws, columns, [_full_row(r.cycle, e) for e in r.entries])


def _full_row(cycle: str, e: Entry) -> list[Any]:
    return [
        e.id,
        cycle,
        e.ikm_name,
        e.product_name,
        e.commodity.label,
        e.province.value,
        e.regency,
        e.lab.label,
        e.stage.label,
        e.status,
        e.final_score,
        e.lab_score,
        e.lab_report,
        e.lab_advice,
        e.recommended_stars,
        e.stars if e.stage == Stage.AWARDED else None,
        "Ya" if e.overridden else "",
        e.certificate_number,
        e.coaching_level.label if e.coaching_level else None,
        e.previous_certificate,
        e.revisions,
        e.left_from.label if e.left_from else None,
        e.outcome_reason,
        local(e.deadline) if e.deadline else None,
        local(e.proposed_at),
        local(e.updated_at),
    ]


def _tally_columns(first: str, r: CycleResults) -> list[Column]:
    return [
        (first, None),
        ("Usulan", COUNT),
        ("Lolos Verifikasi Administrasi", COUNT),
        ("Lolos Penilaian Teknis", COUNT),
        ("Meraih Penghargaan", COUNT),
        *((f"{level} Bintang", COUNT) for level in r.star_levels),
        ("Masih Berjalan", COUNT),
        ("Nilai Akhir Tertinggi", SCORE),
    ]


def _tally_rows(tallies: Sequence[Tally], r: CycleResults) -> list[list[Any]]:
    return [
        [
            t.name,
            t.proposals,
            t.verified,
            t.assessed,
            t.awarded,
            *(t.stars[level] for level in r.star_levels),
            t.open,
            t.best_score,
        ]
        for t in tallies
    ]


# --- layout -----------------------------------------------------------------------------


def _table(
    ws: Worksheet, columns: Sequence[Column], rows: Sequence[Sequence[Any]], total: bool = False
) -> None:
    """A sheet that is one table: header frozen, filter on, formats per column."""
    _write(ws, 1, columns, rows, total)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    _fit(ws, headers={1})


def _block(
    ws: Worksheet, columns: Sequence[Column], rows: Sequence[Sequence[Any]], total: bool = False
) -> int:
    """A table within a sheet, one blank row below what is there; returns its header row."""
    top = ws.max_row + 2
    _write(ws, top, columns, rows, total)
    return top


def _write(
    ws: Worksheet,
    top: int,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    total: bool,
) -> None:
    for col, (header, _) in enumerate(columns, start=1):
        cell = ws.cell(row=top, column=col, value=header)
        cell.fill, cell.font, cell.alignment = _HEADER_FILL, _HEADER_FONT, _WRAP_TOP
    body = list(rows)
    if total:
        body.append(_total(columns, rows))
    for i, values in enumerate(body, start=top + 1):
        for col, ((_, number_format), value) in enumerate(zip(columns, values, strict=True), 1):
            cell = ws.cell(row=i, column=col, value=value)
            if number_format and isinstance(value, int | float | datetime):
                cell.number_format = number_format
            if total and i == top + len(body):
                cell.font = _BOLD


def _total(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[Any]:
    """`Jumlah`, then the sum of every count column (values, so that it reads anywhere)."""
    line: list[Any] = ["Jumlah"]
    for col, (_, number_format) in enumerate(columns[1:], start=1):
        line.append(sum(row[col] for row in rows) if number_format == COUNT else None)
    return line


def _fit(ws: Worksheet, headers: set[int], skip_rows: int = 0) -> None:
    """Each column as wide as its longest value, within reason; headers wrap."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=skip_rows + 1):
        for cell in row:
            if cell.value is None:
                continue
            if isinstance(cell.value, datetime):
                size = 16
            elif isinstance(cell.value, float):
                size = 8
            else:
                size = len(str(cell.value))
            if cell.row in headers:
                size = min(size, 18)  # headers wrap rather than widen the column
            widths[cell.column] = max(widths.get(cell.column, 0), size)
    for column, size in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(max(size + 2, 8), 60)
