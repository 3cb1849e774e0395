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

from typing import Annotated, Self

from pydantic import AnyHttpUrl, Field, SecretStr, StringConstraints, model_validator

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


class WebhookSubscriber(Model):
    """A system that wants to hear of nominations: where, with which secret, which events."""

    name: Text
    url: AnyHttpUrl
    secret: SecretStr
    events: list[EventKind] = Field(
        default_factory=list, description="the event kinds it wants; empty: every kind"
    )

    def wants(self, kind: EventKind) -> bool:
        return not self.events or kind in self.events
