"""The inbox's routes and files, mounted on the API's app (`api.app.create_app`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from web import cycle, deciders, inbox, proposals, sign_in, task
from web.pages import SignInNeeded, sign_in_redirect

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    deciders.register()
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
