"""The document store in a folder: `<root>/ab/abcdef...`, each file written atomically."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from documents import StoreUnavailable, sharded

T = TypeVar("T")
R = TypeVar("R")


class FolderStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sharded(sha256)

    async def put(self, data: bytes) -> str:
        return await self._unless_failing(self._put, data)

    @staticmethod
    async def _unless_failing(step: Callable[[T], R], arg: T) -> R:
        try:
            return await asyncio.to_thread(step, arg)
        except OSError as error:
            raise StoreUnavailable(f"folder of documents: {error}") from error

    def _put(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.path(sha256)
        if path.is_file():
            return sha256
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside its place and renamed into it: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return sha256

    async def get(self, sha256: str) -> bytes | None:
        return await self._unless_failing(self._get, sha256)

    def _get(self, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    async def head(self, sha256: str, length: int) -> tuple[int, bytes] | None:
        return await self._unless_failing(lambda sha: self._head(sha, length), sha256)

    def _head(self, sha256: str, length: int) -> tuple[int, bytes] | None:
        try:
            with self.path(sha256).open("rb") as file:
                return os.fstat(file.fileno()).st_size, file.read(length)
        except FileNotFoundError:
            return None

    async def holds(self, sha256: str) -> bool:
        return await self._unless_failing(lambda sha: self.path(sha).is_file(), sha256)

    async def close(self) -> None:
        return None
