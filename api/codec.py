"""The codec endpoint: the Temporal Web UI (and the `temporal` CLI) read nominations in clear,
for an authorised operator only, while the server keeps ciphertext.

Routes of the API under `/codec`, in Temporal's remote codec protocol: `POST /codec/decode`
and `POST /codec/encode` with `{"payloads": [...]}` in protobuf JSON (header `X-Namespace`);
the browser's CORS preflight is answered for the Web UI's origins (`OVOP_CODEC_CORS_ORIGINS`)
and for no other, on these paths only.

Who may call it: an API key with a role that reads payloads (`domain.access.PAYLOAD_READERS`:
operators), one key per operator being the way to know who read what. Presented as
- `Authorization: Bearer KEY` or `X-API-Key: KEY`: scripts and `temporal ... --codec-auth`;
- a session cookie for the browser: the operator signs in once at `/codec/masuk` with their
  key, and the Web UI sends the cookie with each request when its codec setting "Include
  cross-origin credentials" is on. The cookie is signed, not stored (`api.sessions`: any API
  process with the same `OVOP_SESSION_SECRET` accepts it, for 12 hours; signing out deletes
  it in the browser but cannot revoke a copy), HttpOnly and SameSite=Strict, so only pages of
  the same site (the Web UI beside the API) send it, and CORS lets only the Web UI's origins
  read the answer.
Everything else is refused as problem+json, 401 without credentials, 403 for a key that is
not an operator's. Each decode is logged with the key's name, never with the data.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Security
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.api.common.v1 import Payloads

from api.auth import key_header, require_role
from api.deps import CodecDeps, Deps
from api.pages import templates
from api.problems import ApiProblem, unauthorized
from api.sessions import FORM_SECONDS, SESSION_SECONDS
from domain.access import PAYLOAD_READERS
from domain.errors import Problem
from integrations import ApiKey

log = logging.getLogger("ovop.codec")

PREFIX = "/codec"
COOKIE = "ovop_codec"
FORM_COOKIE = "ovop_codec_masuk"
MAX_BODY = 4 * 1024 * 1024  # the Web UI sends one event's payloads, or one page of them

bearer = HTTPBearer(auto_error=False, description="An operator's API key, as `Bearer KEY`.")
router = APIRouter(prefix=PREFIX, include_in_schema=False)


def codec_deps(d: Deps) -> CodecDeps:
    if d.codec is None:
        raise RuntimeError("the codec routes were included without a codec")
    return d.codec


Codec = Annotated[CodecDeps, Depends(codec_deps)]


async def payload_reader(
    request: Request,
    key: Annotated[str | None, Security(key_header)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    d: Deps,
    codec: Codec,
) -> ApiKey:
    """The key presented in a header, or else the browser's session; an operator's."""
    presented = key or (credentials.credentials.strip() if credentials else "")
    if presented:
        found = d.keys.find(presented)
        detail = "kunci tidak dikenal"
    else:
        cookie = request.cookies.get(COOKIE)
        found = codec.sessions.key_of(cookie, d.keys) if cookie else None
        detail = "masuk dulu di /codec/masuk, atau kirim Authorization: Bearer KUNCI"
    if found is None:
        raise unauthorized(
            detail, "Authorization", 'Bearer realm="ovop-codec"', title="Belum masuk"
        )
    require_role(found, *PAYLOAD_READERS)
    return found


PayloadReader = Annotated[ApiKey, Depends(payload_reader)]


@router.post("/decode")
async def decode(request: Request, key: PayloadReader, codec: Codec) -> JSONResponse:
    return await convert(request, key, codec, decode=True)


@router.post("/encode")
async def encode(request: Request, key: PayloadReader, codec: Codec) -> JSONResponse:
    return await convert(request, key, codec, decode=False)


async def convert(request: Request, key: ApiKey, codec: CodecDeps, decode: bool) -> JSONResponse:
    payloads = await payloads_of(request)
    try:
        done = await (codec.codec.decode if decode else codec.codec.encode)(payloads.payloads)
    except ValueError as error:
        raise _bad(str(error)) from None
    log.info(
        "%s %d payloads for %s (namespace %s)",
        "decoded" if decode else "encoded",
        len(done),
        key.name,
        request.headers.get("x-namespace", "-"),
    )
    return JSONResponse(MessageToDict(Payloads(payloads=done)))


async def payloads_of(request: Request) -> Payloads:
    """The body as Payloads, read no further than MAX_BODY."""
    too_large = _bad(f"terlalu besar (maksimal {MAX_BODY} byte)")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise too_large
    try:
        return ParseDict(json.loads(body), Payloads())
    except (ValueError, ParseError) as error:
        raise _bad(f"bukan Payloads dalam JSON protobuf: {error}") from None


def _bad(detail: str) -> ApiProblem:
    return ApiProblem(
        400,
        "invalid-payloads",
        "Payload tidak dapat diproses",
        detail,
        [Problem("payloads", detail)],
    )


# --- the browser's sign-in -------------------------------------------------------------


@router.get("/masuk", response_class=HTMLResponse)
async def sign_in_form(request: Request, codec: Codec) -> HTMLResponse:
    return sign_in_page(request, codec)


@router.post("/masuk", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    d: Deps,
    codec: Codec,
    key: Annotated[str, Form()] = "",
    token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    if not codec.sessions.form_is_genuine(request.cookies.get(FORM_COOKIE), token):
        why = "Formulir ini kedaluwarsa atau tidak berasal dari halaman ini. Silakan coba lagi."
        return sign_in_page(request, codec, why)
    found = d.keys.find(key.strip())
    if found is None:
        return sign_in_page(request, codec, "Kunci tidak dikenal.")
    try:
        require_role(found, *PAYLOAD_READERS)
    except ApiProblem as refused:
        return sign_in_page(request, codec, refused.detail[:1].upper() + refused.detail[1:] + ".")
    page = page_of(
        request,
        "signed_in.html",
        {"name": found.name, "hours": SESSION_SECONDS // 3600, "origins": codec.origins},
    )
    rules = cookie_rules(request, codec)
    page.set_cookie(COOKIE, codec.sessions.session_for(found), SESSION_SECONDS, **rules)
    page.delete_cookie(FORM_COOKIE, **rules)
    log.info("codec session opened for %s", found.name)
    return page


@router.post("/keluar", response_class=HTMLResponse)
async def sign_out(request: Request, codec: Codec) -> HTMLResponse:
    page = page_of(request, "signed_out.html", {})
    page.delete_cookie(COOKIE, **cookie_rules(request, codec))
    return page


def sign_in_page(request: Request, codec: CodecDeps, error: str | None = None) -> HTMLResponse:
    """The form with a fresh token, its nonce in a cookie; 403 when it says why not."""
    nonce, token = codec.sessions.new_form()
    context = {"token": token, "error": error, "hours": SESSION_SECONDS // 3600}
    page = page_of(request, "sign_in.html", context, status=403 if error else 200)
    page.set_cookie(FORM_COOKIE, nonce, FORM_SECONDS, **cookie_rules(request, codec))
    return page


def page_of(
    request: Request, template: str, context: Mapping[str, object], status: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        f"codec/{template}",
        dict(context),
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def cookie_rules(request: Request, codec: CodecDeps) -> dict[str, Any]:
    """Every cookie of the codec: sent back to /codec only, from pages of this site only,
    never read by scripts; Secure when this request came over TLS or the Web UI is served
    over it (its pages could not call the codec over plain HTTP), as behind a TLS proxy."""
    over_tls = request.url.scheme == "https" or any(o.startswith("https://") for o in codec.origins)
    return {"path": PREFIX, "httponly": True, "samesite": "strict", "secure": over_tls}


class CodecCors:
    """CORS on the codec's paths only: the Web UI's origins may call them with credentials;
    the rest of the API answers no browser."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_credentials=True,
            allow_methods=["POST"],
            allow_headers=["Content-Type", "X-Namespace", "Authorization", "X-API-Key"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX + "/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
