"""Who is signed in to the inbox, as a signed cookie, and the guard every form carries.

The session cookie (HttpOnly, SameSite=Lax, 12 hours) holds the signed-in address, or the
name and SHA-256 of the operator's API key and the user id they act as, and when it was
signed: any API process with the same `OVOP_SESSION_SECRET` reads what another signed, and
none keeps a list. A key's session ends when the key is removed or replaced.

Every form carries a CSRF token: the double-submit way, a random nonce in a SameSite=Strict
cookie and the same nonce, signed, in the form (`FormGuard`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer

from api.sessions import SHORTEST_SECRET

SESSION_COOKIE = "ovop_sesi"
FORM_COOKIE = "ovop_formulir"
SESSION_SECONDS = 12 * 3600
FORM_SECONDS = 12 * 3600  # a form open longer than a session is shown again


def _serializer(secret: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret, salt=salt, signer_kwargs={"digest_method": hashlib.sha256}
    )


class FormGuard:
    """CSRF tokens, double-submit: a nonce for the browser's cookie, its signature for the
    form; a post whose token is not the signature of its cookie's nonce is refused."""

    def __init__(self, secret: str, salt: str, max_age: int) -> None:
        self._forms = _serializer(secret, salt)
        self._max_age = max_age

    def new_form(self) -> tuple[str, str]:
        """A nonce (for the cookie) and its token (for the form)."""
        nonce = secrets.token_urlsafe(24)
        return nonce, self.token_for(nonce)

    def token_for(self, nonce: str) -> str:
        return self._forms.dumps(nonce)

    def form_is_genuine(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token:
            return False
        try:
            signed = self._forms.loads(token, max_age=self._max_age)
        except BadData:
            return False
        return isinstance(signed, str) and hmac.compare_digest(signed, nonce)


@dataclass(frozen=True)
class SessionClaim:
    """What a session cookie says: an address signed in by link, or an operator's key."""

    email: str | None = None
    key_name: str | None = None
    key_sha256: str | None = None
    user_id: str | None = None


class InboxCookies:
    def __init__(self, secret: str) -> None:
        if len(secret) < SHORTEST_SECRET:
            raise ValueError(f"rahasia sesi minimal {SHORTEST_SECRET} karakter")
        self._sessions = _serializer(secret, "ovop-inbox-session")
        self.forms = FormGuard(secret, "ovop-inbox-form", FORM_SECONDS)

    def for_email(self, email: str) -> str:
        return self._sessions.dumps({"e": email})

    def for_key(self, name: str, sha256: str, user_id: str) -> str:
        return self._sessions.dumps({"k": name, "h": sha256, "u": user_id})

    def read(self, cookie: str | None) -> SessionClaim | None:
        if not cookie:
            return None
        try:
            data: Any = self._sessions.loads(cookie, max_age=SESSION_SECONDS)
            if "e" in data:
                return SessionClaim(email=str(data["e"]))
            return SessionClaim(key_name=data["k"], key_sha256=data["h"], user_id=data["u"])
        except (BadData, KeyError, TypeError):
            return None
