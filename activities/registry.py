"""The registry pre-check: look the IKM's NIB up in the ministry's registry and compare.

The registry is an HTTP service (`GET {base}/ikm/{nib}`: 200 with the record as JSON, 404
when the NIB is unknown) or, by default, a local table loaded from a CSV file. A registry
that is down or answers 5xx raises, so Temporal retries; the nomination does not wait.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import httpx
from pydantic import ValidationError
from temporalio import activity

from domain.proposal import Model, Proposal
from domain.registry import CheckStatus, RegistryCheck, RegistryRecord, compare

DEMO_REGISTRY = Path(__file__).parent / "data" / "registry.csv"


class Registry(Protocol):
    name: str

    async def lookup(self, nib: str) -> RegistryRecord | None: ...


class CsvRegistry:
    """A registry table held in memory, loaded once from a CSV file (one row per NIB)."""

    def __init__(self, records: dict[str, RegistryRecord], name: str) -> None:
        self._records = records
        self.name = name

    @classmethod
    def load(cls, path: Path) -> CsvRegistry:
        records: dict[str, RegistryRecord] = {}
        with path.open(newline="", encoding="utf-8") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                values = {k: v for k, v in row.items() if v not in ("", None)}
                try:
                    record = RegistryRecord.model_validate(values)
                except ValidationError as error:
                    raise ValueError(f"{path}, baris {line}: {error}") from error
                records[record.nib] = record
        return cls(records, f"tabel registri {path.name}")

    async def lookup(self, nib: str) -> RegistryRecord | None:
        return self._records.get(nib)


class HttpRegistry:
    """The ministry's registry service."""

    def __init__(
        self,
        base_url: str,
        timeout: timedelta = timedelta(seconds=10),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._timeout = timeout.total_seconds()
        self._transport = transport
        self.name = f"registri {self._base}"

    async def lookup(self, nib: str) -> RegistryRecord | None:
        async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as http:
            response = await http.get(f"{self._base}/ikm/{nib}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return RegistryRecord.model_validate_json(response.content)


class RegistryCheckInput(Model):
    proposal: Proposal
    revision: int


class RegistryActivities:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    @activity.defn(name="check_registry")
    async def check(self, input: RegistryCheckInput) -> RegistryCheck:
        """The registry's findings on the proposal's NIB, business and sentra decree."""
        record = await self._registry.lookup(input.proposal.ikm.nib)
        return RegistryCheck(
            revision=input.revision,
            status=CheckStatus.DONE,
            findings=compare(input.proposal, record),
            source=self._registry.name,
            checked_at=datetime.now(UTC),
        )
