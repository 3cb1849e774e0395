"""What the inbox's pages are given, beside the API's own parts (`api.deps.ApiDeps`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from activities.mail import Mailer
from api.deps import ApiDeps, deps
from web.directory import Directory
from web.links import SignInLinks
from web.sessions import InboxCookies


@dataclass(frozen=True)
class InboxDeps:
    cookies: InboxCookies
    links: SignInLinks
    directory: Directory
    mailer: Mailer  # sends the sign-in links asked for on the sign-in page
    # Where operators open a nomination in the Temporal Web UI (its workflow's page, in the
    # API client's namespace).
    web_ui_url: str = "http://localhost:8233"


def inbox_deps(request: Request) -> InboxDeps:
    d: ApiDeps = deps(request)
    if d.inbox is None:
        raise RuntimeError("the inbox was mounted without its parts")
    inbox: InboxDeps = d.inbox
    return inbox


Inbox = Annotated[InboxDeps, Depends(inbox_deps)]
