"""Write the example report kept in `docs/` from the test cycle (110 nominations).

    .venv/bin/python -m tests.reports.example docs

writes `report-example.html`, `report-example.xlsx` and `report-example.png` (the top of
the page as headless Chromium renders it) into the folder given.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import reports
from records import RecordStore
from tests.reports.chromium import screenshot
from tests.reports.cycle_data import CYCLE, REPORT_TIME, record_cycle


async def results() -> reports.CycleResults:
    with tempfile.TemporaryDirectory() as tmp:
        store = RecordStore.connect(f"sqlite+aiosqlite:///{tmp}/ovop.db")
        await store.migrate_to_head()
        await record_cycle(store)
        built = await reports.build(store, CYCLE, max_stars=3, now=REPORT_TIME)
        await store.close()
        return built


def main(out: Path) -> None:
    built = asyncio.run(results())
    out.mkdir(parents=True, exist_ok=True)
    reports.write_xlsx(built, out / "report-example.xlsx")
    page = out / "report-example.html"
    page.write_text(reports.render_html(built), encoding="utf-8")
    screenshot(page, out / "report-example.png", width=1200, height=3000)
    print("\n".join(str(out / f"report-example.{ext}") for ext in ("html", "xlsx", "png")))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
