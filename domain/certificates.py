"""Award certificates as anyone may check them: what a certificate tells the public, where it
is verified, and the rules on revoking one.

A certificate carries nothing personal: the IKM's business name, its product, where the
sentra is, the commodity, the stars and the cycle; never the owner, a NIB, an email or a
phone number. `PublicCertificate` is that list, and the certificate, the verification page
and its JSON are all drawn from it.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote

from pydantic import computed_field

from domain.access import REVOKING_ROLES, require_role
from domain.decisions import Actor
from domain.errors import RefusalKind, Refused
from domain.presentation import full_date
from domain.proposal import Commodity, Model, Text
from domain.regions import Province

# `0007/OVOP/IKMA/2026`: the serial within the cycle, then program, issuer, cycle.
NUMBER_PATTERN = re.compile(r"^[0-9]{4,}/OVOP/IKMA/[0-9]{4}$")
VERIFICATION_PREFIX = "/verifikasi/"


def certificate_number(cycle: str, serial: int) -> str:
    return f"{serial:04d}/OVOP/IKMA/{cycle}"


def is_certificate_number(text: str) -> bool:
    return NUMBER_PATTERN.fullmatch(text) is not None


def verification_url(public_url: str, number: str) -> str:
    """Where anyone checks certificate `number`: the page its QR code opens."""
    return public_url.rstrip("/") + VERIFICATION_PREFIX + quote(number, safe="/")


class CertificateStatus(StrEnum):
    IN_FORCE = "berlaku"
    REVOKED = "dicabut"


class PublicCertificate(Model):
    """What a certificate says, and whether it still stands: public, and nothing personal."""

    number: str
    cycle: str
    ikm_name: str
    product_name: str
    commodity: Commodity
    regency: str
    province: Province
    stars: int
    awarded_at: datetime
    revoked_at: datetime | None = None
    revocation_reason: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> CertificateStatus:
        return CertificateStatus.REVOKED if self.revoked_at else CertificateStatus.IN_FORCE


class Revocation(Model):
    """An operator withdraws a certificate, saying why (the reason is shown to the public)."""

    number: Text
    reason: Text
    actor: Actor


def unknown(number: str) -> Refused:
    return Refused.one(
        "number", f"tidak ada sertifikat OVOP dengan nomor {number}", RefusalKind.NOT_FOUND
    )


def check_revocation(revocation: Revocation, found: PublicCertificate | None) -> None:
    """Raise `Refused` unless `revocation` may be made: by an operator, of a certificate
    that was issued and still stands."""
    require_role(revocation.actor, REVOKING_ROLES)
    if found is None:
        raise unknown(revocation.number)
    if found.revoked_at is not None:
        raise Refused.one(
            "number",
            f"sertifikat {found.number} sudah dicabut sebelumnya ({found.revocation_reason})",
            RefusalKind.CONFLICT,
        )


def require_in_force(found: PublicCertificate) -> None:
    """A revoked certificate is not handed out again."""
    if found.revoked_at is not None:
        raise Refused.one(
            "number",
            f"sertifikat {found.number} telah dicabut dan tidak diterbitkan lagi "
            f"(alasan: {found.revocation_reason})",
            RefusalKind.GONE,
        )


ISSUER = "Direktorat Jenderal Industri Kecil, Menengah, dan Aneka"


def statement(found: PublicCertificate | None, number: str) -> str:
    """What the verification of `number` answers, as one formal sentence."""
    if found is None:
        return (
            f"Nomor sertifikat {number} tidak terdaftar: sertifikat dengan nomor ini tidak "
            f"diterbitkan oleh {ISSUER} dan tidak dapat dianggap sah."
        )
    if found.revoked_at is not None:
        return (
            f"Sertifikat nomor {found.number} telah dicabut pada tanggal "
            f"{full_date(found.revoked_at)} dan tidak berlaku lagi. "
            f"Alasan pencabutan: {found.revocation_reason}"
        )
    return (
        f"Sertifikat nomor {found.number} sah dan tercatat pada {ISSUER} sebagai "
        f"penghargaan IKM OVOP tahun {found.cycle}."
    )
