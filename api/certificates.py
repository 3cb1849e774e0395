"""Award certificates: the public verification page their QR codes open, the PDF for those
who hand it over, and revocation by an operator.

The verification page is public and shows `PublicCertificate` only. A revoked certificate
is answered 200 there, not 410: the number was issued and its record stands; what the
page verifies is its status, and a revocation's date and reason are part of that answer.
The PDF itself is not public, though it carries nothing personal: serials are sequential,
and a print-ready certificate for any number would make copies easy to hand around;
operators and the regional offices that reach the nomination fetch it (`domain.access`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response

from api.auth import Caller, require_role
from api.deps import Deps
from api.pages import templates
from api.problems import ApiProblem, problem_responses
from domain.access import CERTIFICATE_HOLDERS, REVOKING_ROLES, Place
from domain.certificates import (
    VERIFICATION_PREFIX,
    PublicCertificate,
    Revocation,
    is_certificate_number,
    require_in_force,
    statement,
    unknown,
)
from domain.errors import Problem
from domain.labs import Lab
from domain.presentation import full_date
from domain.proposal import Model, Text
from domain.regions import Province
from records import CertificateRow
from reports.certificate import render_certificate

Number = Annotated[
    str,
    Path(
        description=(
            "The certificate's number as printed on it, slashes and all "
            "(`0007/OVOP/IKMA/2026`); any other is a 404."
        ),
    ),
]
User = Annotated[
    Text,
    Header(alias="X-OVOP-User", description="The person acting (their user id)."),
]


class CertificateVerification(PublicCertificate):
    """What the verification page says: the certificate, its status, and in one sentence."""

    statement: str


class RevokeRequest(Model):
    reason: Text


def verification(found: PublicCertificate) -> CertificateVerification:
    return CertificateVerification(
        **found.model_dump(exclude={"status"}), statement=statement(found, found.number)
    )


def unknown_problem(number: str) -> ApiProblem:
    return ApiProblem(
        404,
        "not-found",
        "Sertifikat tidak terdaftar",
        statement(None, number),
        [Problem("number", "tidak terdaftar")],
    )


def wants_html(request: Request) -> bool:
    """A browser (a phone that scanned the QR code) asks for HTML; programs get JSON."""
    return "text/html" in request.headers.get("accept", "")


HTML: dict[str, Any] = {"text/html": {"schema": {"type": "string"}}}
UNKNOWN = problem_responses(
    (404, "No certificate of this number; an HTML page for browsers"),
    (422, "Invalid request"),
)
UNKNOWN[404]["content"].update(HTML)

public = APIRouter(tags=["certificates"])
router = APIRouter(
    tags=["certificates"],
    responses=problem_responses(
        (401, "No API key, or an unknown one"),
        (403, "The key may not do this, or not to this certificate's nomination"),
        (404, "No certificate of this number"),
        (422, "Invalid, each field at fault named"),
    ),
)


@public.get(
    VERIFICATION_PREFIX + "{number:path}",
    response_model=CertificateVerification,
    summary="Verify a certificate (public: the page its QR code opens)",
    responses={
        200: {"description": "The certificate, in force or revoked (`status`)", "content": HTML},
        **UNKNOWN,
    },
)
async def verify(number: Number, request: Request, d: Deps) -> Any:
    """No key needed. An HTML page when the request accepts `text/html` (a browser, a
    phone that scanned the QR code), JSON otherwise. A revoked certificate is answered
    200 with `status: dicabut`, the date and the reason."""
    found = await d.store.public_certificate(number)
    if not wants_html(request):
        if found is None:
            raise unknown_problem(number)
        return verification(found)
    return templates.TemplateResponse(
        request,
        "verifikasi.html",
        {
            "number": number,
            "found": found,
            "statement": statement(found, number),
            "awarded_on": full_date(found.awarded_at) if found else None,
        },
        status_code=200 if found else 404,
        headers={"Cache-Control": "no-cache"},
    )


def place_of(row: CertificateRow) -> Place:
    return Place(Province(row.province), row.regency, Lab(row.lab))


@router.get(
    "/certificates/{number:path}",
    response_class=Response,
    summary="A certificate's PDF (operator keys, and regional offices within their reach)",
    responses={
        200: {"description": "The certificate, A4", "content": {"application/pdf": {}}},
        **problem_responses((410, "Revoked: the certificate is no longer handed out")),
    },
)
async def certificate_pdf(number: Number, key: Caller, d: Deps) -> Response:
    """Drawn from the records on each call, the same bytes for the same record; its QR code
    opens `/verifikasi/{number}` at the API's public address. A revoked one is a 410."""
    require_role(key, *CERTIFICATE_HOLDERS)
    found = await d.store.certificate(number)
    if found is None:
        raise unknown(number)
    key.reach.require(place_of(found), "number")
    require_in_force(found.public)
    name = "sertifikat-" + found.public.number.replace("/", "-") + ".pdf"
    return Response(
        render_certificate(found.public, d.public_url),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "private, no-cache",
        },
    )


@router.post(
    "/certificates/{number:path}/revoke",
    response_model=CertificateVerification,
    summary="Revoke a certificate, giving the reason (operator keys)",
    responses=problem_responses((409, "Revoked already")),
)
async def revoke(
    number: Number, body: RevokeRequest, key: Caller, d: Deps, user: User
) -> CertificateVerification:
    """The verification page says from then on that the certificate was revoked, when,
    and why: the reason is public. Revoking twice is a 409."""
    role = require_role(key, *REVOKING_ROLES)
    if not is_certificate_number(number):
        raise unknown(number)
    revocation = Revocation(number=number, reason=body.reason, actor=key.actor(role, user))
    return verification(await d.store.revoke_certificate(revocation, datetime.now(UTC)))
