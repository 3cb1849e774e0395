"""Both document stores, the folder and S3, pass the same tests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from documents import DocumentStore, S3Access, StoreUnavailable, open_store, require_stored
from documents.folder import FolderStore
from documents.s3 import S3Store
from domain.documents import Slot, checked_document
from domain.errors import Refused
from tests.documents import nonce, pdf
from tests.integration.conftest import free_port
from tests.integration.document_stores import stored_count

pytestmark = pytest.mark.integration


async def test_a_file_put_is_read_back_by_its_hash(document_store: DocumentStore) -> None:
    data = pdf(nonce())
    sha256 = await document_store.put(data)
    assert sha256 == hashlib.sha256(data).hexdigest()
    assert await document_store.holds(sha256)
    assert await document_store.get(sha256) == data


async def test_the_same_bytes_put_twice_are_kept_once(document_store: DocumentStore) -> None:
    data = pdf(nonce())
    first = await document_store.put(data)
    again = await document_store.put(data)
    assert first == again
    assert await stored_count(document_store) == 1
    await document_store.put(pdf(nonce()))
    assert await stored_count(document_store) == 2


async def test_an_unknown_hash_is_absent(document_store: DocumentStore) -> None:
    unknown = hashlib.sha256(nonce()).hexdigest()
    assert not await document_store.holds(unknown)
    assert await document_store.get(unknown) is None


async def test_a_key_is_only_ever_a_hash(document_store: DocumentStore) -> None:
    with pytest.raises(ValueError, match="not a SHA-256"):
        await document_store.get("../../etc/passwd")


async def test_a_folder_write_cut_short_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FolderStore(tmp_path / "documents")
    data = pdf(nonce())

    def cut(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", cut)
    with pytest.raises(StoreUnavailable, match="disk full"):
        await store.put(data)
    assert [p for p in store.root.rglob("*") if p.is_file()] == []
    monkeypatch.undo()
    sha256 = await store.put(data)
    assert await store.get(sha256) == data


def test_the_url_names_the_store(tmp_path: Path) -> None:
    folder = open_store(f"file://{tmp_path}/dokumen")
    assert isinstance(folder, FolderStore) and folder.root == tmp_path / "dokumen"
    s3 = open_store("s3://ovop-berkas/2026", S3Access(endpoint_url="http://minio:9000"))
    assert isinstance(s3, S3Store)
    assert (s3.bucket, s3.prefix, s3.access.endpoint_url) == (
        "ovop-berkas",
        "2026",
        "http://minio:9000",
    )
    with pytest.raises(ValueError, match="OVOP_DOCUMENTS_URL"):
        open_store("ftp://example/berkas")


async def test_a_store_out_of_reach_says_so(tmp_path: Path) -> None:
    """The disk or the bucket failing is the store's own error (the API answers 503),
    never a stray OSError or botocore error."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    stores: list[DocumentStore] = [
        FolderStore(blocked / "documents"),
        S3Store("bucket", "", S3Access(closed, "us-east-1", "key", "secret")),
    ]
    for store in stores:
        try:
            with pytest.raises(StoreUnavailable):
                await store.put(pdf())
            with pytest.raises(StoreUnavailable):
                await store.get(hashlib.sha256(pdf()).hexdigest())
        finally:
            await store.close()


async def test_a_files_size_and_first_bytes_are_read_without_the_rest(
    document_store: DocumentStore,
) -> None:
    data = pdf(nonce()) + bytes(100_000)
    sha256 = await document_store.put(data)
    assert await document_store.head(sha256, 64) == (len(data), data[:64])
    assert await document_store.head(sha256, len(data) + 10) == (len(data), data)
    assert await document_store.head(hashlib.sha256(nonce()).hexdigest(), 64) is None


async def test_a_reference_is_checked_from_the_files_first_bytes(
    document_store: DocumentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proposal citing many large files does not read them whole: the key is their hash,
    their size and first bytes tell the rest. Only a refusal reads the whole file."""
    data = pdf(nonce()) + bytes(200_000)
    ref = checked_document(Slot.SENTRA_DECREE, "sk-sentra.pdf", data)
    await document_store.put(data)
    whole = document_store.get
    read: list[str] = []

    async def counted(sha256: str) -> bytes | None:
        read.append(sha256)
        return await whole(sha256)

    monkeypatch.setattr(document_store, "get", counted)
    await require_stored(document_store, {"documents.0": ref})
    assert read == []
    claimed = ref.model_copy(update={"size": ref.size + 1})
    with pytest.raises(Refused) as refused:
        await require_stored(document_store, {"documents.0": claimed})
    assert refused.value.fields == ["documents.0.size"] and read == [ref.sha256]
