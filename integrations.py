"""The ministry's systems the engine is configured to work with: who may call the API
(`ApiKey`) and who hears of nominations by webhook (`WebhookSubscriber`).

Plain models with no I/O, so that `settings.py` reads them from the environment without
importing the adapters that use them (`api.keys`, `activities.webhooks`).

- A **regional office** key (role `proposer`) acts for its Dinas Perindustrian: it
  proposes, resubmits and withdraws nominations of its own province (and regency, when the
  key names one), and sees only those.
- A **lab** key (role `lab_assessor`) assesses, and sees, what is routed to its lab.
- **Ditjen IKMA** keys hold any of `verifier`, `official`, `operator`, `juror`, and see
  every nomination.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    model_validator,
)

from domain.access import Reach
from domain.decisions import Actor
from domain.events import EventKind
from domain.labs import Lab
from domain.proposal import Model, ProvinceName, Regency, Text
from domain.stages import Role

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$", to_lower=True)]


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


WEBHOOK_SECRET_PREFIX = "whsec_"
# The Standard Webhooks specification's bounds for a symmetric secret.
WEBHOOK_SECRET_BYTES = range(24, 65)


def new_webhook_secret() -> str:
    """A fresh secret in the Standard Webhooks form, `whsec_` and 32 random bytes in base64."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _standard_webhook_secret(secret: SecretStr) -> SecretStr:
    # The signing library drops characters outside base64 without a word, so a secret
    # mistyped or in another form would sign with a key nobody holds: refuse it here.
    value = secret.get_secret_value()
    try:
        if not value.startswith(WEBHOOK_SECRET_PREFIX):
            raise ValueError
        key = base64.b64decode(value.removeprefix(WEBHOOK_SECRET_PREFIX), validate=True)
    except (ValueError, binascii.Error):
        raise ValueError(
            "rahasia webhook harus berbentuk whsec_<base64> (Standard Webhooks); buat dengan "
            'python -c "from integrations import new_webhook_secret; print(new_webhook_secret())"'
        ) from None
    if len(key) not in WEBHOOK_SECRET_BYTES:
        raise ValueError(
            f"rahasia webhook harus 24 sampai 64 bita setelah didekode, bukan {len(key)}"
        )
    return secret


WebhookSecret = Annotated[SecretStr, AfterValidator(_standard_webhook_secret)]


class WebhookSubscriber(Model):
    """A system that wants to hear of nominations: where, with which secrets, which events."""

    # A refused secret is not echoed into the log that says why.
    model_config = ConfigDict(hide_input_in_errors=True)

    name: Text
    url: AnyHttpUrl
    secret: WebhookSecret = Field(description="`whsec_` and the key in base64")
    previous_secret: WebhookSecret | None = Field(
        default=None,
        description="while the secret is being rotated, the one the subscriber still checks "
        "with; every delivery is signed with both until it is removed",
    )
    events: list[EventKind] = Field(
        default_factory=list, description="the event kinds it wants; empty: every kind"
    )

    @model_validator(mode="after")
    def _two_different_secrets(self) -> Self:
        if self.previous_secret == self.secret:
            raise ValueError("previous_secret sama dengan secret: rahasia baru belum dipasang")
        return self

    @property
    def signing_secrets(self) -> list[SecretStr]:
        """Every secret a delivery is signed with: the current one, then the previous one."""
        return [s for s in (self.secret, self.previous_secret) if s is not None]

    def wants(self, kind: EventKind) -> bool:
        return not self.events or kind in self.events
