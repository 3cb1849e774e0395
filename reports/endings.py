"""Why a nomination ended where it did, in a few words, as the results report reads."""

from __future__ import annotations

from domain.stages import Stage

# Why a nomination ended where it did, by the stage it left from.
_ENDING_LABELS: dict[tuple[Stage, Stage | None], str] = {
    (Stage.REJECTED, Stage.ADMIN_VERIFICATION): "ditolak pada verifikasi administrasi",
    (Stage.EXPIRED, Stage.REVISION_REQUESTED): "perbaikan usulan tidak diajukan tepat waktu",
    (Stage.NOT_AWARDED, Stage.TECHNICAL_ASSESSMENT): "tidak memenuhi standar uji Balai Besar",
    (Stage.NOT_AWARDED, Stage.PANEL_SCORING): "nilai akhir di bawah batas bintang terendah",
    (Stage.NOT_AWARDED, Stage.AWARD_DECISION): "ditetapkan tanpa bintang oleh pejabat penetap",
}
# The same, where the revision it left from was asked by the provincial office.
_AFTER_THE_PROVINCE = {
    Stage.EXPIRED: "dikembalikan dinas provinsi; perbaikan tidak diajukan tepat waktu",
    Stage.WITHDRAWN: "ditarik setelah dikembalikan dinas provinsi untuk perbaikan",
}


def ending_label(stage: Stage, left_from: Stage | None, by_province: bool = False) -> str:
    """Why a nomination ended at `stage`, having left `left_from`, in a few words;
    `by_province`: the revision it left from was asked by the provincial office."""
    if by_province and left_from == Stage.REVISION_REQUESTED and stage in _AFTER_THE_PROVINCE:
        return _AFTER_THE_PROVINCE[stage]
    if (stage, left_from) in _ENDING_LABELS:
        return _ENDING_LABELS[(stage, left_from)]
    if stage == Stage.WITHDRAWN and left_from is not None:
        return f"ditarik pada tahap {left_from.label}"
    return stage.label
