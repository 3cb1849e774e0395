"""A correction's dossier from the files its form uploads: a new SK sentra or NIB
document replaces the one held, photos and further files are added, the rest stays."""

from __future__ import annotations

import pytest

from domain.documents import (
    Slot,
    checked_document,
    resubmitted_documents,
    revised_documents,
)
from domain.errors import Refused
from domain.permits import PermitKind
from tests.documents import pdf, png

SK_1 = checked_document(Slot.SENTRA_DECREE, "sk.pdf", pdf(b"sk-1"))
SK_2 = checked_document(Slot.SENTRA_DECREE, "sk-perbaikan.pdf", pdf(b"sk-2"))
NIB = checked_document(Slot.NIB, "nib.pdf", pdf(b"nib"))
PHOTO_A = checked_document(Slot.PHOTO, "a.png", png(b"a"))
PHOTO_B = checked_document(Slot.PHOTO, "b.png", png(b"b"))
HALAL = checked_document(Slot.PERMIT, "halal.pdf", pdf(b"halal"), PermitKind.HALAL)
PROFILE = checked_document(Slot.FURTHER, "profil.pdf", pdf(b"profil"))


def test_an_uploaded_sk_replaces_the_held_one_and_photos_are_added() -> None:
    held = [SK_1, NIB, PHOTO_A, HALAL]
    sent = resubmitted_documents(held, [SK_2, PHOTO_B, PROFILE])
    assert sent == [NIB, PHOTO_A, HALAL, SK_2, PHOTO_B, PROFILE]
    documents, earlier = revised_documents(held, [], sent)
    assert [(d.name, d.version) for d in documents if d.slot == Slot.SENTRA_DECREE] == [
        ("sk-perbaikan.pdf", 2)
    ]
    assert earlier == [SK_1]


def test_nothing_uploaded_sends_the_dossier_as_held_and_a_file_held_is_not_added_twice() -> None:
    held = [SK_1, PHOTO_A]
    assert resubmitted_documents(held, []) == held
    assert resubmitted_documents(held, [PHOTO_A, SK_1]) == [PHOTO_A, SK_1]


def test_two_files_for_a_single_file_slot_are_refused_at_its_field() -> None:
    with pytest.raises(Refused) as refused:
        resubmitted_documents([SK_1], [SK_2, SK_1])
    assert refused.value.problems[0].field == "documents.sk_sentra"
    assert "cukup satu berkas" in refused.value.problems[0].message
