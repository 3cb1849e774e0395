"""The OpenAPI document checked into docs/ is the one the API serves."""

from __future__ import annotations

from api.openapi import CHECKED_IN, document


def test_docs_openapi_json_is_current() -> None:
    assert CHECKED_IN.read_text(encoding="utf-8") == document(), (
        "docs/openapi.json has drifted from the API: run `.venv/bin/python -m api.openapi`"
    )
