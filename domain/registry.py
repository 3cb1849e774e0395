"""The registry pre-check: what the ministry's registry (SIINas) says about a proposed IKM
and its sentra's decree, compared with what the proposal says.

The check informs the verifier; it never decides. Each finding names the proposal's field
it concerns, as a refusal would.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from domain.proposal import Model, Nib, Proposal, ProvinceName, Regency, Text

ACTIVE = "aktif"


class RegistryRecord(Model):
    """One IKM as the ministry's registry holds it, keyed by its NIB."""

    nib: Nib
    name: Text
    status: Text  # "aktif", or why not: "dicabut", "dibekukan", ...
    province: ProvinceName
    regency: Regency
    sentra_name: Text | None = None
    decree_number: Text | None = None
    decree_date: date | None = None


class FindingStatus(StrEnum):
    OK = "sesuai"
    MISMATCH = "tidak_sesuai"
    MISSING = "tidak_tercatat"


class RegistryFinding(Model):
    field: str
    status: FindingStatus
    message: str


class CheckStatus(StrEnum):
    PENDING = "pending"  # asked; the registry has not answered yet
    DONE = "done"


class RegistryCheck(Model):
    """The pre-check of one version of the proposal (the revision it was made for)."""

    revision: int
    status: CheckStatus = CheckStatus.PENDING
    findings: list[RegistryFinding] = Field(default_factory=list)
    source: str | None = None
    checked_at: datetime | None = None

    @property
    def problems(self) -> list[RegistryFinding]:
        return [f for f in self.findings if f.status != FindingStatus.OK]

    @property
    def outcome(self) -> str:
        """One word for the event's facts and the Web UI."""
        if self.status == CheckStatus.PENDING:
            return "menunggu"
        return "sesuai" if not self.problems else "perlu_diperiksa"


def _same(a: str | None, b: str | None) -> bool:
    return (
        a is not None
        and b is not None
        and " ".join(a.casefold().split()) == " ".join(b.casefold().split())
    )


def compare(proposal: Proposal, record: RegistryRecord | None) -> list[RegistryFinding]:
    """Each checked field of the proposal against the registry's record of its NIB."""
    ikm, sentra, decree = proposal.ikm, proposal.sentra, proposal.sentra.decree
    if record is None:
        return [
            RegistryFinding(
                field="ikm.nib",
                status=FindingStatus.MISSING,
                message=f"NIB {ikm.nib} tidak terdaftar di registri",
            )
        ]

    def check(field: str, ours: str | None, theirs: str | None, what: str) -> RegistryFinding:
        if theirs is None:
            return RegistryFinding(
                field=field, status=FindingStatus.MISSING, message=f"{what} tidak tercatat"
            )
        if _same(ours, theirs):
            return RegistryFinding(field=field, status=FindingStatus.OK, message=f"{what} sesuai")
        return RegistryFinding(
            field=field,
            status=FindingStatus.MISMATCH,
            message=f"{what} di registri: {theirs}; di usulan: {ours}",
        )

    active = _same(record.status, ACTIVE)
    return [
        RegistryFinding(
            field="ikm.nib",
            status=FindingStatus.OK if active else FindingStatus.MISMATCH,
            message="NIB terdaftar dan aktif"
            if active
            else f"NIB terdaftar dengan status {record.status}",
        ),
        check("ikm.name", ikm.name, record.name, "nama IKM"),
        check("sentra.regency", sentra.regency, record.regency, "kabupaten/kota"),
        check("sentra.province", sentra.province.value, record.province.value, "provinsi"),
        check("sentra.decree.number", decree.number, record.decree_number, "nomor SK sentra"),
        check(
            "sentra.decree.date",
            decree.date.isoformat(),
            record.decree_date.isoformat() if record.decree_date else None,
            "tanggal SK sentra",
        ),
    ]


def describe_check(check: RegistryCheck) -> str:
    """One line for the verifier."""
    if check.status == CheckStatus.PENDING:
        return "menunggu jawaban registri (verifikasi dapat tetap dilakukan)"
    problems = check.problems
    if not problems:
        return "NIB, nama IKM, daerah dan SK sentra sesuai registri"
    return "perlu diperiksa — " + "; ".join(f.message for f in problems)
