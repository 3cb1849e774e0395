"""The payload codec: sealed, named by key, rotating, and configured from the settings."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.converter import DefaultFailureConverterWithEncodedAttributes
from temporalio.exceptions import ApplicationError

from bootstrap import CodecNotConfigured, codec_keys, data_converter, plain_converter
from codec import ENCODING, KEY_ID, CodecError, CodecKeys, EncryptionCodec, new_key
from domain.examples import example_proposals
from settings import Settings

PROPOSAL = example_proposals("2026")[0]
NIB = PROPOSAL["ikm"]["nib"]
EMAIL = PROPOSAL["ikm"]["owner"]["email"]


def keys(current: str, *ids: str) -> CodecKeys:
    return CodecKeys(current=current, keys={i: SecretStr(KEY[i]) for i in {current, *ids}})


KEY = {name: new_key() for name in ("2026-01", "2026-07", "other")}


async def sealed(codec: EncryptionCodec, value: object) -> Payload:
    [payload] = plain_converter().payload_converter.to_payloads([value])
    [encoded] = await codec.encode([payload])
    return encoded


async def opened(codec: EncryptionCodec, payload: Payload) -> object:
    [decoded] = await codec.decode([payload])
    return plain_converter().payload_converter.from_payloads([decoded])[0]


async def test_a_payload_is_sealed_and_names_its_key() -> None:
    codec = EncryptionCodec(keys("2026-01"))
    payload = await sealed(codec, PROPOSAL)
    assert payload.metadata["encoding"] == ENCODING
    assert payload.metadata[KEY_ID] == b"2026-01"
    for secret in (NIB, EMAIL, "json/plain"):
        assert secret.encode() not in payload.SerializeToString()
    assert await opened(codec, payload) == PROPOSAL
    again = await sealed(codec, PROPOSAL)
    assert again.data != payload.data  # a fresh nonce each time


async def test_keys_rotate_old_payloads_still_open() -> None:
    before = await sealed(EncryptionCodec(keys("2026-01")), PROPOSAL)
    rotated = EncryptionCodec(keys("2026-07", "2026-01"))
    after = await sealed(rotated, PROPOSAL)
    assert after.metadata[KEY_ID] == b"2026-07"
    assert await opened(rotated, before) == PROPOSAL
    assert await opened(rotated, after) == PROPOSAL

    retired = EncryptionCodec(keys("2026-07"))
    with pytest.raises(CodecError, match=r"kunci '2026-01'.*tidak ada di OVOP_CODEC_KEYS"):
        await opened(retired, before)


async def test_a_tampered_or_foreign_payload_does_not_open() -> None:
    payload = await sealed(EncryptionCodec(keys("2026-01")), PROPOSAL)
    relabelled = Payload()
    relabelled.CopyFrom(payload)
    relabelled.metadata[KEY_ID] = b"other"  # the key id is bound into the seal
    with pytest.raises(CodecError, match="rusak"):
        await opened(EncryptionCodec(keys("other", "2026-01")), relabelled)
    flipped = Payload()
    flipped.CopyFrom(payload)
    flipped.data = payload.data[:-1] + bytes([payload.data[-1] ^ 1])
    with pytest.raises(CodecError, match="rusak"):
        await opened(EncryptionCodec(keys("2026-01")), flipped)


async def test_a_payload_from_before_the_codec_passes_through() -> None:
    [plain] = plain_converter().payload_converter.to_payloads([PROPOSAL])
    assert await opened(EncryptionCodec(keys("2026-01")), plain) == PROPOSAL


async def test_failure_messages_are_sealed_too() -> None:
    converter = data_converter(Settings(_env_file=None, codec=True, codec_keys={"k": KEY["other"]}))
    assert issubclass(
        converter.failure_converter_class, DefaultFailureConverterWithEncodedAttributes
    )
    failure = Failure()
    await converter.encode_failure(ApplicationError(f"penerima ditolak: {EMAIL}"), failure)
    assert EMAIL.encode() not in failure.SerializeToString()
    back = await converter.decode_failure(failure)
    assert EMAIL in str(back)


# --- settings ---------------------------------------------------------------------------


def settings(**values: Any) -> Settings:
    return Settings.model_validate(
        {"codec_keys_file": Path("/nonexistent/codec-keys.json"), **values}
    )


def test_off_means_the_plain_converter() -> None:
    assert data_converter(settings(codec=False)) is plain_converter()
    assert codec_keys(settings(codec=False)) is None


def test_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVOP_CODEC", "true")
    monkeypatch.setenv("OVOP_CODEC_KEYS", f'{{"2026-01": "{KEY["2026-01"]}"}}')
    found = codec_keys(Settings(_env_file=None))
    assert found is not None and found.current == "2026-01"

    monkeypatch.setenv(
        "OVOP_CODEC_KEYS", f'{{"2026-01": "{KEY["2026-01"]}", "2026-07": "{KEY["2026-07"]}"}}'
    )
    with pytest.raises(CodecNotConfigured, match="OVOP_CODEC_KEY_ID wajib diisi"):
        codec_keys(Settings(_env_file=None))
    monkeypatch.setenv("OVOP_CODEC_KEY_ID", "2026-07")
    found = codec_keys(Settings(_env_file=None))
    assert found is not None and (found.current, set(found.keys)) == (
        "2026-07",
        {"2026-01", "2026-07"},
    )
    codec = data_converter(Settings(_env_file=None)).payload_codec
    assert isinstance(codec, EncryptionCodec) and codec.current_key_id == "2026-07"


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({}, "kunci enkripsi payload belum diatur: isi OVOP_CODEC_KEYS"),
        ({"codec_keys": {"k": "bukan-base64!"}}, "kunci k bukan base64 yang sah"),
        (
            {"codec_keys": {"k": base64.b64encode(b"pendek").decode()}},
            "kunci k harus 32 byte (AES-256), bukan 6",
        ),
        ({"codec_keys": {"k": KEY["other"]}, "codec_key_id": "x"}, "kunci yang berlaku (x)"),
        ({"codec_keys": {"k y": KEY["other"]}}, "id kunci 'k y'"),
    ],
)
def test_unusable_keys_are_said_plainly(values: dict[str, object], said: str) -> None:
    with pytest.raises(CodecNotConfigured) as caught:
        codec_keys(settings(codec=True, **values))
    assert said in str(caught.value)
    for value in values.get("codec_keys", {}).values():  # type: ignore[attr-defined]
        assert value not in str(caught.value)  # never the key itself


def test_the_local_keys_file(tmp_path: Path) -> None:
    path = tmp_path / "codec-keys.json"
    path.write_text(CodecKeys.generate("local-1").as_json())
    found = codec_keys(Settings(_env_file=None, codec=True, codec_keys_file=path))
    assert found is not None and found.current == "local-1"
