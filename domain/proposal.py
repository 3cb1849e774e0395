"""The regional government's proposal of an IKM for the OVOP award."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
)

from domain.regions import Province, RegionHead, normalize_regency

# Characters no text here may hold: controls (NUL, escapes; line breaks in a single line),
# and the bidi controls that reorder what a reader sees. A line break in a name ends up in
# a mail header, which no mail can carry; a NUL, in the records, which PostgreSQL cannot.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_VISIBLE = frozenset("LNPS")  # letters, numbers, punctuation, symbols (emoji included)


def _hidden(c: str, multi_line: bool) -> bool:
    kind = unicodedata.category(c)
    if multi_line:
        return (kind == "Cc" and c not in "\t\n\r") or c in _BIDI_CONTROLS
    return kind in ("Cc", "Zl", "Zp") or c in _BIDI_CONTROLS


def _shown(value: str, multi_line: bool) -> str:
    bad = next((c for c in value if _hidden(c, multi_line)), None)
    if bad is not None:
        where = "" if multi_line else "; tulis dalam satu baris"
        raise ValueError(
            f"mengandung karakter tersembunyi U+{ord(bad):04X} (karakter kendali atau "
            f"pembalik arah teks){where}"
        )
    if not any(unicodedata.category(c)[0] in _VISIBLE for c in value):
        raise ValueError("tidak boleh kosong (hanya berisi karakter tak terlihat)")
    return value


def _line(value: str) -> str:
    return _shown(value, multi_line=False)


def _lines(value: str) -> str:
    return _shown(value, multi_line=True)


def _ascii_email(value: str) -> str:
    if not value.isascii():
        raise ValueError(
            "alamat email harus huruf Latin tanpa aksen (ASCII): server surat tidak dapat "
            "mengirim ke alamat lain"
        )
    return value


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_line),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    AfterValidator(_lines),
]
Email = Annotated[EmailStr, AfterValidator(_ascii_email)]


def _nib(value: str) -> str:
    digits = value.strip()
    if not re.fullmatch(r"\d{13}", digits):
        raise ValueError("NIB (Nomor Induk Berusaha) harus 13 digit angka")
    return digits


def _phone(value: str) -> str:
    compact = re.sub(r"[\s\-().]", "", value)
    if compact.startswith("0"):
        compact = "+62" + compact[1:]
    elif compact.startswith("62"):
        compact = "+" + compact
    if not re.fullmatch(r"\+62\d{8,13}", compact):
        raise ValueError("nomor telepon Indonesia tidak valid (contoh: 0812 3456 7890)")
    return compact


def _province(value: object) -> object:
    return Province.parse(value) if isinstance(value, str) else value


def _regency(value: object) -> object:
    return normalize_regency(value) if isinstance(value, str) else value


Nib = Annotated[str, AfterValidator(_nib)]
Phone = Annotated[str, AfterValidator(_phone)]
ProvinceName = Annotated[Province, BeforeValidator(_province)]
Regency = Annotated[str, BeforeValidator(_regency)]
Cycle = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]  # an award round, e.g. "2026"


class Model(BaseModel):
    """Strict about unknown fields, so a misspelt field is an error rather than lost data."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Commodity(StrEnum):
    MAKANAN_MINUMAN = "makanan_minuman"
    KAIN_TENUN = "kain_tenun"
    KAIN_BATIK = "kain_batik"
    ANYAMAN = "anyaman"
    GERABAH = "gerabah"

    @property
    def label(self) -> str:
        return _COMMODITY_LABELS[self]


_COMMODITY_LABELS = {
    Commodity.MAKANAN_MINUMAN: "Makanan dan Minuman",
    Commodity.KAIN_TENUN: "Kain Tenun",
    Commodity.KAIN_BATIK: "Kain Batik",
    Commodity.ANYAMAN: "Anyaman",
    Commodity.GERABAH: "Gerabah",
}


class Contact(Model):
    name: Text
    email: Email
    phone: Phone


class Ikm(Model):
    """The small or medium industry enterprise being proposed."""

    name: Text
    nib: Nib
    owner: Contact


class Decree(Model):
    """The bupati's or walikota's decree (SK) that establishes the sentra IKM."""

    number: Text
    date: date
    issued_by: RegionHead
    issuer_region: Regency


class Sentra(Model):
    """The industry cluster the IKM belongs to."""

    name: Text
    regency: Regency
    province: ProvinceName
    decree: Decree


class PermitKind(StrEnum):
    PIRT = "PIRT"  # Sertifikat Produksi Pangan Industri Rumah Tangga
    BPOM = "BPOM"  # Izin edar BPOM (MD)
    HALAL = "HALAL"  # Sertifikat halal (BPJPH)
    SNI = "SNI"
    HAKI = "HAKI"  # registered mark or design


DISTRIBUTION_PERMITS = frozenset({PermitKind.PIRT, PermitKind.BPOM})


class Permit(Model):
    kind: PermitKind
    number: Text
    valid_until: date | None = None


class Product(Model):
    name: Text
    description: LongText
    commodity: Commodity
    local_raw_materials: list[Text] = Field(min_length=1, max_length=30)
    permits: list[Permit] = Field(default_factory=list, max_length=20)


class Office(Model):
    """An industry office (Dinas Perindustrian) and the person who handles OVOP there."""

    name: Text
    contact: Contact


class PreviousAward(Model):
    """An earlier OVOP award of this IKM's product: the proposal is a re-assessment."""

    cycle: Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
    certificate_number: Text
    stars: int = Field(ge=1, le=10)


class Proposal(Model):
    """A nomination as the regency/city industry office submits it."""

    cycle: Cycle
    proposed_on: date
    ikm: Ikm
    sentra: Sentra
    product: Product
    proposing_office: Office
    provincial_office: Office
    previous_award: PreviousAward | None = None
