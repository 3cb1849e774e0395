"""An upload larger than any slot takes is refused as it arrives, before FastAPI parses
(and spools to disk) the form: the API's own app, in process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from api.app import create_app
from api.limits import UPLOAD_LIMIT
from domain.documents import SLOTS, file_size

CHUNK = 64 * 1024


class Sent:
    def __init__(self) -> None:
        self.bytes = 0

    async def body(self, total: int) -> AsyncIterator[bytes]:
        """A well-formed form's start, then one endless file."""
        head = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="foto.png"\r\n'
            b"Content-Type: image/png\r\n\r\n"
        )
        self.bytes += len(head)
        yield head
        while self.bytes < total:
            self.bytes += CHUNK
            yield b"x" * CHUNK


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://t")


async def test_a_body_declared_too_large_is_refused_unread() -> None:
    sent = Sent()
    async with client() as http:
        response = await http.post(
            "/documents",
            content=sent.body(6 * UPLOAD_LIMIT),
            headers={
                "content-length": str(6 * UPLOAD_LIMIT),
                "content-type": "multipart/form-data; boundary=b",
            },
        )
    assert response.status_code == 413
    largest = max(rule.max_bytes for rule in SLOTS.values())
    assert response.json()["errors"] == [
        {"field": "file", "message": f"berkas paling besar {file_size(largest)}"}
    ]
    assert sent.bytes <= CHUNK  # what the transport sent ahead; nothing was read


async def test_a_streamed_body_is_cut_off_once_past_the_limit() -> None:
    sent = Sent()
    async with client() as http:
        response = await http.post(
            "/documents",
            content=sent.body(6 * UPLOAD_LIMIT),  # no length given: chunked
            headers={"content-type": "multipart/form-data; boundary=b"},
        )
    assert response.status_code == 413
    assert UPLOAD_LIMIT < sent.bytes <= UPLOAD_LIMIT + 2 * CHUNK


async def test_other_routes_are_not_limited() -> None:
    async with client() as http:
        response = await http.post("/health", content=b"x" * (UPLOAD_LIMIT + CHUNK))
    assert response.status_code == 405  # the route's own answer, not the limit's
