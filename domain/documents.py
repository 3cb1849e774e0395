"""A proposal's dossier: the documents each slot takes, checked by their content.

A document enters a nomination only as a `DocumentRef` (its slot, name, type, size and
SHA-256); its bytes stay in the document store, outside Temporal (the claim-check pattern).
`SLOTS` is the one table of the slots: what each takes, how large, whether it is evidence
of the product (which jurors and labs read: `domain.access.sees_document`), and how the
verifier's checklist names it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, get_args

import puremagic
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from domain.errors import Problem, RefusalKind, Refused, figure, problems_from
from domain.permits import PermitKind
from domain.text import HIDDEN_IN_LINE, Shaped, without

if TYPE_CHECKING:
    from domain.proposal import Proposal


class Slot(StrEnum):
    SENTRA_DECREE = "sk_sentra"  # the regent's or mayor's decree establishing the sentra
    NIB = "nib"  # the business registration (NIB) document: the owner's identity papers
    PERMIT = "izin"  # one per permit or certificate the product claims
    PHOTO = "foto_produk"
    FURTHER = "lainnya"  # anything else the office sends along
    LAB_REPORT = "lhu"  # the lab's test report (laporan hasil uji), uploaded by the lab
    VISIT_PHOTO = "foto_kunjungan"  # the site visit's photos, uploaded by its team

    @property
    def rule(self) -> SlotRule:
        return SLOTS[self]


class MediaType(StrEnum):
    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"

    @property
    def label(self) -> str:
        return self.name


PDF_ONLY = (MediaType.PDF,)
IMAGES = (MediaType.JPEG, MediaType.PNG, MediaType.WEBP)
MB = 1024 * 1024


@dataclass(frozen=True)
class SlotRule:
    label: str  # as the checklist and the refusals name it
    media_types: tuple[MediaType, ...]
    max_bytes: int
    evidence: bool  # evidence of the product (jurors and labs read it), not identity papers
    required: bool  # the checklist asks for it (a permit's: once the product claims it)

    @property
    def accepts(self) -> str:
        return " atau ".join(t.label for t in self.media_types)


SLOTS = {
    Slot.SENTRA_DECREE: SlotRule("SK penetapan sentra IKM", PDF_ONLY, 10 * MB, True, True),
    Slot.NIB: SlotRule("dokumen NIB", PDF_ONLY, 5 * MB, False, True),
    Slot.PERMIT: SlotRule("izin atau sertifikat", (*PDF_ONLY, *IMAGES), 10 * MB, True, True),
    Slot.PHOTO: SlotRule("foto produk", IMAGES, 5 * MB, True, True),
    Slot.FURTHER: SlotRule("berkas pendukung lainnya", (*PDF_ONLY, *IMAGES), 10 * MB, False, False),
    # Not the proposer's to send, so not on the verifier's checklist: the findings carry it.
    Slot.LAB_REPORT: SlotRule("laporan hasil uji (LHU)", PDF_ONLY, 20 * MB, True, False),
    Slot.VISIT_PHOTO: SlotRule("foto verifikasi lapangan", IMAGES, 5 * MB, True, False),
}

# The slots a proposal's dossier holds, which its proposing office sends; the lab's report
# is the lab's, and its findings carry it (`AssessmentFindings.lab_report`); the site
# visit's photos are its team's, and its report carries them (`VisitReport.photos`). A
# reference names them in its schema (`ProposalDocumentRef`), so the schema allows what the
# engine takes.
ProposalSlot = Literal[Slot.SENTRA_DECREE, Slot.NIB, Slot.PERMIT, Slot.PHOTO, Slot.FURTHER]
PROPOSAL_SLOTS: frozenset[Slot] = frozenset(get_args(ProposalSlot))

FileName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    Shaped(
        without(HIDDEN_IN_LINE),
        lambda _: "nama berkas tidak boleh memuat karakter kendali atau pembalik arah teks",
        "Nama berkas sebagaimana diunggah, satu baris, paling panjang 255 karakter",
    ),
]
SHA256_PATTERN = r"^[0-9a-f]{64}$"  # as keys, references and the API's paths take a hash
Sha256 = Annotated[
    str,
    StringConstraints(pattern=SHA256_PATTERN),
    Field(description="SHA-256 isi berkas, 64 digit heksadesimal huruf kecil"),
]


class DocumentRef(BaseModel):
    """A document of the dossier as a nomination holds it: never its bytes. Whether it
    fits its slot is checked against the stored bytes (`require_same_content`), as the
    upload checked them, not by the model: JSON Schema cannot say it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slot: Slot
    permit: PermitKind | None = Field(
        None, description="Jenis izin atau sertifikat; wajib untuk slot `izin`, selain itu kosong"
    )
    name: FileName
    media_type: MediaType = Field(description="Jenis isi berkas, dikenali dari isinya")
    size: int = Field(ge=1, description="Ukuran berkas dalam bita")
    sha256: Sha256
    version: int = Field(
        1, ge=1, description="Versi berkas slot ini: perbaikan usulan menambah versi berikutnya"
    )

    @property
    def label(self) -> str:
        """`foto produk`, `sertifikat halal`: the document as people name it."""
        return self.permit.label if self.permit is not None else self.slot.rule.label

    @property
    def field(self) -> str:
        """Where a refusal points: the slot, and the permit's kind for a permit."""
        return slot_field(self.slot, self.permit)


# A reference names its slot in its schema where only some slots belong, so that what the
# schema allows, the engine takes: a proposal's dossier holds its office's slots, the lab's
# findings its report, a site visit's report its photos.
class ProposalDocumentRef(DocumentRef):
    """A document of a proposal's dossier, in a slot its proposing office sends."""

    slot: ProposalSlot


class LabReportRef(DocumentRef):
    """The lab's test report (LHU), which its findings carry."""

    slot: Literal[Slot.LAB_REPORT]


class VisitPhotoRef(DocumentRef):
    """A photo of the site visit, which its report carries."""

    slot: Literal[Slot.VISIT_PHOTO]


_REFS: dict[Slot, type[DocumentRef]] = {
    Slot.LAB_REPORT: LabReportRef,
    Slot.VISIT_PHOTO: VisitPhotoRef,
}


def slot_field(slot: Slot, permit: PermitKind | None) -> str:
    """`foto_produk`, `izin.HALAL`: the slot (and permit) a refusal of a file names."""
    return f"{slot.value}.{permit.value}" if permit else slot.value


def file_size(size: int) -> str:
    """`5 MB`, `7,2 MB`, `310,5 KB`, `812 bita`: as people read a file's size."""
    if size >= MB:
        return f"{figure(round(size / MB, 1))} MB"
    if size >= 1024:
        return f"{figure(round(size / 1024, 1))} KB"
    return f"{size} bita"


def detected(data: bytes) -> tuple[MediaType | None, str]:
    """What `data` is by its content (never its name): one of the dossier's media types,
    or None and what it was read as instead."""
    try:
        matches = puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        return None, "jenis yang tidak dikenali"
    if not matches:
        return None, "jenis yang tidak dikenali"
    known = {t.value: t for t in MediaType}
    if matches[0].mime_type in known:
        return known[matches[0].mime_type], matches[0].mime_type
    # A program's first bytes match obscure formats too: say what matters, that it is one.
    program = next((m for m in matches if "executable" in m.name.casefold()), None)
    if program is not None:
        return None, f"program ({program.name})"
    best = matches[0]
    return None, best.name or best.mime_type or "jenis yang tidak dikenali"


def require_fits(slot: Slot, permit: PermitKind | None, name: str, size: int) -> None:
    """A file no larger than its slot takes: `Refused` naming the slot and the limit."""
    limit = slot.rule.max_bytes
    if size > limit:
        raise Refused.one(
            slot_field(slot, permit),
            f"{permit.label if permit else slot.rule.label} paling besar {file_size(limit)}; "
            f"berkas {name!r} berukuran {file_size(size)}",
            RefusalKind.TOO_LARGE,
        )


def checked_document(
    slot: Slot, name: str, data: bytes, permit: PermitKind | None = None
) -> DocumentRef:
    """The reference of `data` uploaded into `slot`, once its content fits the slot:
    `Refused` naming the slot (`izin.HALAL` for a permit) otherwise."""
    media_type = _fitting(slot, permit, name, len(data), data)
    try:
        return _REFS.get(slot, ProposalDocumentRef)(
            slot=slot,
            permit=permit,
            name=name,
            media_type=media_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
    except ValidationError as error:  # the name is all that can still be wrong
        raise Refused([Problem("file", p.message) for p in problems_from(error)]) from None


def _fitting(slot: Slot, permit: PermitKind | None, name: str, size: int, head: bytes) -> MediaType:
    """The media type of a file of `size` bytes starting with `head`, once it fits `slot`
    (`Refused` naming the slot otherwise). Every type the dossier takes is told by its
    first bytes."""
    rule = slot.rule
    field = slot_field(slot, permit)
    label = permit.label if permit else rule.label
    if slot == Slot.PERMIT and permit is None:
        raise Refused.one("permit", "jenis izin wajib diisi untuk slot izin")
    if slot != Slot.PERMIT and permit is not None:
        raise Refused.one("permit", f"jenis izin hanya untuk slot izin, bukan {slot.value}")
    if not size:
        raise Refused.one(field, f"berkas {label} kosong", RefusalKind.UNSUPPORTED)
    require_fits(slot, permit, name, size)
    media_type, seen = detected(head)
    if media_type not in rule.media_types:
        raise Refused.one(
            field,
            f"{label} harus berupa {rule.accepts}; isi berkas {name!r} terbaca sebagai {seen}",
            RefusalKind.UNSUPPORTED,
        )
    assert media_type is not None
    return media_type


# How much of a stored file tells its type (`require_described`).
HEAD_BYTES = 8 * 1024


def require_described(ref: DocumentRef, size: int, head: bytes) -> None:
    """A reference describes a stored file of `size` bytes that starts with `head`, the
    file kept under the reference's SHA-256: the slot's rules hold for it (`Refused`
    naming `slot` otherwise), and the reference's type and size are the file's (`Refused`
    naming each field of the reference that is not)."""
    try:
        media_type = _fitting(ref.slot, ref.permit, ref.name, size, head)
    except Refused as refused:
        named = [
            Problem("slot" if p.field == ref.field else p.field, p.message)
            for p in refused.problems
        ]
        raise Refused(named) from None
    found = {"media_type": media_type, "size": size}
    wrong = [
        Problem(
            name,
            f"rujukan {ref.label} menyebut {getattr(ref, name)}, berkas yang diunggah {value}",
        )
        for name, value in found.items()
        if value != getattr(ref, name)
    ]
    if wrong:
        raise Refused(wrong)


def require_same_content(ref: DocumentRef, data: bytes) -> None:
    """`require_described`, from the whole file, and its hash the reference's."""
    require_described(ref, len(data), data)
    sha256 = hashlib.sha256(data).hexdigest()
    if sha256 != ref.sha256:
        raise Refused.one(
            "sha256", f"rujukan {ref.label} menyebut {ref.sha256}, berkas yang diunggah {sha256}"
        )


def revised_documents(
    held: Sequence[DocumentRef], earlier: Sequence[DocumentRef], sent: Sequence[DocumentRef]
) -> tuple[list[DocumentRef], list[DocumentRef]]:
    """A resubmission's documents, numbered on from what the nomination held: a file sent
    again keeps its version; a new one in a slot (and permit) held before is its next
    version (all new ones of a slot alike: photos come several at once); one in a new slot
    is version 1. Answers the proposal's documents, and the earlier versions to keep (those
    kept before, and each held one the resubmission no longer lists)."""

    def key(ref: DocumentRef) -> tuple[Slot, PermitKind | None]:
        return ref.slot, ref.permit

    latest: dict[tuple[Slot, PermitKind | None], int] = {}
    for ref in [*earlier, *held]:
        latest[key(ref)] = max(latest.get(key(ref), 0), ref.version)
    same = {(key(ref), ref.sha256): ref for ref in held}
    documents = [
        same.get((key(ref), ref.sha256))
        or ref.model_copy(update={"version": latest.get(key(ref), 0) + 1})
        for ref in sent
    ]
    replaced = [ref for ref in held if ref not in documents]
    return documents, [*earlier, *replaced]


# The slots a dossier holds one file of: a file sent for one replaces the one held.
SINGLE_FILE_SLOTS = frozenset({Slot.SENTRA_DECREE, Slot.NIB})


def resubmitted_documents(
    held: Sequence[DocumentRef], uploaded: Sequence[DocumentRef]
) -> list[DocumentRef]:
    """The dossier a correction sends (`revised_documents` numbers it): the documents held,
    each of a single-file slot replaced by the one uploaded for it, and the other uploads
    added (a file held already is not listed twice). `Refused` naming
    `documents.<slot>` when a single-file slot is sent more than one file."""
    for slot in SINGLE_FILE_SLOTS:
        if len([ref for ref in uploaded if ref.slot == slot]) > 1:
            raise Refused.one(f"documents.{slot.value}", f"{slot.rule.label} cukup satu berkas")
    replaced = {ref.slot for ref in uploaded} & SINGLE_FILE_SLOTS
    kept = [ref for ref in held if ref.slot not in replaced]
    known = {(ref.slot, ref.permit, ref.sha256) for ref in kept}
    added = [ref for ref in uploaded if (ref.slot, ref.permit, ref.sha256) not in known]
    return [*kept, *added]


def require_proposers(documents: Sequence[DocumentRef], field: str = "documents") -> None:
    """A proposal lists only documents of the slots its proposing office sends: `Refused`
    naming `documents.N.slot` otherwise (the lab's report is the lab's)."""
    for index, ref in enumerate(documents):
        if ref.slot not in PROPOSAL_SLOTS:
            raise Refused.one(
                f"{field}.{index}.slot",
                f"{ref.slot.rule.label} dikirim oleh Balai Besar bersama hasil penilaiannya, "
                "bukan oleh pengusul",
            )


def missing_documents(proposal: Proposal) -> list[Problem]:
    """The verifier's checklist: each document the dossier still lacks, named in Indonesian
    (a permit's once the product claims it; at least one product photo)."""
    held = {(ref.slot, ref.permit) for ref in proposal.documents}
    claimed = list(dict.fromkeys(p.kind for p in proposal.product.permits))
    problems = []
    for slot, rule in SLOTS.items():
        kinds: list[PermitKind | None] = list(claimed) if slot == Slot.PERMIT else [None]
        for kind in kinds:
            if not rule.required or (slot, kind) in held:
                continue
            field = f"documents.{slot.value}" + (f".{kind.value}" if kind else "")
            what = f"{kind.label} yang dicantumkan" if kind else rule.label
            problems.append(Problem(field, f"{what} belum dilampirkan ({rule.accepts})"))
    return problems
