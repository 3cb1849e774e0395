"""The document store in S3-compatible object storage (AWS S3, MinIO, Ceph...), through
aiobotocore: the botocore client the AWS SDK is built on, with async I/O for the API's
event loop.

Objects are named `<prefix>/ab/abcdef...` and sent with their SHA-256 as the checksum
S3 verifies on receipt, so a body damaged on the way is refused rather than kept."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from documents import S3Access, StoreUnavailable, sharded

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

ABSENT = {"404", "NoSuchKey", "NotFound"}


class S3Store:
    def __init__(self, bucket: str, prefix: str, access: S3Access) -> None:
        self.bucket, self.prefix, self.access = bucket, prefix, access
        self._client: S3Client | None = None
        self._opening = asyncio.Lock()
        self._closing = AsyncExitStack()

    def key(self, sha256: str) -> str:
        return f"{self.prefix}/{sharded(sha256)}" if self.prefix else sharded(sha256)

    async def client(self) -> S3Client:
        """One client for the store's life, made on first use (nothing connects before)."""
        async with self._opening:
            client = self._client
            if client is None:
                a = self.access
                client = await self._closing.enter_async_context(
                    get_session().create_client(
                        "s3",
                        endpoint_url=a.endpoint_url,
                        region_name=a.region,
                        aws_access_key_id=a.access_key_id,
                        aws_secret_access_key=a.secret_access_key,
                        config=AioConfig(retries={"mode": "standard"}),
                    )
                )
                self._client = client
            return client

    async def put(self, data: bytes) -> str:
        """Put whether or not it is there: the same key takes the same bytes, and asking
        first would need the bucket's ListBucket permission (without it S3 answers a
        missing key with 403, not 404)."""
        digest = hashlib.sha256(data).digest()
        sha256 = digest.hex()
        async with self._reaching():
            s3 = await self.client()
            await s3.put_object(
                Bucket=self.bucket,
                Key=self.key(sha256),
                Body=data,
                ChecksumSHA256=base64.b64encode(digest).decode(),
            )
        return sha256

    async def get(self, sha256: str) -> bytes | None:
        async with self._reaching():
            s3 = await self.client()
            try:
                found = await s3.get_object(Bucket=self.bucket, Key=self.key(sha256))
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ABSENT:
                    return None
                raise
            async with found["Body"] as body:
                return await body.read()

    async def head(self, sha256: str, length: int) -> tuple[int, bytes] | None:
        async with self._reaching():
            s3 = await self.client()
            try:
                found = await s3.get_object(
                    Bucket=self.bucket, Key=self.key(sha256), Range=f"bytes=0-{length - 1}"
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ABSENT:
                    return None
                raise
            async with found["Body"] as body:
                head = await body.read()
            # `bytes 0-8191/123456`; without a range (a whole file answered), its length.
            whole = found.get("ContentRange", "").rpartition("/")[2]
            return (int(whole) if whole.isdigit() else found["ContentLength"]), head

    async def holds(self, sha256: str) -> bool:
        async with self._reaching():
            s3 = await self.client()
            try:
                await s3.head_object(Bucket=self.bucket, Key=self.key(sha256))
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ABSENT:
                    return False
                raise
            return True

    @asynccontextmanager
    async def _reaching(self) -> AsyncIterator[None]:
        """What the storage or the way to it answered, as the store's own failure."""
        try:
            yield
        except (BotoCoreError, ClientError, OSError) as error:
            raise StoreUnavailable(f"S3 bucket {self.bucket}: {error}") from error

    async def close(self) -> None:
        await self._closing.aclose()
        self._client = None
