"""Errors as `application/problem+json` (RFC 9457), each naming the fields at fault.

A refusal by the rules (`domain.errors.Refused`) keeps its problems as `errors`, one per
field, in Indonesian, exactly as the workflow's validator said them.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from temporalio.service import RPCError, RPCStatusCode

from documents import StoreUnavailable
from domain.errors import Problem, RefusalKind, Refused, problems_from_errors

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://ovop.kemenperin.go.id/problems/"

log = logging.getLogger("ovop.api")


class FieldProblem(BaseModel):
    field: str
    message: str


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, with the fields at fault under `errors`."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] = []
    nomination_id: str | None = None


def problem_responses(*described: tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI responses of a route's errors: each status, problem details, and when."""
    return {
        status: {"model": ProblemDetails, "content": {PROBLEM_JSON: {}}, "description": d}
        for status, d in described
    }


class ApiProblem(Exception):
    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        problems: list[Problem] | None = None,
        headers: dict[str, str] | None = None,
        nomination_id: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.problems = problems or []
        self.headers = headers
        self.nomination_id = nomination_id


def unauthorized(
    detail: str,
    field: str = "X-API-Key",
    challenge: str = 'ApiKey header="X-API-Key"',
    title: str = "Kunci API tidak dikenal",
) -> ApiProblem:
    return ApiProblem(
        401,
        "unauthorized",
        title,
        detail,
        [Problem(field, detail)],
        headers={"WWW-Authenticate": challenge},
    )


def forbidden(field: str, detail: str) -> ApiProblem:
    return ApiProblem(403, "forbidden", "Tidak berwenang", detail, [Problem(field, detail)])


def not_found(nomination_id: str) -> ApiProblem:
    return ApiProblem(
        404,
        "not-found",
        "Usulan tidak ditemukan",
        f"tidak ada usulan dengan id {nomination_id}",
        [Problem("nomination_id", "tidak ditemukan")],
        nomination_id=nomination_id,
    )


# Each kind of refusal as a problem: its HTTP status, type slug and title.
REFUSED_AS = {
    RefusalKind.INPUT: (422, "refused", "Ditolak"),
    RefusalKind.STAGE: (409, "refused", "Ditolak"),
    RefusalKind.ACCESS: (403, "forbidden", "Tidak berwenang"),
    RefusalKind.CONFLICT: (409, "conflict", "Sudah ada"),
    RefusalKind.NOT_FOUND: (404, "not-found", "Tidak ditemukan"),
    RefusalKind.GONE: (410, "gone", "Tidak berlaku lagi"),
    RefusalKind.UNSUPPORTED: (415, "unsupported-content", "Jenis berkas tidak diterima"),
    RefusalKind.TOO_LARGE: (413, "too-large", "Berkas terlalu besar"),
}


def response(problem: ApiProblem, request: Request) -> JSONResponse:
    body = ProblemDetails(
        type=TYPE_BASE + problem.slug,
        title=problem.title,
        status=problem.status,
        detail=problem.detail,
        instance=request.url.path,
        errors=[FieldProblem(field=p.field, message=p.message) for p in problem.problems],
        nomination_id=problem.nomination_id,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


NOT_UTF8 = "isi permintaan harus teks UTF-8"
# Starlette's own errors (an unknown path, a method a path does not take), said in Indonesian.
HTTP_TITLES = {
    400: "Permintaan tidak dapat dibaca",
    404: "Alamat tidak ditemukan",
    405: "Metode tidak tersedia",
}


def invalid(problems: list[Problem]) -> ApiProblem:
    detail = "; ".join(str(p) for p in problems)
    return ApiProblem(422, "invalid-request", "Permintaan tidak valid", detail, problems)


def at_field(error: dict[str, Any]) -> dict[str, Any]:
    """`body.ikm.nib` reads as the proposal's own field, `ikm.nib`; a body that is not
    JSON is the body's fault, wherever in it the parser stopped."""
    loc = tuple(error["loc"])
    if error["type"] == "json_invalid":
        loc = ("body",)
    elif loc and loc[0] == "body" and len(loc) > 1:
        loc = loc[1:]
    return {**error, "loc": loc}


def documented_as_problem_json(doc: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents an error model as `application/json`; errors are served as
    `application/problem+json`, so their schema belongs there."""
    for operations in doc.get("paths", {}).values():
        for operation in operations.values():
            for answer in operation.get("responses", {}).values():
                content = answer.get("content", {})
                if PROBLEM_JSON in content and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
    return doc


async def on_rpc(request: Request, error: Exception) -> JSONResponse:
    """Temporal's answer as a problem: a 404 for what it does not know, else a 503."""
    assert isinstance(error, RPCError)
    log.warning("Temporal answered %s %s: %s", request.method, request.url.path, error)
    if error.status == RPCStatusCode.NOT_FOUND:
        problem = ApiProblem(404, "not-found", "Tidak ditemukan", "data tidak ditemukan")
    else:
        problem = ApiProblem(
            503,
            "unavailable",
            "Layanan sementara tidak tersedia",
            "server Temporal tidak menjawab; coba lagi nanti",
        )
    return response(problem, request)


async def on_store(request: Request, error: Exception) -> JSONResponse:
    """The document store down or refusing: a 503, nothing kept."""
    log.warning("document store failed %s %s: %s", request.method, request.url.path, error)
    problem = ApiProblem(
        503,
        "unavailable",
        "Layanan sementara tidak tersedia",
        "penyimpanan berkas tidak dapat dijangkau; coba lagi nanti",
    )
    return response(problem, request)


def install(app: FastAPI) -> None:
    async def on_problem(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ApiProblem)
        return response(error, request)

    async def on_refused(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, Refused)
        status, slug, title = REFUSED_AS[error.kind]
        problem = ApiProblem(status, slug, title, str(error), error.problems)
        return response(problem, request)

    async def on_invalid(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return response(
            invalid(problems_from_errors([at_field(e) for e in error.errors()])), request
        )

    async def on_http(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        if isinstance(error.__cause__, UnicodeDecodeError):  # FastAPI's 400 for such a body
            return response(invalid([Problem("body", NOT_UTF8)]), request)
        title = HTTP_TITLES.get(error.status_code, "Permintaan tidak dapat dilayani")
        detail = f"{title}: {request.method} {request.url.path}"
        problem = ApiProblem(
            error.status_code, "http", title, detail, headers=dict(error.headers or {})
        )
        return response(problem, request)

    app.add_exception_handler(ApiProblem, on_problem)
    app.add_exception_handler(Refused, on_refused)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RPCError, on_rpc)
    app.add_exception_handler(StoreUnavailable, on_store)
