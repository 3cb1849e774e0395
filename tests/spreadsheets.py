"""Spreadsheets as regional offices fill them, built from the example proposals."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from intake.spreadsheet import COLUMNS, DATA_SHEET, HEADERS, SHEET, cells_of


def cells(raw: dict[str, Any], files: dict[str, str] | None = None) -> list[Any]:
    """One spreadsheet row for a proposal given as JSON-like data, and the files it names
    by their column's header (`berkas_foto_produk`)."""
    found = {**cells_of(raw), **(files or {})}
    return [found.get(c.header) for c in SHEET]


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[Any]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(HEADERS)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    return path


def as_typed(row: list[Any]) -> list[Any]:
    """The same row as Excel keeps it when typed in by hand: dates and numbers, not text."""
    typed = list(row)
    for i, column in enumerate(COLUMNS):
        if column.header in ("tanggal_usulan", "sk_tanggal") and typed[i]:
            typed[i] = date.fromisoformat(typed[i])
        if column.header in ("nib", "siklus") and typed[i]:
            typed[i] = int(typed[i])
    return typed
