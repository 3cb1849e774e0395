"""The proposal and its eligibility rules: each refusal names its field."""

from __future__ import annotations

import copy
import typing
from typing import Annotated, Any

import pytest
from pydantic import AfterValidator, EmailStr, Field, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from domain.eligibility import parse_proposal
from domain.errors import Refused
from domain.examples import DEMO_EXAMPLES, example_proposals
from domain.proposal import Email, _ascii_email
from domain.regencies import REGIONS, regency_key
from domain.regions import Province, TimeZone, normalize_regency


def raw(index: int = 0) -> dict[str, Any]:
    return copy.deepcopy(example_proposals("2026")[index])


def refusal(data: dict[str, Any]) -> Refused:
    with pytest.raises(Refused) as caught:
        parse_proposal(data)
    return caught.value


@pytest.mark.parametrize("index", range(DEMO_EXAMPLES + 1))
def test_every_example_is_valid_and_eligible(index: int) -> None:
    p = parse_proposal(raw(index))
    assert p.cycle == "2026"


def test_all_five_commodities_and_three_time_zones_are_in_the_examples() -> None:
    proposals = [parse_proposal(raw(i)) for i in range(DEMO_EXAMPLES)]
    assert {p.product.commodity.value for p in proposals} == {
        "makanan_minuman",
        "kain_tenun",
        "kain_batik",
        "anyaman",
        "gerabah",
    }
    assert {p.sentra.province.timezone for p in proposals} == set(TimeZone)


@pytest.mark.parametrize("nib", ["123", "12345678901234", "12345678901a3", ""])
def test_nib_must_be_thirteen_digits(nib: str) -> None:
    data = raw()
    data["ikm"]["nib"] = nib
    error = refusal(data)
    assert error.fields == ["ikm.nib"]
    assert "13 digit" in str(error)


def test_unknown_commodity_names_the_field() -> None:
    data = raw()
    data["product"]["commodity"] = "furnitur"
    error = refusal(data)
    assert error.fields == ["product.commodity"]
    assert "makanan_minuman" in str(error)


def test_unknown_province_is_refused_and_aliases_are_understood() -> None:
    data = raw()
    data["sentra"]["province"] = "Jawa Tengah Selatan"
    assert refusal(data).fields == ["sentra.province"]
    data["sentra"]["province"] = "  jawa   tengah "
    assert parse_proposal(data).sentra.province == Province.JAWA_TENGAH


def test_regency_must_say_kabupaten_or_kota() -> None:
    data = raw()
    data["sentra"]["regency"] = "Pekalongan"
    assert "sentra.regency" in refusal(data).fields
    assert normalize_regency("kab.  bantul") == "Kabupaten Bantul"
    assert normalize_regency("KOTA pekalongan") == "Kota Pekalongan"


def test_missing_and_unknown_fields_are_named_in_indonesian() -> None:
    data = raw()
    del data["ikm"]["owner"]
    data["product"]["colour"] = "biru"
    error = refusal(data)
    messages = {p.field: p.message for p in error.problems}
    assert messages == {"ikm.owner": "wajib diisi", "product.colour": "kolom tidak dikenal"}


def test_contacts_are_checked() -> None:
    data = raw()
    data["ikm"]["owner"]["email"] = "bukan-email"
    data["proposing_office"]["contact"]["phone"] = "12"
    error = refusal(data)
    assert sorted(error.fields) == ["ikm.owner.email", "proposing_office.contact.phone"]
    good = raw()
    good["ikm"]["owner"]["phone"] = "0812-3456-7890"
    assert parse_proposal(good).ikm.owner.phone == "+6281234567890"


def test_decree_must_come_from_the_head_of_the_same_regency() -> None:
    data = raw()
    data["sentra"]["decree"]["issuer_region"] = "Kabupaten Batang"
    error = refusal(data)
    assert error.fields == ["sentra.decree.issuer_region"]
    assert "Kota Pekalongan" in str(error)


def test_a_city_decree_is_the_walikota_s() -> None:
    data = raw(0)  # Kota Pekalongan
    data["sentra"]["decree"]["issued_by"] = "bupati"
    error = refusal(data)
    assert error.fields == ["sentra.decree.issued_by"]
    assert "oleh wali kota, bukan bupati" in str(error)


def test_decree_may_not_postdate_the_proposal() -> None:
    data = raw()
    data["sentra"]["decree"]["date"] = "2026-03-03"
    error = refusal(data)
    assert error.fields == ["sentra.decree.date"]
    data["sentra"]["decree"]["date"] = "2026-03-02"
    assert parse_proposal(data).sentra.decree.date.isoformat() == "2026-03-02"


def test_food_needs_a_distribution_permit() -> None:
    data = raw(4)
    data["product"]["permits"] = [p for p in data["product"]["permits"] if p["kind"] == "HALAL"]
    error = refusal(data)
    assert error.fields == ["product.permits"]
    assert "PIRT atau BPOM" in str(error)


def test_food_needs_a_halal_certificate() -> None:
    data = raw(5)
    data["product"]["permits"] = [p for p in data["product"]["permits"] if p["kind"] != "HALAL"]
    error = refusal(data)
    assert error.fields == ["product.permits"]
    assert "halal" in str(error)


def test_crafts_need_no_food_permits() -> None:
    data = raw(3)  # anyaman
    data["product"]["permits"] = []
    assert parse_proposal(data).product.permits == []


def test_an_expired_permit_is_refused() -> None:
    data = raw(4)
    data["product"]["permits"][0]["valid_until"] = "2025-12-31"
    error = refusal(data)
    assert error.fields == ["product.permits.0.valid_until"]


def test_every_problem_is_reported_at_once() -> None:
    data = raw(4)
    data["product"]["permits"] = []
    data["sentra"]["decree"]["issued_by"] = "walikota"
    data["sentra"]["decree"]["date"] = "2027-01-01"
    error = refusal(data)
    assert sorted(error.fields) == [
        "product.permits",
        "product.permits",
        "sentra.decree.date",
        "sentra.decree.issued_by",
    ]


def test_indonesia_has_38_provinces_in_three_time_zones() -> None:
    assert len(Province) == 38
    zones = [p.timezone for p in Province]
    assert (zones.count(TimeZone.WIB), zones.count(TimeZone.WITA), zones.count(TimeZone.WIT)) == (
        18,
        12,
        8,
    )
    assert Province.PAPUA_PEGUNUNGAN.timezone == TimeZone.WIT
    assert Province.BALI.timezone == TimeZone.WITA
    assert Province.ACEH.timezone == TimeZone.WIB


# --- the regency on the Kemendagri list, DKI Jakarta's decrees, halal ------------------


def test_the_kemendagri_list_holds_every_province_and_its_regencies() -> None:
    assert {r.province for r in REGIONS.values()} == set(Province)
    assert len(REGIONS) == 514
    assert REGIONS[regency_key("Kota Pekalongan")].code == "33.75"


def test_a_regency_outside_its_province_is_refused_naming_where_it_lies() -> None:
    data = raw(0)  # Kota Pekalongan
    data["sentra"]["province"] = "Bali"
    error = refusal(data)
    assert error.fields == ["sentra.regency"]
    assert '"Kota Pekalongan" tidak terletak di Provinsi Bali' in str(error)
    assert "Provinsi Jawa Tengah (kode wilayah 33.75" in str(error)


def test_a_misspelt_regency_is_answered_with_the_likely_name() -> None:
    data = raw(0)
    data["sentra"]["regency"] = data["sentra"]["decree"]["issuer_region"] = "Kab. Pekalongn"
    data["sentra"]["decree"]["issued_by"] = "bupati"
    error = refusal(data)
    assert error.fields == ["sentra.regency"]
    assert "mungkin maksud Anda: Kabupaten Pekalongan?" in str(error)
    data["sentra"]["province"] = "Bali"
    assert "mungkin maksud Anda: Kabupaten Pekalongan, Provinsi Jawa Tengah?" in str(refusal(data))


def test_common_spellings_of_a_regency_are_accepted() -> None:
    for written in ("kab. pangkajene dan kepulauan", "Kabupaten Pangkajene Dan Kepulauan"):
        data = raw(1)
        data["sentra"]["regency"] = data["sentra"]["decree"]["issuer_region"] = written
        data["sentra"]["province"] = "Sulawesi Selatan"
        assert parse_proposal(data).sentra.regency == "Kabupaten Pangkajene Dan Kepulauan"


def jakarta_timur(issued_by: str, regency: str = "Kota Jakarta Timur") -> dict[str, Any]:
    data = raw(0)
    data["sentra"].update(regency=regency, province="DKI Jakarta")
    data["sentra"]["decree"].update(issuer_region=regency, issued_by=issued_by)
    return data


@pytest.mark.parametrize("issued_by", ["walikota", "gubernur"])
def test_a_jakarta_sentra_s_decree_is_the_administrative_mayor_s_or_the_governor_s(
    issued_by: str,
) -> None:
    p = parse_proposal(jakarta_timur(issued_by))
    assert p.sentra.province == Province.DKI_JAKARTA
    official = jakarta_timur(issued_by, "Kota Administrasi Jakarta Timur")
    assert parse_proposal(official).sentra.regency == "Kota Administrasi Jakarta Timur"


def test_the_thousand_islands_decree_is_the_administrative_regent_s_or_the_governor_s() -> None:
    for issued_by in ("bupati", "gubernur"):
        parse_proposal(jakarta_timur(issued_by, "Kab. Adm. Kepulauan Seribu"))
    error = refusal(jakarta_timur("walikota", "Kabupaten Kepulauan Seribu"))
    assert error.fields == ["sentra.decree.issued_by"]
    assert "bupati administrasi atau gubernur, bukan wali kota" in str(error)


def test_a_jakarta_decree_from_a_regent_and_a_governor_elsewhere_are_refused() -> None:
    error = refusal(jakarta_timur("bupati"))
    assert error.fields == ["sentra.decree.issued_by"]
    assert "wali kota administrasi atau gubernur, bukan bupati" in str(error)
    data = raw(0)
    data["sentra"]["decree"]["issued_by"] = "gubernur"
    assert refusal(data).fields == ["sentra.decree.issued_by"]


def test_a_non_halal_food_product_is_accepted_as_such() -> None:
    data = raw(5)
    data["product"]["permits"] = [p for p in data["product"]["permits"] if p["kind"] != "HALAL"]
    data["product"]["non_halal"] = True
    assert parse_proposal(data).product.non_halal


def test_a_product_claiming_halal_needs_the_certificate() -> None:
    data = raw(5)
    data["product"]["permits"] = [p for p in data["product"]["permits"] if p["kind"] != "HALAL"]
    assert data["product"].get("non_halal", False) is False  # halal unless declared not
    error = refusal(data)
    assert error.fields == ["product.permits"]
    assert "wajib memiliki sertifikat halal" in str(error)


def test_a_non_halal_product_holds_no_halal_certificate() -> None:
    data = raw(5)
    data["product"]["non_halal"] = True
    assert refusal(data).fields == ["product.non_halal"]


@pytest.mark.parametrize(
    "value",
    [
        "bukan-email",
        "a@b.test",
        "A.B@Example.ID",
        " a@example.id ",
        "a@xn--bcher-kva.example",
        "x" * 300 + "@example.id",
        123,
        None,
    ],
)
def test_an_email_is_checked_as_pydantic_checks_an_email_str(value: object) -> None:
    # `Email` remembers pydantic's check of each address (it was a sixth of the worker's
    # Python time); what it accepts, its normal form and its errors must stay those of the
    # EmailStr it was, with its own ASCII rule after.
    was = Annotated[EmailStr, AfterValidator(_ascii_email)]

    def outcome(kind: Any) -> object:
        try:
            return TypeAdapter(kind).validate_python(value)
        except ValidationError as refused:
            return [(e["type"], e["msg"]) for e in refused.errors()]

    assert outcome(Email) == outcome(was)
    assert outcome(Email) == outcome(Email)  # and the same again, from what it remembered


def test_an_email_has_the_json_schema_of_an_email_str() -> None:
    [field] = [m for m in typing.get_args(Email)[1:] if isinstance(m, FieldInfo)]
    was = Annotated[EmailStr, AfterValidator(_ascii_email), Field(description=field.description)]
    for shape in (lambda t: t, lambda t: list[t], lambda t: t | None):  # type: ignore[valid-type]
        assert TypeAdapter(shape(Email)).json_schema() == TypeAdapter(shape(was)).json_schema()
    assert TypeAdapter(list[Email]).json_schema()["items"]["format"] == "email"
