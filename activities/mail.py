"""Email to the stakeholders: rendering from templates and sending over SMTP."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.charset import QP, Charset
from email.message import Message
from email.utils import format_datetime, formataddr, parseaddr
from functools import partial
from typing import Any

import aiosmtplib
from jinja2 import Environment, PackageLoader, StrictUndefined

from domain.certificates import verification_url
from domain.decree import decree_url
from domain.events import NominationEvent
from domain.notifications import (
    LETTER_LINK,
    SIGN_IN_PATH,
    Recipient,
    asks_to_act,
    task_url,
)
from domain.presentation import NominationSummary, day, score, when

UTF8 = "utf-8"
BODY_CHARSET = Charset(UTF8)
BODY_CHARSET.body_encoding = QP  # readable in the raw message, safe for any SMTP server


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = 1025
    sender: str = "OVOP Kemenperin <ovop@kemenperin.go.id>"
    username: str | None = None
    password: str | None = None
    start_tls: bool = False
    use_tls: bool = False
    ca_file: str | None = None  # trust this CA for the server's certificate, not the system's
    timeout: float = 30.0


class Mailer:
    """Sends messages over SMTP, keeping a few connections open between batches.

    Opening a connection (TCP, the greeting, EHLO, STARTTLS and AUTH where configured) cost
    more than the message itself for the short letters of one event, on both sides; so a
    batch takes an open connection when one is idle and still answers a NOOP, and hands it
    back afterwards. A connection idle for longer than `IDLE_FOR` is closed rather than
    reused (servers drop quiet clients), as is one a batch ended with an error on.
    """

    POOL_SIZE = 4
    IDLE_FOR = 30.0  # seconds

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._idle: list[tuple[float, aiosmtplib.SMTP]] = []  # (idle since, connection)
        self._closed = False

    def connection(self) -> aiosmtplib.SMTP:
        """A new connection of its own, for `async with` (connected on entry, closed on
        exit)."""
        c = self.config
        return aiosmtplib.SMTP(
            hostname=c.host,
            port=c.port,
            username=c.username,
            password=c.password,
            start_tls=c.start_tls,
            use_tls=c.use_tls,
            cert_bundle=c.ca_file,
            timeout=c.timeout,
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[aiosmtplib.SMTP]:
        """A connected SMTP connection for one batch: an idle one that still answers, else a
        new one."""
        smtp = await self._answering_idle() or self.connection()
        if not smtp.is_connected:
            await smtp.connect()
        try:
            yield smtp
        except BaseException:
            smtp.close()
            raise
        if len(self._idle) < self.POOL_SIZE and smtp.is_connected and not self._closed:
            self._idle.append((time.monotonic(), smtp))
        else:
            await _quit(smtp)

    async def _answering_idle(self) -> aiosmtplib.SMTP | None:
        """An idle connection the server still answers (NOOP: one round trip, where a new
        connection takes several). A letter is never sent twice on the pool's account: a
        connection that fails during a letter fails the batch, and the activity's retry,
        which the mail ledger counts, decides what goes again."""
        while (smtp := self._take_idle()) is not None:
            try:
                await smtp.noop()
                return smtp
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()
        return None

    def _take_idle(self) -> aiosmtplib.SMTP | None:
        now = time.monotonic()
        while self._idle:
            since, smtp = self._idle.pop()
            if now - since < self.IDLE_FOR and smtp.is_connected:
                return smtp
            smtp.close()
        return None

    async def close(self) -> None:
        """Say goodbye on every idle connection (the worker is stopping); a batch still
        under way closes its own when it ends."""
        self._closed = True
        idle, self._idle = self._idle, []
        await asyncio.gather(*(_quit(smtp) for _, smtp in idle))


async def _quit(smtp: aiosmtplib.SMTP) -> None:
    try:
        await smtp.quit()
    except (aiosmtplib.SMTPException, OSError):
        smtp.close()


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str


# The API on this machine (`make run`), as `Settings.api_public_url` says when unset.
LOCAL_PUBLIC_URL = "http://localhost:8000"

# The address of a nomination's task that a letter gives its recipient.
TaskLink = Callable[[str, Recipient], str]


class MailRenderer:
    """Indonesian subject and body for each kind of event, from Jinja2 templates."""

    def __init__(
        self, public_url: str = LOCAL_PUBLIC_URL, task_link: TaskLink | None = None
    ) -> None:
        """`public_url`: where the public reaches the API (`Settings.api_public_url`), for
        the certificate's verification link and the inbox.

        `task_link`: the link to a task that signs a person in (`SignInLinks.for_letter`,
        which gives a desk the bare task address). Without it, every letter that asks
        someone to act gives the bare task address, where they sign in."""
        self._signs_in = task_link is not None
        self._task_link = task_link or partial(_bare_task_link, public_url)
        self._env = Environment(
            loader=PackageLoader("activities", "templates"),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            autoescape=False,  # plain-text mail
        )
        self._env.filters["when"] = when
        self._env.filters["score"] = score
        self._env.filters["day"] = day
        self._env.filters["verification_url"] = partial(verification_url, public_url)
        self._env.filters["decree_url"] = partial(decree_url, public_url)
        self._env.globals.update(
            task_link=None,
            signs_in=False,
            link_days=LETTER_LINK.days,
            sign_in_url=public_url.rstrip("/") + SIGN_IN_PATH,
        )

    def letter(
        self, n: NominationSummary, e: NominationEvent, r: Recipient, lab_address: str
    ) -> RenderedMail:
        """The letter telling `r` of event `e`: when it asks them to act, with the link to
        their task."""
        link = self._task_link(n.id, r) if asks_to_act(e, r) else None
        signs_in = self._signs_in and not r.is_desk
        return self.render(
            e.kind.value, n=n, e=e, r=r, lab_address=lab_address, task_link=link, signs_in=signs_in
        )

    def render(self, template: str, **context: Any) -> RenderedMail:
        text = self._env.get_template(f"{template}.txt").render(**context)
        head, _, body = text.partition("\n\n")
        if not head.startswith("Subject: "):
            raise ValueError(f"template {template} must start with a 'Subject: ' line")
        return RenderedMail(
            subject=head.removeprefix("Subject: ").strip(), body=body.strip() + "\n"
        )


def _bare_task_link(public_url: str, nomination_id: str, _: Recipient) -> str:
    return task_url(public_url, nomination_id)


def message_id(nomination: NominationSummary, event: NominationEvent, recipient: Recipient) -> str:
    """The same Message-ID for the same event and recipient, so a resend can be recognised."""
    digest = hashlib.sha256(str(recipient.email).lower().encode()).hexdigest()[:12]
    return f"<{nomination.id}.{event.seq}.{digest}@ovop.kemenperin.go.id>"


def build_message(
    sender: str,
    nomination: NominationSummary,
    event: NominationEvent,
    recipient: Recipient,
    mail: RenderedMail,
) -> Message:
    """The message as sent. Built with the compat32 API on purpose: `EmailMessage` parses
    every header as it is set, which took a quarter of the worker's CPU in `make bench`
    (0.5 ms a message, against 0.015 ms here); what goes on the wire is the same MIME."""
    msg = Message()
    msg["From"] = formataddr(parseaddr(sender), charset=UTF8)
    msg["To"] = formataddr((recipient.name, str(recipient.email)), charset=UTF8)
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(event.at)
    msg["Message-ID"] = message_id(nomination, event, recipient)
    msg["X-OVOP-Nomination"] = nomination.id
    msg["X-OVOP-Event"] = f"{event.seq}:{event.kind.value}"
    msg["Content-Language"] = "id"
    msg["MIME-Version"] = "1.0"
    msg.set_payload(mail.body, BODY_CHARSET)
    return msg
