"""The three Balai Besar standardization labs (BBSPJI) and which commodity each assesses."""

from __future__ import annotations

from enum import StrEnum

from domain.proposal import Commodity


class Lab(StrEnum):
    AGRO = "BBSPJI_AGRO"
    KERAJINAN_BATIK = "BBSPJI_KERAJINAN_BATIK"
    KERAMIK_MINERAL = "BBSPJI_KERAMIK_MINERAL"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Lab.AGRO: "Balai Besar Standardisasi dan Pelayanan Jasa Industri Agro",
    Lab.KERAJINAN_BATIK: (
        "Balai Besar Standardisasi dan Pelayanan Jasa Industri Kerajinan dan Batik"
    ),
    Lab.KERAMIK_MINERAL: (
        "Balai Besar Standardisasi dan Pelayanan Jasa Industri Keramik dan Mineral Non Logam"
    ),
}

_ROUTES = {
    Commodity.MAKANAN_MINUMAN: Lab.AGRO,
    Commodity.KAIN_BATIK: Lab.KERAJINAN_BATIK,
    Commodity.KAIN_TENUN: Lab.KERAJINAN_BATIK,
    Commodity.ANYAMAN: Lab.KERAJINAN_BATIK,
    Commodity.GERABAH: Lab.KERAMIK_MINERAL,
}


def route_lab(commodity: Commodity) -> Lab:
    """The lab that assesses products of this commodity."""
    return _ROUTES[commodity]
