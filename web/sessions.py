"""Who is signed in to the inbox, as a signed cookie, and the guard every form carries.

The session cookie (HttpOnly, SameSite=Lax, 12 hours) holds the signed-in address, or the
name and SHA-256 of the operator's API key and the user id they act as, and when it was
signed: any API process with the same `OVOP_SESSION_SECRET` reads what another signed, and
none keeps a list. A key's session ends when the key is removed or replaced.

Every form carries a CSRF token: the double-submit way, a random nonce in a SameSite=Strict
cookie and the same nonce, signed, in the form (`FormGuard`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsdangerous import BadData

from api.sessions import SHORTEST_SECRET, FormGuard, signed

SESSION_COOKIE = "ovop_sesi"
FORM_COOKIE = "ovop_formulir"
SESSION_SECONDS = 12 * 3600
FORM_SECONDS = 12 * 3600  # a form open longer than a session is shown again


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
        self._sessions = signed(secret, "ovop-inbox-session")
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
