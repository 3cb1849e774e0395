"""API keys: one per calling system, each with its roles and, for a region or a lab, its reach.

Only the SHA-256 of each key is configured; a presented key is hashed and compared with
every configured hash in constant time. The keys are long random strings (`new_key`), so
a plain hash is enough: there is nothing to guess.

- A **regional office** key (role `proposer`) acts for its Dinas Perindustrian: it
  proposes, resubmits and withdraws nominations of its own province (and regency, when the
  key names one), and sees only those.
- A **lab** key (role `lab_assessor`) assesses, and sees, what is routed to its lab.
- **Ditjen IKMA** keys hold any of `verifier`, `official`, `operator`, `juror`, and see
  every nomination.
The person acting is named in the `X-OVOP-User` header; the role and institution always
come from the key, never from the request body.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from domain.access import Reach
from domain.decisions import Actor
from domain.labs import Lab
from domain.proposal import Model, ProvinceName, Regency, Text
from domain.stages import Role

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$", to_lower=True)]


def new_key() -> str:
    """A fresh API key to hand to a system (shown once; only its hash is configured)."""
    return "ovop_" + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(Model):
    """One calling system, as configured."""

    name: Text = Field(description="the system, e.g. `simpel-disperin-pekalongan`")
    sha256: Sha256 = Field(description="hex SHA-256 of the key; the key is never stored")
    roles: list[Role] = Field(min_length=1)
    institution: Text
    province: ProvinceName | None = None
    regency: Regency | None = None
    lab: Lab | None = None

    @model_validator(mode="after")
    def _reach(self) -> Self:
        roles = set(self.roles)
        if Role.SYSTEM in roles:
            raise ValueError("peran system hanya untuk mesin OVOP sendiri")
        if Role.PROPOSER in roles:
            if roles != {Role.PROPOSER}:
                raise ValueError("kunci Dinas pengusul hanya berperan proposer")
            if self.province is None:
                raise ValueError("kunci Dinas pengusul harus menyebut provinsinya")
        if Role.LAB_ASSESSOR in roles:
            if roles != {Role.LAB_ASSESSOR}:
                raise ValueError("kunci Balai Besar hanya berperan lab_assessor")
            if self.lab is None:
                raise ValueError("kunci Balai Besar harus menyebut lab-nya")
        return self

    def actor(self, role: Role, user_id: str) -> Actor:
        return Actor(user_id=user_id, role=role, institution=self.institution)

    @property
    def reach(self) -> Reach:
        """The nominations this key reaches (`domain.access`)."""
        return Reach(frozenset(self.roles), self.province, self.regency, self.lab)


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
