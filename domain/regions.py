"""Indonesia's 38 provinces, their time zones, and how regencies and cities are named."""

from __future__ import annotations

import re
from datetime import timedelta, timezone
from enum import StrEnum

from domain.text import HIDDEN_IN_LINE, WHITESPACE, any_case, stripped


class TimeZone(StrEnum):
    WIB = "WIB"  # Waktu Indonesia Barat, UTC+7
    WITA = "WITA"  # Waktu Indonesia Tengah, UTC+8
    WIT = "WIT"  # Waktu Indonesia Timur, UTC+9

    @property
    def tzinfo(self) -> timezone:
        return _OFFSETS[self]


_OFFSETS = {
    TimeZone.WIB: timezone(timedelta(hours=7), "WIB"),
    TimeZone.WITA: timezone(timedelta(hours=8), "WITA"),
    TimeZone.WIT: timezone(timedelta(hours=9), "WIT"),
}


class Province(StrEnum):
    ACEH = "Aceh"
    SUMATERA_UTARA = "Sumatera Utara"
    SUMATERA_BARAT = "Sumatera Barat"
    RIAU = "Riau"
    KEPULAUAN_RIAU = "Kepulauan Riau"
    JAMBI = "Jambi"
    SUMATERA_SELATAN = "Sumatera Selatan"
    BANGKA_BELITUNG = "Kepulauan Bangka Belitung"
    BENGKULU = "Bengkulu"
    LAMPUNG = "Lampung"
    DKI_JAKARTA = "DKI Jakarta"
    JAWA_BARAT = "Jawa Barat"
    BANTEN = "Banten"
    JAWA_TENGAH = "Jawa Tengah"
    DI_YOGYAKARTA = "DI Yogyakarta"
    JAWA_TIMUR = "Jawa Timur"
    KALIMANTAN_BARAT = "Kalimantan Barat"
    KALIMANTAN_TENGAH = "Kalimantan Tengah"
    BALI = "Bali"
    NUSA_TENGGARA_BARAT = "Nusa Tenggara Barat"
    NUSA_TENGGARA_TIMUR = "Nusa Tenggara Timur"
    KALIMANTAN_SELATAN = "Kalimantan Selatan"
    KALIMANTAN_TIMUR = "Kalimantan Timur"
    KALIMANTAN_UTARA = "Kalimantan Utara"
    SULAWESI_UTARA = "Sulawesi Utara"
    GORONTALO = "Gorontalo"
    SULAWESI_TENGAH = "Sulawesi Tengah"
    SULAWESI_BARAT = "Sulawesi Barat"
    SULAWESI_SELATAN = "Sulawesi Selatan"
    SULAWESI_TENGGARA = "Sulawesi Tenggara"
    MALUKU = "Maluku"
    MALUKU_UTARA = "Maluku Utara"
    PAPUA = "Papua"
    PAPUA_BARAT = "Papua Barat"
    PAPUA_BARAT_DAYA = "Papua Barat Daya"
    PAPUA_TENGAH = "Papua Tengah"
    PAPUA_PEGUNUNGAN = "Papua Pegunungan"
    PAPUA_SELATAN = "Papua Selatan"

    @property
    def timezone(self) -> TimeZone:
        return _PROVINCE_TZ[self]

    @classmethod
    def parse(cls, text: str) -> Province:
        """The province named by `text`, forgiving case, spacing and common aliases."""
        key = _key(text)
        found = _BY_KEY.get(key)
        if found is None:
            raise ValueError(f"provinsi tidak dikenal: {text!r} (Indonesia memiliki 38 provinsi)")
        return found


_WITA = {
    Province.BALI,
    Province.NUSA_TENGGARA_BARAT,
    Province.NUSA_TENGGARA_TIMUR,
    Province.KALIMANTAN_SELATAN,
    Province.KALIMANTAN_TIMUR,
    Province.KALIMANTAN_UTARA,
    Province.SULAWESI_UTARA,
    Province.GORONTALO,
    Province.SULAWESI_TENGAH,
    Province.SULAWESI_BARAT,
    Province.SULAWESI_SELATAN,
    Province.SULAWESI_TENGGARA,
}
_WIT = {
    Province.MALUKU,
    Province.MALUKU_UTARA,
    Province.PAPUA,
    Province.PAPUA_BARAT,
    Province.PAPUA_BARAT_DAYA,
    Province.PAPUA_TENGAH,
    Province.PAPUA_PEGUNUNGAN,
    Province.PAPUA_SELATAN,
}
_PROVINCE_TZ = {
    p: TimeZone.WIT if p in _WIT else TimeZone.WITA if p in _WITA else TimeZone.WIB
    for p in Province
}


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


_BY_KEY: dict[str, Province] = {_key(p.value): p for p in Province}
_BY_KEY.update(
    {
        _key("Daerah Istimewa Yogyakarta"): Province.DI_YOGYAKARTA,
        _key("Yogyakarta"): Province.DI_YOGYAKARTA,
        _key("Daerah Khusus Jakarta"): Province.DKI_JAKARTA,
        _key("Daerah Khusus Ibukota Jakarta"): Province.DKI_JAKARTA,
        _key("Jakarta"): Province.DKI_JAKARTA,
        _key("Bangka Belitung"): Province.BANGKA_BELITUNG,
    }
)


class RegionHead(StrEnum):
    """Who may issue the decree (SK) that makes a sentra IKM legal.

    The values stay as stored; `label` is how a stakeholder reads them.
    """

    BUPATI = "bupati"  # head of a regency (kabupaten)
    WALIKOTA = "walikota"  # mayor of a city (kota): "wali kota", in two words
    GUBERNUR = "gubernur"  # DKI Jakarta's governor, who appoints its mayors and regent

    @property
    def label(self) -> str:
        return _HEAD_LABELS[self]


_HEAD_LABELS = {
    RegionHead.BUPATI: "bupati",
    RegionHead.WALIKOTA: "wali kota",
    RegionHead.GUBERNUR: "gubernur",
}


# A kabupaten or kota, as people write it ("kab. pekalongan"), in a single line.
REGENCY_PATTERN = stripped(
    f"^({any_case('kabupaten')}|{any_case('kab')}\\.?|{any_case('kota')})"
    f"{WHITESPACE}+([^{HIDDEN_IN_LINE[1:-1]}]+)$"
)
_REGENCY = re.compile(REGENCY_PATTERN)


def normalize_regency(text: str) -> str:
    """`'kab. pekalongan'` -> `'Kabupaten Pekalongan'`; a name must say Kabupaten or Kota."""
    match = _REGENCY.search(text)
    if match is None:
        raise ValueError(
            f"nama kabupaten/kota harus diawali 'Kabupaten' atau 'Kota', bukan {text!r}"
        )
    kind = "Kota" if match.group(1).lower() == "kota" else "Kabupaten"
    name = " ".join(w[:1].upper() + w[1:] for w in match.group(2).split())
    return f"{kind} {name}"


def head_of(regency: str) -> RegionHead:
    """A kabupaten is led by a bupati, a kota by a wali kota."""
    return RegionHead.WALIKOTA if regency.startswith("Kota ") else RegionHead.BUPATI


def decree_issuers(regency: str, province: Province) -> list[RegionHead]:
    """Who may issue a sentra's decree: its regency's or city's head; in DKI Jakarta, whose
    five administrative cities and one administrative regency have no regional government
    of their own, the wali kota or bupati administrasi, or the governor."""
    if province == Province.DKI_JAKARTA:
        return [head_of(regency), RegionHead.GUBERNUR]
    return [head_of(regency)]


def issuer_title(head: RegionHead, province: Province) -> str:
    """`'wali kota administrasi'` in DKI Jakarta, `'wali kota'` elsewhere."""
    if province == Province.DKI_JAKARTA and head != RegionHead.GUBERNUR:
        return f"{head.label} administrasi"
    return head.label
