"""What the API's routes are given: the clients, the keys, and the codec endpoint's parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from temporalio.client import Client
from temporalio.converter import PayloadCodec

from api.idempotency import IdempotencyKeys
from api.keys import KeyRing
from api.sessions import SessionCookies
from documents import DocumentStore
from records import RecordStore


@dataclass(frozen=True)
class CodecDeps:
    """The codec endpoint's parts: the client's payload codec, served at /codec to the Web
    UI's origins, and the cookies its browser sessions are signed into."""

    codec: PayloadCodec
    sessions: SessionCookies
    origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApiDeps:
    client: Client
    store: RecordStore
    idempotency: IdempotencyKeys
    keys: KeyRing
    task_queue: str
    codec: CodecDeps | None = None  # None: no /codec
    # Where the public reaches the API: the address certificates' QR codes open.
    public_url: str = "http://localhost:8000"
    inbox: Any = None  # web.deps.InboxDeps, or None: no inbox (no session secret to sign with)
    documents: DocumentStore | None = None  # None: /documents answers 503


def deps(request: Request) -> ApiDeps:
    found: ApiDeps | None = request.app.state.deps
    if found is None:
        raise RuntimeError("the API was created without its dependencies")
    return found


Deps = Annotated[ApiDeps, Depends(deps)]
