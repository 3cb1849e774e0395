"""The provincial office's endorsement where people read a nomination (`endorsement`): the
Web UI's details (`current_details`) and `ovop show` (`print_view`)."""

from __future__ import annotations

import pytest

from cli.inspection import print_view
from domain.decisions import EndorseOutcome, ProvincialEndorsement
from domain.examples import provincial_office_of
from domain.nomination import Nomination
from domain.presentation import current_details, view
from domain.stages import Stage
from tests.support import NOW, at_stage, endorses


def returned(reason: str = "Lengkapi SK sentra yang *berlaku*.") -> Nomination:
    nom = at_stage(Stage.PROVINCIAL_ENDORSEMENT)
    office = provincial_office_of(nom.proposal)
    nom.apply(
        ProvincialEndorsement(actor=office, outcome=EndorseOutcome.RETURN, reason=reason), NOW
    )
    return nom


def test_while_it_waits_the_details_name_the_province_s_office_and_no_decision() -> None:
    nom = at_stage(Stage.PROVINCIAL_ENDORSEMENT)
    details = current_details(nom)
    office = nom.proposal.provincial_office.name

    assert "**Tahap:** Rekomendasi Dinas Provinsi (`PROVINCIAL_ENDORSEMENT`)" in details
    assert f"**Menunggu:** rekomendasi dari {office}" in details
    assert "**Batas waktu:**" in details
    assert "Rekomendasi dinas provinsi:" not in details
    assert view(nom).endorsement is None


def test_once_endorsed_the_details_say_who_endorsed_it_and_when() -> None:
    nom = at_stage(Stage.PROVINCIAL_ENDORSEMENT)
    nom.apply(endorses(nom.proposal), NOW)
    details = current_details(nom)
    who = provincial_office_of(nom.proposal)

    assert nom.stage == Stage.ADMIN_VERIFICATION
    expected = (
        f"direkomendasikan oleh {who.institution} ({who.user_id}), 1 April 2026 pukul 09.00 WIB"
    )
    assert f"**Rekomendasi dinas provinsi:** {expected}  " in details
    assert view(nom).endorsement == expected


def test_once_returned_the_details_give_the_province_s_reason_as_typed() -> None:
    nom = returned()
    details = current_details(nom)

    assert nom.stage == Stage.REVISION_REQUESTED
    assert "**Rekomendasi dinas provinsi:** dikembalikan oleh " in details
    assert "— Lengkapi SK sentra yang \\*berlaku\\*." in details
    assert f"**Menunggu:** perbaikan usulan dari {nom.proposal.proposing_office.name}" in details


def test_a_cycle_without_endorsement_says_nothing_of_the_province() -> None:
    nom = at_stage(Stage.ADMIN_VERIFICATION)

    assert "Rekomendasi dinas provinsi" not in current_details(nom)
    assert view(nom).endorsement is None


def test_ovop_show_prints_the_province_s_decision(capsys: pytest.CaptureFixture[str]) -> None:
    nom = returned("Foto produk buram.")
    print_view(view(nom))
    lines = capsys.readouterr().out.splitlines()

    who = provincial_office_of(nom.proposal)
    assert (
        f"  Rekomendasi : dikembalikan oleh {who.institution} ({who.user_id}), "
        "1 April 2026 pukul 09.00 WIB — Foto produk buram."
    ) in lines


def test_ovop_show_names_the_office_waited_for(capsys: pytest.CaptureFixture[str]) -> None:
    nom = at_stage(Stage.PROVINCIAL_ENDORSEMENT)
    print_view(view(nom))
    out = capsys.readouterr().out

    assert f"  Menunggu    : rekomendasi dari {nom.proposal.provincial_office.name}" in out
    assert "Rekomendasi :" not in out
