"""The document store: a proposal's files, kept outside Temporal under their SHA-256.

A nomination holds only a `domain.documents.DocumentRef`; the bytes live here, in a folder
(`var/documents` by default) or in S3-compatible object storage. Both keep a file under its
hash, so the same bytes put twice (an upload retried after a dropped connection) are kept
once, and a file is whole or absent, never half written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from domain.documents import (
    HEAD_BYTES,
    SHA256_PATTERN,
    DocumentRef,
    require_described,
    require_same_content,
)
from domain.errors import Refused

SHA256 = re.compile(SHA256_PATTERN)


class StoreUnavailable(Exception):
    """The store could not be read or written (the disk, the network, the bucket's
    permissions): the API answers 503, and nothing was kept or changed."""


class DocumentStore(Protocol):
    async def put(self, data: bytes) -> str:
        """Keep `data` and return its SHA-256; the same bytes again are not kept again."""
        ...

    async def get(self, sha256: str) -> bytes | None:
        """The bytes kept under `sha256`, or None."""
        ...

    async def holds(self, sha256: str) -> bool: ...

    async def head(self, sha256: str, length: int) -> tuple[int, bytes] | None:
        """The size of the file kept under `sha256` and its first `length` bytes, or None."""
        ...

    async def close(self) -> None: ...


async def require_stored(store: DocumentStore, refs: Mapping[str, DocumentRef]) -> None:
    """Each reference (by the field that names it: `domain.decisions.documents_referenced`)
    names a file `store` holds, as its upload described it: `Refused` naming the field
    otherwise. Every way a proposal or a decision comes in (the API, `ovop`) asks this."""
    for field, ref in refs.items():
        found = await store.head(ref.sha256, HEAD_BYTES)
        if found is None:
            raise Refused.one(
                f"{field}.sha256",
                "berkas ini belum diunggah; unggah dahulu melalui POST /documents atau "
                "`ovop upload`",
            )
        try:
            try:
                # The key is the stored bytes' hash: their size and first bytes tell the rest.
                require_described(ref, *found)
            except Refused:
                data = await store.get(ref.sha256)  # the whole file decides a refusal
                if data is None:
                    raise
                require_same_content(ref, data)
        except Refused as refused:  # the reference is at fault here, not a file sent
            raise Refused(refused.within(field).problems) from None


def require_sha256(sha256: str) -> str:
    """A hash as keys are made of it: anything else (a path, say) never reaches a key."""
    if SHA256.fullmatch(sha256) is None:
        raise ValueError(f"not a SHA-256 in hex: {sha256!r}")
    return sha256


def sharded(sha256: str) -> str:
    """`ab/abcdef...`: a folder per first byte keeps each folder's listing short."""
    return f"{sha256[:2]}/{require_sha256(sha256)}"


@dataclass(frozen=True)
class S3Access:
    """How to reach S3-compatible storage; None leaves it to botocore's own chain
    (AWS_* variables, a profile, the instance's role)."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None


def open_store(url: str, s3: S3Access | None = None) -> DocumentStore:
    """The store `url` names: `file:///srv/ovop/documents` or `s3://bucket/prefix`."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        from documents.folder import FolderStore

        return FolderStore(Path(unquote(parts.path)))
    if parts.scheme == "s3" and parts.netloc:
        from documents.s3 import S3Store

        return S3Store(parts.netloc, parts.path.strip("/"), s3 or S3Access())
    raise ValueError(
        f"OVOP_DOCUMENTS_URL harus file:///<folder> atau s3://<bucket>[/<awalan>], bukan {url!r}"
    )
