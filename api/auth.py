"""Who is calling: the API key presented, found among the configured ones (`api.keys`), and
the role it acts in."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import APIKeyHeader

from api.deps import Deps
from api.problems import forbidden, unauthorized
from domain.stages import Role
from integrations import ApiKey

key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="The calling system's API key; its roles and reach are configured per key.",
)


async def caller(key: Annotated[str | None, Security(key_header)], d: Deps) -> ApiKey:
    if not key:
        raise unauthorized("header X-API-Key wajib diisi")
    found = d.keys.find(key)
    if found is None:
        raise unauthorized("kunci API tidak dikenal")
    return found


Caller = Annotated[ApiKey, Depends(caller)]


def require_role(key: ApiKey, *roles: Role) -> Role:
    """The role the key acts in for this call: the first of `roles` it holds."""
    for role in roles:
        if role in key.roles:
            return role
    wanted = " atau ".join(r.value for r in roles)
    raise forbidden("X-API-Key", f"kunci {key.name} tidak berperan {wanted}")
