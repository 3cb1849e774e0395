"""The plenary's table for people: every nominee in its place, its jurors' scores side by
side, ties and outliers marked; as text and as an HTML page."""

from __future__ import annotations

from html.parser import HTMLParser

from domain.examples import example_cycle_config
from domain.plenary import Ranking, rank
from domain.proposal import Commodity
from reports.plenary import plenary_html, plenary_text
from tests.plenary_support import CONFIG, nominee

WEIGHING = example_cycle_config(panel={"lab_weight": 0.2}, plenary={"down_weight_outliers": True})


def ranking(config=CONFIG) -> Ranking:
    return rank(
        Commodity.KAIN_BATIK,
        [
            nominee("ovop-a", [80, 82, 50], product="Batik Tulis Jlamprang"),  # 72,53
            nominee("ovop-b", [80, 80, 80], product="Batik Gentongan"),  # 80,00
            nominee("ovop-c", [77.5, 77.5, 77.5], 90, product="Batik <Lasem>"),  # 80,00
        ],
        config,
    )


def block(text: str, start: str) -> list[str]:
    """The lines of one nominee's block, from its first line to the next blank one."""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(start))
    end = next((i for i in range(first, len(lines)) if not lines[i].strip()), len(lines))
    return lines[first:end]


def test_the_text_ranks_the_nominees_with_their_jurors_side_by_side() -> None:
    text = plenary_text(ranking())
    assert text.startswith("SIDANG PLENO TIM SELEKSI OVOP 2026 - KOMODITAS KAIN BATIK\n")
    places = [line for line in text.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert places == [
        "1. Batik <Lasem> - IKM Batik <Lasem>",
        "2. Batik Gentongan - IKM Batik Gentongan",
        "3. Batik Tulis Jlamprang - IKM Batik Tulis Jlamprang",
    ]
    third = block(text, "3.")
    rows = {line.strip().split("  ")[0]: line.split() for line in third if "  " in line.strip()}
    assert rows["Kriteria"][-3:] == ["juri.1", "juri.2", "juri.3"]
    assert rows["Mutu dan penampilan produk"][-3:] == ["80,00", "82,00", "50,00"]
    assert rows["Nilai total (berbobot)"][-3:] == ["80,00", "82,00", "50,00"]
    assert rows["Selisih dari median (80,00)"][-3:] == ["0,00", "2,00", "30,00"]
    assert rows["Pencilan"][-3:] == ["-", "-", "PENCILAN"]
    assert "   Nilai akhir 72,53; rekomendasi 2 bintang" in third
    assert "   PENCILAN: juri.3" in third


def test_the_text_marks_ties_and_only_the_tied() -> None:
    text = plenary_text(ranking())
    assert "   SERI dengan: ovop-b" in block(text, "1.")
    assert "   SERI dengan: ovop-c" in block(text, "2.")
    assert not any("SERI" in line for line in block(text, "3."))


def test_the_recomputed_score_shows_only_when_the_cycle_down_weights() -> None:
    assert "dihitung ulang" not in plenary_text(ranking())
    text = plenary_text(ranking(WEIGHING))
    assert "   Nilai dihitung ulang dengan bobot juri pencilan: 75,84 (2 bintang)" in block(
        text, "3."
    )


class Cells(HTMLParser):
    """The text of every table cell, with whether it is marked as an outlier's."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, bool]] = []
        self.sections: list[str] = []
        self._cell: tuple[list[str], bool] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "section":
            self.sections.append(dict(attrs)["id"] or "")
        if tag in ("td", "th"):
            self._cell = ([], "outlier" in classes)

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[0].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append(("".join(self._cell[0]), self._cell[1]))
            self._cell = None


def test_the_html_page_marks_the_outlier_s_column_and_escapes_names() -> None:
    page = plenary_html(ranking())
    assert "<h2>1. Batik &lt;Lasem&gt; - IKM Batik &lt;Lasem&gt;</h2>" in page
    assert "<script" not in page and "http" not in page
    parsed = Cells()
    parsed.feed(page)
    assert parsed.sections == ["ovop-c", "ovop-b", "ovop-a"]
    marked = {text for text, outlier in parsed.cells if outlier}
    assert marked == {"juri.3", "50,00", "30,00", "PENCILAN"}
    assert '<p class="mark">PENCILAN: juri.3</p>' in page
    assert '<p class="mark">SERI dengan: ovop-b</p>' in page
