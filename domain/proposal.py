"""The regional government's proposal of an IKM for the OVOP award."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic.networks import validate_email

from domain.documents import ProposalDocumentRef
from domain.permits import DISTRIBUTION_PERMITS as DISTRIBUTION_PERMITS
from domain.permits import PermitKind as PermitKind
from domain.regions import REGENCY_PATTERN, Province, RegionHead, normalize_regency
from domain.text import HIDDEN_IN_LINE, HIDDEN_IN_LINES, Shaped, stripped, without


def _hidden(hidden: str, multi_line: bool) -> Callable[[str], str]:
    def refusal(value: str) -> str:
        bad = re.search(hidden, value)
        if bad is None:
            return "tidak boleh kosong (hanya berisi karakter tak terlihat)"
        where = "" if multi_line else "; tulis dalam satu baris"
        return (
            f"mengandung karakter tersembunyi U+{ord(bad.group()):04X} (karakter kendali atau "
            f"pembalik arah teks){where}"
        )

    return refusal


@lru_cache(maxsize=4096)
def _email(value: str) -> str:
    """`EmailStr`'s check and normal form (pydantic's, through email_validator),
    remembered: every activity input and workflow task that carries recipients checks
    the same few addresses again, and that check was 6 % of the worker's Python time."""
    return validate_email(value)[1]


def _ascii_email(value: str) -> str:
    if not value.isascii():
        raise ValueError(
            "alamat email harus huruf Latin tanpa aksen (ASCII): server surat tidak dapat "
            "mengirim ke alamat lain"
        )
    return value


_SHOWN = (
    "; spasi di awal dan akhir diabaikan; harus memuat karakter yang terlihat (bukan hanya "
    "spasi atau karakter format seperti U+200B)"
)
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Shaped(
        without(HIDDEN_IN_LINE),
        _hidden(HIDDEN_IN_LINE, multi_line=False),
        "Satu baris teks, tanpa karakter kendali atau pembalik arah teks" + _SHOWN,
    ),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    Shaped(
        without(HIDDEN_IN_LINES),
        _hidden(HIDDEN_IN_LINES, multi_line=True),
        "Teks (boleh beberapa baris), tanpa karakter kendali selain tab dan baris baru, "
        "tanpa pembalik arah teks" + _SHOWN,
    ),
]
Email = Annotated[
    str,
    AfterValidator(_email),
    AfterValidator(_ascii_email),
    Field(
        json_schema_extra={"format": "email"},  # as EmailStr's
        description=(
            "Alamat email yang dapat dikirimi surat, dalam huruf ASCII: domain khusus (.test, "
            ".invalid, .local, .localhost, .onion, .arpa) dan domain internasional ditolak"
        ),
    ),
]

_SEPARATOR = "[ ().-]"  # what people write between a phone number's digits


def _phone(value: str) -> str:
    """`0812-3456-7890` -> `+6281234567890`."""
    digits = re.sub(_SEPARATOR, "", value).removeprefix("+")
    return "+62" + (digits[1:] if digits.startswith("0") else digits.removeprefix("62"))


def _province(value: object) -> object:
    return Province.parse(value) if isinstance(value, str) else value


Nib = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    Shaped(
        stripped("^[0-9]{13}$"),
        lambda _: "NIB (Nomor Induk Berusaha) harus 13 digit angka",
        "NIB (Nomor Induk Berusaha): 13 digit angka; spasi di awal dan akhir diabaikan",
    ),
]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    Shaped(
        stripped(rf"^{_SEPARATOR}*(\+62|62|0)({_SEPARATOR}*[0-9]){{8,13}}{_SEPARATOR}*$"),
        lambda _: "nomor telepon Indonesia tidak valid (contoh: 0812 3456 7890)",
        "Nomor telepon Indonesia: diawali 0, 62 atau +62, lalu 8 sampai 13 digit; spasi, "
        "titik, tanda hubung dan kurung di antaranya boleh. Disimpan sebagai +62...",
    ),
    AfterValidator(_phone),
]
ProvinceName = Annotated[Province, BeforeValidator(_province)]
Regency = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=200),
    Shaped(
        REGENCY_PATTERN,
        lambda text: f"nama kabupaten/kota harus diawali 'Kabupaten' atau 'Kota', bukan {text!r}",
        "Kabupaten atau kota: diawali 'Kabupaten' (atau 'Kab.') atau 'Kota', huruf besar "
        "atau kecil, lalu namanya, tanpa karakter kendali; disimpan sebagai "
        "'Kabupaten Bantul' atau 'Kota Pekalongan'",
    ),
    AfterValidator(normalize_regency),
]
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
    """The bupati's or wali kota's decree (SK) that establishes the sentra IKM; in DKI
    Jakarta, the wali kota or bupati administrasi's, or the governor's."""

    number: Text
    date: date
    issued_by: RegionHead = Field(
        description=(
            "Penetap SK: bupati (kabupaten) atau wali kota (nilai `walikota`); di DKI Jakarta "
            "juga bupati/wali kota administrasi atau gubernur"
        )
    )
    issuer_region: Regency


class Sentra(Model):
    """The industry cluster the IKM belongs to."""

    name: Text
    regency: Regency
    province: ProvinceName
    decree: Decree


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
    non_halal: bool = Field(
        False,
        description=(
            "Produk tidak halal (mengandung bahan yang tidak halal, misalnya babi atau "
            "alkohol): dikecualikan dari kewajiban sertifikat halal dan wajib diberi keterangan "
            "tidak halal pada kemasannya. Produk makanan dan minuman yang tidak dinyatakan "
            "tidak halal wajib memiliki sertifikat halal."
        ),
    )


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
    documents: list[ProposalDocumentRef] = Field(
        default_factory=list,
        max_length=60,
        description=(
            "Berkas usulan yang telah diunggah (`POST /documents`), sebagai rujukan dan "
            "SHA-256-nya saja: isinya disimpan di luar Temporal"
        ),
    )
