"""Reading the regional offices' spreadsheets: every row checked, every bad cell named by
row and column, and the template that tells them how to fill it in."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from intake.spreadsheet import COLUMNS, HEADERS, SpreadsheetError, read_proposals, write_template
from tests.spreadsheets import as_typed, cells, write_csv, write_xlsx
from tests.support import fresh_raw


def bad_rows(tmp_path: Path) -> list[list[object]]:
    wrong_nib = fresh_raw(1)
    wrong_nib["ikm"]["nib"] = "12345"
    no_halal = fresh_raw(4)  # coffee: needs PIRT or BPOM, and halal
    no_halal["product"]["permits"] = [{"kind": "PIRT", "number": "2061104010123-25"}]
    no_halal["ikm"]["owner"]["email"] = "bukan-email"
    return [
        as_typed(cells(fresh_raw(0))),  # row 2: typed by hand, dates and numbers
        cells(wrong_nib),  # row 3
        cells(fresh_raw(2)),  # row 4
        [None] * len(COLUMNS),  # an empty row in between is no row
        cells(no_halal),  # row 6
    ]


def test_every_bad_row_and_column_is_named_and_good_rows_are_kept(tmp_path: Path) -> None:
    rows = read_proposals(write_xlsx(tmp_path / "usulan.xlsx", bad_rows(tmp_path)))
    assert [r.number for r in rows] == [2, 3, 4, 6]
    assert [r.proposal is not None for r in rows] == [True, False, True, False]
    assert rows[0].proposal is not None and rows[0].proposal.proposed_on.isoformat() == "2026-03-02"
    assert [str(p) for p in rows[1].problems] == [
        "Baris 3, kolom D (nib): NIB (Nomor Induk Berusaha) harus 13 digit angka"
    ]
    assert [p.column for p in rows[3].problems] == ["F (pemilik_email)"]
    assert "alamat email tidak valid" in rows[3].problems[0].message


def test_eligibility_is_checked_per_row_too(tmp_path: Path) -> None:
    raw = fresh_raw(4)
    raw["product"]["permits"] = [{"kind": "PIRT", "number": "2061104010123-25"}]
    raw["sentra"]["decree"]["issued_by"] = "walikota"  # Aceh Tengah has a bupati
    (row,) = read_proposals(write_csv(tmp_path / "usulan.csv", [cells(raw)], delimiter=";"))
    assert {(p.column, p.message.split(" ")[0]) for p in row.problems} == {
        ("M (sk_ditetapkan_oleh)", "SK"),
        ("S (izin)", "produk"),
    }


def test_a_non_halal_product_is_declared_in_its_own_column(tmp_path: Path) -> None:
    pork = fresh_raw(4)
    pork["product"]["permits"] = [{"kind": "PIRT", "number": "2061104010123-25"}]
    pork["product"]["non_halal"] = True
    unsure = cells(pork)
    unsure[[c.header for c in COLUMNS].index("produk_tidak_halal")] = "mungkin"
    declared, unread = read_proposals(write_csv(tmp_path / "usulan.csv", [cells(pork), unsure]))
    assert declared.proposal is not None and declared.proposal.product.non_halal
    assert [p.column for p in unread.problems] == ["T (produk_tidak_halal)"]
    assert "isi 'ya' atau 'tidak'" in unread.problems[0].message


def test_a_permit_written_wrongly_names_its_column(tmp_path: Path) -> None:
    row = cells(fresh_raw(0))
    row[[c.header for c in COLUMNS].index("izin")] = "HAKI IDM000912345"
    (checked,) = read_proposals(write_csv(tmp_path / "usulan.csv", [row]))
    assert [p.column for p in checked.problems] == ["S (izin)"]
    assert "JENIS:NOMOR" in checked.problems[0].message


def test_the_same_nomination_twice_in_one_file_is_refused_on_the_second_row(
    tmp_path: Path,
) -> None:
    row = cells(fresh_raw(0))
    rows = read_proposals(write_csv(tmp_path / "usulan.csv", [row, row]))
    assert rows[0].proposal is not None and rows[1].proposal is None
    assert str(rows[1].problems[0]) == (
        "Baris 3, kolom O (produk_nama): IKM dan produk ini sudah ada di baris 2"
    )


def test_a_file_without_the_columns_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "lain.csv"
    path.write_text("nama,alamat\nBatik,Pekalongan\n", encoding="utf-8")
    with pytest.raises(SpreadsheetError) as refused:
        read_proposals(path)
    assert "kolom wajib tidak ada: siklus" in str(refused.value)
    assert "kolom tidak dikenal: A (nama), B (alamat)" in str(refused.value)
    with pytest.raises(SpreadsheetError, match=r"hanya berkas \.xlsx atau \.csv"):
        read_proposals(tmp_path / "usulan.ods")


def test_the_template_is_blank_and_explains_every_column(tmp_path: Path) -> None:
    path = tmp_path / "templat.xlsx"
    write_template(path)
    assert read_proposals(path) == []
    book = load_workbook(path)
    assert book.sheetnames == ["Usulan", "Petunjuk"]
    assert [c.value for c in book["Usulan"][1]] == HEADERS  # the file columns last
    explained = {row[0] for row in book["Petunjuk"].iter_rows(values_only=True)}
    assert set(HEADERS) <= explained
    assert book["Usulan"]["D2"].number_format == "@"  # a NIB keeps its 13 digits
