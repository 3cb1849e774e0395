"""Signing in to the inbox: a link by email, or an operator's API key; and signing out.

The sign-in page answers the same whether or not an address is listed, so it tells no one
who is. Requests are limited per address (counted in the records, so on every API process)
and per client address (on this process). A link is used by a button on the page it
opens, not by opening it: a mail scanner that fetches the link does not spend it.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import format_datetime, formataddr, parseaddr
from typing import Annotated

import aiosmtplib
from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from activities.mail import BODY_CHARSET, UTF8
from api.deps import Deps
from domain.people import Person
from domain.stages import Role
from web.deps import Inbox
from web.links import ASKED_LINK, LinkRefused, safe_next
from web.pages import (
    current_person,
    forged_form,
    form_is_genuine,
    key_holder,
    page,
    refused_page,
    signed_in_as,
)
from web.sessions import SESSION_COOKIE, SessionClaim

router = APIRouter(include_in_schema=False)
log = logging.getLogger("ovop.web")

PER_ADDRESS = 3  # links asked for one address in `WINDOW`
WINDOW = timedelta(minutes=15)

Csrf = Annotated[str | None, Form()]


@router.get("/masuk", response_class=HTMLResponse)
async def sign_in_page(request: Request, ke: str | None = None) -> Response:
    person = await current_person(request)
    if person is not None:
        return RedirectResponse(safe_next(ke), status_code=303)
    return page(request, "masuk.html", then=safe_next(ke), errors={}, email="")


@router.post("/masuk", response_class=HTMLResponse)
async def ask_for_link(
    request: Request,
    d: Deps,
    inbox: Inbox,
    later: BackgroundTasks,
    email: Annotated[str, Form()] = "",
    ke: Annotated[str, Form()] = "/tugas",
    csrf: Csrf = None,
) -> Response:
    if not form_is_genuine(request, csrf):
        return forged_form(request)
    email = email.strip()
    if "@" not in email or len(email) > 254:
        return page(
            request,
            "masuk.html",
            status_code=422,
            then=safe_next(ke),
            email=email,
            errors={"email": "isi alamat email Anda, mis. nama@kemenperin.go.id"},
        )
    now = datetime.now(UTC)
    client = request.client.host if request.client else "-"
    if (
        not inbox.limiter.allows(client)
        or await d.store.links_requested_since(email, now - WINDOW) >= PER_ADDRESS
    ):
        return _too_often(request)
    nonce = secrets.token_urlsafe(18)
    await d.store.note_link_requested(nonce, email, now)
    person = await inbox.directory.person(email)
    if person is not None:  # sent after the answer: a listed address takes no longer
        url = inbox.links.url(email, safe_next(ke), ASKED_LINK, nonce)
        later.add_task(_send_link, inbox, person, url)
    return page(request, "link_sent.html", email=email)


def _too_often(request: Request) -> HTMLResponse:
    return refused_page(
        request,
        "Terlalu banyak permintaan",
        "Tautan masuk sudah beberapa kali diminta dalam 15 menit terakhir. Periksa kotak "
        "surat Anda untuk tautan yang sudah dikirim, atau coba lagi 15 menit lagi.",
        429,
        back="/masuk",
        back_label="Kembali ke halaman masuk",
    )


async def _send_link(inbox: Inbox, person: Person, url: str) -> None:
    msg = Message()
    sender = inbox.mailer.config.sender
    msg["From"] = formataddr(parseaddr(sender), charset=UTF8)
    msg["To"] = formataddr((person.name, person.email), charset=UTF8)
    msg["Subject"] = "[OVOP] Tautan masuk ke kotak tugas"
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Content-Language"] = "id"
    msg["MIME-Version"] = "1.0"
    body = (
        f"Yth. Bapak/Ibu {person.name}\ndi tempat\n\nDengan hormat,\n\n"
        "Bapak/Ibu meminta tautan untuk masuk ke kotak tugas seleksi IKM OVOP. Silakan buka "
        f"tautan berikut:\n\n{url}\n\nTautan ini berlaku 30 menit dan hanya dapat dipakai "
        "sekali. Apabila Bapak/Ibu tidak memintanya, abaikan surat ini; tidak ada yang "
        "berubah.\n\nHormat kami,\n\nSekretariat Program OVOP\nDirektorat Jenderal Industri "
        "Kecil, Menengah, dan Aneka\nKementerian Perindustrian Republik Indonesia\n"
    )
    msg.set_payload(body, BODY_CHARSET)
    try:
        async with inbox.mailer.connection() as smtp:
            await smtp.send_message(msg)
    except (aiosmtplib.SMTPException, OSError) as error:
        log.warning("sign-in link to %s not sent: %s", person.email, error)


def _link_refused(request: Request, why: str) -> HTMLResponse:
    return refused_page(
        request,
        "Tautan masuk tidak dapat dipakai",
        f"{why[:1].upper()}{why[1:]}.",
        400,
        then="Tautan masuk berlaku sebentar dan hanya sekali. Minta tautan baru dengan alamat "
        "email Anda.",
        back="/masuk",
        back_label="Minta tautan masuk baru",
    )


@router.get("/masuk/tautan/{token}", response_class=HTMLResponse)
async def open_link(request: Request, token: str, d: Deps, inbox: Inbox) -> Response:
    try:
        claim = inbox.links.read(token)
    except LinkRefused as refused:
        return _link_refused(request, str(refused))
    if await d.store.link_used(claim.nonce):
        return _link_refused(request, "tautan masuk ini sudah pernah dipakai")
    return page(request, "open_link.html", email=claim.email, token=token)


@router.post("/masuk/tautan/{token}", response_class=HTMLResponse)
async def use_link(
    request: Request, token: str, d: Deps, inbox: Inbox, csrf: Csrf = None
) -> Response:
    if not form_is_genuine(request, csrf):
        return forged_form(request)
    try:
        claim = inbox.links.read(token)
    except LinkRefused as refused:
        return _link_refused(request, str(refused))
    person = await inbox.directory.person(claim.email)
    if person is None:
        return _link_refused(
            request, f"alamat {claim.email} tidak terdaftar pada siklus yang terbuka"
        )
    if not await d.store.take_link(claim.nonce, claim.email, datetime.now(UTC)):
        return _link_refused(request, "tautan masuk ini sudah pernah dipakai")
    response = RedirectResponse(claim.next, status_code=303)
    return signed_in_as(response, request, inbox.cookies.for_email(claim.email))


@router.post("/masuk/kunci", response_class=HTMLResponse)
async def sign_in_with_key(
    request: Request,
    d: Deps,
    inbox: Inbox,
    key: Annotated[str, Form()] = "",
    user_id: Annotated[str, Form()] = "",
    ke: Annotated[str, Form()] = "/tugas",
    csrf: Csrf = None,
) -> Response:
    if not form_is_genuine(request, csrf):
        return forged_form(request)
    client = request.client.host if request.client else "-"
    if not inbox.limiter.allows(client):
        return _too_often(request)
    found = d.keys.find(key.strip()) if key.strip() else None
    errors = {}
    if found is None or Role.OPERATOR not in found.roles:
        errors["key"] = "kunci API tidak dikenal atau bukan kunci operator"
    elif not user_id.strip():
        errors["user_id"] = "isi user_id Anda sebagaimana tercantum pada staf siklus"
    else:
        claim = SessionClaim(key_name=found.name, key_sha256=found.sha256, user_id=user_id.strip())
        if key_holder(d, await inbox.directory.configs(), claim) is None:
            errors["user_id"] = (
                f'"{user_id.strip()}" tidak terdaftar sebagai operator pada siklus yang terbuka'
            )
    if errors or found is None:
        return page(
            request, "masuk.html", status_code=422, then=safe_next(ke), email="", errors=errors
        )
    response = RedirectResponse(safe_next(ke), status_code=303)
    cookie = inbox.cookies.for_key(found.name, found.sha256, user_id.strip())
    return signed_in_as(response, request, cookie)


@router.post("/keluar", response_class=HTMLResponse)
async def sign_out(request: Request, csrf: Csrf = None) -> Response:
    if not form_is_genuine(request, csrf):
        return forged_form(request)
    response = page(request, "signed_out.html")
    response.delete_cookie(SESSION_COOKIE)
    return response
