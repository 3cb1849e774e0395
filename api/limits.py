"""A request body no larger than its route takes, refused before any of it is parsed.

FastAPI reads a multipart form whole (spooling its files to disk) before the route's
handler runs, so the handler's own size check comes after the disk has taken the bytes.
`BodyLimit` counts the body as it arrives and answers 413 as soon as it is larger than the
route could ever take: by its Content-Length when one is given, else after that many bytes.
"""

from __future__ import annotations

import contextlib

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import REFUSED_AS, ApiProblem, response
from domain.documents import SLOTS, file_size
from domain.errors import Problem, RefusalKind

# The largest file a slot takes, and room for the form's other fields and boundaries.
FORM_OVERHEAD = 64 * 1024
UPLOAD_LIMIT = max(rule.max_bytes for rule in SLOTS.values()) + FORM_OVERHEAD


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: POST bodies to the paths in `limits` no larger than given (for
    routes that read their whole body before they answer, as a form's do); a path ending
    in `/` limits every path under it (`/tugas/`: each task's form)."""

    def __init__(self, app: ASGIApp, limits: dict[str, int]) -> None:
        self.app = app
        self.limits = limits

    def limit_of(self, path: str) -> int | None:
        if path in self.limits:
            return self.limits[path]
        under = [p for p in self.limits if p.endswith("/") and path.startswith(p)]
        return self.limits[max(under, key=len)] if under else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_of(scope.get("path", "")) if scope["type"] == "http" else None
        if limit is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await too_large(limit)(scope, receive, send)
            return
        received = 0
        cut = False

        async def counted() -> Message:
            nonlocal received, cut
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut = True
                    raise BodyTooLarge
            return message

        async def sending(message: Message) -> None:
            if not cut:  # once cut off, what the app makes of it (FastAPI: a 400) is dropped
                await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counted, sending)
        if cut:
            await too_large(limit)(scope, receive, send)


def too_large(limit: int) -> ASGIApp:
    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"berkas paling besar {file_size(limit - FORM_OVERHEAD)}"
        status, slug, title = REFUSED_AS[RefusalKind.TOO_LARGE]
        problem = ApiProblem(status, slug, title, detail, [Problem("file", detail)])
        await response(problem, Request(scope))(scope, receive, send)

    return answer
