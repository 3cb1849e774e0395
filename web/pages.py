"""Rendering the inbox's pages, and who is signed in to see them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined

from api.deps import ApiDeps, deps
from domain.cycle import CycleConfig
from domain.errors import figure
from domain.people import MINISTRY, Person, Seat
from domain.presentation import day, score, when, when_compact
from domain.stages import Role
from web.deps import InboxDeps, inbox_deps
from web.sessions import FORM_COOKIE, SESSION_COOKIE, SESSION_SECONDS

_env = Environment(
    loader=PackageLoader("web", "templates"), autoescape=True, undefined=StrictUndefined
)
_env.filters["when"] = when
_env.filters["day"] = day
_env.filters["when_compact"] = when_compact
_env.filters["score"] = score
_env.filters["figure"] = figure
templates = Jinja2Templates(env=_env)


class SignInNeeded(Exception):
    """No one is signed in (or the session no longer holds): go to the sign-in page."""

    def __init__(self, then: str) -> None:
        self.then = then


def secure(request: Request) -> bool:
    return request.url.scheme == "https" or inbox_deps(request).secure_cookies


def form_nonce(request: Request, inbox: InboxDeps) -> tuple[str, bool]:
    """The browser's CSRF nonce, and whether it is new (to be set as its cookie)."""
    nonce = request.cookies.get(FORM_COOKIE)
    if nonce:
        return nonce, False
    return inbox.cookies.forms.new_form()[0], True


def page(
    request: Request,
    template: str,
    person: Person | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """`template` rendered with the person signed in (if any) and a CSRF token for its
    forms; the token's cookie is set when the browser has none."""
    inbox = inbox_deps(request)
    nonce, new = form_nonce(request, inbox)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "person": person,
            "roles": sorted(r.value for r in person.roles) if person else [],
            "csrf": inbox.cookies.forms.token_for(nonce),
            **context,
        },
        status_code=status_code,
    )
    if new:
        response.set_cookie(
            FORM_COOKIE, nonce, httponly=True, samesite="strict", secure=secure(request)
        )
    response.headers["Cache-Control"] = "no-store"
    return response


def refused_page(
    request: Request,
    heading: str,
    message: str,
    status_code: int,
    person: Person | None = None,
    then: str | None = None,
    back: str | None = None,
    back_label: str | None = None,
) -> HTMLResponse:
    return page(
        request,
        "refused.html",
        person,
        status_code,
        heading=heading,
        message=message,
        then=then,
        back=back,
        back_label=back_label,
    )


def form_is_genuine(request: Request, token: str | None) -> bool:
    inbox = inbox_deps(request)
    return inbox.cookies.forms.form_is_genuine(request.cookies.get(FORM_COOKIE), token)


def forged_form(request: Request, person: Person | None = None) -> HTMLResponse:
    return refused_page(
        request,
        "Formulir tidak sah",
        "Formulir ini dikirim tanpa token keamanan yang sah (mungkin dari situs lain, atau "
        "halamannya dibuka terlalu lama). Tidak ada yang diubah.",
        403,
        person,
        then="Buka kembali halamannya, lalu kirim ulang formulirnya.",
    )


def signed_in_as(response: Response, request: Request, cookie: str) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure(request),
    )
    return response


def sign_in_redirect(then: str) -> RedirectResponse:
    return RedirectResponse(f"/masuk?ke={quote(then, safe='/')}", status_code=303)


def key_holder(d: ApiDeps, configs: list[CycleConfig], claim: Any) -> Person | None:
    """An operator signed in with their API key: an operator's seat on each open cycle
    that lists their user id among its operators, as the rules check them
    (`domain.access.require_operator`); None when the key or the listing is gone."""
    key = d.keys.configured(claim.key_name, claim.key_sha256)
    if key is None or Role.OPERATOR not in key.roles:
        return None
    seats = tuple(
        Seat(config.cycle, Role.OPERATOR, claim.user_id, key.institution or MINISTRY)
        for config in configs
        if claim.user_id in {m.user_id for m in config.staff.operators}
    )
    if not seats:
        return None
    name = f"{claim.user_id} ({key.name})"
    return Person(email=f"{key.name}/{claim.user_id}", name=name, seats=seats, by_key=True)


async def current_person(request: Request) -> Person | None:
    d, inbox = deps(request), inbox_deps(request)
    claim = inbox.cookies.read(request.cookies.get(SESSION_COOKIE))
    if claim is None:
        return None
    if claim.email is not None:
        return await inbox.directory.person(claim.email)
    return key_holder(d, await inbox.directory.configs(), claim)


async def signed_in(request: Request) -> Person:
    person = await current_person(request)
    if person is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(path)
    return person
