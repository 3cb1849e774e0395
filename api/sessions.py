"""The codec endpoint's browser sessions, as cookies signed with `OVOP_SESSION_SECRET`: any
API process given the same secret accepts a cookie another one signed, and none keeps a list.

A session cookie carries the key's name and SHA-256 (never the key) and the time it was
signed, signed with itsdangerous (HMAC-SHA256). It is taken back only while
- its signature holds: signed with this secret, not altered;
- it is less than 12 hours old;
- a key of that name is still configured with that hash, so removing or replacing a key in
  `OVOP_API_KEYS` ends its sessions on every process.
Signing out deletes the cookie in that browser; a copy taken before stays valid until one of
the above ends it, as nothing is kept to strike it from. Changing the secret ends them all.

The sign-in form is guarded the double-submit way: the form page sets a random nonce in a
SameSite=Strict cookie and puts the same nonce, signed and valid for an hour, in the form. A
form posted from another site arrives without the cookie, one forged elsewhere without a
token for it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from api.keys import KeyRing
from integrations import ApiKey

SESSION_SECONDS = 12 * 3600
FORM_SECONDS = 3600  # a sign-in form left open longer is shown again
SHORTEST_SECRET = 32


def signed(
    secret: str, salt: str, signer: type[TimestampSigner] = TimestampSigner
) -> URLSafeTimedSerializer:
    """What a cookie or a form token is signed with: HMAC-SHA256 over `secret`, the time it
    was signed, and a salt of its own for each kind of thing signed."""
    return URLSafeTimedSerializer(
        secret, salt=salt, signer=signer, signer_kwargs={"digest_method": hashlib.sha256}
    )


class FormGuard:
    """CSRF tokens, double-submit: a nonce for the browser's cookie, its signature for the
    form; a post whose token is not the signature of its cookie's nonce is refused."""

    def __init__(
        self,
        secret: str,
        salt: str,
        max_age: int,
        signer: type[TimestampSigner] = TimestampSigner,
    ) -> None:
        self._forms = signed(secret, salt, signer)
        self._max_age = max_age

    def new_form(self) -> tuple[str, str]:
        """A nonce (for the cookie) and its token (for the form)."""
        nonce = secrets.token_urlsafe(24)
        return nonce, self.token_for(nonce)

    def token_for(self, nonce: str) -> str:
        return self._forms.dumps(nonce)

    def form_is_genuine(self, nonce: str | None, token: str | None) -> bool:
        """The form's token is ours, recent, and made for the nonce of this browser's cookie."""
        if not nonce or not token:
            return False
        try:
            signed = self._forms.loads(token, max_age=self._max_age)
        except BadData:
            return False
        return isinstance(signed, str) and hmac.compare_digest(signed, nonce)


class SessionCookies:
    """Signs and reads the codec's session cookies and its sign-in form tokens."""

    def __init__(self, secret: str, signer: type[TimestampSigner] = TimestampSigner) -> None:
        if len(secret) < SHORTEST_SECRET:
            raise ValueError(f"rahasia sesi minimal {SHORTEST_SECRET} karakter")
        self._sessions = signed(secret, "ovop-codec-session", signer)
        self._forms = FormGuard(secret, "ovop-codec-sign-in", FORM_SECONDS, signer)

    def session_for(self, key: ApiKey) -> str:
        return self._sessions.dumps({"name": key.name, "sha256": key.sha256})

    def key_of(self, cookie: str, keys: KeyRing) -> ApiKey | None:
        """The configured key a genuine, unexpired session cookie names; else None."""
        try:
            session = self._sessions.loads(cookie, max_age=SESSION_SECONDS)
            return keys.configured(session["name"], session["sha256"])
        except (BadData, KeyError, TypeError):
            return None

    def new_form(self) -> tuple[str, str]:
        """A sign-in form's nonce (for its cookie) and token (for the form)."""
        return self._forms.new_form()

    def form_is_genuine(self, nonce: str | None, token: str) -> bool:
        return self._forms.form_is_genuine(nonce, token)
