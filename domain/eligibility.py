"""Who may be proposed: the rules a proposal must meet before a nomination starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from domain.errors import Problem, Refused, problems_from
from domain.proposal import DISTRIBUTION_PERMITS, Commodity, PermitKind, Proposal
from domain.regencies import regency_problem, same_regency
from domain.regions import decree_issuers, issuer_title


def eligibility_problems(proposal: Proposal, check_regency: bool = True) -> list[Problem]:
    """Every rule the proposal breaks, each naming its field; empty when eligible.

    `check_regency=False` leaves out the regency's place on the Kemendagri list, for the
    resubmissions of nominations started before it was checked (they replay as taken).
    """
    problems: list[Problem] = []
    sentra, decree = proposal.sentra, proposal.sentra.decree

    misplaced = regency_problem(sentra.regency, sentra.province) if check_regency else None
    if misplaced is not None:
        problems.append(Problem("sentra.regency", misplaced))
    if not same_regency(decree.issuer_region, sentra.regency):
        problems.append(
            Problem(
                "sentra.decree.issuer_region",
                f'SK sentra harus ditetapkan oleh kepala daerah "{sentra.regency}", '
                f'bukan "{decree.issuer_region}"',
            )
        )
    issuers = decree_issuers(sentra.regency, sentra.province)
    if decree.issued_by not in issuers:
        expected = " atau ".join(issuer_title(h, sentra.province) for h in issuers)
        problems.append(
            Problem(
                "sentra.decree.issued_by",
                f"SK sentra di {sentra.regency} ditetapkan oleh {expected}, "
                f"bukan {decree.issued_by.label}",
            )
        )
    if decree.date > proposal.proposed_on:
        problems.append(
            Problem(
                "sentra.decree.date",
                f"tanggal SK sentra ({decree.date.isoformat()}) tidak boleh setelah "
                f"tanggal usulan ({proposal.proposed_on.isoformat()})",
            )
        )

    for i, permit in enumerate(proposal.product.permits):
        if permit.valid_until is not None and permit.valid_until < proposal.proposed_on:
            problems.append(
                Problem(
                    f"product.permits.{i}.valid_until",
                    f"izin {permit.kind.value} nomor {permit.number} sudah tidak berlaku "
                    f"sejak {permit.valid_until.isoformat()}",
                )
            )

    previous = proposal.previous_award
    if previous is not None and previous.cycle >= proposal.cycle:
        problems.append(
            Problem(
                "previous_award.cycle",
                f"penilaian ulang merujuk penghargaan siklus sebelumnya, bukan {previous.cycle}",
            )
        )

    if proposal.product.commodity == Commodity.MAKANAN_MINUMAN:
        kinds = {p.kind for p in proposal.product.permits}
        if not kinds & DISTRIBUTION_PERMITS:
            problems.append(
                Problem(
                    "product.permits",
                    "produk makanan dan minuman wajib memiliki izin edar (PIRT atau BPOM)",
                )
            )
    problems += _halal_problems(proposal)
    return problems


def _halal_problems(proposal: Proposal) -> list[Problem]:
    """A food product is halal, and certified so, unless declared non-halal; a non-halal
    product is exempt, and holds no halal certificate."""
    product = proposal.product
    certified = any(p.kind == PermitKind.HALAL for p in product.permits)
    if product.non_halal and certified:
        return [
            Problem(
                "product.non_halal",
                "produk dinyatakan tidak halal tetapi memiliki sertifikat halal; "
                "periksa kembali salah satunya",
            )
        ]
    if product.commodity == Commodity.MAKANAN_MINUMAN and not product.non_halal and not certified:
        return [
            Problem(
                "product.permits",
                "produk makanan dan minuman wajib memiliki sertifikat halal; produk yang "
                "tidak halal dinyatakan tidak halal dan diberi keterangan tidak halal pada "
                "kemasannya",
            )
        ]
    return []


@dataclass(frozen=True)
class Eligible:
    """A proposal the eligibility rules have passed: checked once, then carried on."""

    proposal: Proposal


def eligible(proposal: Proposal | Eligible) -> Eligible:
    """The proposal as eligible, or `Refused` with every problem found."""
    if isinstance(proposal, Eligible):
        return proposal
    problems = eligibility_problems(proposal)
    if problems:
        raise Refused(problems)
    return Eligible(proposal)


def parse_proposal(data: Any) -> Proposal:
    """A valid, eligible proposal from raw data, or `Refused` with every problem found."""
    try:
        proposal = Proposal.model_validate(data)
    except ValidationError as error:
        raise Refused(problems_from(error)) from None
    return eligible(proposal).proposal
