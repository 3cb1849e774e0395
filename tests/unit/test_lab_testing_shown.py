"""Samples and test results where people read a nomination (`lab_testing`): the Web UI's
details (`current_details`) and `ovop show` (`print_view`)."""

from __future__ import annotations

from datetime import date

import pytest

from cli.inspection import print_view
from domain.examples import example_findings, example_sample_receipt
from domain.lab_testing import SampleCondition
from domain.nomination import Nomination
from domain.presentation import current_details, view
from domain.stages import Stage
from tests.support import CONFIG, NOW, SAMPLES, at_stage, findings

RECEIVED = date(2026, 4, 1)  # NOW's day, in every zone of the labs


def template_of(nom: Nomination) -> list[str]:
    assert SAMPLES.lab_testing is not None
    return [
        p.name for p in SAMPLES.lab_testing.templates[nom.proposal.product.commodity].parameters
    ]


def sample_asked(nom: Nomination) -> str:
    assert SAMPLES.lab_testing is not None
    return SAMPLES.lab_testing.templates[nom.proposal.product.commodity].sample


def assessed(conforms: bool) -> Nomination:
    nom = at_stage(Stage.TECHNICAL_ASSESSMENT, config=SAMPLES)
    nom.apply(example_findings(SAMPLES, nom.proposal, conforms=conforms), NOW)
    return nom


def test_while_the_sample_is_awaited_the_details_say_what_to_send_and_where() -> None:
    nom = at_stage(Stage.SAMPLE_AWAITED)
    details = current_details(nom)

    assert "**Tahap:** Pengiriman Sampel Produk (`SAMPLE_AWAITED`)" in details
    assert f"**Sampel yang diminta:** {sample_asked(nom)}, dikirim ke {nom.lab.label}" in details
    assert "Sampel diterima" not in details and "Hasil uji" not in details
    assert view(nom).sample_asked is not None and view(nom).sample_received is None


def test_once_received_the_details_give_its_day_condition_and_receiver() -> None:
    nom = at_stage(Stage.TECHNICAL_ASSESSMENT, config=SAMPLES)
    details = current_details(nom)

    assert (
        "**Sampel diterima:** 1 April 2026, kondisi baik, diterima oleh Petugas Sampel" in details
    )
    assert "Sampel yang diminta" not in details
    assert view(nom).sample_asked is None


def test_a_damaged_sample_s_note_is_shown_as_typed() -> None:
    nom = at_stage(Stage.SAMPLE_AWAITED)
    damaged = example_sample_receipt(SAMPLES, nom.proposal, RECEIVED).model_copy(
        update={"condition": SampleCondition.DAMAGED, "note": "toples *retak*"}
    )
    nom.apply(damaged, NOW)

    assert "kondisi rusak, diterima oleh Petugas Sampel (toples \\*retak\\*)" in current_details(
        nom
    )


def test_the_lab_s_results_are_listed_per_parameter_of_the_template() -> None:
    nom = assessed(conforms=True)
    details = current_details(nom)

    assert "**Hasil uji Balai Besar:**" in details
    for name in template_of(nom):
        assert f"- {name} (" in details
    assert "TIDAK MEMENUHI" not in details and "Rekomendasi Balai Besar" not in details
    assert [t.parameter for t in view(nom).lab_tests] == template_of(nom)
    assert view(nom).lab_advice is None


def test_a_product_that_does_not_conform_is_flagged_with_the_lab_s_recommendation() -> None:
    nom = assessed(conforms=False)
    details = current_details(nom)
    first = template_of(nom)[0]

    assert nom.stage == Stage.PANEL_SCORING
    assert "**⚠ Rekomendasi Balai Besar:** " in details
    assert "TIDAK MEMENUHI STANDAR (laporan LHU/" in details
    assert f"{first} (" in details and "melebihi batas" in details
    assert details.count("— TIDAK MEMENUHI") == 1


def test_a_cycle_without_samples_shows_its_free_form_tests_and_no_sample() -> None:
    nom = at_stage(Stage.TECHNICAL_ASSESSMENT, config=CONFIG)
    nom.apply(findings(nom.lab, conforms=False), NOW)
    details = current_details(nom)

    assert nom.stage == Stage.NOT_AWARDED
    assert "Sampel diterima" not in details and "Sampel yang diminta" not in details
    assert "- kadar air: 4,8 %, persyaratan SNI 2907:2008 — TIDAK MEMENUHI" in details
    # Without samples a non-conforming product ends there: an outcome, not a recommendation.
    assert "Rekomendasi Balai Besar" not in details
    assert "produk tidak memenuhi standar pada uji Balai Besar" in details


def test_ovop_show_prints_the_sample_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    nom = at_stage(Stage.SAMPLE_AWAITED)
    print_view(view(nom))
    out = capsys.readouterr().out

    assert f"  Sampel      : {sample_asked(nom)}, dikirim ke {nom.lab.label}" in out
    assert "Hasil uji Balai Besar" not in out


def test_ovop_show_prints_the_receipt_the_results_table_and_the_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    nom = assessed(conforms=False)
    print_view(view(nom))
    out = capsys.readouterr().out
    lines = out.splitlines()

    assert "  Sampel      : diterima 1 April 2026, kondisi baik, diterima oleh Petugas Sampel" in (
        lines
    )
    header = lines.index("Hasil uji Balai Besar:") + 1
    assert lines[header].split() == ["PARAMETER", "METODE", "HASIL", "PERSYARATAN", "MEMENUHI"]
    rows = lines[header + 2 : header + 2 + len(template_of(nom))]
    assert all(row.startswith(name) for row, name in zip(rows, template_of(nom), strict=True))
    assert rows[0].endswith("TIDAK") and all(row.endswith("ya") for row in rows[1:])
    assert any(
        line.startswith("PERHATIAN: ") and "TIDAK MEMENUHI STANDAR" in line for line in lines
    )
