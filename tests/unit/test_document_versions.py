"""Versions on revision: a document replaced in a resubmission is the next version of its
slot, the earlier one stays readable, and nothing but the state changes (no new events)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from cli.inspection import document_row
from domain.decisions import Resubmission, documents_referenced
from domain.documents import DocumentRef, Slot, checked_document, revised_documents
from domain.errors import Refused
from domain.events import EventKind
from domain.examples import example_cycle_config
from domain.nomination import Nomination
from domain.permits import PermitKind
from domain.presentation import current_details, view
from domain.stages import Stage
from tests.documents import pdf, png
from tests.support import NOW, at_stage, fresh, passes, proposer

CONFIG = example_cycle_config("2026")

SK_1 = checked_document(Slot.SENTRA_DECREE, "sk.pdf", pdf(b"sk-1"))
SK_2 = checked_document(Slot.SENTRA_DECREE, "sk-perbaikan.pdf", pdf(b"sk-2"))
SK_3 = checked_document(Slot.SENTRA_DECREE, "sk-final.pdf", pdf(b"sk-3"))
PHOTO_A = checked_document(Slot.PHOTO, "a.png", png(b"a"))
PHOTO_B = checked_document(Slot.PHOTO, "b.png", png(b"b"))
PHOTO_C = checked_document(Slot.PHOTO, "c.png", png(b"c"))
HALAL = checked_document(Slot.PERMIT, "halal.pdf", pdf(b"halal"), PermitKind.HALAL)


def versions(refs: Sequence[DocumentRef]) -> list[tuple[str, int]]:
    return [(ref.name, ref.version) for ref in refs]


def test_a_replaced_document_is_the_next_version_and_the_earlier_one_is_kept() -> None:
    documents, earlier = revised_documents([SK_1, PHOTO_A], [], [SK_2, PHOTO_A, PHOTO_B, HALAL])
    assert versions(documents) == [
        ("sk-perbaikan.pdf", 2),
        ("a.png", 1),  # sent again: the same version
        ("b.png", 2),  # new in a slot held before
        ("halal.pdf", 1),  # a permit's slot not held before
    ]
    assert earlier == [SK_1]

    documents, earlier = revised_documents(documents, earlier, [SK_3, PHOTO_C])
    assert versions(documents) == [("sk-final.pdf", 3), ("c.png", 3)]
    assert versions(earlier) == [
        ("sk.pdf", 1),
        ("sk-perbaikan.pdf", 2),
        ("a.png", 1),
        ("b.png", 2),
        ("halal.pdf", 1),
    ]


def test_a_permit_s_versions_count_per_permit() -> None:
    bpom = checked_document(Slot.PERMIT, "bpom.pdf", pdf(b"bpom"), PermitKind.BPOM)
    halal_2 = checked_document(Slot.PERMIT, "halal-baru.pdf", pdf(b"halal-2"), PermitKind.HALAL)
    documents, _ = revised_documents([HALAL], [], [halal_2, bpom])
    assert versions(documents) == [("halal-baru.pdf", 2), ("bpom.pdf", 1)]


def test_a_resubmission_keeps_each_version_readable_and_appends_only_its_own_event() -> None:
    nom = at_stage(Stage.REVISION_REQUESTED)
    nom.proposal = nom.proposal.model_copy(update={"documents": [SK_1, PHOTO_A]})
    before = len(nom.events)
    corrected = nom.proposal.model_copy(update={"documents": [SK_2, PHOTO_A]})
    nom.apply(Resubmission(actor=proposer(nom.proposal), proposal=corrected), NOW)

    assert [e.kind for e in nom.events[before:]] == [EventKind.RESUBMITTED]
    assert versions(nom.proposal.documents) == [("sk-perbaikan.pdf", 2), ("a.png", 1)]
    assert nom.earlier_documents == [SK_1]
    # The dossier as it stands lists the current versions; the replaced one is apart,
    # still readable, never shown (to a juror, say) as if it were current.
    shown = view(nom)
    assert versions(shown.documents) == [("sk-perbaikan.pdf", 2), ("a.png", 1)]
    assert versions(shown.earlier_documents) == [("sk.pdf", 1)]
    assert "sk.pdf" not in current_details(nom)
    assert SK_1 in nom.every_document
    assert [document_row(ref)[:3] for ref in (shown.documents[0], shown.earlier_documents[0])] == [
        ["SK penetapan sentra IKM", "2", "sk-perbaikan.pdf"],
        ["SK penetapan sentra IKM", "1", "sk.pdf"],
    ]
    nom.apply(passes(), NOW)  # the verifier decides on the corrected dossier
    assert nom.stage == Stage.TECHNICAL_ASSESSMENT


def test_a_proposal_numbers_nothing_itself_and_holds_no_lab_report() -> None:
    """The versions are the engine's: a proposal claiming version 9 starts at 1. The lab's
    report is the lab's: a proposal (or a correction) listing a file in its slot is refused
    at that file's slot, by every front end (they all ask `documents_referenced`)."""
    base = fresh(0)
    claimed = base.model_copy(update={"documents": [SK_1.model_copy(update={"version": 9})]})
    nom = Nomination.propose(claimed, CONFIG, proposer(claimed))
    assert versions(nom.proposal.documents) == [("sk.pdf", 1)]

    lhu = checked_document(Slot.LAB_REPORT, "LHU.pdf", pdf(b"lhu"))
    with_lhu = base.model_copy(update={"documents": [SK_1, lhu]})
    with pytest.raises(Refused) as refused:
        documents_referenced(with_lhu)
    assert refused.value.fields == ["documents.1.slot"]
    assert "dikirim oleh Balai Besar" in refused.value.problems[0].message
    corrected = Resubmission(actor=proposer(base), proposal=with_lhu)
    with pytest.raises(Refused) as refused:
        documents_referenced(corrected)
    assert refused.value.fields == ["proposal.documents.1.slot"]
