"""The document store in a folder: `<root>/ab/abcdef...`, each file written atomically."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from documents import sharded


class FolderStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sharded(sha256)

    async def put(self, data: bytes) -> str:
        return await asyncio.to_thread(self._put, data)

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
        return await asyncio.to_thread(self._get, sha256)

    def _get(self, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    async def holds(self, sha256: str) -> bool:
        return await asyncio.to_thread(self.path(sha256).is_file)

    async def close(self) -> None:
        return None
