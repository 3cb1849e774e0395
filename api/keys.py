"""API keys: one per calling system, each with its roles and, for a region or a lab, its reach
(`integrations.ApiKey`, which says who sees what).

Only the SHA-256 of each key is configured; a presented key is hashed and compared with
every configured hash in constant time. The keys are long random strings (`new_key`), so
a plain hash is enough: there is nothing to guess.

The person acting is named in the `X-OVOP-User` header; the role and institution always
come from the key, never from the request body.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from integrations import ApiKey


def new_key() -> str:
    """A fresh API key to hand to a system (shown once; only its hash is configured)."""
    return "ovop_" + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyRing:
    def __init__(self, keys: Iterable[ApiKey]) -> None:
        self._keys = list(keys)
        names = [k.name for k in self._keys]
        if len(names) != len(set(names)):
            raise ValueError("nama kunci API harus unik")

    def find(self, presented: str) -> ApiKey | None:
        """The key presented, if configured; every hash is compared, in constant time."""
        digest = hash_key(presented)
        found = None
        for key in self._keys:
            if hmac.compare_digest(digest, key.sha256):
                found = key
        return found

    def configured(self, name: str, sha256: str) -> ApiKey | None:
        """The key of this name if it is still configured with this hash (a session's key)."""
        for key in self._keys:
            if key.name == name and hmac.compare_digest(key.sha256, sha256):
                return key
        return None
