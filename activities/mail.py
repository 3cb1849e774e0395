"""Email to the stakeholders: rendering from templates and sending over SMTP."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
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
from domain.presentation import NominationSummary, score, when

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
    """Sends messages through one SMTP connection per batch."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def connection(self) -> aiosmtplib.SMTP:
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
