"""Indonesia's regencies and cities as the Ministry of Home Affairs lists them (Kepmendagri
300.2.2-2138 Tahun 2025, `domain/data/`): which province each lies in, and the likely name
of a misspelt one."""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from domain.regions import Province

SOURCE = "Kepmendagri Nomor 300.2.2-2138 Tahun 2025"
_LIST = Path(__file__).with_name("data") / "wilayah_kemendagri.csv"


@dataclass(frozen=True)
class Region:
    code: str  # kode wilayah, e.g. "33.75"
    name: str  # as the list writes it: "Kota Pekalongan", "Kota Administrasi Jakarta Timur"
    province: Province


def regency_key(name: str) -> str:
    """What two spellings of one regency share: its kind and its name's letters, whatever
    the case, spacing, "Kab." for "Kabupaten", or DKI Jakarta's "Administrasi"/"Adm."."""
    words = re.sub(r"[^a-z ]", " ", name.lower()).split()
    if words and words[0] == "kab":
        words[0] = "kabupaten"
    return "".join(w for w in words if w not in ("administrasi", "adm"))


def _read_list() -> dict[str, Region]:
    # Read once, when the worker imports the domain; the workflow sandbox never opens it.
    with _LIST.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    provinces = {r["kode"]: Province.parse(r["nama"]) for r in rows if "." not in r["kode"]}
    regions = (
        Region(r["kode"], r["nama"], provinces[r["kode"].split(".")[0]])
        for r in rows
        if "." in r["kode"]
    )
    return {regency_key(r.name): r for r in regions}


REGIONS = _read_list()


def same_regency(a: str, b: str) -> bool:
    return regency_key(a) == regency_key(b)


def regency_problem(regency: str, province: Province) -> str | None:
    """Why `regency` is not a regency or city of `province` on the Kemendagri list, with the
    likely name of a misspelt one; None when it is."""
    found = REGIONS.get(regency_key(regency))
    if found is not None and found.province == province:
        return None
    if found is not None:
        return (
            f'"{regency}" tidak terletak di Provinsi {province.value}, melainkan di Provinsi '
            f"{found.province.value} (kode wilayah {found.code}, {SOURCE})"
        )
    refusal = f'"{regency}" tidak terdapat dalam daftar kabupaten/kota Provinsi {province.value} '
    refusal += f"({SOURCE})"
    likely = _likely(regency, [r for r in REGIONS.values() if r.province == province])
    if likely is not None:
        return f"{refusal}; mungkin maksud Anda: {likely.name}?"
    likely = _likely(regency, list(REGIONS.values()))
    if likely is not None:
        return f"{refusal}; mungkin maksud Anda: {likely.name}, Provinsi {likely.province.value}?"
    return refusal


def _likely(regency: str, among: list[Region]) -> Region | None:
    by_key = {regency_key(r.name): r for r in among}
    close = difflib.get_close_matches(regency_key(regency), list(by_key), n=1, cutoff=0.8)
    return by_key[close[0]] if close else None
