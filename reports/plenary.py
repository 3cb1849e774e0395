"""A commodity's plenary ranking for the Tim Seleksi to read: each nominee in its place, each
juror's five scores side by side, the lab's finding, ties and outliers marked; as plain text
(for `ovop`) or as one self-contained HTML page (for the API).

Both are drawn from the same lines (`nominee_lines`) and score table (`score_table`).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from domain.plenary import RankedNominee, Ranking
from domain.scoring import Criterion
from reports import formatting as fmt

TIE = "SERI"
OUTLIER = "PENCILAN"
INDENT = "   "


def heading(ranking: Ranking) -> str:
    return f"Sidang Pleno Tim Seleksi OVOP {ranking.cycle} - Komoditas {ranking.commodity.label}"


def legend(ranking: Ranking) -> list[str]:
    """How the ranking is ordered and what its marks mean."""
    lines = [
        "Urutan: nilai akhir tertinggi; bila sama, nilai Balai Besar tertinggi; bila masih "
        "sama, nomor usulan (urutan itu hanya agar tetap; sidang pleno memutuskan).",
        f"{TIE}: nilai akhir sama (dua desimal) dengan usulan lain.",
        f"{OUTLIER}: nilai total juri berselisih lebih dari {fmt.score(ranking.outlier_points)} "
        "poin dari median nilai total juri usulan itu (bila juri sedikitnya tiga).",
    ]
    if ranking.down_weighted:
        lines.append(
            "Nilai dihitung ulang: juri pencilan diberi bobot lebih kecil sesuai konfigurasi "
            "siklus; hanya sebagai bahan pertimbangan, peringkat dan rekomendasi tetap."
        )
    return lines


def nominee_lines(entry: RankedNominee) -> list[str]:
    """What the plenary reads of a nominee above its scores."""
    n = entry.nominee
    lab = n.lab
    lines = [
        f"{entry.position}. {n.product_name} - {n.ikm_name}",
        f"{n.regency}, {n.province.value} ({n.nomination_id})",
        f"Nilai akhir {fmt.score(n.final_score)}; rekomendasi "
        + (f"{n.recommended_stars} bintang" if n.recommended_stars else "tidak mendapat bintang"),
        f"Balai Besar: nilai {fmt.score(lab.score)}, "
        f"{'memenuhi' if lab.conforms else 'tidak memenuhi'} standar (laporan "
        f"{lab.report_number}): {lab.summary}",
    ]
    if entry.recomputed_score is not None:
        lines.append(
            f"Nilai dihitung ulang dengan bobot juri pencilan: "
            f"{fmt.score(entry.recomputed_score)} ({entry.recomputed_stars or 0} bintang)"
        )
    if entry.tied:
        lines.append(f"{TIE} dengan: {', '.join(entry.tied_with)}")
    if entry.outliers:
        lines.append(f"{OUTLIER}: {', '.join(entry.outliers)}")
    return lines


def score_table(entry: RankedNominee) -> list[list[str]]:
    """Rows of the nominee's scores, its jurors side by side: the header, each criterion,
    each juror's weighted total, how far it lies from the median, and the outlier mark."""
    jurors = entry.jurors
    return [
        ["Kriteria", *(line.juror_id for line in jurors)],
        *(
            [criterion.label, *(fmt.score(line.scores[criterion]) for line in jurors)]
            for criterion in Criterion
        ),
        ["Nilai total (berbobot)", *(fmt.score(line.total) for line in jurors)],
        [
            f"Selisih dari median ({fmt.score(entry.median)})",
            *(fmt.score(line.deviation) for line in jurors),
        ],
        ["Pencilan", *(OUTLIER if line.outlier else "-" for line in jurors)],
    ]


def plenary_text(ranking: Ranking) -> str:
    """The ranking as plain text, one block per nominee."""
    out = [heading(ranking).upper(), *legend(ranking), ""]
    for entry in ranking.entries:
        first, *rest = nominee_lines(entry)
        out.append(first)
        out += [INDENT + line for line in [*rest, *_aligned(score_table(entry))]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            [
                row[0].ljust(widths[0]),
                *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)),
            ]
        ).rstrip()
        for row in rows
    ]


_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em; color: #1b1b1b; }
h1 { font-size: 1.3em; color: #142d5a; }
section { margin: 1.5em 0; padding-top: .5em; border-top: 1px solid #ccd; }
h2 { font-size: 1.05em; margin: .2em 0; }
p { margin: .15em 0; }
table { border-collapse: collapse; margin-top: .5em; }
th, td { border: 1px solid #ccd; padding: .2em .6em; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.mark { color: #a40000; font-weight: bold; }
.outlier { background: #fde8e8; }
"""


def plenary_html(ranking: Ranking) -> str:
    """The ranking as one HTML page: styles inline, no script, nothing fetched."""
    parts = [
        '<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n',
        f"<title>{escape(heading(ranking))}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n",
        f"<h1>{escape(heading(ranking))}</h1>\n",
        *(f"<p>{escape(line)}</p>\n" for line in legend(ranking)),
    ]
    for entry in ranking.entries:
        first, *rest = nominee_lines(entry)
        parts.append(f'<section id="{escape(entry.nominee.nomination_id)}">\n')
        parts.append(f"<h2>{escape(first)}</h2>\n")
        for line in rest:
            marked = line.startswith((TIE, OUTLIER))
            parts.append(
                f'<p class="mark">{escape(line)}</p>\n' if marked else f"<p>{escape(line)}</p>\n"
            )
        parts.append(_html_table(entry))
        parts.append("</section>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def _html_table(entry: RankedNominee) -> Markup:
    header, *rows = score_table(entry)
    outlier = [False, *(line.outlier for line in entry.jurors)]
    cells = "".join(
        f'<th scope="col"{" class=outlier" if outlier[i] else ""}>{escape(text)}</th>'
        for i, text in enumerate(header)
    )
    body = [f"<tr>{cells}</tr>"]
    for row in rows:
        label, *values = row
        tds = "".join(
            f'<td class="n{" outlier" if outlier[i] else ""}">{escape(v)}</td>'
            for i, v in enumerate(values, start=1)
        )
        body.append(f'<tr><th scope="row">{escape(label)}</th>{tds}</tr>')
    return Markup("<table>\n" + "\n".join(body) + "\n</table>\n")
