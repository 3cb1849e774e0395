"""The codec endpoint: the Temporal Web UI (and the `temporal` CLI) read nominations in clear,
for an authorised operator only, while the server keeps ciphertext.

Mounted at `/codec` on the API. It speaks Temporal's remote codec protocol: `POST
/codec/decode` and `POST /codec/encode` with `{"payloads": [...]}` in protobuf JSON (header
`X-Namespace`), and answers the browser's CORS preflight from the Web UI's origins
(`OVOP_CODEC_CORS_ORIGINS`).

Who may call it: an API key with the `operator` role (`OVOP_API_KEYS`, SHA-256 only; one key
per operator is the way to know who read what). Presented as
- `Authorization: Bearer KEY` or `X-API-Key: KEY`: scripts and `temporal ... --codec-auth`;
- a session cookie for the browser: the operator signs in once at `/codec/masuk` with their
  key, and the Web UI sends the cookie with each request when its codec setting "Include
  cross-origin credentials" is on. The cookie is HttpOnly and SameSite=Strict, so only pages
  of the same site (the Web UI beside the API) send it, and CORS lets only the Web UI's
  origins read the answer. Sessions live in this process, 12 hours at most.
Everything else is refused, 401 without credentials, 403 for a key that is not an operator's.
Each decode is logged with the key's name, never with the data.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from temporalio.api.common.v1 import Payloads
from temporalio.converter import PayloadCodec

from api.keys import KeyRing
from api.problems import ApiProblem, response
from domain.errors import Problem
from domain.stages import Role
from integrations import ApiKey

log = logging.getLogger("ovop.codec")

COOKIE = "ovop_codec"
SESSION_SECONDS = 12 * 3600
MAX_BODY = 4 * 1024 * 1024  # the Web UI sends one event's payloads, or one page of them


@dataclass
class Sessions:
    """Browser sessions of signed-in operators, by the SHA-256 of their cookie."""

    seconds: float = SESSION_SECONDS
    _open: dict[str, tuple[ApiKey, float]] = field(default_factory=dict)

    def open(self, key: ApiKey) -> str:
        now = time.monotonic()
        self._open = {t: s for t, s in self._open.items() if s[1] > now}
        token = secrets.token_urlsafe(32)
        self._open[_digest(token)] = (key, now + self.seconds)
        return token

    def find(self, token: str) -> ApiKey | None:
        found = self._open.get(_digest(token))
        if found is None or found[1] <= time.monotonic():
            return None
        return found[0]

    def close(self, token: str) -> None:
        self._open.pop(_digest(token), None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def codec_app(codec: PayloadCodec, keys: KeyRing, origins: Sequence[str]) -> Starlette:
    """The codec endpoint as an app of its own, to mount at `/codec`."""
    sessions = Sessions()

    def operator(request: Request) -> ApiKey:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        presented = request.headers.get("x-api-key") or (
            token.strip() if scheme.lower() == "bearer" else ""
        )
        key = keys.find(presented) if presented else None
        if key is None and not presented and (cookie := request.cookies.get(COOKIE)):
            key = sessions.find(cookie)
        if key is None:
            detail = (
                "kunci tidak dikenal"
                if presented
                else "masuk dulu di /codec/masuk, atau kirim Authorization: Bearer KUNCI"
            )
            raise ApiProblem(
                401,
                "unauthorized",
                "Belum masuk",
                detail,
                [Problem("Authorization", detail)],
                headers={"WWW-Authenticate": 'Bearer realm="ovop-codec"'},
            )
        if Role.OPERATOR not in key.roles:
            detail = f"kunci {key.name} bukan kunci operator; hanya operator yang membaca data"
            raise ApiProblem(403, "forbidden", "Tidak berwenang", detail, [Problem("role", detail)])
        return key

    async def payloads_of(request: Request) -> Payloads:
        body = await request.body()
        if len(body) > MAX_BODY:
            raise _bad("payloads", f"terlalu besar (maksimal {MAX_BODY} byte)")
        try:
            return ParseDict(json.loads(body), Payloads())
        except (ValueError, ParseError) as error:
            raise _bad("payloads", f"bukan Payloads dalam JSON protobuf: {error}") from None

    async def convert(request: Request, decode: bool) -> Response:
        try:
            key = operator(request)
            payloads = await payloads_of(request)
            try:
                done = await (codec.decode if decode else codec.encode)(payloads.payloads)
            except ValueError as error:
                raise _bad("payloads", str(error)) from None
        except ApiProblem as problem:
            return response(problem, request)
        log.info(
            "%s %d payloads for %s (namespace %s)",
            "decoded" if decode else "encoded",
            len(done),
            key.name,
            request.headers.get("x-namespace", "-"),
        )
        return JSONResponse(MessageToDict(Payloads(payloads=done)))

    async def decode(request: Request) -> Response:
        return await convert(request, decode=True)

    async def encode(request: Request) -> Response:
        return await convert(request, decode=False)

    async def sign_in_form(request: Request) -> Response:
        return _page("Masuk", _FORM)

    async def sign_in(request: Request) -> Response:
        form = parse_qs((await request.body()).decode(errors="replace"))
        key = keys.find(form.get("key", [""])[0].strip())
        if key is None or Role.OPERATOR not in key.roles:
            why = "Kunci tidak dikenal." if key is None else f"{key.name} bukan kunci operator."
            return _page("Masuk", f"<p class=err>{html.escape(why)}</p>{_FORM}", status=403)
        page = _page(
            "Sudah masuk",
            f"<p>Anda masuk sebagai <b>{html.escape(key.name)}</b> untuk 12 jam.</p>"
            + _ui_hint(origins),
        )
        page.set_cookie(
            COOKIE,
            sessions.open(key),
            max_age=int(sessions.seconds),
            path="/codec",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        log.info("codec session opened for %s", key.name)
        return page

    async def sign_out(request: Request) -> Response:
        if cookie := request.cookies.get(COOKIE):
            sessions.close(cookie)
        page = _page("Keluar", "<p>Anda sudah keluar.</p>")
        page.delete_cookie(COOKIE, path="/codec")
        return page

    return Starlette(
        routes=[
            Route("/decode", decode, methods=["POST"]),
            Route("/encode", encode, methods=["POST"]),
            Route("/masuk", sign_in_form, methods=["GET"]),
            Route("/masuk", sign_in, methods=["POST"]),
            Route("/keluar", sign_out, methods=["POST"]),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=list(origins),
                allow_credentials=True,
                allow_methods=["POST"],
                allow_headers=["Content-Type", "X-Namespace", "Authorization", "X-API-Key"],
                max_age=600,
            )
        ],
    )


def _bad(field: str, detail: str) -> ApiProblem:
    return ApiProblem(
        400, "invalid-payloads", "Payload tidak dapat diproses", detail, [Problem(field, detail)]
    )


_FORM = """<form method=post action=/codec/masuk>
<label>Kunci operator (X-API-Key) <input type=password name=key autocomplete=off required
autofocus></label> <button>Masuk</button></form>
<p>Kunci ini hanya untuk membaca data usulan di Temporal Web UI; ia tidak disimpan di peramban,
hanya sesi 12 jam.</p>"""


def _ui_hint(origins: Sequence[str]) -> str:
    where = "".join(
        f'<li><a href="{html.escape(o)}/namespaces/default/workflows">{html.escape(o)}</a></li>'
        for o in origins
    )
    return (
        "<p>Buka Temporal Web UI:</p><ul>"
        + where
        + "</ul><p>Sekali saja per peramban: di Web UI, menu <i>Codec Server</i>, pilih "
        "<i>Use my browser setting</i>, isi alamat codec ini (…/codec) dan centang "
        "<i>Include cross-origin credentials</i>.</p>"
    )


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang=id><meta charset=utf-8><title>OVOP codec: {title}</title>"
        "<style>body{font-family:sans-serif;max-width:40em;margin:3em auto}"
        ".err{color:#b00}</style>"
        f"<h1>Data usulan OVOP di Temporal Web UI</h1>{body}</html>",
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )
