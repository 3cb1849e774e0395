"""Errors a person can act on: what is wrong, and which field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a proposal or a decision."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class RefusalKind(StrEnum):
    """Why the rules refuse: each front end answers by the kind (an HTTP status, an exit
    code), never by guessing from the fields."""

    INPUT = "input"  # what was sent is wrong or incomplete
    STAGE = "stage"  # not now: the nomination or cycle is not where this can happen
    ACCESS = "access"  # not by this person, or not in their reach
    CONFLICT = "conflict"  # already done: proposed before, a key reused
    NOT_FOUND = "not_found"  # no such nomination or cycle
    GONE = "gone"  # no longer in force: a revoked certificate
    UNSUPPORTED = "unsupported"  # a file whose content is not of a type its slot takes
    TOO_LARGE = "too_large"  # a file larger than its slot takes


class Refused(ValueError):
    """A proposal or a decision that the rules refuse, and of which kind.

    A `ValueError`, so a Temporal update validator that raises it refuses the update
    and nothing reaches the workflow's history.
    """

    def __init__(self, problems: list[Problem], kind: RefusalKind = RefusalKind.INPUT) -> None:
        if not problems:
            raise ValueError("Refused needs at least one problem")
        self.problems = problems
        self.kind = kind
        super().__init__("; ".join(str(p) for p in problems))

    @classmethod
    def one(cls, field: str, message: str, kind: RefusalKind = RefusalKind.INPUT) -> Refused:
        return cls([Problem(field, message)], kind)

    @property
    def fields(self) -> list[str]:
        return [p.field for p in self.problems]

    def within(self, prefix: str) -> Refused:
        """The same refusal, each field named inside `prefix` (`proposal.ikm.nib`), for an
        input that carries the refused one under that name."""
        problems = [Problem(f"{prefix}.{p.field}", p.message) for p in self.problems]
        return Refused(problems, self.kind)


def problems_from(error: object) -> list[Problem]:
    """Problems from a pydantic `ValidationError`, in Indonesian, each naming its field."""
    from pydantic import ValidationError

    assert isinstance(error, ValidationError)
    return problems_from_errors(error.errors(include_url=False))


def problems_from_errors(errors: Sequence[Any]) -> list[Problem]:
    """Problems from pydantic's error dicts (as a web framework hands them on)."""
    return [
        Problem(".".join(str(part) for part in e["loc"]) or "(input)", _message(e)) for e in errors
    ]


def _message(e: object) -> str:
    assert isinstance(e, dict)
    kind, ctx = e["type"], e.get("ctx") or {}
    if kind == "value_error":
        if "reason" in ctx:  # email-validator's reason, in English
            return "alamat email tidak valid (contoh: nama@dinas.go.id)"
        return str(ctx.get("error", e["msg"]))
    if kind == "string_pattern_mismatch":
        return _shape(str(ctx.get("pattern", "")))
    template = _MESSAGES.get(kind)
    if template is None:
        return "nilai tidak valid"
    # A bound as people write it: 100, not 100.0; 0,5 with the Indonesian decimal comma.
    ctx = {k: figure(v) if isinstance(v, float) else v for k, v in ctx.items()}
    if "expected" in ctx:  # pydantic lists the choices in English: "'a', 'b' or 'c'",
        # an enum's member of a Literal as its repr: "<Slot.LAB_REPORT: 'lhu'>"
        expected = re.sub(r"<\w+\.\w+: ('[^']*')>", r"\1", str(ctx["expected"]))
        ctx = {**ctx, "expected": expected.replace("' or '", "' atau '")}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return "nilai tidak valid"


def figure(value: float) -> str:
    """A figure as short as it is exact, with the Indonesian decimal comma: 0,2; 87; 86,5."""
    return f"{value:g}".replace(".", ",")


def _shape(pattern: str) -> str:
    """What a pattern asks for, in words: a regular expression is no answer for people."""
    if pattern in _SHAPES:
        return _SHAPES[pattern]
    choices = re.fullmatch(r"\^\(([\w|]+)\)\$", pattern)
    if choices:
        names = [f"'{c}'" for c in choices.group(1).split("|")]
        listed = ", ".join(names[:-1]) + " atau " + names[-1] if len(names) > 1 else names[0]
        return f"harus salah satu dari: {listed}"
    return "format tidak sesuai"


_SHAPES = {r"^\d{4}$": "harus berupa tahun dengan empat angka (contoh: 2026)"}

_MESSAGES = {
    "missing": "wajib diisi",
    "json_invalid": "isi permintaan bukan JSON yang sah",
    "extra_forbidden": "kolom tidak dikenal",
    "string_too_short": "tidak boleh kosong",
    "string_too_long": "terlalu panjang (maksimal {max_length} karakter)",
    "string_type": "harus berupa teks",
    "string_unicode": "bukan teks Unicode yang sah",
    "too_short": "minimal {min_length} isian",
    "too_long": "maksimal {max_length} isian",
    "list_type": "harus berupa daftar",
    "dict_type": "harus berupa objek",
    "model_type": "harus berupa objek",
    "int_parsing": "harus berupa bilangan bulat",
    "int_type": "harus berupa bilangan bulat",
    "int_from_float": "harus berupa bilangan bulat",
    "float_parsing": "harus berupa angka",
    "float_type": "harus berupa angka",
    "finite_number": "harus berupa angka terhingga",
    "bool_parsing": "harus true atau false",
    "bool_type": "harus true atau false",
    "greater_than": "harus lebih besar dari {gt}",
    "greater_than_equal": "tidak boleh kurang dari {ge}",
    "less_than": "harus lebih kecil dari {lt}",
    "less_than_equal": "tidak boleh lebih dari {le}",
    "date_parsing": "tanggal tidak valid (format YYYY-MM-DD)",
    "date_from_datetime_parsing": "tanggal tidak valid (format YYYY-MM-DD)",
    "date_type": "tanggal tidak valid (format YYYY-MM-DD)",
    "datetime_parsing": "waktu tidak valid (format ISO 8601)",
    "datetime_from_date_parsing": "waktu tidak valid (format ISO 8601)",
    "enum": "harus salah satu dari: {expected}",
    "literal_error": "harus salah satu dari: {expected}",
}
