"""The inbox's routes and files, mounted on the API's app (`api.app.create_app`)."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from temporalio.service import RPCError

from api import problems
from web import cycle, deciders, endorsement, inbox, proposals, sign_in, task, visits
from web.pages import SignInNeeded, refused_page, sign_in_redirect

STATIC = Path(__file__).parent / "static"
# The paths of the inbox's pages, answered with pages (not problem+json) when they fail.
PAGES = ("/tugas", "/masuk", "/keluar", "/usulan", "/siklus")
log = logging.getLogger("ovop.web")


def install(app: FastAPI) -> dict[str, int]:
    """Mount the inbox; answer the largest body each of its paths takes (`BodyLimit`)."""
    deciders.register()
    endorsement.register()
    visits.register()
    app.include_router(sign_in.router)
    app.include_router(inbox.router)
    app.include_router(task.router)
    app.include_router(cycle.router)
    app.include_router(proposals.router)  # also registers the resubmission's form
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def on_sign_in_needed(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInNeeded)
        return sign_in_redirect(error.then)

    app.add_exception_handler(SignInNeeded, on_sign_in_needed)

    async def on_rpc(request: Request, error: Exception) -> Response:
        """Temporal out of reach: a page for a person, a problem for a program."""
        if not request.url.path.startswith(PAGES):
            return await problems.on_rpc(request, error)
        log.warning("Temporal answered %s %s: %s", request.method, request.url.path, error)
        return refused_page(
            request,
            "Layanan sementara tidak tersedia",
            "Layanan seleksi OVOP sedang tidak dapat dihubungi. Tidak ada yang diubah; "
            "coba lagi beberapa saat lagi.",
            503,
        )

    app.add_exception_handler(RPCError, on_rpc)
    return {"/tugas/": task.body_limit()}
