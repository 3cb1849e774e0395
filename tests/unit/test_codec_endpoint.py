"""The codec endpoint the Web UI calls: it opens payloads for an operator, and for no one else.

Served in-process (httpx over ASGI), mounted at /codec as the API mounts it; the same app
under uvicorn, with a real Web UI in front, is in tests/integration/test_personal_data.py and
tests/e2e/test_web_ui.py.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import pytest
from google.protobuf.json_format import MessageToDict, ParseDict
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.routing import Mount
from temporalio.api.common.v1 import Payloads

from api.codec import COOKIE, codec_app
from api.keys import KeyRing, hash_key
from bootstrap import plain_converter
from codec import CodecKeys, EncryptionCodec, new_key
from domain.labs import Lab
from domain.stages import Role
from integrations import ApiKey

UI = "http://localhost:8233"
CODEC = EncryptionCodec(CodecKeys(current="k1", keys={"k1": SecretStr(new_key())}))
SECRET = {"nib": "9120001234561", "email": "bu.sri@example.id"}

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


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=[Mount("/codec", codec_app(CODEC, KeyRing(KEYS.values()), [UI]))])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
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
        ({"X-API-Key": "key-verif"}, 403, "verif.rina bukan kunci operator"),
        ({"X-API-Key": "key-proposer"}, 403, "disperin bukan kunci operator"),
        ({"Authorization": "Bearer key-lab"}, 403, "lab bukan kunci operator"),
        ({"Cookie": f"{COOKIE}=forged"}, 401, "masuk dulu"),
    ],
)
async def test_everyone_else_is_refused(
    http: httpx.AsyncClient, headers: dict[str, str], status: int, said: str
) -> None:
    answer = await decode(http, **headers)
    assert answer.status_code == status
    assert said in answer.json()["detail"]
    assert SECRET["email"] not in answer.text and SECRET["nib"] not in answer.text


async def test_the_browser_signs_in_once_and_the_cookie_opens_payloads(
    http: httpx.AsyncClient,
) -> None:
    form = await http.get("/codec/masuk")
    assert form.status_code == 200 and "type=password name=key" in form.text
    refused = await http.post("/codec/masuk", data={"key": "key-verif"})
    assert refused.status_code == 403 and COOKIE not in refused.cookies
    assert "verif.rina bukan kunci operator" in refused.text

    signed = await http.post("/codec/masuk", data={"key": "key-op"})
    assert signed.status_code == 200 and "op.sari" in signed.text
    cookie = signed.headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/codec", "Max-Age=43200"):
        assert attribute.lower() in cookie.lower(), cookie
    answer = await decode(http)  # httpx keeps the cookie, as the browser does
    assert answer.status_code == 200 and values(answer.json()) == [SECRET]

    assert (await http.post("/codec/keluar")).status_code == 200
    http.cookies.clear()
    http.cookies.set(COOKIE, signed.cookies[COOKIE], domain="localhost", path="/codec")
    assert (await decode(http)).status_code == 401  # signed out: the old cookie opens nothing


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
    ],
)
async def test_a_malformed_body_is_a_clear_400(
    http: httpx.AsyncClient, body: bytes, said: str
) -> None:
    answer = await http.post(
        "/codec/decode", content=body, headers={"Authorization": "Bearer key-op"}
    )
    assert answer.status_code == 400
    assert said in answer.json()["detail"]
    assert answer.json()["errors"][0]["field"] == "payloads"
