"""The documents a spreadsheet's rows name: files in a folder beside the sheet, or in a zip
given with it, each checked by its content (`domain.documents.checked_document`) when the
row is read and kept in the document store just before the row's nomination starts.

A name is a path inside the folder or the zip and never leads out of it: a zip holding an
entry that would (`../`, an absolute path) is refused whole, as a crafted archive.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Protocol

from documents import DocumentStore, StoreUnavailable
from domain.documents import DocumentRef, Slot, checked_document, require_fits
from domain.errors import Refused
from domain.permits import PermitKind
from domain.proposal import Proposal
from intake.spreadsheet import LIST_SEPARATOR, NamedFiles, Row, RowProblem, SpreadsheetError


def escapes(name: str) -> bool:
    """A path that leads out of where it is read: absolute, a drive, or through `..`."""
    path = PurePosixPath(name.replace("\\", "/"))
    if not path.parts:
        return True
    return path.is_absolute() or ":" in path.parts[0] or ".." in path.parts


class FileSource(Protocol):
    where: str  # "folder /srv/usulan" or "zip berkas.zip", as a refusal says it

    def size(self, name: str) -> int | None:
        """The file's size, or None when there is no such file."""
        ...

    def read(self, name: str, limit: int) -> bytes:
        """At most `limit` bytes of a file `size` found."""
        ...


class FolderFiles:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.where = f"folder {root}"

    def _path(self, name: str) -> Path | None:
        path = (self.root / name).resolve()
        return path if path.is_relative_to(self.root) and path.is_file() else None

    def size(self, name: str) -> int | None:
        with unreadable(name, self.where):
            path = self._path(name)
            return path.stat().st_size if path else None

    def read(self, name: str, limit: int) -> bytes:
        with unreadable(name, self.where):
            path = self._path(name)
            assert path is not None
            with path.open("rb") as file:
                return file.read(limit)


class ZipFiles:
    def __init__(self, path: Path) -> None:
        try:
            self.archive = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as error:
            raise SpreadsheetError(f"{path} bukan berkas zip yang dapat dibaca: {error}") from None
        escaping = [n for n in self.archive.namelist() if escapes(n)]
        if escaping:
            self.archive.close()
            raise SpreadsheetError(
                f"{path} ditolak: isinya mengarah ke luar zip ({', '.join(escaping[:5])})"
            )
        self.entries = {i.filename: i for i in self.archive.infolist() if not i.is_dir()}
        self.where = f"zip {path.name}"

    def size(self, name: str) -> int | None:
        entry = self.entries.get(name.replace("\\", "/"))
        return entry.file_size if entry else None

    def read(self, name: str, limit: int) -> bytes:
        with (
            unreadable(name, self.where),
            self.archive.open(self.entries[name.replace("\\", "/")]) as file,
        ):
            return file.read(limit)  # a zip bomb's entry is read no further than its slot takes


@contextmanager
def unreadable(name: str, where: str) -> Iterator[None]:
    """A file that cannot be read (damaged, encrypted, a name too long, a link that loops)
    as a ValueError naming it, which refuses its row at its column."""
    try:
        yield
    except (OSError, RuntimeError, EOFError, NotImplementedError, zipfile.BadZipFile, zlib.error):
        raise ValueError(
            f"berkas {name!r} di {where} tidak dapat dibaca (rusak atau terkunci)"
        ) from None


def open_files(sheet: Path, given: Path | None) -> FileSource:
    """The files a sheet's rows name: in `given` (a folder or a .zip), or beside the sheet."""
    if given is None:
        return FolderFiles(sheet.parent)
    if given.is_dir():
        return FolderFiles(given)
    if given.suffix.lower() == ".zip" and given.is_file():
        return ZipFiles(given)
    raise SpreadsheetError(f"{given}: berkas lampiran harus berupa folder atau berkas .zip")


def named(cell: NamedFiles) -> Iterator[tuple[PermitKind | None, str]]:
    """Each (permit, name) a cell names: `foto-1.jpg; foto-2.png`, `HALAL:halal.pdf`."""
    for item in filter(None, (part.strip() for part in cell.text.split(LIST_SEPARATOR))):
        if cell.column.slot != Slot.PERMIT:
            yield None, item
            continue
        kind, _, name = item.partition(":")
        try:
            yield PermitKind(kind.strip().upper()), name.strip()
        except ValueError:
            kinds = ", ".join(k.value for k in PermitKind)
            raise ValueError(f"'{item}': tulis sebagai JENIS:NAMA_BERKAS, jenis {kinds}") from None


def checked_file(
    files: FileSource, slot: Slot, permit: PermitKind | None, name: str
) -> DocumentRef:
    """The reference of one named file once its content fits its slot; `Refused` naming
    the slot, or ValueError when there is no such file (or the name leads elsewhere)."""
    size = None if not name or escapes(name) else files.size(name)
    if size is None:
        what = permit.label if permit else slot.rule.label
        raise ValueError(f"berkas {name!r} untuk {what} tidak ditemukan di {files.where}")
    require_fits(slot, permit, name, size)
    data = files.read(name, slot.rule.max_bytes + 1)
    return checked_document(slot, PurePosixPath(name).name, data, permit)


def attach_documents(rows: list[Row], files: FileSource) -> dict[str, str]:
    """Each good row's proposal with the references of the files it names; a row with a
    bad or missing file is refused, naming the row, the column and the slot. Answers where
    each file was found, by its SHA-256, for `keep_documents`."""
    found: dict[str, str] = {}
    for row in rows:
        if row.proposal is None or not row.files:
            continue
        refs: list[DocumentRef] = []
        for cell in row.files:
            try:
                for permit, name in named(cell):
                    ref = checked_file(files, cell.column.slot, permit, name)
                    refs.append(ref)
                    found[ref.sha256] = name
            except Refused as refused:
                said = [p.message for p in refused.problems]
                row.problems += [RowProblem(row.number, cell.label, m) for m in said]
            except ValueError as error:
                row.problems.append(RowProblem(row.number, cell.label, str(error)))
        if row.problems:
            row.proposal = None
        else:
            row.proposal = with_documents(row.proposal, refs)
    return found


def with_documents(proposal: Proposal, refs: list[DocumentRef]) -> Proposal:
    data = proposal.model_dump()
    return Proposal.model_validate({**data, "documents": [*data["documents"], *refs]})


async def keep_documents(
    proposal: Proposal, files: FileSource, found: dict[str, str], store: DocumentStore
) -> None:
    """Keep the proposal's files in the store (a file already there is not sent again);
    `Refused` naming the slot if one changed since the row was checked."""
    unreachable = "penyimpanan berkas tidak dapat dijangkau; impor lagi nanti"
    for ref in proposal.documents:
        try:
            if await store.holds(ref.sha256):
                continue
            data = files.read(found[ref.sha256], ref.slot.rule.max_bytes + 1)
            if hashlib.sha256(data).hexdigest() != ref.sha256:
                raise Refused.one(ref.field, f"berkas {ref.name!r} berubah sejak diperiksa")
            await store.put(data)
        except StoreUnavailable:
            raise Refused.one(ref.field, f"berkas {ref.name!r}: {unreachable}") from None
        except ValueError as error:  # unreadable since it was checked
            raise Refused.one(ref.field, str(error)) from None
