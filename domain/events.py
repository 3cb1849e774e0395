"""What happens to a nomination, as events: a change of stage, or a note within one.

Each event is recorded, mailed to whom it concerns and sent to the webhook subscribers;
its kind's label is how people read it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from domain.decisions import Actor
from domain.proposal import Model
from domain.stages import Stage


class EventKind(StrEnum):
    PROPOSED = "proposed"
    ENDORSED = "endorsed"
    RETURNED = "returned"
    VERIFIED = "verified"
    REVISION_REQUESTED = "revision_requested"
    RESUBMITTED = "resubmitted"
    REJECTED = "rejected"
    ASSESSED = "assessed"
    SCORED = "scored"
    PANEL_CLOSED = "panel_closed"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    ESCALATED = "escalated"
    PANEL_ASSIGNED = "panel_assigned"
    JUROR_REASSIGNED = "juror_reassigned"
    REMINDED = "reminded"
    DEADLINE_EXTENDED = "deadline_extended"
    CONFLICT_DECLARED = "conflict_declared"
    SAMPLE_RECEIVED = "sample_received"
    VISIT_SCHEDULED = "visit_scheduled"
    VISITED = "visited"

    @property
    def label(self) -> str:
        return _EVENT_LABELS[self]


_EVENT_LABELS = {
    EventKind.PROPOSED: "Usulan diterima",
    EventKind.ENDORSED: "Direkomendasikan dinas provinsi",
    EventKind.RETURNED: "Dikembalikan dinas provinsi",
    EventKind.VERIFIED: "Lolos verifikasi administrasi",
    EventKind.REVISION_REQUESTED: "Perbaikan usulan diminta",
    EventKind.RESUBMITTED: "Perbaikan usulan diajukan",
    EventKind.REJECTED: "Usulan ditolak",
    EventKind.ASSESSED: "Penilaian teknis Balai Besar selesai",
    EventKind.SCORED: "Nilai juri diterima",
    EventKind.PANEL_CLOSED: "Penilaian Tim Seleksi ditutup",
    EventKind.AWARDED: "Penghargaan ditetapkan",
    EventKind.NOT_AWARDED: "Tidak meraih penghargaan",
    EventKind.EXPIRED: "Usulan kedaluwarsa",
    EventKind.WITHDRAWN: "Usulan ditarik",
    EventKind.ESCALATED: "Eskalasi batas waktu",
    EventKind.PANEL_ASSIGNED: "Juri ditugaskan",
    EventKind.JUROR_REASSIGNED: "Juri diganti",
    EventKind.REMINDED: "Pengingat batas waktu",
    EventKind.DEADLINE_EXTENDED: "Batas waktu diperpanjang",
    EventKind.CONFLICT_DECLARED: "Juri menyatakan konflik kepentingan",
    EventKind.SAMPLE_RECEIVED: "Sampel produk diterima Balai Besar",
    EventKind.VISIT_SCHEDULED: "Verifikasi lapangan dijadwalkan",
    EventKind.VISITED: "Laporan verifikasi lapangan diterima",
}


Fact = str | int | float | bool | None


class NominationEvent(Model):
    """Something that happened to a nomination: a stage change or a note within a stage."""

    seq: int
    kind: EventKind
    from_stage: Stage
    to_stage: Stage
    at: datetime
    actor: Actor
    reason: str | None = None
    facts: dict[str, Fact] = Field(default_factory=dict)

    @property
    def is_transition(self) -> bool:
        return self.from_stage != self.to_stage
