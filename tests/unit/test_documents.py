"""A proposal's dossier: each slot checked by content, limited in size, and read only by
those the access rule lets read it; the verifier's checklist names what is missing."""

from __future__ import annotations

import hashlib

import pytest

from domain.access import sees_document
from domain.documents import (
    SLOTS,
    DocumentRef,
    MediaType,
    Slot,
    checked_document,
    file_size,
    missing_documents,
    require_same_content,
)
from domain.errors import RefusalKind, Refused
from domain.examples import example_proposal
from domain.permits import PermitKind
from domain.presentation import current_details, view
from domain.proposal import Proposal
from domain.stages import Role, Stage
from tests.documents import elf, jpeg, pdf, pe, png
from tests.support import at_stage


def test_a_pdf_in_the_sentra_decree_slot_is_referenced_by_its_hash() -> None:
    data = pdf(b"sk")
    ref = checked_document(Slot.SENTRA_DECREE, "SK Sentra.pdf", data)
    assert ref.media_type == MediaType.PDF
    assert ref.size == len(data)
    assert ref.sha256 == hashlib.sha256(data).hexdigest()
    assert (ref.slot, ref.permit, ref.version, ref.name) == (
        Slot.SENTRA_DECREE,
        None,
        1,
        "SK Sentra.pdf",
    )


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [(png(), "foto.png", MediaType.PNG), (jpeg(), "foto.jpg", MediaType.JPEG)],
)
def test_a_photo_is_typed_by_its_content(data: bytes, name: str, expected: MediaType) -> None:
    assert checked_document(Slot.PHOTO, name, data).media_type == expected


def test_the_type_comes_from_the_content_not_the_name() -> None:
    assert checked_document(Slot.PHOTO, "foto.pdf", png()).media_type == MediaType.PNG


@pytest.mark.parametrize(
    ("slot", "data", "name", "read_as"),
    [
        (Slot.SENTRA_DECREE, elf(), "sk-sentra.pdf", "ELF"),
        (Slot.NIB, pe(), "nib.pdf", "Windows Executable"),
        (Slot.PHOTO, pe(), "foto.jpg", "Windows Executable"),
        (Slot.PHOTO, pdf(), "foto.jpg", "application/pdf"),
        (Slot.SENTRA_DECREE, png(), "sk.pdf", "image/png"),
    ],
)
def test_a_file_whose_content_does_not_fit_its_slot_is_refused_naming_the_slot(
    slot: Slot, data: bytes, name: str, read_as: str
) -> None:
    with pytest.raises(Refused) as refused:
        checked_document(slot, name, data)
    assert refused.value.fields == [slot.value]
    assert refused.value.kind == RefusalKind.UNSUPPORTED
    message = refused.value.problems[0].message
    assert SLOTS[slot].label in message and read_as in message and name in message


def test_an_oversize_photo_is_refused_naming_the_slot_and_the_limit() -> None:
    big = png(padding=5 * 1024 * 1024)
    with pytest.raises(Refused) as refused:
        checked_document(Slot.PHOTO, "foto-besar.png", big)
    assert refused.value.fields == ["foto_produk"]
    assert "paling besar 5 MB" in refused.value.problems[0].message
    assert refused.value.kind == RefusalKind.TOO_LARGE


@pytest.mark.parametrize("name", ["", "foto\nbaru.png", "x" * 256])
def test_a_file_name_that_cannot_be_kept_is_refused_naming_the_file(name: str) -> None:
    with pytest.raises(Refused) as refused:
        checked_document(Slot.PHOTO, name, png())
    assert refused.value.fields == ["file"]


def test_a_size_reads_as_people_write_it() -> None:
    assert [file_size(n) for n in (812, 317_952, 5 * 1024 * 1024, 7_549_747)] == [
        "812 bita",
        "310,5 KB",
        "5 MB",
        "7,2 MB",
    ]


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        checked_document(Slot.NIB, "nib.pdf", b"")
    assert refused.value.fields == ["nib"]


def test_a_permit_document_names_its_permit_and_only_a_permit_does() -> None:
    ref = checked_document(Slot.PERMIT, "halal.jpg", jpeg(), PermitKind.HALAL)
    assert ref.permit == PermitKind.HALAL and ref.field == "izin.HALAL"
    with pytest.raises(Refused) as without:
        checked_document(Slot.PERMIT, "izin.pdf", pdf())
    assert without.value.fields == ["permit"]
    with pytest.raises(Refused) as beside:
        checked_document(Slot.PHOTO, "foto.png", png(), PermitKind.SNI)
    assert beside.value.fields == ["permit"]


def test_a_permit_refusal_names_the_permit() -> None:
    with pytest.raises(Refused) as refused:
        checked_document(Slot.PERMIT, "bpom.pdf", elf(), PermitKind.BPOM)
    assert refused.value.fields == ["izin.BPOM"]
    assert "izin edar BPOM" in refused.value.problems[0].message


def test_a_reference_must_describe_the_stored_bytes() -> None:
    data = png(b"asli")
    ref = checked_document(Slot.PHOTO, "foto.png", data)
    require_same_content(ref, data)
    claimed = ref.model_copy(update={"size": ref.size + 1})
    with pytest.raises(Refused) as refused:
        require_same_content(claimed, data)
    assert refused.value.fields == ["size"]  # the reference's own field, as a path names it
    # Claimed for a slot that does not take it, the same bytes are refused for that slot.
    as_decree = ref.model_copy(update={"slot": Slot.SENTRA_DECREE})
    with pytest.raises(Refused, match="harus berupa PDF") as refused:
        require_same_content(as_decree, data)
    assert refused.value.fields == ["slot"]
    as_permit = ref.model_copy(update={"slot": Slot.PERMIT})
    with pytest.raises(Refused) as refused:
        require_same_content(as_permit, data)
    assert refused.value.fields == ["permit"]


def with_documents(proposal: Proposal, *refs: DocumentRef) -> Proposal:
    return proposal.model_copy(update={"documents": list(refs)})


def test_the_checklist_names_every_missing_document_in_indonesian() -> None:
    proposal = example_proposal(index=4)  # a food product: claims PIRT and halal
    claimed = [p.kind for p in proposal.product.permits]
    assert claimed
    fields = [p.field for p in missing_documents(proposal)]
    assert fields == [
        "documents.sk_sentra",
        "documents.nib",
        *(f"documents.izin.{kind.value}" for kind in dict.fromkeys(claimed)),
        "documents.foto_produk",
    ]
    messages = [p.message for p in missing_documents(proposal)]
    assert messages[0] == "SK penetapan sentra IKM belum dilampirkan (PDF)"


def test_a_complete_dossier_leaves_the_checklist_empty() -> None:
    proposal = example_proposal(index=4)
    refs = [
        checked_document(Slot.SENTRA_DECREE, "sk.pdf", pdf(b"1")),
        checked_document(Slot.NIB, "nib.pdf", pdf(b"2")),
        *(
            checked_document(Slot.PERMIT, f"{p.kind}.pdf", pdf(p.kind.encode()), p.kind)
            for p in proposal.product.permits
        ),
        checked_document(Slot.PHOTO, "foto.png", png()),
    ]
    assert missing_documents(with_documents(proposal, *refs)) == []
    without_photo = with_documents(proposal, *refs[:-1])
    assert [p.field for p in missing_documents(without_photo)] == ["documents.foto_produk"]


def test_a_proposal_keeps_references_only_and_reads_as_before_without_them() -> None:
    proposal = example_proposal()
    assert proposal.documents == []
    ref = checked_document(Slot.PHOTO, "foto.png", png())
    again = Proposal.model_validate(with_documents(proposal, ref).model_dump(mode="json"))
    assert again.documents == [ref]


@pytest.mark.parametrize("role", [Role.PROPOSER, Role.VERIFIER, Role.OFFICIAL, Role.OPERATOR])
@pytest.mark.parametrize("slot", list(Slot))
def test_who_reads_the_owner_reads_every_document(role: Role, slot: Slot) -> None:
    assert sees_document(role, slot)


@pytest.mark.parametrize("role", [Role.JUROR, Role.LAB_ASSESSOR])
def test_jurors_and_labs_read_the_evidence_not_the_identity_papers(role: Role) -> None:
    readable = {slot for slot in Slot if sees_document(role, slot)}
    assert readable == {
        Slot.SENTRA_DECREE,
        Slot.PERMIT,
        Slot.PHOTO,
        Slot.LAB_REPORT,
        Slot.VISIT_PHOTO,
    }


def test_the_web_ui_and_ovop_show_list_the_documents_and_the_checklist() -> None:
    nom = at_stage(Stage.ADMIN_VERIFICATION)
    photo = checked_document(Slot.PHOTO, "foto batik.png", png(b"x"))
    nom.proposal = with_documents(nom.proposal, photo)

    details = current_details(nom)
    assert "**Berkas usulan:**" in details
    size = file_size(photo.size)
    assert f"- foto produk: foto batik.png (image/png, {size}), SHA-256 {photo.sha256}" in details
    assert "**Berkas belum lengkap:** SK penetapan sentra IKM belum dilampirkan (PDF)" in details
    assert details.splitlines()[-1].startswith("**Keputusan terakhir:**")
    # A name as the sender typed it is shown as typed, never read as Markdown.
    styled = at_stage(Stage.ADMIN_VERIFICATION)
    name = "*tebal* [tautan](x).png"
    styled.proposal = with_documents(styled.proposal, checked_document(Slot.PHOTO, name, png()))
    assert r"\*tebal\* \[tautan\](x).png" in current_details(styled)

    shown = view(nom)
    assert shown.documents == [photo]
    assert shown.missing_documents[:2] == [
        "SK penetapan sentra IKM belum dilampirkan (PDF)",
        "dokumen NIB belum dilampirkan (PDF)",
    ]
    assert not any("foto produk" in line for line in shown.missing_documents)


def test_the_checklist_leaves_the_web_ui_once_verified() -> None:
    nom = at_stage(Stage.TECHNICAL_ASSESSMENT)
    assert "Berkas belum lengkap" not in current_details(nom)
