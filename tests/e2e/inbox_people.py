"""The demo cycle's people at the inbox of one `ovop dev`, each in a browser context of
their own (cookies): the letters the mail sink kept for them, the sign-in those letters
lead to, and the nomination's state as the API reads it with the demo operator key."""

from __future__ import annotations

import asyncio
import json
import os
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from devstack import read_mail
from tests.local_stack import LocalStack
from tests.support import eventually

# A person's own sign-in link; a desk's letter gives the bare task address instead.
SIGN_IN_LINK = re.compile(r"https?://\S+/masuk/tautan/\S+")
TASK_ADDRESS = re.compile(r"https?://\S+/tugas/ovop-\S+")
SIGN_IN_SUBJECT = "[OVOP] Tautan masuk ke kotak tugas"  # web/sign_in.py's letter
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
WAIT_MS = 20_000  # a page waits on a Temporal query or Update, on a shared 2-core machine
MAIL_WAIT = 60  # seconds: a letter is sent by the worker's activity after the decision


@dataclass
class Letters:
    """The `.eml` files of the stack's mail sink, each read once."""

    folder: Path
    taken: set[Path] = field(default_factory=set)

    async def link(self, to: str, pattern: re.Pattern[str], about: str | None = None) -> str:
        """The address `pattern` finds in the next letter to `to` not read yet, about
        nomination `about` (or, without it, the one a sign-in page sent), waiting for it to
        be sent."""

        async def found() -> str | None:
            for path, message in await asyncio.to_thread(read_mail, self.folder):
                if path in self.taken or not path.name.endswith(f"-{to}.eml"):
                    continue
                text = body_of(message)
                if about is None and message["Subject"] != SIGN_IN_SUBJECT:
                    continue
                if about is not None and f"Nomor usulan : {about}" not in text:
                    continue
                self.taken.add(path)
                links = pattern.findall(text)
                assert links, f"{path.name} gives no address like {pattern.pattern}:\n{text}"
                return str(links[0])
            return None

        return await eventually(found, f"a letter to {to} about {about}", within=MAIL_WAIT)


def body_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None, message
    return str(body.get_content())


@dataclass
class Inbox:
    """The stack's inbox, its letters, and a browser to open it in."""

    stack: LocalStack
    browser: Any  # playwright.async_api.Browser
    letters: Letters
    shots: Path
    people: list[Person] = field(default_factory=list)

    @property
    def base(self) -> str:
        # On `localhost`, as the banner gives the inbox and the letters give their links.
        return f"http://localhost:{self.stack.ports.api}"

    def here(self, address: str) -> str:
        """A letter's address, which must be on this stack's own API port."""
        assert address.startswith(self.base + "/"), f"{address} is not on {self.base}"
        return address

    async def person(self, email: str) -> Person:
        """A browser context of the person's own: nobody else's cookies."""
        context = await self.browser.new_context(viewport=SIZES["desktop"])
        context.set_default_timeout(WAIT_MS)
        person = Person(email, await context.new_page(), self)
        self.people.append(person)
        return person

    async def keep_pages(self) -> None:
        """Each open page as it was when something failed, beside the screenshots."""
        for person in self.people:
            if not person.page.is_closed():
                stem = self.shots / f"failed-{person.email}"
                await person.page.screenshot(path=f"{stem}.png", full_page=True)
                html = await person.page.content()
                await asyncio.to_thread(Path(f"{stem}.html").write_text, html)

    async def state(self, nomination_id: str) -> dict[str, Any]:
        """The nomination as the API gives it to the demo operator key."""
        keys = await asyncio.to_thread((self.stack.var / "api-keys.json").read_text)
        key = json.loads(keys)["ditjen-ikma"]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.stack.ports.api}") as api:
            answer = await api.get(f"/nominations/{nomination_id}", headers={"X-API-Key": key})
        assert answer.status_code == 200, answer.text
        state: dict[str, Any] = answer.json()
        return state

    async def reaches(self, nomination_id: str, stage: str) -> dict[str, Any]:
        async def there() -> dict[str, Any] | None:
            state = await self.state(nomination_id)
            return state if state["stage"] == stage else None

        return await eventually(there, f"{nomination_id} at {stage}")

    async def screenshots(self, page: Any, name: str, showing: Any = None) -> None:
        """`inbox-<name>-<desktop|phone>.png`: what the screen shows of the page (scrolled to
        `showing`, a locator, if given), kept in $OVOP_SCREENSHOTS too when it is set
        (`make e2e`); the page is left at desktop width."""
        for size, viewport in SIZES.items():
            await page.set_viewport_size(viewport)
            if showing is not None:
                await showing.scroll_into_view_if_needed()
            png = await page.screenshot()
            await asyncio.to_thread(_keep, png, self.shots, f"inbox-{name}-{size}.png")
        await page.set_viewport_size(SIZES["desktop"])


def _keep(png: bytes, folder: Path, name: str) -> None:
    for where in (folder, os.environ.get("OVOP_SCREENSHOTS")):
        if where:
            Path(where).mkdir(parents=True, exist_ok=True)
            (Path(where) / name).write_bytes(png)


@dataclass
class Person:
    """One person's browser context on the inbox."""

    email: str
    page: Any  # playwright.async_api.Page
    inbox: Inbox

    async def sign_in_with(self, link: str, then: str) -> None:
        """Open a sign-in link, press its button (opening it alone does not spend it), and
        land on `then`."""
        from playwright.async_api import expect

        await self.page.goto(self.inbox.here(link))
        await expect(self.page.locator("main")).to_contain_text(self.email)
        await self.page.get_by_role("button", name="Masuk", exact=True).click()
        await expect(self.page).to_have_url(self.inbox.base + then)

    async def sign_in_at(self, address: str) -> None:
        """Open a page of the inbox (a desk's letter gives the task's bare address): the
        sign-in page asks who is there, and the link comes in a letter of the person's own."""
        from playwright.async_api import expect

        address = self.inbox.here(address)
        path = address.removeprefix(self.inbox.base)
        await self.page.goto(address)
        await expect(self.page).to_have_url(re.compile(r"/masuk\?ke="))
        await self.page.get_by_label("Alamat email").fill(self.email)
        await self.page.get_by_role("button", name="Kirim tautan masuk").click()
        await expect(self.page.get_by_role("heading", name="Periksa email Anda")).to_be_visible()
        link = await self.inbox.letters.link(self.email, SIGN_IN_LINK)
        await self.sign_in_with(link, path)

    async def open_task(self, nomination_id: str, product: str) -> None:
        """From the inbox's list, as a person finds it: the row of the product, its link."""
        from playwright.async_api import expect

        await self.page.get_by_role("navigation").get_by_role("link", name="Kotak tugas").click()
        await expect(self.page).to_have_url(self.inbox.base + "/tugas")
        task = self.page.locator("tbody tr", has_text=product).get_by_role("link")
        await expect(task).to_have_attribute("href", f"/tugas/{nomination_id}")
        await task.click()
        await expect(self.page).to_have_url(f"{self.inbox.base}/tugas/{nomination_id}")

    async def refused(self, path: str, heading: str, status: int) -> str:
        """Open `path` and find the refusal page: its status, its heading; its message."""
        from playwright.async_api import expect

        answer = await self.page.goto(self.inbox.base + path)
        assert answer is not None and answer.status == status, (path, answer and answer.status)
        await expect(self.page.get_by_role("heading", level=1)).to_have_text(heading)
        message = await self.page.get_by_role("alert").inner_text()
        return str(message)

    async def close(self) -> None:
        await self.page.context.close()
