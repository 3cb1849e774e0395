"""The results page's charts, drawn by matplotlib as SVG to be placed inline in the page.

Text is drawn as paths, so a chart looks the same on every machine whatever its fonts;
the tables beside each chart carry the same numbers as text. No pyplot: each chart is its
own `Figure`, so nothing global is left behind.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from reports.formatting import number, percent
from reports.results import Funnel, Tally

INK = "#1f2933"
MUTED = "#7b8794"
FUNNEL_COLOR = "#1d4e89"
GRID = "#e4e7eb"


def star_colors(levels: Sequence[int]) -> dict[int, str]:
    """One colour per star level, from light gold to deep amber."""
    cmap = matplotlib.colormaps["YlOrBr"]
    n = len(levels)
    return {
        level: to_hex(cmap(0.3 + 0.55 * (i / (n - 1) if n > 1 else 0.5)))
        for i, level in enumerate(levels)
    }


def funnel_chart(funnel: Funnel) -> str:
    """The funnel from proposals received to awards, as centred bars."""
    steps = funnel.steps
    widest = max((s.count for s in steps), default=0) or 1
    fig = Figure(figsize=(8, 0.62 * len(steps) + 0.4))
    ax = fig.add_subplot()
    for i, step in enumerate(steps):
        left = (widest - step.count) / 2
        ax.barh(i, step.count, left=left, height=0.72, color=FUNNEL_COLOR, alpha=1 - 0.12 * i)
        ax.text(
            widest / 2,
            i,
            f"{step.count}  ({percent(step.share)})",
            ha="center",
            va="center",
            color="white" if step.count > widest * 0.18 else INK,
            fontsize=11,
            fontweight="bold",
        )
    ax.set_yticks(range(len(steps)), [s.label for s in steps], fontsize=10, color=INK)
    ax.invert_yaxis()
    ax.set_xlim(0, widest)
    ax.set_xticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return _svg(fig, "funnel", "Corong usulan: dari usulan diterima sampai meraih penghargaan")


def stars_chart(tallies: Sequence[Tally], levels: Sequence[int], what: str) -> str:
    """Awards per province or commodity, stacked by star level, with the proposals beside."""
    rows = list(tallies)
    colors = star_colors(levels)
    fig = Figure(figsize=(8, 0.3 * len(rows) + 1.1))
    ax = fig.add_subplot()
    positions = range(len(rows))
    ax.barh(
        positions,
        [t.proposals for t in rows],
        height=0.78,
        color=GRID,
        label="Usulan",
    )
    left = [0] * len(rows)
    for level in levels:
        counts = [t.stars.get(level, 0) for t in rows]
        ax.barh(
            positions,
            counts,
            left=left,
            height=0.5,
            color=colors[level],
            label=f"{level} bintang",
        )
        left = [a + b for a, b in zip(left, counts, strict=True)]
    widest = max((t.proposals for t in rows), default=0) or 1
    for i, t in enumerate(rows):
        ax.text(
            t.proposals + widest * 0.01,
            i,
            f"{number(t.awarded)} / {number(t.proposals)}",
            va="center",
            fontsize=8,
            color=MUTED,
        )
    ax.set_yticks(list(positions), [t.name for t in rows], fontsize=9, color=INK)
    ax.invert_yaxis()
    ax.set_xlim(0, widest * 1.12)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="x", labelsize=8, colors=MUTED)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(GRID)
    ax.set_xlabel("penghargaan menurut bintang / usulan", fontsize=8, color=MUTED)
    ax.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=len(levels) + 1,
        frameon=False,
        fontsize=8,
    )
    return _svg(fig, f"stars-{what}", f"Penghargaan menurut bintang per {what}")


def _svg(fig: Figure, name: str, title: str) -> str:
    """The figure as an `<svg>` element that scales with the page."""
    buffer = io.StringIO()
    # A fixed salt makes the ids (and so the file) the same on every run.
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": f"ovop-{name}"}):
        fig.savefig(
            buffer,
            format="svg",
            bbox_inches="tight",
            metadata={"Date": None, "Creator": None},
        )
    text = buffer.getvalue()
    svg = text[text.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    svg = re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
        rf'<svg\1 width="100%" role="img" aria-label="{title}"',
        svg,
        count=1,
    )
    # Glyph and clip-path ids would repeat across the charts of one page: prefix them.
    return re.sub(r'(id="|xlink:href="#|url\(#)([^")]+)', rf"\1{name}-\2", svg)
