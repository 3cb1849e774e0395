"""The cycle's decree as a PDF (A4 portrait) in the ministry's letter format: letterhead,
title, considerations, the decision, place, date and signatory; the winners per commodity in
its appendix (lampiran), signed again.

The same decree gives the same bytes: the document is dated by the decree, and the file id
comes from the content.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from domain.certificates import ISSUER
from domain.decree import Decree
from domain.plenary import Winner
from domain.presentation import full_date
from reports import formatting as fmt
from reports.pdf import MINISTRY, ministry_pdf

ADDRESS = "Jalan Jenderal Gatot Subroto Kav. 52-53, Jakarta Selatan 12950"
SIGNATORY = f"DIREKTUR JENDERAL {ISSUER.removeprefix('Direktorat Jenderal ').upper()}"
LEFT, RIGHT, TOP = 25, 20, 15  # mm
LINE = 5.2  # mm, body text at 11 pt
LABEL = 28  # mm: the column of "Menimbang", "Mengingat", "KESATU" ...
MARKER = 7  # mm: the column of "a.", "1."
ORDINALS = ["KESATU", "KEDUA", "KETIGA", "KEEMPAT", "KELIMA"]
# The appendix's table, on landscape pages: its columns and their widths in mm.
COLUMNS = ("No", "Produk", "IKM", "Kabupaten/Kota", "Provinsi", "Bintang", "Pembinaan")
WIDTHS = (10, 62, 54, 38, 36, 18, 34)
HEADINGS = FontFace(emphasis="BOLD", fill_color=(225, 230, 240))


def title(decree: Decree) -> str:
    return f"PENETAPAN PENERIMA PENGHARGAAN IKM OVOP TAHUN {decree.cycle}"


def render_decree(decree: Decree) -> bytes:
    """The decree, signed by its official, with every winner in its appendix."""
    pdf = ministry_pdf(
        "portrait",
        decree.issued_at,
        f"Keputusan Direktur Jenderal IKMA Nomor {decree.number}",
        title(decree).capitalize(),
    )
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    _letterhead(pdf)
    _heading(pdf, decree)
    _considerations(pdf, decree)
    _decision(pdf, decree)
    _signature(pdf, decree)
    _copies(pdf)
    pdf.add_page(orientation="landscape")
    _appendix(pdf, decree)
    _signature(pdf, decree)
    return bytes(pdf.output())


def _centred(pdf: FPDF, text: str, style: str = "", size: float = 11) -> None:
    pdf.set_font("serif", style, size)
    pdf.multi_cell(0, LINE, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _gap(pdf: FPDF, mm: float = LINE) -> None:
    pdf.set_y(pdf.get_y() + mm)


def _letterhead(pdf: FPDF) -> None:
    _centred(pdf, MINISTRY.upper(), "B", 13)
    _centred(pdf, ISSUER.upper(), "B", 11)
    _centred(pdf, ADDRESS, "", 9)
    y = pdf.get_y() + 1.5
    pdf.set_line_width(0.8)
    pdf.line(LEFT, y, pdf.w - RIGHT, y)
    pdf.set_line_width(0.2)
    pdf.line(LEFT, y + 1.2, pdf.w - RIGHT, y + 1.2)
    pdf.set_y(y + 6)


def _heading(pdf: FPDF, decree: Decree) -> None:
    _centred(pdf, f"KEPUTUSAN {SIGNATORY}", "B")
    _centred(pdf, f"NOMOR {decree.number}", "B")
    _gap(pdf, 2)
    _centred(pdf, "TENTANG", "B")
    _gap(pdf, 2)
    _centred(pdf, title(decree), "B")
    _gap(pdf)
    _centred(pdf, "DENGAN RAHMAT TUHAN YANG MAHA ESA", "B")
    _gap(pdf)
    _centred(pdf, f"{SIGNATORY},", "B")
    _gap(pdf)


def _clause(pdf: FPDF, label: str, items: Sequence[str], markers: Sequence[str] = ()) -> None:
    """`label :` and its items, each (after its marker, if any) with a hanging indent."""
    pdf.set_font("serif", "", 11)
    body = pdf.w - RIGHT - (LEFT + LABEL + 4)
    pdf.set_x(LEFT)
    pdf.cell(LABEL, LINE, label)
    pdf.cell(4, LINE, ":")
    for i, text in enumerate(items):
        x = LEFT + LABEL + 4
        if markers:
            pdf.set_x(x)
            pdf.cell(MARKER, LINE, markers[i])
        indent = MARKER if markers else 0
        pdf.set_x(x + indent)
        pdf.multi_cell(body - indent, LINE, text, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _gap(pdf, 2)


def _considerations(pdf: FPDF, decree: Decree) -> None:
    name = f"Keputusan Direktur Jenderal {ISSUER.removeprefix('Direktorat Jenderal ')}"
    _clause(
        pdf,
        "Menimbang",
        [
            "bahwa untuk mendorong tumbuhnya produk unggulan industri kecil dan menengah yang "
            "berbasis potensi dan budaya daerah, Kementerian Perindustrian menyelenggarakan "
            "penilaian One Village One Product (OVOP) bagi industri kecil dan menengah;",
            "bahwa usulan pemerintah kabupaten/kota telah melalui verifikasi administrasi, "
            "penilaian teknis oleh Balai Besar, dan penilaian Tim Seleksi, dan Tim Seleksi "
            "telah menyepakati daftar penerima penghargaan untuk setiap komoditas dalam "
            "sidang pleno;",
            "bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a dan huruf b, "
            f"perlu menetapkan {name} tentang Penetapan Penerima Penghargaan IKM OVOP Tahun "
            f"{decree.cycle};",
        ],
        ["a.", "b.", "c."],
    )
    bases = [f"{law};" for law in decree.legal_bases]
    bases[-1] = bases[-1].removesuffix(";") + "."
    _clause(pdf, "Mengingat", bases, [f"{i}." for i in range(1, len(bases) + 1)])


def _decision(pdf: FPDF, decree: Decree) -> None:
    _centred(pdf, "MEMUTUSKAN:", "B")
    _gap(pdf, 2)
    _clause(pdf, "Menetapkan", [f"KEPUTUSAN {SIGNATORY} TENTANG {title(decree)}."])
    articles = [
        "Menetapkan industri kecil dan menengah sebagaimana tercantum dalam Lampiran yang "
        "merupakan bagian tidak terpisahkan dari Keputusan Direktur Jenderal ini sebagai "
        f"penerima Penghargaan IKM OVOP Tahun {decree.cycle}, dengan peringkat bintang dan "
        "tingkat pembinaan masing-masing.",
        "Pembinaan lanjutan bagi penerima penghargaan dilaksanakan oleh Pemerintah Pusat, "
        "Pemerintah Provinsi, atau Pemerintah Kabupaten/Kota sesuai dengan tingkat pembinaan "
        "sebagaimana tercantum dalam Lampiran.",
        "Setiap penerima penghargaan diberikan sertifikat Penghargaan IKM OVOP yang "
        "keasliannya dapat diperiksa melalui nomor sertifikatnya.",
        "Keputusan Direktur Jenderal ini mulai berlaku pada tanggal ditetapkan.",
    ]
    for ordinal, article in zip(ORDINALS, articles, strict=False):
        _clause(pdf, ordinal, [article])


def _signature(pdf: FPDF, decree: Decree) -> None:
    left, width = pdf.w - RIGHT - 80, 80
    if pdf.get_y() + 52 > pdf.h - 20:
        pdf.add_page()
    _gap(pdf, 4)
    pdf.set_font("serif", "", 11)
    lines = [
        (f"Ditetapkan di {decree.place}", ""),
        (f"pada tanggal {full_date(decree.issued_at)}", ""),
        ("", ""),
        (SIGNATORY + ",", "B"),
    ]
    for text, style in lines:
        pdf.set_font("serif", style, 11)
        pdf.set_x(left)
        pdf.multi_cell(width, LINE, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _gap(pdf, 20)
    pdf.set_font("serif", "B", 11)
    pdf.set_x(left)
    pdf.multi_cell(
        width, LINE, decree.signatory_name, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    _gap(pdf, 4)


def _copies(pdf: FPDF) -> None:
    pdf.set_font("serif", "", 10)
    pdf.multi_cell(
        0, 4.6, "Salinan Keputusan ini disampaikan kepada:", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    recipients = [
        "Menteri Perindustrian;",
        "Sekretaris Jenderal Kementerian Perindustrian;",
        "Gubernur provinsi asal penerima penghargaan;",
        "Bupati/Wali Kota kabupaten/kota asal penerima penghargaan.",
    ]
    for i, recipient in enumerate(recipients, start=1):
        pdf.set_x(LEFT)
        pdf.cell(MARKER, 4.6, f"{i}.")
        pdf.multi_cell(0, 4.6, recipient, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _appendix(pdf: FPDF, decree: Decree) -> None:
    left, width = pdf.w - RIGHT - 95, 95
    pdf.set_font("serif", "", 10)
    for text in [
        "LAMPIRAN",
        f"KEPUTUSAN {SIGNATORY}",
        f"NOMOR {decree.number}",
        f"TANGGAL {full_date(decree.issued_at).upper()}",
    ]:
        pdf.set_x(left)
        pdf.multi_cell(width, 4.6, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _gap(pdf)
    _centred(pdf, f"DAFTAR PENERIMA PENGHARGAAN IKM OVOP TAHUN {decree.cycle}", "B")
    _gap(pdf, 3)
    for letter, commodity in zip("ABCDEFGHIJ", decree.commodities, strict=False):
        pdf.set_font("serif", "B", 11)
        pdf.multi_cell(
            0, LINE, f"{letter}. Komoditas {commodity.label}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        _gap(pdf, 1)
        _winners_table(pdf, decree.winners_of(commodity))
        _gap(pdf, 4)


def _winners_table(pdf: FPDF, winners: Sequence[Winner]) -> None:
    pdf.set_font("serif", "", 10)
    with pdf.table(
        width=sum(WIDTHS),
        col_widths=WIDTHS,
        text_align=("CENTER", "LEFT", "LEFT", "LEFT", "LEFT", "CENTER", "LEFT"),
        line_height=5,
        headings_style=HEADINGS,
        repeat_headings=1,
    ) as table:
        table.row(COLUMNS)
        for i, w in enumerate(winners, start=1):
            table.row(
                [
                    str(i),
                    w.product_name,
                    w.ikm_name,
                    w.regency,
                    w.province.value,
                    str(w.stars),
                    fmt.coaching(w.coaching_level),
                ]
            )
