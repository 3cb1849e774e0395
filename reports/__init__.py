"""A cycle's results report: the ranking per commodity, the funnel from proposals to
awards, and the stars per province and commodity, as a spreadsheet and an HTML page.

    results = await reports.build(store, "2026")
    xlsx_path, html_path = reports.write(results, Path("out"))

`build` reads the records database; `results.shape` is the pure part; `write` renders.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from records import RecordStore
from reports.html import render_html
from reports.results import CycleResults, shape
from reports.xlsx import write_xlsx

__all__ = ["CycleResults", "build", "file_stem", "render_html", "write", "write_xlsx"]


async def build(
    store: RecordStore,
    cycle: str,
    *,
    max_stars: int | None = None,
    now: datetime | None = None,
) -> CycleResults:
    """The results of `cycle` as the records stand now.

    `max_stars`: the top of the cycle's star scale (`config.star_scale.max_stars`), so
    every level shows even if nobody earned it; `now`: the moment the report is dated.
    """
    nominations = await store.nominations_of_cycle(cycle)
    transitions = await store.transitions_of_cycle(cycle)
    return shape(cycle, nominations, transitions, now or datetime.now(UTC), max_stars)


def file_stem(results: CycleResults) -> str:
    """`hasil-ovop-2026`, or `hasil-ovop-2026-sementara` while some nomination is open,
    so a provisional file is never mistaken for the final one."""
    return f"hasil-ovop-{results.cycle}" + ("-sementara" if results.provisional else "")


def write(results: CycleResults, out_dir: Path) -> tuple[Path, Path]:
    """Write the spreadsheet and the HTML page into `out_dir`; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = file_stem(results)
    xlsx_path = out_dir / f"{stem}.xlsx"
    html_path = out_dir / f"{stem}.html"
    write_xlsx(results, xlsx_path)
    html_path.write_text(render_html(results), encoding="utf-8")
    return xlsx_path, html_path
