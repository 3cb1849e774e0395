"""The inbox as a browser reaches it, without a browser: the API's app with its inbox,
served on loopback, and a person who signs in with the link the SMTP server received."""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import httpx
from temporalio.testing import WorkflowEnvironment

from activities.mail import Mailer
from api.app import ApiDeps, create_app
from api.idempotency import IdempotencyKeys
from api.keys import KeyRing
from documents.folder import FolderStore
from records import RecordStore
from tests.integration.api_stack import KEYS, Api
from tests.integration.conftest import Inbox, end_leftovers, serving
from tests.support import eventually
from web.deps import InboxDeps
from web.directory import Directory
from web.links import SignInLinks
from web.sessions import InboxCookies
from worker import activities_for, build_worker

SECRET = "rahasia-sesi-uji-yang-cukup-panjang-0123456789"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
LINK = re.compile(r"(http://\S+/masuk/tautan/\S+)")


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html
    return found.group(1)


def links_in(message: EmailMessage) -> list[str]:
    body = message.get_body(("plain",))
    assert body is not None
    return LINK.findall(body.get_content())


@dataclass
class Browser:
    """One person's cookies on the inbox: a browser without the rendering."""

    http: httpx.AsyncClient

    async def csrf(self, path: str = "/masuk") -> str:
        return csrf_of((await self.http.get(path)).text)

    async def ask_for_link(self, email: str, then: str = "/tugas") -> httpx.Response:
        token = await self.csrf()
        return await self.http.post("/masuk", data={"email": email, "ke": then, "csrf": token})

    async def use_link(self, link: str) -> httpx.Response:
        path = link.split("//", 1)[1].partition("/")[2]
        page = await self.http.get("/" + path)
        if page.status_code != 200:
            return page
        return await self.http.post("/" + path, data={"csrf": csrf_of(page.text)})

    async def decide(self, nomination_id: str, data: dict[str, str]) -> httpx.Response:
        token = csrf_of((await self.http.get(f"/tugas/{nomination_id}")).text)
        return await self.http.post(f"/tugas/{nomination_id}", data={**data, "csrf": token})


@dataclass
class InboxSite:
    base: str
    api: Api
    mail: Inbox
    links: SignInLinks

    @asynccontextmanager
    async def browser(self) -> AsyncIterator[Browser]:
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as http:
            yield Browser(http)

    def sign_in_links(self, email: str) -> list[str]:
        """Every sign-in link mailed to `email` so far, oldest first."""
        return [
            link
            for rcpt, message in self.mail.received
            if rcpt == email.lower()
            for link in links_in(message)
        ]

    async def new_link_to(self, email: str, seen: int) -> str:
        """The sign-in link mailed to `email` after the `seen` ones before it: the sign-in
        page sends it after it answers."""

        async def arrived() -> str | None:
            links = self.sign_in_links(email)
            return links[seen] if len(links) > seen else None

        return await eventually(arrived, f"a sign-in link mailed to {email}", within=10)

    @asynccontextmanager
    async def signed_in(self, email: str) -> AsyncIterator[Browser]:
        """A browser signed in as `email` with the link the sign-in page mailed."""
        async with self.browser() as b:
            seen = len(self.sign_in_links(email))
            assert (await b.ask_for_link(email)).status_code == 200
            signed = await b.use_link(await self.new_link_to(email, seen))
            assert signed.status_code == 303, signed.text
            yield b


@asynccontextmanager
async def inbox_site(
    env: WorkflowEnvironment, store: RecordStore, mailer: Mailer, mail: Inbox
) -> AsyncIterator[InboxSite]:
    task_queue = f"inbox-{uuid.uuid4()}"
    links = SignInLinks(SECRET, "http://127.0.0.1")
    folder = tempfile.TemporaryDirectory(prefix="ovop-documents-")
    documents = FolderStore(Path(folder.name))
    deps = ApiDeps(
        client=env.client,
        store=store,
        idempotency=IdempotencyKeys(store.engine),
        keys=KeyRing(KEYS.values()),
        task_queue=task_queue,
        inbox=InboxDeps(
            cookies=InboxCookies(SECRET),
            links=links,
            directory=Directory(env.client),
            mailer=mailer,
        ),
        documents=documents,
    )
    async with (
        build_worker(env.client, task_queue, activities_for(store, mailer)),
        serving(create_app(deps)) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as http,
    ):
        yield InboxSite(base, Api(http, env, base, documents), mail, links)
    await end_leftovers(env.client, task_queue)
    folder.cleanup()
