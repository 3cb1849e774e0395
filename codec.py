"""The payload codec: personal data reaches Temporal only as ciphertext.

Every payload a client or worker sends (workflow input, activity inputs and results,
update arguments and results, signals, query results, memo, summaries and details, and
failure messages, which the converter moves into an encoded payload) is sealed with
AES-256-GCM before it leaves the process. The Temporal server and its database hold
ciphertext; the codec endpoint (`api/codec.py`) opens it for an authorised operator's Web UI.

Each sealed payload names its key in its metadata (`encryption-key-id`, also bound into the
seal as associated data), so keys rotate: new payloads take the current key, and payloads
sealed earlier open with any key still listed. A payload that was never sealed passes
through, marked `UNSEALED` for the clients' and workers' converter, which refuses it
(`converter.py`); the codec endpoint hands it to the Web UI as it is.

Search attributes and workflow ids never pass through a codec: they carry no personal data
(tests/integration/test_personal_data.py reads them raw to make sure).
"""

from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import json
import os
import re
from collections.abc import Callable, Sequence
from typing import Self

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict, SecretStr, model_validator
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
    PayloadConverter,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)
from temporalio.exceptions import ApplicationError

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the GCM standard; random per payload
TAG_BYTES = 16
_KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
UNSEALED = "ovop-unsealed"
# The failure left in clear by `SealedFailures`: who is refused for sending in clear reads
# why without the codec.
NOT_SEALED = "NotSealed"


class CodecError(ValueError):
    """A payload that cannot be opened, or keys that cannot be used; says which."""


def new_key() -> str:
    """A fresh random key, base64, for OVOP_CODEC_KEYS."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def _key_bytes(key_id: str, key: SecretStr) -> bytes:
    try:
        raw = base64.b64decode(key.get_secret_value(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"kunci {key_id} bukan base64 yang sah") from None
    if len(raw) != KEY_BYTES:
        raise ValueError(f"kunci {key_id} harus {KEY_BYTES} byte (AES-256), bukan {len(raw)}")
    return raw


class CodecKeys(BaseModel):
    """The keys in force: `current` seals new payloads, every one listed opens old ones."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    current: str
    keys: dict[str, SecretStr]

    @model_validator(mode="after")
    def _usable(self) -> Self:
        if not self.keys:
            raise ValueError("tidak ada kunci enkripsi payload")
        for key_id, key in self.keys.items():
            if not _KEY_ID_PATTERN.fullmatch(key_id):
                raise ValueError(f"id kunci {key_id!r}: huruf, angka, titik, - atau _ saja")
            _key_bytes(key_id, key)
        if self.current not in self.keys:
            raise ValueError(f"kunci yang berlaku ({self.current}) tidak ada di antara kuncinya")
        return self

    @classmethod
    def generate(cls, key_id: str = "local-1") -> CodecKeys:
        return cls(current=key_id, keys={key_id: SecretStr(new_key())})

    def as_json(self) -> str:
        """With the keys in clear, for a file only its owner may read."""
        plain = {k: v.get_secret_value() for k, v in self.keys.items()}
        return json.dumps({"current": self.current, "keys": plain}, indent=2)


class EncryptionCodec(PayloadCodec, WithSerializationContext):
    """AES-256-GCM over each whole payload (metadata and data), the key named beside it.

    `on_unsealed`, when given, hears the id of each workflow a payload in clear came to
    (the worker's purge of starts sent in clear, `worker.UnsealedStarts`).
    """

    def __init__(
        self,
        keys: CodecKeys,
        mark_unsealed: bool = False,
        on_unsealed: Callable[[str], None] | None = None,
    ) -> None:
        self._mark_unsealed = mark_unsealed
        self._on_unsealed = on_unsealed
        self._workflow_id: str | None = None
        self._current = keys.current
        self._ciphers = {
            key_id: AESGCM(_key_bytes(key_id, key)) for key_id, key in keys.keys.items()
        }

    def listening(self, on_unsealed: Callable[[str], None]) -> EncryptionCodec:
        """This codec, marking payloads in clear and telling `on_unsealed` whose they were."""
        heard = copy.copy(self)
        heard._mark_unsealed = True
        heard._on_unsealed = on_unsealed
        return heard

    def with_context(self, context: SerializationContext) -> Self:
        # Reads the workflow's id, and only for a workflow's context: the worker's runner
        # answers every context with the workflow's own on that promise (`workflows.runner`).
        if self._on_unsealed is None or not isinstance(context, WorkflowSerializationContext):
            return self
        bound = copy.copy(self)
        bound._workflow_id = context.workflow_id
        return bound

    @property
    def current_key_id(self) -> str:
        return self._current

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.seal(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.open(p) for p in payloads]

    def seal(self, payload: Payload) -> Payload:
        key_id = self._current.encode()
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self._current].encrypt(nonce, payload.SerializeToString(), key_id)
        return Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=nonce + sealed)

    def open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            if not self._mark_unsealed:
                return payload
            marked = Payload()
            marked.CopyFrom(payload)
            marked.metadata[UNSEALED] = b"1"
            if self._on_unsealed is not None and self._workflow_id is not None:
                self._on_unsealed(self._workflow_id)
            return marked
        key_id = payload.metadata.get(KEY_ID, b"")
        cipher = self._ciphers.get(key_id.decode(errors="replace"))
        if cipher is None:
            raise CodecError(
                f"payload disegel dengan kunci {key_id.decode(errors='replace')!r}, "
                "yang tidak ada di OVOP_CODEC_KEYS"
            )
        try:
            if len(payload.data) < NONCE_BYTES + TAG_BYTES:
                raise InvalidTag
            plain = cipher.decrypt(payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:], key_id)
        except InvalidTag:
            raise CodecError(
                f"payload dengan kunci {key_id.decode()!r} rusak atau bukan miliknya"
            ) from None
        return Payload.FromString(plain)


class SealedFailures(DefaultFailureConverterWithEncodedAttributes):
    """Failure messages moved into payloads, so that they are sealed too (an SMTP error may
    quote an address); but for the refusal of a payload sent in clear, which quotes none."""

    _in_clear = DefaultFailureConverter()

    def to_failure(
        self, exception: BaseException, payload_converter: PayloadConverter, failure: Failure
    ) -> None:
        if isinstance(exception, ApplicationError) and exception.type == NOT_SEALED:
            self._in_clear.to_failure(exception, payload_converter, failure)
        else:
            super().to_failure(exception, payload_converter, failure)


def encrypted(converter: DataConverter, keys: CodecKeys) -> DataConverter:
    """`converter`, sealing every payload and every failure message but one (`SealedFailures`),
    with unsealed payloads marked for the converter to refuse."""
    return dataclasses.replace(
        converter,
        payload_codec=EncryptionCodec(keys, mark_unsealed=True),
        failure_converter_class=SealedFailures,
    )
