"""Two API processes share the codec's browser sessions: an operator signs in on one and the
Web UI's next request, answered by the other, opens payloads with the same cookie.

Two real `ovop-api` processes with the same settings and `OVOP_SESSION_SECRET`, against the
dev server and one records database, behind one port: a round-robin TCP balancer that hands
each new connection to the next process, as a deployment's load balancer does. The browser
signs in over one connection (the first process) and the Web UI decodes over the next (the
second); each process's log says which it answered.
The second refuses a cookie signed with another secret, altered, or expired; and without a
secret `ovop-api` does not start at all.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from secrets import token_urlsafe

import httpx
import pytest
from google.protobuf.json_format import MessageToDict, ParseDict
from itsdangerous import TimestampSigner
from pydantic import SecretStr
from temporalio.api.common.v1 import Payloads
from temporalio.testing import WorkflowEnvironment

from api.codec import COOKIE
from api.keys import hash_key
from api.sessions import SESSION_SECONDS, SessionCookies
from bootstrap import plain_converter
from codec import CodecKeys, EncryptionCodec, new_key
from domain.stages import Role
from integrations import ApiKey
from tests.conftest import binary
from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration

READY = "API on http://"
OPERATOR = ApiKey(
    name="op.sari", sha256=hash_key("key-op"), roles=[Role.OPERATOR], institution="Ditjen IKMA"
)
PERSONAL = {"nib": "9120001234561", "email": "bu.sri@example.id"}


@dataclass
class ApiProcess:
    """One `ovop-api`, its log kept as it runs."""

    base: str
    process: asyncio.subprocess.Process
    log: list[str] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def follow(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            self.log.append(raw.decode(errors="replace").rstrip())
            if READY in self.log[-1]:
                self.ready.set()

    @property
    def text(self) -> str:
        return "\n".join(self.log)


@dataclass
class Deployment:
    """`ovop-api` processes with one set of settings."""

    env: dict[str, str]
    cwd: Path
    started: list[tuple[ApiProcess, asyncio.Task[None]]] = field(default_factory=list)

    async def start(self) -> ApiProcess:
        port = free_port()
        process = await asyncio.create_subprocess_exec(
            binary("ovop-api"),
            env={**self.env, "OVOP_API_PORT": str(port)},
            cwd=self.cwd,  # no stray .env file
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        api = ApiProcess(f"http://127.0.0.1:{port}", process)
        follower = asyncio.create_task(api.follow())
        self.started.append((api, follower))
        ready = asyncio.create_task(api.ready.wait())
        await asyncio.wait([ready, follower], timeout=60, return_when=asyncio.FIRST_COMPLETED)
        if not api.ready.is_set():
            ready.cancel()
            pytest.fail(f"ovop-api did not start:\n{api.text}")
        return api

    async def stop_all(self) -> None:
        for api, follower in self.started:
            if api.process.returncode is None:
                api.process.terminate()
            await api.process.wait()
            await follower


@dataclass
class RoundRobin:
    """One port in front of the processes: each new connection goes to the next of them."""

    backends: list[str]  # "host:port"
    turn: int = 0

    async def serve(self) -> asyncio.Server:
        return await asyncio.start_server(self._connect, "127.0.0.1", 0)

    async def _connect(
        self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> None:
        host, port = self.backends[self.turn % len(self.backends)].split(":")
        self.turn += 1
        backend_r, backend_w = await asyncio.open_connection(host, int(port))
        await asyncio.gather(pipe(client_r, backend_w), pipe(backend_r, client_w))


async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    except ConnectionError:
        pass
    finally:
        sink.close()


@pytest.fixture
def codec_keys() -> CodecKeys:
    return CodecKeys(current="uji-1", keys={"uji-1": SecretStr(new_key())})


@pytest.fixture
async def deployment(
    dev_env: WorkflowEnvironment, codec_keys: CodecKeys, tmp_path: Path
) -> AsyncIterator[Deployment]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OVOP_", "TEMPORAL_"))}
    env |= {
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": dev_env.client.namespace,
        "OVOP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'records.db'}",
        "OVOP_API_HOST": "127.0.0.1",
        "OVOP_API_KEYS": json.dumps([OPERATOR.model_dump(mode="json")]),
        "OVOP_CODEC": "true",
        "OVOP_CODEC_KEYS": json.dumps(
            {k: v.get_secret_value() for k, v in codec_keys.keys.items()}
        ),
        "OVOP_CODEC_CORS_ORIGINS": '["http://localhost:8233"]',
        "OVOP_SESSION_SECRET": token_urlsafe(32),
    }
    apis = Deployment(env, tmp_path)
    yield apis
    await apis.stop_all()


async def sealed(codec_keys: CodecKeys) -> dict[str, object]:
    """A payload as the worker leaves it in Temporal: sealed with the deployment's key."""
    payloads = plain_converter().payload_converter.to_payloads([PERSONAL])
    return MessageToDict(Payloads(payloads=await EncryptionCodec(codec_keys).encode(payloads)))


def opened(body: dict[str, object]) -> list[object]:
    payloads = ParseDict(body, Payloads())
    return plain_converter().payload_converter.from_payloads(list(payloads.payloads))


class SignedLongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return super().get_timestamp() - SESSION_SECONDS - 60


@pytest.mark.slow(seconds=40)
async def test_two_api_processes_share_codec_sessions(
    deployment: Deployment, codec_keys: CodecKeys
) -> None:
    first = await deployment.start()
    second = await deployment.start()
    balancer = RoundRobin([api.base.removeprefix("http://") for api in (first, second)])
    server = await balancer.serve()
    one_port = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"

    async with httpx.AsyncClient(base_url=one_port, timeout=30) as browser:
        form = await browser.get("/codec/masuk")
        token = re.search(r'name="token" value="([^"]+)"', form.text)
        assert token, form.text
        signed_in = await browser.post("/codec/masuk", data={"key": "key-op", "token": token[1]})
        assert signed_in.status_code == 200, signed_in.text
        assert "Anda masuk sebagai <b>op.sari</b>" in signed_in.text
        cookie = signed_in.cookies[COOKIE]

    body = await sealed(codec_keys)
    async with httpx.AsyncClient(base_url=one_port, timeout=30) as web_ui:
        answer = await web_ui.post(
            "/codec/decode",
            json=body,
            headers={"Cookie": f"{COOKIE}={cookie}", "X-Namespace": "default"},
        )
        assert answer.status_code == 200, answer.text
        assert opened(answer.json()) == [PERSONAL]
        assert PERSONAL["nib"] not in json.dumps(body)  # it was sealed before

        secret = deployment.env["OVOP_SESSION_SECRET"]
        signed, _, signature = cookie.rpartition(".")
        refused = {
            "another secret": SessionCookies(token_urlsafe(32)).session_for(OPERATOR),
            "altered": f"{signed}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}",
            "expired": SessionCookies(secret, signer=SignedLongAgo).session_for(OPERATOR),
        }
        for why, forged in refused.items():
            answer = await web_ui.post(
                "/codec/decode", json=body, headers={"Cookie": f"{COOKIE}={forged}"}
            )
            assert answer.status_code == 401, why
            assert answer.headers["content-type"] == "application/problem+json", why
            assert PERSONAL["email"] not in answer.text

    server.close()
    await deployment.stop_all()
    assert balancer.turn == 2  # the browser's connection, then the Web UI's
    assert "decoded 1 payloads for op.sari (namespace default)" in second.text
    assert "codec session opened for op.sari" in first.text
    assert "decoded" not in first.text and "session opened" not in second.text


async def test_the_api_does_not_start_without_a_session_secret(deployment: Deployment) -> None:
    env = {k: v for k, v in deployment.env.items() if k != "OVOP_SESSION_SECRET"}
    process = await asyncio.create_subprocess_exec(
        binary("ovop-api"),
        env=env,
        cwd=deployment.cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert "ovop-api: OVOP_SESSION_SECRET wajib diisi" in err.decode(), err.decode()
