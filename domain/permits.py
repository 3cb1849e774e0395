"""The permits and certificates a product may claim: what the proposal lists, and what its
dossier holds a document of."""

from __future__ import annotations

from enum import StrEnum


class PermitKind(StrEnum):
    PIRT = "PIRT"  # Sertifikat Produksi Pangan Industri Rumah Tangga
    BPOM = "BPOM"  # Izin edar BPOM (MD)
    HALAL = "HALAL"  # Sertifikat halal (BPJPH)
    SNI = "SNI"
    HAKI = "HAKI"  # registered mark or design

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    PermitKind.PIRT: "SPP-IRT (PIRT)",
    PermitKind.BPOM: "izin edar BPOM",
    PermitKind.HALAL: "sertifikat halal",
    PermitKind.SNI: "sertifikat SNI",
    PermitKind.HAKI: "sertifikat HKI (merek atau desain)",
}

DISTRIBUTION_PERMITS = frozenset({PermitKind.PIRT, PermitKind.BPOM})
