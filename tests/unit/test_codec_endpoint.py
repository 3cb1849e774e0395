"""The codec endpoint the Web UI calls: it opens payloads for an operator, and for no one else.

Served in-process (httpx over ASGI) by the API as `create_app` builds it; the same API under
uvicorn, in two processes sharing sessions, is in tests/integration/test_codec_sessions.py,
with a real Web UI in front in tests/e2e/test_web_ui.py.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import AsyncIterator, Iterable
from typing import cast

import httpx
import pytest
from fastapi import FastAPI
from google.protobuf.json_format import MessageToDict, ParseDict
from itsdangerous import TimestampSigner
from pydantic import SecretStr
from temporalio.api.common.v1 import Payloads
from temporalio.client import Client

from api.app import create_app
from api.codec import COOKIE, FORM_COOKIE, MAX_BODY
from api.deps import ApiDeps, CodecDeps
from api.idempotency import IdempotencyKeys
from api.keys import KeyRing, hash_key
from api.server import api_deps
from api.sessions import SESSION_SECONDS, SessionCookies
from bootstrap import CodecNotConfigured, plain_converter, session_secret
from codec import CodecKeys, EncryptionCodec, new_key
from domain.labs import Lab
from domain.stages import Role
from integrations import ApiKey
from records import RecordStore
from settings import Settings

UI = "http://localhost:8233"
CODEC = EncryptionCodec(CodecKeys(current="k1", keys={"k1": SecretStr(new_key())}))
SECRET = {"nib": "9120001234561", "email": "bu.sri@example.id"}
SESSION_SECRET = "rahasia-sesi-uji-" + "0123456789abcdef" * 2

KEYS = {
    "operator": ApiKey(
        name="op.sari", sha256=hash_key("key-op"), roles=[Role.OPERATOR], institution="Ditjen"
    ),
    "verifier": ApiKey(
        name="verif.rina", sha256=hash_key("key-verif"), roles=[Role.VERIFIER], institution="D"
    ),
    "proposer": ApiKey(
        name="disperin",
        sha256=hash_key("key-proposer"),
        roles=[Role.PROPOSER],
        institution="Dinas",
        province="Jawa Tengah",
    ),
    "lab": ApiKey(
        name="lab",
        sha256=hash_key("key-lab"),
        roles=[Role.LAB_ASSESSOR],
        institution="BBSPJI Agro",
        lab=Lab.AGRO,
    ),
}


def api(
    keys: Iterable[ApiKey] = KEYS.values(),
    secret: str = SESSION_SECRET,
    origins: tuple[str, ...] = (UI,),
) -> FastAPI:
    """The API with its codec endpoint; /codec touches neither Temporal nor the records."""
    store = RecordStore.connect("sqlite+aiosqlite://")
    return create_app(
        ApiDeps(
            client=cast(Client, None),
            store=store,
            idempotency=IdempotencyKeys(store.engine),
            keys=KeyRing(keys),
            task_queue="unused",
            codec=CodecDeps(CODEC, SessionCookies(secret), origins),
        )
    )


def client_of(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://localhost:8000")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(api()) as client:
        yield client


async def sealed_body() -> dict[str, object]:
    payloads = plain_converter().payload_converter.to_payloads([SECRET])
    return MessageToDict(Payloads(payloads=await CODEC.encode(payloads)))


def values(body: dict[str, object]) -> list[object]:
    payloads = ParseDict(body, Payloads())
    return plain_converter().payload_converter.from_payloads(list(payloads.payloads))


async def decode(http: httpx.AsyncClient, **headers: str) -> httpx.Response:
    return await http.post(
        "/codec/decode", json=await sealed_body(), headers={"X-Namespace": "default", **headers}
    )


async def sign_in(http: httpx.AsyncClient, key: str) -> httpx.Response:
    """As the browser does: the form (its token, its cookie), then the form posted."""
    form = await http.get("/codec/masuk")
    token = re.search(r'name="token" value="([^"]+)"', form.text)
    assert form.status_code == 200 and token, form.text
    return await http.post("/codec/masuk", data={"key": key, "token": token[1]})


async def test_an_operator_key_opens_payloads(http: httpx.AsyncClient) -> None:
    for presented in ({"Authorization": "Bearer key-op"}, {"X-API-Key": "key-op"}):
        answer = await decode(http, **presented)
        assert answer.status_code == 200, answer.text
        assert values(answer.json()) == [SECRET]


async def test_encode_seals_with_the_current_key(http: httpx.AsyncClient) -> None:
    payloads = plain_converter().payload_converter.to_payloads([SECRET])
    answer = await http.post(
        "/codec/encode",
        json=MessageToDict(Payloads(payloads=payloads)),
        headers={"Authorization": "Bearer key-op"},
    )
    assert answer.status_code == 200
    [payload] = answer.json()["payloads"]
    assert base64.b64decode(payload["metadata"]["encryption-key-id"]) == b"k1"
    assert SECRET["email"] not in answer.text
    assert (await decode(http, Authorization="Bearer key-op")).status_code == 200


@pytest.mark.parametrize(
    ("headers", "status", "said"),
    [
        ({}, 401, "masuk dulu di /codec/masuk"),
        ({"Authorization": "Bearer key-unknown"}, 401, "kunci tidak dikenal"),
        ({"Authorization": "Basic key-op"}, 401, "masuk dulu"),  # only Bearer is read
        ({"X-API-Key": "key-verif"}, 403, "kunci verif.rina tidak berperan operator"),
        ({"X-API-Key": "key-proposer"}, 403, "kunci disperin tidak berperan operator"),
        ({"Authorization": "Bearer key-lab"}, 403, "kunci lab tidak berperan operator"),
        ({"Cookie": f"{COOKIE}=forged"}, 401, "masuk dulu"),
    ],
)
async def test_everyone_else_is_refused(
    http: httpx.AsyncClient, headers: dict[str, str], status: int, said: str
) -> None:
    answer = await decode(http, **headers)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    assert said in answer.json()["detail"]
    assert SECRET["email"] not in answer.text and SECRET["nib"] not in answer.text
    if status == 401:
        assert answer.headers["www-authenticate"] == 'Bearer realm="ovop-codec"'


async def test_the_browser_signs_in_once_and_the_cookie_opens_payloads(
    http: httpx.AsyncClient,
) -> None:
    form = await http.get("/codec/masuk")
    assert form.status_code == 200 and 'type="password" name="key"' in form.text
    assert form.headers["cache-control"] == "no-store"
    refused = await sign_in(http, "key-verif")
    assert refused.status_code == 403 and COOKIE not in refused.cookies
    assert "Kunci verif.rina tidak berperan operator." in refused.text
    unknown = await sign_in(http, "key-nobody")
    assert unknown.status_code == 403 and "Kunci tidak dikenal." in unknown.text

    signed = await sign_in(http, "key-op")
    assert signed.status_code == 200 and "Anda masuk sebagai <b>op.sari</b>" in signed.text
    assert f'href="{UI}/namespaces/default/workflows"' in signed.text
    cookie = next(c for c in signed.headers.get_list("set-cookie") if c.startswith(COOKIE + "="))
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/codec", f"Max-Age={SESSION_SECONDS}"):
        assert attribute.lower() in cookie.lower(), cookie
    assert "secure" not in cookie.lower()  # plain HTTP here: a Secure cookie would not come back
    assert "key-op" not in cookie  # the session names the key; it does not hold it
    answer = await decode(http)  # httpx keeps the cookie, as the browser does
    assert answer.status_code == 200 and values(answer.json()) == [SECRET]

    copy = signed.cookies[COOKIE]
    out = await http.post("/codec/keluar")
    assert out.status_code == 200 and "Anda sudah keluar" in out.text
    assert COOKIE not in http.cookies  # the browser forgets it...
    assert (await decode(http)).status_code == 401
    # ...but a stateless session cannot be revoked: a copy opens payloads until it expires
    # or its key is removed (test_a_removed_or_replaced_key_ends_its_sessions).
    assert (await decode(http, Cookie=f"{COOKIE}={copy}")).status_code == 200


async def test_the_sign_in_form_must_come_from_this_browser(http: httpx.AsyncClient) -> None:
    """Login CSRF: a form posted from elsewhere lacks the nonce cookie (SameSite=Strict) or a
    token signed for it."""
    for data in ({"key": "key-op"}, {"key": "key-op", "token": "forged"}):
        refused = await http.post("/codec/masuk", data=data)
        assert refused.status_code == 403 and "Formulir ini kedaluwarsa" in refused.text
        assert COOKIE not in refused.cookies

    async with client_of(api()) as elsewhere:  # a token from another browser's form
        form = await elsewhere.get("/codec/masuk")
    token = re.search(r'name="token" value="([^"]+)"', form.text)
    assert token
    await http.get("/codec/masuk")  # this browser has a nonce of its own
    refused = await http.post("/codec/masuk", data={"key": "key-op", "token": token[1]})
    assert refused.status_code == 403 and COOKIE not in refused.cookies

    nonce_cookie = form.headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/codec"):
        assert attribute.lower() in nonce_cookie.lower(), nonce_cookie
    assert nonce_cookie.startswith(FORM_COOKIE + "=")


class SignedLongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - SESSION_SECONDS - 60


async def test_a_session_is_accepted_only_as_signed_with_the_secret_and_fresh() -> None:
    operator = KEYS["operator"]
    sessions = SessionCookies(SESSION_SECRET)
    genuine = sessions.session_for(operator)
    signed, _, signature = genuine.rpartition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    # payload.timestamp.signature; a compressed payload itself starts with a dot
    other_key = sessions.session_for(KEYS["verifier"]).rsplit(".", 2)[0]
    forged = {
        "another secret": SessionCookies("another-secret-" + "x" * 32).session_for(operator),
        "altered signature": f"{signed}.{flipped}",
        "another key's content": ".".join([other_key, *genuine.rsplit(".", 2)[1:]]),
        "expired": SessionCookies(SESSION_SECRET, signer=SignedLongAgo).session_for(operator),
        "not a session": "op.sari",
    }
    async with client_of(api()) as http:
        assert (await decode(http, Cookie=f"{COOKIE}={genuine}")).status_code == 200
        for why, cookie in forged.items():
            answer = await decode(http, Cookie=f"{COOKIE}={cookie}")
            assert answer.status_code == 401, why


async def test_a_removed_or_replaced_key_ends_its_sessions() -> None:
    async with client_of(api()) as http:
        assert (await sign_in(http, "key-op")).status_code == 200
        session = http.cookies[COOKIE]
    replaced = KEYS["operator"].model_copy(update={"sha256": hash_key("key-op-2")})
    for keys in ([KEYS["verifier"]], [replaced]):
        async with client_of(api(keys)) as other:
            assert (await decode(other, Cookie=f"{COOKIE}={session}")).status_code == 401


async def test_the_pages_escape_what_they_show() -> None:
    odd = ApiKey(
        name='op <script>alert("x")</script>',
        sha256=hash_key("key-odd"),
        roles=[Role.OPERATOR],
        institution="Ditjen",
    )
    async with client_of(api([odd], origins=('http://ui.example/"><script>',))) as http:
        page = await sign_in(http, "key-odd")
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert (
        "Anda masuk sebagai <b>op &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</b>" in page.text
    )


async def test_cookies_are_secure_when_the_web_ui_is_served_over_tls() -> None:
    async with client_of(api(origins=("https://temporal.kemenperin.go.id",))) as http:
        form = await http.get("/codec/masuk")
        assert "secure" in form.headers["set-cookie"].lower()


async def test_the_web_ui_origin_may_ask_and_no_other(http: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-namespace",
    }
    ok = await http.options("/codec/decode", headers={"Origin": UI, **preflight})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == UI
    assert ok.headers["access-control-allow-credentials"] == "true"
    assert "x-namespace" in ok.headers["access-control-allow-headers"].lower()

    elsewhere = await http.options(
        "/codec/decode", headers={"Origin": "https://evil.example", **preflight}
    )
    assert elsewhere.status_code == 400
    assert "access-control-allow-origin" not in elsewhere.headers
    answer = await decode(http, Origin="https://evil.example", Authorization="Bearer key-op")
    assert "access-control-allow-origin" not in answer.headers  # the browser hides the answer
    refused = await decode(http, Origin=UI)  # a refusal is readable by the Web UI
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == UI

    # The rest of the API answers no browser, the Web UI's origin included.
    other = await http.get("/health", headers={"Origin": UI})
    assert other.status_code == 200 and "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"not json", "bukan Payloads dalam JSON protobuf"),
        (b'{"payloads": [{"data": 5}]}', "bukan Payloads dalam JSON protobuf"),
        (
            b'{"payloads": [{"metadata": {"encoding": "YmluYXJ5L2VuY3J5cHRlZA=="}}]}',
            "kunci '', yang tidak ada di OVOP_CODEC_KEYS",
        ),
        (
            b'{"payloads": [{"metadata": {"encoding": "YmluYXJ5L2VuY3J5cHRlZA==",'
            b' "encryption-key-id": "azE="}, "data": "AAAA"}]}',
            "payload dengan kunci 'k1' rusak",
        ),
        (b" " * (MAX_BODY + 1), f"terlalu besar (maksimal {MAX_BODY} byte)"),
    ],
)
async def test_a_malformed_body_is_a_clear_400(
    http: httpx.AsyncClient, body: bytes, said: str
) -> None:
    answer = await http.post(
        "/codec/decode", content=body, headers={"Authorization": "Bearer key-op"}
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert said in answer.json()["detail"]
    assert answer.json()["errors"][0]["field"] == "payloads"


def test_the_api_refuses_to_serve_the_codec_without_a_session_secret() -> None:
    with pytest.raises(CodecNotConfigured, match="OVOP_SESSION_SECRET wajib diisi"):
        session_secret(Settings(codec=True))
    with pytest.raises(CodecNotConfigured, match="OVOP_SESSION_SECRET terlalu pendek"):
        session_secret(Settings(codec=True, session_secret=SecretStr("pendek")))
    assert session_secret(Settings(codec=False)) is None  # no codec, no /codec to sign in to
    configured = Settings(codec=True, session_secret=SecretStr(SESSION_SECRET))
    assert session_secret(configured) == SESSION_SECRET


async def test_the_web_ui_gets_a_payload_in_clear_as_temporal_holds_it() -> None:
    """The API's codec endpoint does not mark what was never sealed (the worker's codec
    does, to refuse it): a payload the Web UI reads and sends back stays as it was."""
    keys = CodecKeys(current="uji-1", keys={"uji-1": SecretStr(new_key())})
    settings = Settings(
        _env_file=None,
        codec=True,
        codec_keys={"uji-1": keys.keys["uji-1"]},
        session_secret=SecretStr("s" * 40),
    )
    store = RecordStore.connect("sqlite+aiosqlite://")
    deps = api_deps(settings, cast(Client, None), store)
    await store.close()
    assert deps.codec is not None
    plain = plain_converter().payload_converter.to_payloads([{"nib": "9120001234561"}])
    assert await deps.codec.codec.decode(plain) == plain
