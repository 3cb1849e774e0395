"""The documents a spreadsheet's rows name: found beside the sheet or in a zip, checked by
their content when the row is read, refused by row, column and slot, kept once."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from documents.folder import FolderStore
from domain.documents import Slot
from domain.permits import PermitKind
from intake.dossier import attach_documents, keep_documents, open_files
from intake.spreadsheet import Row, SpreadsheetError, read_proposals
from tests.documents import elf, jpeg, nonce, pdf, png
from tests.spreadsheets import cells, write_csv, write_xlsx
from tests.support import fresh_raw

GOOD = {
    "berkas_sk_sentra": "sk-sentra.pdf",
    "berkas_izin": "HAKI:izin/haki.pdf",
    "berkas_foto_produk": "foto-1.jpg; foto-2.png",
}


def write_files(folder: Path) -> dict[str, bytes]:
    files = {
        "sk-sentra.pdf": pdf(nonce()),
        "izin/haki.pdf": pdf(nonce()),
        "foto-1.jpg": jpeg(nonce()),
        "foto-2.png": png(nonce()),
        "program.pdf": elf(nonce()),
    }
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return files


def read_with_files(sheet: Path, given: Path | None = None) -> tuple[list[Row], dict[str, str]]:
    rows = read_proposals(sheet)
    return rows, attach_documents(rows, open_files(sheet, given))


def test_the_files_a_row_names_beside_the_sheet_become_its_documents(tmp_path: Path) -> None:
    files = write_files(tmp_path)
    (good,), found = read_with_files(
        write_xlsx(tmp_path / "usulan.xlsx", [cells(fresh_raw(0), GOOD)])
    )
    assert good.problems == [] and good.proposal is not None
    refs = good.proposal.documents
    assert [(r.slot, r.permit, r.name) for r in refs] == [
        (Slot.SENTRA_DECREE, None, "sk-sentra.pdf"),
        (Slot.PERMIT, PermitKind.HAKI, "haki.pdf"),
        (Slot.PHOTO, None, "foto-1.jpg"),
        (Slot.PHOTO, None, "foto-2.png"),
    ]
    assert found[refs[1].sha256] == "izin/haki.pdf"
    assert refs[3].size == len(files["foto-2.png"])


def test_a_bad_or_missing_file_refuses_its_row_only_naming_row_column_and_slot(
    tmp_path: Path,
) -> None:
    sheets = tmp_path / "usulan"
    sheets.mkdir()
    write_files(sheets)
    # Files that are there, but outside the folder: by a path, and by a link inside it.
    (tmp_path / "rahasia.pdf").write_bytes(pdf(nonce()))
    (sheets / "tautan.pdf").symlink_to(tmp_path / "rahasia.pdf")
    renamed = {**GOOD, "berkas_sk_sentra": "program.pdf"}
    missing = {**GOOD, "berkas_foto_produk": "foto-1.jpg; hilang.jpg"}
    outside = {**GOOD, "berkas_lainnya": "../rahasia.pdf"}
    linked = {**GOOD, "berkas_lainnya": "tautan.pdf"}
    wrong_kind = {**GOOD, "berkas_izin": "IZIN:haki.pdf"}
    rows, _ = read_with_files(
        write_csv(
            sheets / "usulan.csv",
            [
                cells(fresh_raw(0), GOOD),
                cells(fresh_raw(2), renamed),
                cells(fresh_raw(3), missing),
                cells(fresh_raw(5), outside),
                cells(fresh_raw(6), wrong_kind),
                cells(fresh_raw(1), linked),
            ],
        )
    )
    assert [r.proposal is not None for r in rows] == [True, False, False, False, False, False]
    said = [[str(p) for p in r.problems] for r in rows[1:]]
    assert said[0][0].startswith(
        "Baris 3, kolom AC (berkas_sk_sentra): SK penetapan sentra IKM harus berupa PDF; "
        "isi berkas 'program.pdf' terbaca sebagai program"
    )
    assert said[1] == [
        "Baris 4, kolom AF (berkas_foto_produk): berkas 'hilang.jpg' untuk foto produk tidak "
        f"ditemukan di folder {sheets}"
    ]
    assert said[2][0].startswith("Baris 5, kolom AG (berkas_lainnya): berkas '../rahasia.pdf'")
    assert said[3][0].startswith("Baris 6, kolom AE (berkas_izin): 'IZIN:haki.pdf': tulis sebagai")
    assert said[4][0].startswith("Baris 7, kolom AG (berkas_lainnya): berkas 'tautan.pdf'")


def test_a_damaged_file_in_a_zip_refuses_its_row_naming_its_column(tmp_path: Path) -> None:
    files = write_files(tmp_path / "asal")
    given = zip_of(tmp_path / "berkas.zip", files)
    kept = given.read_bytes()
    chunk = files["foto-2.png"][-40:-8]  # its unique chunk, stored as it is
    given.write_bytes(kept.replace(chunk, bytes(len(chunk))))  # the CRC no longer matches
    (row,) = read_proposals(write_xlsx(tmp_path / "usulan.xlsx", [cells(fresh_raw(0), GOOD)]))
    attach_documents([row], open_files(tmp_path / "usulan.xlsx", given))
    assert row.proposal is None
    assert [str(p) for p in row.problems] == [
        "Baris 2, kolom AF (berkas_foto_produk): berkas 'foto-2.png' di zip berkas.zip tidak "
        "dapat dibaca (rusak atau terkunci)"
    ]


def zip_of(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_the_files_may_come_in_a_zip_given_with_the_sheet(tmp_path: Path) -> None:
    files = write_files(tmp_path / "asal")
    given = zip_of(tmp_path / "berkas.zip", files)
    (row,), _ = read_with_files(
        write_xlsx(tmp_path / "usulan.xlsx", [cells(fresh_raw(0), GOOD)]), given
    )
    assert row.proposal is not None and len(row.proposal.documents) == 4


@pytest.mark.parametrize("entry", ["../keluar.pdf", "/etc/keluar.pdf", "a/../../keluar.pdf"])
def test_a_zip_with_an_entry_leading_out_of_it_is_refused(tmp_path: Path, entry: str) -> None:
    given = zip_of(tmp_path / "berkas.zip", {"sk-sentra.pdf": pdf(), entry: pdf(nonce())})
    sheet = write_xlsx(tmp_path / "usulan.xlsx", [cells(fresh_raw(0), GOOD)])
    with pytest.raises(SpreadsheetError, match="mengarah ke luar zip"):
        read_with_files(sheet, given)


async def test_a_row_s_files_are_kept_once_however_often_it_is_imported(tmp_path: Path) -> None:
    write_files(tmp_path)
    sheet = write_xlsx(tmp_path / "usulan.xlsx", [cells(fresh_raw(0), GOOD)])
    store = FolderStore(tmp_path / "store")
    for _ in range(2):
        (row,), found = read_with_files(sheet)
        assert row.proposal is not None
        await keep_documents(row.proposal, open_files(sheet, None), found, store)
        documents = row.proposal.documents
    kept = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert sorted(p.name for p in kept) == sorted(r.sha256 for r in documents)


async def test_a_file_changed_after_its_check_is_not_kept(tmp_path: Path) -> None:
    write_files(tmp_path)
    sheet = write_xlsx(tmp_path / "usulan.xlsx", [cells(fresh_raw(0), GOOD)])
    (row,), found = read_with_files(sheet)
    (tmp_path / "foto-1.jpg").write_bytes(jpeg(nonce()))
    assert row.proposal is not None
    store = FolderStore(tmp_path / "store")
    with pytest.raises(Exception, match="berubah sejak diperiksa"):
        await keep_documents(row.proposal, open_files(sheet, None), found, store)
    changed = next(r for r in row.proposal.documents if r.name == "foto-1.jpg")
    assert not await store.holds(changed.sha256)
