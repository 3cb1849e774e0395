"""The stages of a nomination and the roles of the people who act on it."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    PROPOSED = "PROPOSED"
    PROVINCIAL_ENDORSEMENT = "PROVINCIAL_ENDORSEMENT"
    ADMIN_VERIFICATION = "ADMIN_VERIFICATION"
    REVISION_REQUESTED = "REVISION_REQUESTED"
    SAMPLE_AWAITED = "SAMPLE_AWAITED"
    TECHNICAL_ASSESSMENT = "TECHNICAL_ASSESSMENT"
    SITE_VISIT = "SITE_VISIT"
    PANEL_SCORING = "PANEL_SCORING"
    AWARD_DECISION = "AWARD_DECISION"
    AWARDED = "AWARDED"
    NOT_AWARDED = "NOT_AWARDED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL

    @property
    def label(self) -> str:
        return _LABELS[self]


TERMINAL = frozenset(
    {Stage.AWARDED, Stage.NOT_AWARDED, Stage.REJECTED, Stage.EXPIRED, Stage.WITHDRAWN}
)

_LABELS = {
    Stage.PROPOSED: "Diusulkan",
    Stage.PROVINCIAL_ENDORSEMENT: "Rekomendasi Dinas Provinsi",
    Stage.ADMIN_VERIFICATION: "Verifikasi Administrasi",
    Stage.REVISION_REQUESTED: "Perbaikan Usulan",
    Stage.SAMPLE_AWAITED: "Pengiriman Sampel Produk",
    Stage.TECHNICAL_ASSESSMENT: "Penilaian Teknis Balai Besar",
    Stage.SITE_VISIT: "Verifikasi Lapangan",
    Stage.PANEL_SCORING: "Penilaian Tim Seleksi",
    Stage.AWARD_DECISION: "Penetapan Penghargaan",
    Stage.AWARDED: "Meraih Penghargaan",
    Stage.NOT_AWARDED: "Tidak Meraih Penghargaan",
    Stage.REJECTED: "Ditolak",
    Stage.EXPIRED: "Kedaluwarsa",
    Stage.WITHDRAWN: "Ditarik",
}


class Role(StrEnum):
    PROPOSER = "proposer"  # the regency/city industry office that proposed the IKM
    VERIFIER = "verifier"  # administrative verifier at Ditjen IKMA
    LAB_ASSESSOR = "lab_assessor"  # assessor at a Balai Besar lab
    JUROR = "juror"  # member of the selection team (Tim Seleksi)
    OFFICIAL = "official"  # the official who confirms the award
    OPERATOR = "operator"  # OVOP operator at Ditjen IKMA
    SYSTEM = "system"  # the engine itself (deadlines, automatic steps)

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.PROPOSER: "Dinas Perindustrian pengusul",
    Role.VERIFIER: "Verifikator Ditjen IKMA",
    Role.LAB_ASSESSOR: "Penilai Balai Besar",
    Role.JUROR: "Juri Tim Seleksi",
    Role.OFFICIAL: "Pejabat penetap",
    Role.OPERATOR: "Operator OVOP",
    Role.SYSTEM: "Sistem",
}
