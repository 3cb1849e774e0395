"""`ovop certificate pdf`, `check` and `revoke`: an award's certificate, drawn from the records
database (no Temporal needed), verified as the public sees it, or revoked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bootstrap import Services
from cli.common import (
    NOT_FOUND,
    InstitutionOpt,
    JsonFlag,
    RoleOpt,
    UserOpt,
    actor,
    echo_json,
    fail,
    on_records,
    parse,
    refused,
)
from domain.certificates import (
    PublicCertificate,
    Revocation,
    require_in_force,
    statement,
)
from domain.errors import Refused
from domain.presentation import full_date
from domain.stages import Role
from records import CertificateRow
from reports.certificate import render_certificate

certificate_app = typer.Typer(
    help="Award certificates: the PDF, a check as the public sees it, and revocation."
)
NumberArg = Annotated[
    str, typer.Argument(help="The certificate's number, e.g. 0001/OVOP/IKMA/2026.")
]


def found_or_fail(number: str, found: CertificateRow | None) -> CertificateRow:
    if found is None:
        fail(statement(None, number), NOT_FOUND)
    return found


@certificate_app.command("pdf")
def pdf(
    number: NumberArg,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The PDF to write (default: sertifikat-<number>.pdf here)."),
    ] = None,
) -> None:
    """Write a certificate's PDF; its QR code opens the verification page at OVOP_PUBLIC_URL."""

    async def draw(services: Services) -> tuple[CertificateRow | None, str]:
        return await services.records.certificate(number), services.settings.api_public_url

    found, public_url = on_records(draw)
    cert = found_or_fail(number, found).public
    try:
        require_in_force(cert)
    except Refused as error:
        refused(error)
    path = out or Path("sertifikat-" + cert.number.replace("/", "-") + ".pdf")
    try:
        path.write_bytes(render_certificate(cert, public_url))
    except OSError as error:
        fail(f"berkas {path} tidak dapat ditulis: {error.strerror}")
    typer.echo(f"Sertifikat {cert.number} ditulis ke {path}")


def echo_certificate(cert: PublicCertificate, as_json: bool) -> None:
    if as_json:
        echo_json({**cert.model_dump(mode="json"), "statement": statement(cert, cert.number)})
        return
    typer.echo(statement(cert, cert.number))
    for label, value in [
        ("Nama IKM", cert.ikm_name),
        ("Produk", cert.product_name),
        ("Komoditas", cert.commodity.label),
        ("Wilayah", f"{cert.regency}, {cert.province.value}"),
        ("Peringkat", f"Bintang {cert.stars}"),
        ("Tanggal penetapan", full_date(cert.awarded_at)),
    ]:
        typer.echo(f"  {label:<18}: {value}")


@certificate_app.command("check")
def check(number: NumberArg, as_json: JsonFlag = False) -> None:
    """What the public verification page says of a certificate number (exit 4: unknown)."""

    async def read(services: Services) -> CertificateRow | None:
        return await services.records.certificate(number)

    echo_certificate(found_or_fail(number, on_records(read)).public, as_json)


@certificate_app.command("revoke")
def revoke(
    number: NumberArg,
    reason: Annotated[
        str, typer.Option("--reason", help="Why; shown on the public verification page.")
    ],
    user: UserOpt,
    role: RoleOpt = Role.OPERATOR,
    institution: InstitutionOpt = "Ditjen IKMA",
    as_json: JsonFlag = False,
) -> None:
    """Revoke a certificate (operators): its verification page says so from then on."""
    who = actor(user, role, institution)
    revocation = parse(Revocation, {"number": number, "reason": reason, "actor": who})

    async def withdraw(services: Services) -> PublicCertificate:
        return await services.records.revoke_certificate(revocation, datetime.now(UTC))

    try:
        revoked = on_records(withdraw)
    except Refused as error:
        refused(error)
    echo_certificate(revoked, as_json)
