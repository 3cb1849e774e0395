"""Errors as `application/problem+json` (RFC 9457), each naming the fields at fault.

A refusal by the rules (`domain.errors.Refused`) keeps its problems as `errors`, one per
field, in Indonesian, exactly as the workflow's validator said them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from temporalio.service import RPCError, RPCStatusCode

from domain.errors import Problem, RefusalKind, Refused, problems_from_errors

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://ovop.kemenperin.go.id/problems/"


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


def _field(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """`body.ikm.nib` reads as the proposal's own field, `ikm.nib`."""
    return loc[1:] if loc and loc[0] == "body" and len(loc) > 1 else loc


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
        problems = problems_from_errors([{**e, "loc": _field(e["loc"])} for e in error.errors()])
        problem = ApiProblem(
            422,
            "invalid-request",
            "Permintaan tidak valid",
            "; ".join(str(p) for p in problems),
            problems,
        )
        return response(problem, request)

    async def on_http(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        return response(
            ApiProblem(error.status_code, "http", str(error.detail), str(error.detail)), request
        )

    async def on_rpc(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RPCError)
        if error.status == RPCStatusCode.NOT_FOUND:
            problem = ApiProblem(404, "not-found", "Tidak ditemukan", error.message)
        else:
            problem = ApiProblem(
                503,
                "unavailable",
                "Layanan sementara tidak tersedia",
                f"server Temporal tidak menjawab: {error.message}",
            )
        return response(problem, request)

    app.add_exception_handler(ApiProblem, on_problem)
    app.add_exception_handler(Refused, on_refused)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RPCError, on_rpc)
