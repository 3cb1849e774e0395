"""`ovop import` against the real Temporal dev server: a file with bad rows starts nothing,
--only-valid starts the good ones, and importing the same file again starts nothing new;
the files a row names are kept in the document store before it starts, each once."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from domain.nomination import nomination_id
from starter import app as ovop
from tests.documents import elf, nonce, pdf, png
from tests.spreadsheets import cells, write_xlsx
from tests.support import fresh_raw

pytestmark = pytest.mark.integration


@pytest.fixture
def importing(
    dev_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> WorkflowEnvironment:
    """The dev server, as `ovop import` reaches it; no worker, so rows are started only."""
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_env.client.service_client.config.target_host)
    monkeypatch.setenv("OVOP_TASK_QUEUE", f"import-{uuid.uuid4()}")
    monkeypatch.setenv("OVOP_DOCUMENTS_URL", (tmp_path / "store").as_uri())
    return dev_env


async def ovop_import(*args: str) -> Result:
    # The command runs its own event loop, as it does from a shell.
    return await asyncio.to_thread(CliRunner().invoke, ovop, ["import", *args])


def id_of(raw: dict[str, Any]) -> str:
    return nomination_id(raw["cycle"], raw["ikm"]["nib"], raw["product"]["name"])


async def exists(env: WorkflowEnvironment, workflow_id: str) -> bool:
    try:
        await env.client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def test_import_checks_every_row_first_and_never_starts_one_twice(
    importing: WorkflowEnvironment, cycle_2026: str, tmp_path: Path
) -> None:
    dev_env = importing
    good = [fresh_raw(i) for i in (0, 2, 3)]
    bad = fresh_raw(1)
    bad["sentra"]["regency"] = "Sumba Timur"  # neither Kabupaten nor Kota
    path = write_xlsx(
        tmp_path / "usulan-jateng.xlsx",
        [cells(good[0]), cells(bad), cells(good[1]), cells(good[2])],
    )

    refused = await ovop_import(str(path))
    assert refused.exit_code == 2, refused.output
    assert "Baris 3, kolom I (sentra_kabupaten_kota): nama kabupaten/kota harus diawali" in (
        refused.output
    )
    assert "Tidak ada usulan yang dimulai: 1 dari 4 baris bermasalah" in refused.output
    assert not any([await exists(dev_env, id_of(raw)) for raw in good])

    started = await ovop_import(str(path), "--only-valid")
    assert started.exit_code == 0, started.output
    assert "Memulai usulan" in started.output  # the progress bar, on stderr
    for row, raw in zip((2, 4, 5), good, strict=True):
        assert f"Baris {row}: dimulai {id_of(raw)}" in started.output
        assert await exists(dev_env, id_of(raw))
    assert "3 usulan dimulai, 0 dilewati karena sudah ada, 1 baris bermasalah" in started.output

    again = await ovop_import(str(path), "--only-valid", "--json")
    assert again.exit_code == 0, again.output
    result = json.loads(again.output[again.output.index("{") :])
    assert result["started"] == []
    assert [s["id"] for s in result["skipped"]] == [id_of(raw) for raw in good]
    assert result["invalid"][0]["row"] == 3


async def test_import_stores_the_files_each_row_names_before_starting_it(
    importing: WorkflowEnvironment, cycle_2026: str, tmp_path: Path
) -> None:
    dev_env = importing
    photo, decree = png(nonce()), pdf(nonce())
    given = tmp_path / "berkas.zip"
    with zipfile.ZipFile(given, "w") as archive:
        archive.writestr("foto/batik.png", photo)
        archive.writestr("sk.pdf", decree)
        archive.writestr("sk-palsu.pdf", elf(nonce()))
    good, bad = fresh_raw(0), fresh_raw(2)
    files = {"berkas_sk_sentra": "sk.pdf", "berkas_foto_produk": "foto/batik.png"}
    path = write_xlsx(
        tmp_path / "usulan.xlsx",
        [cells(good, files), cells(bad, {**files, "berkas_sk_sentra": "sk-palsu.pdf"})],
    )

    for _ in range(2):  # the second time, the nomination is there and its files are kept
        result = await ovop_import(str(path), "--files", str(given), "--only-valid")
        assert result.exit_code == 0, result.output
        assert "Baris 3, kolom AC (berkas_sk_sentra): SK penetapan sentra IKM harus" in (
            result.output
        )
    assert "1 usulan dimulai" not in result.output and "1 dilewati" in result.output
    assert not await exists(dev_env, id_of(bad))
    history = await dev_env.client.get_workflow_handle(id_of(good)).fetch_history()
    raw = b"".join(event.SerializeToString() for event in history.events)
    kept = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    for data in (photo, decree):
        sha256 = hashlib.sha256(data).hexdigest()
        assert sha256.encode() in raw  # the proposal lists the reference
        assert [p.read_bytes() for p in kept if p.name == sha256] == [data]  # kept once
    assert len(kept) == 2
