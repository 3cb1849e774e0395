"""What operators read and type: the visibility query behind `ovop list`, and the view
behind `ovop show`."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.labs import Lab
from domain.presentation import static_details, view
from domain.proposal import Commodity, Permit, PermitKind
from domain.regions import Province
from domain.stages import Role, Stage
from tests.support import NOW, at_stage, confirm, nomination
from workflows.visibility import NominationFilter, quote, visibility_query


def test_the_query_names_only_the_filters_given() -> None:
    assert visibility_query(NominationFilter()) == 'WorkflowType = "NominationWorkflow"'
    where = NominationFilter.model_validate(
        {
            "stage": "PANEL_SCORING",
            "cycle": "2026",
            "province": "jawa tengah",
            "regency": "kota  pekalongan",
            "commodity": "kain_batik",
            "lab": "BBSPJI_KERAJINAN_BATIK",
        }
    )
    assert visibility_query(where) == (
        'WorkflowType = "NominationWorkflow" AND OvopStage = "PANEL_SCORING" AND '
        'OvopCycle = "2026" AND OvopProvince = "Jawa Tengah" AND '
        'OvopRegency = "Kota Pekalongan" AND OvopCommodity = "kain_batik" AND '
        'OvopLab = "BBSPJI_KERAJINAN_BATIK"'
    )
    assert where.province == Province.JAWA_TENGAH
    assert (where.commodity, where.lab) == (Commodity.KAIN_BATIK, Lab.KERAJINAN_BATIK)


def test_a_quoted_value_stays_one_literal() -> None:
    assert quote("Jawa Tengah") == '"Jawa Tengah"'
    assert quote('x" OR WorkflowType = "y') == '"x\\" OR WorkflowType = \\"y"'
    assert quote("a\\") == '"a\\\\"'


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("stage", "DONE"),
        ("cycle", '2026" OR "1"="1'),
        ("province", "Narnia"),
        ("regency", "Pekalongan"),
        ("commodity", "kopi"),
        ("lab", "BBSPJI"),
    ],
)
def test_a_filter_outside_the_rulebook_is_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        NominationFilter.model_validate({field: value})
    assert refused.value.errors()[0]["loc"] == (field,)


def test_the_view_says_what_it_waits_for_and_from_whom() -> None:
    fresh = view(nomination())
    assert fresh.stage == Stage.ADMIN_VERIFICATION and fresh.waiting_for == Role.VERIFIER
    assert fresh.waiting == "keputusan verifikasi administrasi dari Verifikator Ditjen IKMA"
    assert fresh.deadline is not None and fresh.pending_jurors == []

    scoring = at_stage(Stage.PANEL_SCORING)
    shown = view(scoring)
    assert shown.waiting == "nilai dari juri Tim Seleksi: " + ", ".join(scoring.panel)
    assert shown.pending_jurors == shown.panel == scoring.panel

    deciding = at_stage(Stage.AWARD_DECISION)
    deciding.apply(confirm(), NOW)  # confirmed; the certificate number is on its way
    assert view(deciding).waiting == "penerbitan nomor sertifikat"
    assert view(deciding).waiting_for == Role.SYSTEM
    deciding.grant("0001/OVOP/IKMA/2026", NOW)
    done = view(deciding)
    assert done.stage == Stage.AWARDED and done.waiting is None and done.waiting_for is None
    assert done.certificate_number == "0001/OVOP/IKMA/2026"
    assert [e.seq for e in done.events] == list(range(1, len(deciding.events) + 1))


def test_a_permit_number_that_names_its_kind_is_not_repeated() -> None:
    p = nomination().proposal
    permits = [
        Permit(kind=PermitKind.SNI, number="SNI 8302:2016"),
        Permit(kind=PermitKind.HAKI, number="IDM000123"),
    ]
    product = p.product.model_copy(update={"permits": permits})
    details = static_details(p.model_copy(update={"product": product}))
    assert "**Izin dan sertifikat:** SNI 8302:2016, HAKI IDM000123" in details
