"""The rules on certificates: what the public sees of one, where it is verified, and who may
revoke one and how; and the PDF, the same bytes for the same record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from domain.certificates import (
    PublicCertificate,
    Revocation,
    check_revocation,
    is_certificate_number,
    require_in_force,
    statement,
    verification_url,
)
from domain.errors import RefusalKind, Refused
from domain.proposal import Commodity
from domain.regions import Province
from reports.certificate import render_certificate
from tests.support import OPERATOR, VERIFIER

NUMBER = "0007/OVOP/IKMA/2026"
CERT = PublicCertificate(
    number=NUMBER,
    cycle="2026",
    ikm_name="Batik Tulis Jlamprang Bu Ratna",
    product_name="Batik Tulis Jlamprang",
    commodity=Commodity.KAIN_BATIK,
    regency="Kota Pekalongan",
    province=Province("Jawa Tengah"),
    stars=3,
    awarded_at=datetime(2026, 12, 9, 3, 0, tzinfo=UTC),
)
REVOKED = CERT.model_copy(
    update={"revoked_at": datetime(2027, 1, 4, tzinfo=UTC), "revocation_reason": "data palsu"}
)


def revocation(actor=OPERATOR, reason: str = "data usulan terbukti palsu") -> Revocation:
    return Revocation(number=NUMBER, reason=reason, actor=actor)


def refusal(error: pytest.ExceptionInfo[Refused]) -> tuple[RefusalKind, list[str]]:
    return error.value.kind, error.value.fields


def test_the_public_sees_the_award_and_nothing_personal() -> None:
    assert set(PublicCertificate.model_fields) == {
        "number",
        "cycle",
        "ikm_name",
        "product_name",
        "commodity",
        "regency",
        "province",
        "stars",
        "awarded_at",
        "revoked_at",
        "revocation_reason",
    }
    assert CERT.model_dump()["status"] == "berlaku"
    assert REVOKED.model_dump()["status"] == "dicabut"


def test_the_verification_url_is_the_public_address_and_the_number() -> None:
    assert verification_url("https://ovop.kemenperin.go.id/", NUMBER) == (
        "https://ovop.kemenperin.go.id/verifikasi/0007/OVOP/IKMA/2026"
    )
    assert is_certificate_number(NUMBER)
    for other in ["7/OVOP/IKMA/2026", "0007/OVOP/IKMA/26", "0007/ovop/ikma/2026", "", "x"]:
        assert not is_certificate_number(other), other


def test_an_operator_revokes_a_certificate_that_stands() -> None:
    check_revocation(revocation(), CERT)


def test_only_an_operator_revokes() -> None:
    with pytest.raises(Refused) as error:
        check_revocation(revocation(VERIFIER), CERT)
    assert refusal(error) == (RefusalKind.ACCESS, ["actor.role"])


def test_a_reason_is_required() -> None:
    for blank in ["", "   "]:
        with pytest.raises(ValidationError) as error:
            revocation(reason=blank)
        assert [e["loc"] for e in error.value.errors()] == [("reason",)]


def test_an_unknown_or_revoked_certificate_is_not_revoked_again() -> None:
    with pytest.raises(Refused) as unknown:
        check_revocation(revocation(), None)
    assert refusal(unknown) == (RefusalKind.NOT_FOUND, ["number"])
    with pytest.raises(Refused) as again:
        check_revocation(revocation(), REVOKED)
    assert refusal(again) == (RefusalKind.CONFLICT, ["number"])


def test_a_revoked_certificate_is_not_handed_out() -> None:
    require_in_force(CERT)
    with pytest.raises(Refused) as error:
        require_in_force(REVOKED)
    assert refusal(error) == (RefusalKind.GONE, ["number"])


def test_the_statement_says_valid_revoked_or_unknown() -> None:
    assert statement(CERT, NUMBER).startswith(f"Sertifikat nomor {NUMBER} sah dan tercatat")
    assert statement(REVOKED, NUMBER) == (
        f"Sertifikat nomor {NUMBER} telah dicabut pada tanggal 4 Januari 2027 dan tidak "
        "berlaku lagi. Alasan pencabutan: data palsu"
    )
    assert statement(None, "0999/OVOP/IKMA/2026").startswith(
        "Nomor sertifikat 0999/OVOP/IKMA/2026 tidak terdaftar"
    )


def test_the_same_record_gives_the_same_pdf() -> None:
    first = render_certificate(CERT, "https://ovop.kemenperin.go.id")
    assert first.startswith(b"%PDF-")
    assert render_certificate(CERT, "https://ovop.kemenperin.go.id") == first
    assert render_certificate(CERT, "http://localhost:8000") != first
