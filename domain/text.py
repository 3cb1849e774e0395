"""Rules on the shape of text, each stated once: the validator checks it and the JSON schema
(the API's OpenAPI document) says it, from the same pattern (`Shaped`).

The patterns are written so that Python's `re` and ECMA-262 (JSON Schema) read them alike:
character ranges, never `\\d`, `\\s` or `\\w`, which differ between the two.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

# What pydantic's `strip_whitespace` takes off both ends (Unicode White_Space).
WHITESPACE = r"[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
# Characters no text here may hold: controls (NUL, escapes; line breaks in a single line),
# and the bidi controls that reorder what a reader sees. A line break in a name ends up in
# a mail header, which no mail can carry; a NUL, in the records, which PostgreSQL cannot.
_BIDI = r"\u202a-\u202e\u2066-\u2069"
HIDDEN_IN_LINE = rf"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]"
HIDDEN_IN_LINES = rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]"


def _escaped(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _category(name: str) -> str:
    """A character class of every character of a Unicode category (this Python's Unicode)."""
    codes = [c for c in range(0x110000) if unicodedata.category(chr(c)) == name]
    runs: list[tuple[int, int]] = []
    for code in codes:
        if runs and runs[-1][1] == code - 1:
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
    return "[" + "".join(_escaped(a) + (f"-{_escaped(b)}" if b > a else "") for a, b in runs) + "]"


# Zero-width and other format characters (Cf): a text of nothing else shows nothing.
FORMAT = _category("Cf")


def _inside(char_class: str) -> str:
    return char_class.removeprefix("[").removesuffix("]")


def stripped(pattern: str) -> str:
    """`pattern` (anchored, ^...$) for a value whose surrounding whitespace is dropped."""
    return f"^{WHITESPACE}*(?:{pattern.removeprefix('^').removesuffix('$')}){WHITESPACE}*$"


def without(hidden: str) -> str:
    """Text that holds none of the `hidden` characters and, once stripped, something to
    see: a character that is neither whitespace nor a format character."""
    unseen = _inside(hidden) + _inside(WHITESPACE) + _inside(FORMAT)
    return stripped(f"^[^{_inside(hidden)}]*[^{unseen}][^{_inside(hidden)}]*$")


def any_case(word: str) -> str:
    """`kota` -> `[Kk][Oo][Tt][Aa]`: ECMA-262 has no inline flag for case."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


@dataclass(frozen=True)
class Shaped:
    """Text that must match `pattern` (searched in the value as received, or as stripped
    when it is annotated after `strip_whitespace`), refused with `refusal(value)`; the JSON
    schema states the pattern and the `description`."""

    pattern: str
    refusal: Callable[[str], str]
    description: str

    def check(self, value: str) -> str:
        if re.search(self.pattern, value) is None:
            raise ValueError(self.refusal(value))
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(pattern=self.pattern, description=self.description)
        return json_schema


# What starts emphasis, code, a link or an image, HTML, a table cell or a strikethrough
# within a line (the details' lines never start with what a person typed).
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")


def markdown_literal(text: str) -> str:
    """`text` as Markdown shows it, character for character: what people typed (a file's
    name) set among the Web UI's formatted details, never read as formatting."""
    return _MARKDOWN.sub(r"\\\1", text)
