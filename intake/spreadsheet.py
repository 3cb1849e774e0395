"""The spreadsheet regional offices send: one proposal per row, XLSX or CSV.

`COLUMNS` is the one description of the layout: the template, the reader and the error
report (which names the row and the column, by its letter and header) all follow it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from domain.documents import Slot
from domain.eligibility import parse_proposal
from domain.errors import Problem, Refused
from domain.proposal import Commodity, PermitKind, Proposal
from domain.regions import Province, RegionHead

DATA_SHEET = "Usulan"
HELP_SHEET = "Petunjuk"
LIST_SEPARATOR = ";"
FLAGS = {"ya": True, "tidak": False}


@dataclass(frozen=True)
class Column:
    header: str
    path: str  # the proposal's field it fills
    help: str
    example: str
    kind: str = "text"  # text | list | permits | flag (ya/tidak)
    required: bool = True
    choices: tuple[str, ...] = ()


COLUMNS = [
    Column("siklus", "cycle", "Tahun siklus penghargaan OVOP", "2026"),
    Column("tanggal_usulan", "proposed_on", "Tanggal usulan (YYYY-MM-DD)", "2026-03-02"),
    Column("nama_ikm", "ikm.name", "Nama IKM", "Batik Tulis Jlamprang Bu Ratna"),
    Column("nib", "ikm.nib", "Nomor Induk Berusaha: 13 digit angka", "9120001234561"),
    Column("pemilik_nama", "ikm.owner.name", "Nama pemilik IKM", "Ratna Dewi"),
    Column("pemilik_email", "ikm.owner.email", "Email pemilik IKM", "ratna@contoh.id"),
    Column("pemilik_telepon", "ikm.owner.phone", "Telepon pemilik IKM", "0812 1111 0001"),
    Column("sentra_nama", "sentra.name", "Nama sentra IKM", "Sentra IKM Batik Pesindon"),
    Column(
        "sentra_kabupaten_kota",
        "sentra.regency",
        "Kabupaten/kota sentra, diawali 'Kabupaten' atau 'Kota'",
        "Kota Pekalongan",
    ),
    Column(
        "sentra_provinsi",
        "sentra.province",
        "Provinsi sentra",
        "Jawa Tengah",
        choices=tuple(p.value for p in Province),
    ),
    Column("sk_nomor", "sentra.decree.number", "Nomor SK bupati/wali kota", "500/112/2021"),
    Column("sk_tanggal", "sentra.decree.date", "Tanggal SK (YYYY-MM-DD)", "2021-06-14"),
    Column(
        "sk_ditetapkan_oleh",
        "sentra.decree.issued_by",
        "Penetap SK: bupati (kabupaten), walikota (wali kota, untuk kota) atau gubernur "
        "(DKI Jakarta)",
        "walikota",
        choices=tuple(h.value for h in RegionHead),
    ),
    Column(
        "sk_daerah_penetap",
        "sentra.decree.issuer_region",
        "Kabupaten/kota yang menetapkan SK (sama dengan daerah sentra)",
        "Kota Pekalongan",
    ),
    Column("produk_nama", "product.name", "Nama produk", "Batik Tulis Jlamprang"),
    Column(
        "produk_deskripsi",
        "product.description",
        "Uraian singkat produk",
        "Batik tulis motif Jlamprang dengan pewarna alam.",
    ),
    Column(
        "komoditas",
        "product.commodity",
        "Komoditas",
        "kain_batik",
        choices=tuple(c.value for c in Commodity),
    ),
    Column(
        "bahan_baku_lokal",
        "product.local_raw_materials",
        "Bahan baku lokal, dipisah titik koma",
        "kain mori; malam tawon; pewarna indigofera",
        kind="list",
    ),
    Column(
        "izin",
        "product.permits",
        "Izin dan sertifikat: JENIS:NOMOR atau JENIS:NOMOR:BERLAKU_SAMPAI, dipisah titik koma; "
        f"jenis {', '.join(k.value for k in PermitKind)}. Makanan/minuman wajib PIRT atau "
        "BPOM, dan HALAL kecuali produk tidak halal",
        "HAKI:IDM000912345; SNI:SNI 0239:2014:2028-12-31",
        kind="permits",
        required=False,
    ),
    Column(
        "produk_tidak_halal",
        "product.non_halal",
        "Produk tidak halal (ya/tidak; kosong: tidak): dikecualikan dari sertifikat halal dan "
        "diberi keterangan tidak halal pada kemasannya",
        "tidak",
        kind="flag",
        required=False,
        choices=("ya", "tidak"),
    ),
    Column(
        "dinas_pengusul",
        "proposing_office.name",
        "Dinas kabupaten/kota pengusul",
        "Dinas Perdagangan, Koperasi dan UKM Kota Pekalongan",
    ),
    Column("dinas_pengusul_kontak", "proposing_office.contact.name", "Petugas OVOP", "Sri"),
    Column(
        "dinas_pengusul_email", "proposing_office.contact.email", "Email petugas", "sri@contoh.id"
    ),
    Column(
        "dinas_pengusul_telepon",
        "proposing_office.contact.phone",
        "Telepon petugas",
        "0812 2222 0002",
    ),
    Column(
        "dinas_provinsi",
        "provincial_office.name",
        "Dinas provinsi pembina",
        "Dinas Perindustrian dan Perdagangan Provinsi Jawa Tengah",
    ),
    Column("dinas_provinsi_kontak", "provincial_office.contact.name", "Pembina IKM", "Budi"),
    Column(
        "dinas_provinsi_email", "provincial_office.contact.email", "Email pembina", "budi@contoh.id"
    ),
    Column(
        "dinas_provinsi_telepon",
        "provincial_office.contact.phone",
        "Telepon pembina",
        "0812 3333 0003",
    ),
]
BY_HEADER = {c.header: c for c in COLUMNS}


@dataclass(frozen=True)
class FileColumn:
    """A column naming a row's documents: files in the folder or zip given with the sheet."""

    header: str
    slot: Slot
    help: str
    example: str


FILE_COLUMNS = [
    FileColumn("berkas_sk_sentra", Slot.SENTRA_DECREE, "Berkas PDF SK sentra", "sk-sentra.pdf"),
    FileColumn("berkas_nib", Slot.NIB, "Berkas PDF dokumen NIB", "nib.pdf"),
    FileColumn(
        "berkas_izin",
        Slot.PERMIT,
        "Berkas izin/sertifikat: JENIS:NAMA_BERKAS, dipisah titik koma",
        "HAKI:haki.pdf; SNI:sni.jpg",
    ),
    FileColumn(
        "berkas_foto_produk", Slot.PHOTO, "Foto produk, dipisah titik koma", "foto-1.jpg; foto.png"
    ),
    FileColumn("berkas_lainnya", Slot.FURTHER, "Berkas pendukung lainnya", "profil.pdf"),
]
FILE_HEADERS = {c.header: c for c in FILE_COLUMNS}
SHEET: list[Column | FileColumn] = [*COLUMNS, *FILE_COLUMNS]  # the sheet's columns, in order
HEADERS = [c.header for c in SHEET]


class SpreadsheetError(Exception):
    """The file as a whole cannot be read: wrong format, no header, missing columns."""


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str | None  # "F (nib)", or None when it concerns the row as a whole
    message: str

    def __str__(self) -> str:
        where = f"Baris {self.row}" + (f", kolom {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class NamedFiles:
    """One file column's cell in a row: the files it names, read by `intake.dossier`."""

    column: FileColumn
    label: str  # "AE (berkas_foto_produk)"
    text: str


@dataclass
class Row:
    number: int  # as the spreadsheet numbers it: the header is row 1
    proposal: Proposal | None = None
    problems: list[RowProblem] = field(default_factory=list)
    files: list[NamedFiles] = field(default_factory=list)


def column_label(header: str, letters: dict[str, str]) -> str:
    return f"{letters[header]} ({header})" if header in letters else header


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = " ".join(str(value).split())
    return text or None


def _permits(text: str) -> list[dict[str, str]]:
    permits = []
    for item in filter(None, (p.strip() for p in text.split(LIST_SEPARATOR))):
        kind, _, rest = item.partition(":")
        if not rest:
            raise ValueError(f"'{item}': tulis sebagai JENIS:NOMOR atau JENIS:NOMOR:BERLAKU_SAMPAI")
        number, until = rest.strip(), None
        head, _, tail = rest.rpartition(":")
        if head and len(tail.strip()) == 10 and tail.strip()[4] == "-":  # a YYYY-MM-DD date
            number, until = head.strip(), tail.strip()
        permit = {"kind": kind.strip().upper(), "number": number}
        if until:
            permit["valid_until"] = until
        permits.append(permit)
    return permits


def raw_proposal(values: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The proposal's nested data from one row, and the cells that could not be read."""
    raw: dict[str, Any] = {}
    problems: list[Problem] = []
    for column in COLUMNS:
        text = _cell(values.get(column.header))
        if text is None:
            continue  # left out: the proposal's own validation says whether it may be
        value: Any = text
        if column.kind == "list":
            value = [p.strip() for p in text.split(LIST_SEPARATOR) if p.strip()]
        elif column.kind == "permits":
            try:
                value = _permits(text)
            except ValueError as error:
                problems.append(Problem(column.path, str(error)))
                continue
        elif column.kind == "flag":
            if text.lower() not in FLAGS:
                problems.append(Problem(column.path, f"isi 'ya' atau 'tidak', bukan {text!r}"))
                continue
            value = FLAGS[text.lower()]
        target = raw
        *parents, leaf = column.path.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return raw, problems


def column_of(field_path: str) -> Column | None:
    """The column that fills a proposal field (`product.permits.0.number` -> izin); for a
    part missing whole (`provincial_office`), the first of its columns."""
    found = [c for c in COLUMNS if field_path == c.path or field_path.startswith(c.path + ".")]
    if found:
        return max(found, key=lambda c: len(c.path))
    return next((c for c in COLUMNS if c.path.startswith(field_path + ".")), None)


def read_proposal(values: dict[str, Any]) -> tuple[Proposal | None, list[Problem]]:
    """The valid, eligible proposal one row's cells make, or every problem found in them
    (a spreadsheet's row and the proposal form are read alike)."""
    raw, unreadable = raw_proposal(values)
    if unreadable:
        return None, unreadable
    try:
        return parse_proposal(raw), []
    except Refused as refused:
        return None, refused.problems


def cells_of(raw: dict[str, Any]) -> dict[str, str]:
    """The cells, by header, that hold proposal data given as JSON (`raw_proposal`'s
    inverse); a field the data lacks has no cell."""
    found: dict[str, str] = {}
    for column in COLUMNS:
        value: Any = raw
        for part in column.path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            continue
        if column.kind == "list":
            value = f"{LIST_SEPARATOR} ".join(value)
        elif column.kind == "permits":
            value = f"{LIST_SEPARATOR} ".join(
                f"{p['kind']}:{p['number']}"
                + (f":{p['valid_until']}" if p.get("valid_until") else "")
                for p in value
            )
        elif column.kind == "flag":
            value = "ya" if value else "tidak"
        found[column.header] = str(value)
    return found


def values_of(proposal: Proposal) -> dict[str, str]:
    """Every column's cell for `proposal`, empty where it has nothing: a form to correct it."""
    cells = cells_of(proposal.model_dump(mode="json", exclude_none=True))
    return {c.header: cells.get(c.header, "") for c in COLUMNS}


def check_row(number: int, values: dict[str, Any], letters: dict[str, str]) -> Row:
    row = Row(number)
    row.proposal, problems = read_proposal(values)
    for header, files in FILE_HEADERS.items():
        text = _cell(values.get(header))
        if text is not None:
            row.files.append(NamedFiles(files, column_label(header, letters), text))
    for p in problems:
        column = column_of(p.field)
        label = column_label(column.header, letters) if column else None
        row.problems.append(RowProblem(number, label, p.message))
    return row


def _rows_xlsx(path: Path) -> Iterator[list[Any]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file it cannot read
        raise SpreadsheetError(f"{path} bukan berkas XLSX yang dapat dibaca: {error}") from None
    try:
        sheet = book[DATA_SHEET] if DATA_SHEET in book.sheetnames else book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        book.close()


def _rows_csv(path: Path) -> Iterator[list[Any]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        sample = f.read(4096)
        f.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        yield from csv.reader(f, dialect)


def read_rows(path: Path) -> tuple[dict[str, str], list[tuple[int, dict[str, Any]]]]:
    """The columns' letters by header, and each non-empty row's cells by header."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise SpreadsheetError(f"{path}: hanya berkas .xlsx atau .csv yang dapat diimpor")
    if not path.exists():
        raise SpreadsheetError(f"berkas tidak ditemukan: {path}")
    lines = _rows_xlsx(path) if suffix == ".xlsx" else _rows_csv(path)
    header = next(lines, None)
    if header is None:
        raise SpreadsheetError(f"{path} kosong: baris pertama harus berisi nama kolom")
    headers = [(_cell(h) or "").lower() for h in header]
    letters = {h: get_column_letter(i + 1) for i, h in enumerate(headers) if h}
    unknown = [h for h in letters if h not in BY_HEADER and h not in FILE_HEADERS]
    missing = [c.header for c in COLUMNS if c.required and c.header not in letters]
    if unknown or missing:
        parts = []
        if missing:
            parts.append("kolom wajib tidak ada: " + ", ".join(missing))
        if unknown:
            parts.append(
                "kolom tidak dikenal: " + ", ".join(f"{letters[u]} ({u})" for u in unknown)
            )
        raise SpreadsheetError(
            f"{path}: " + "; ".join(parts) + ". Gunakan `ovop import --template` untuk templatnya."
        )
    rows = []
    for number, line in enumerate(lines, start=2):
        values = {h: v for h, v in zip(headers, line, strict=False) if h}
        if any(_cell(v) is not None for v in values.values()):
            rows.append((number, values))
    return letters, rows


def read_proposals(path: Path) -> list[Row]:
    """Every row checked, each with its proposal or its problems; the same nomination
    twice in one file is a problem on the second row."""
    letters, lines = read_rows(path)
    rows = [check_row(number, values, letters) for number, values in lines]
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        if row.proposal is None:
            continue
        p = row.proposal
        key = (p.cycle, p.ikm.nib, p.product.name.casefold())
        if key in seen:
            row.problems.append(
                RowProblem(
                    row.number,
                    column_label("produk_nama", letters),
                    f"IKM dan produk ini sudah ada di baris {seen[key]}",
                )
            )
            row.proposal = None
        else:
            seen[key] = row.number
    return rows


# --- the template ------------------------------------------------------------------------

INSTRUCTIONS = [
    "Petunjuk pengisian usulan IKM OVOP",
    "",
    f"Isi satu usulan per baris pada lembar '{DATA_SHEET}', mulai baris 2. Jangan mengubah "
    "nama kolom pada baris 1.",
    "Tanggal ditulis YYYY-MM-DD (contoh 2026-03-02). NIB dan nomor telepon ditulis sebagai teks.",
    "Daftar (bahan baku, izin) dipisah titik koma ';'.",
    "Setiap baris diperiksa sebelum ada usulan yang dimulai; kesalahan dilaporkan per baris "
    "dan kolom. Mengimpor berkas yang sama dua kali tidak membuat usulan ganda.",
    "Kolom berkas_* menyebut nama berkas lampiran (PDF atau foto) dalam folder lembar ini "
    "atau dalam berkas zip yang diimpor bersamanya; isinya diperiksa sesuai jenis berkasnya.",
    "",
]


def write_template(path: Path) -> None:
    """The blank spreadsheet: XLSX with an instructions sheet, or a CSV header line."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerow(HEADERS)
        return
    if suffix != ".xlsx":
        raise SpreadsheetError(f"{path}: templat dapat ditulis sebagai .xlsx atau .csv")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    sheet.append(HEADERS)
    sheet.freeze_panes = "A2"
    for i, column in enumerate(SHEET, start=1):
        letter = get_column_letter(i)
        sheet[f"{letter}1"].font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, min(40, len(column.example) + 4))
        for row in range(2, 1001):  # text cells keep a NIB's digits and a phone's leading 0
            sheet[f"{letter}{row}"].number_format = "@"
        if isinstance(column, Column) and column.choices and len(",".join(column.choices)) < 250:
            rule = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"')
            rule.error = f"Pilih salah satu: {', '.join(column.choices)}"
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}1000")

    notes = book.create_sheet(HELP_SHEET)
    for line in INSTRUCTIONS:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=13)
    notes.append(["kolom", "wajib", "keterangan", "contoh"])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        notes.append(
            [column.header, "ya" if column.required else "tidak", column.help, column.example]
        )
        if column.choices:
            notes.append(["", "", "pilihan: " + ", ".join(column.choices), ""])
    for files in FILE_COLUMNS:
        notes.append([files.header, "tidak", files.help, files.example])
    for letter, width in zip("ABCD", (26, 8, 70, 45), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=len(INSTRUCTIONS) + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(path)
