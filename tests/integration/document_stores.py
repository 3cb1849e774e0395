"""The document stores as the integration tests use them (the fixtures `s3_endpoint` and
`document_store` are in conftest.py): S3 on a fresh bucket each, and what a store keeps."""

from __future__ import annotations

import uuid

from documents import DocumentStore, S3Access
from documents.folder import FolderStore
from documents.s3 import S3Store


async def s3_store(endpoint: str) -> S3Store:
    """A store on a fresh bucket of the server at `endpoint`."""
    access = S3Access(endpoint, "us-east-1", "ovop-test", "ovop-test-secret")
    store = S3Store(f"ovop-{uuid.uuid4().hex[:12]}", "dokumen", access)
    s3 = await store.client()
    await s3.create_bucket(Bucket=store.bucket)
    return store


async def stored_count(store: DocumentStore) -> int:
    """How many files the store keeps."""
    if isinstance(store, FolderStore):
        return sum(1 for p in store.root.rglob("*") if p.is_file())
    assert isinstance(store, S3Store)
    s3 = await store.client()
    listed = await s3.list_objects_v2(Bucket=store.bucket)
    return int(listed.get("KeyCount", 0))
