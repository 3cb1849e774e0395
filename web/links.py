"""Sign-in links: signed, single-use, expiring; each signs one address in and leads on to
one page of the inbox.

A link asked for on the sign-in page lives `ASKED_LINK`; one in a letter that asks someone
to act lives `LETTER_LINK`, as its task may wait some days. Its nonce is written to the
records when it is used (`records.inbox`), so a second use is refused on every API process.
A letter to a desk (the verification desk, a lab's desk) carries the task's address
without a sign-in: the person who takes it signs in with their own address there.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from domain.access import folded
from domain.notifications import LETTER_LINK, LINK_PATH, Recipient, task_path, task_url

ASKED_LINK = timedelta(minutes=30)
LONGEST_LINK = max(ASKED_LINK, LETTER_LINK)


class LinkRefused(Exception):
    """A link that cannot sign anyone in; the message says why, in Indonesian."""


@dataclass(frozen=True)
class LinkClaim:
    email: str
    nonce: str
    next: str


def safe_next(path: str | None) -> str:
    """A page of this site to go on to; anything else (another site) goes to the inbox."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/tugas"


class SignInLinks:
    def __init__(self, secret: str, public_url: str) -> None:
        self._signed = URLSafeTimedSerializer(
            secret,
            salt="ovop-inbox-sign-in-link",
            signer_kwargs={"digest_method": hashlib.sha256},
        )
        self._public_url = public_url.rstrip("/")

    def token(self, email: str, next_path: str, lives: timedelta, nonce: str | None = None) -> str:
        claim = {
            "e": folded(email),
            "n": nonce or secrets.token_urlsafe(18),
            "to": safe_next(next_path),
            "s": int(lives.total_seconds()),
        }
        return self._signed.dumps(claim)

    def url(self, email: str, next_path: str, lives: timedelta, nonce: str | None = None) -> str:
        return self._public_url + LINK_PATH + self.token(email, next_path, lives, nonce)

    def read(self, token: str) -> LinkClaim:
        """The link's claim, if it is ours and still alive; `LinkRefused` otherwise."""
        try:
            claim: Any
            claim, signed_at = self._signed.loads(
                token, max_age=int(LONGEST_LINK.total_seconds()), return_timestamp=True
            )
            email, nonce, to, lives = claim["e"], claim["n"], claim["to"], claim["s"]
        except SignatureExpired:
            raise LinkRefused("tautan masuk ini sudah kedaluwarsa") from None
        except (BadData, KeyError, TypeError):
            raise LinkRefused("tautan masuk ini tidak sah atau tidak lengkap") from None
        if datetime.now(UTC) - signed_at > timedelta(seconds=int(lives)):
            raise LinkRefused("tautan masuk ini sudah kedaluwarsa")
        return LinkClaim(str(email), str(nonce), safe_next(str(to)))

    def for_letter(self, nomination_id: str, recipient: Recipient) -> str:
        """The address a letter asking `recipient` to act gives for the task: one that
        signs a person in, the bare task for a desk."""
        if recipient.is_desk:
            return task_url(self._public_url, nomination_id)
        return self.url(str(recipient.email), task_path(nomination_id), LETTER_LINK)
