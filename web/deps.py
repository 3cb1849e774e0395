"""What the inbox's pages are given, beside the API's own parts (`api.deps.ApiDeps`)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from activities.mail import Mailer
from api.deps import ApiDeps, deps
from web.directory import Directory
from web.links import SignInLinks
from web.sessions import InboxCookies


class ClientLimiter:
    """Requests from one client address in a sliding window, on this process. Clients
    quiet for a whole window are forgotten, so the table holds only recent ones."""

    def __init__(
        self,
        most: int = 20,
        window: timedelta = timedelta(minutes=15),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._most, self._window, self._clock = most, window.total_seconds(), clock
        self._seen: dict[str, deque[float]] = {}

    def allows(self, client: str) -> bool:
        now = self._clock()
        for quiet in [c for c, times in self._seen.items() if now - times[-1] > self._window]:
            del self._seen[quiet]
        seen = self._seen.setdefault(client, deque())
        while seen and now - seen[0] > self._window:
            seen.popleft()
        if len(seen) >= self._most:
            return False
        seen.append(now)
        return True

    def __len__(self) -> int:
        return len(self._seen)


@dataclass(frozen=True)
class InboxDeps:
    cookies: InboxCookies
    links: SignInLinks
    directory: Directory
    mailer: Mailer  # sends the sign-in links asked for on the sign-in page
    # Where operators open a nomination in the Temporal Web UI (its workflow's page, in the
    # API client's namespace).
    web_ui_url: str = "http://localhost:8233"
    # The inbox is reached over HTTPS (`OVOP_PUBLIC_URL`): its cookies go over it only.
    secure_cookies: bool = False
    # Sign-in links asked for from one client address (the sign-in page).
    limiter: ClientLimiter = field(default_factory=ClientLimiter)


def inbox_deps(request: Request) -> InboxDeps:
    d: ApiDeps = deps(request)
    if d.inbox is None:
        raise RuntimeError("the inbox was mounted without its parts")
    inbox: InboxDeps = d.inbox
    return inbox


Inbox = Annotated[InboxDeps, Depends(inbox_deps)]
