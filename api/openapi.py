"""The OpenAPI document, as served and as checked into `docs/openapi.json`.

`python -m api.openapi` writes it; a test fails when the checked-in copy drifts.
"""

from __future__ import annotations

import json
from pathlib import Path

from api.app import create_app

CHECKED_IN = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def document() -> str:
    return json.dumps(create_app().openapi(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    CHECKED_IN.parent.mkdir(exist_ok=True)
    CHECKED_IN.write_text(document(), encoding="utf-8")
    print(f"wrote {CHECKED_IN}")
