"""An award's certificate as a PDF (A4 landscape), drawn from the records on demand.

The same record gives the same bytes: the document's dates come from the award, and the
file id from the content. Its QR code opens the certificate's public verification page.
"""

from __future__ import annotations

import io

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from domain.certificates import ISSUER, PublicCertificate, verification_url
from domain.presentation import full_date
from reports.pdf import MINISTRY, ministry_pdf

TITLE = "Sertifikat Penghargaan IKM OVOP"
SIGNATORY = ["Direktur Jenderal", "Industri Kecil, Menengah, dan Aneka,"]

NAVY = (20, 45, 90)
GOLD = (176, 132, 20)
WIDTH, HEIGHT = 297, 210  # mm
QR_SIZE = 34  # mm


def qr_png(url: str) -> bytes:
    """A QR code (never a Micro QR, which few phones read) of `url`, as PNG."""
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def render_certificate(cert: PublicCertificate, public_url: str) -> bytes:
    """The certificate of `cert`, its QR code pointing at the API's address `public_url`."""
    url = verification_url(public_url, cert.number)
    pdf = ministry_pdf(
        "landscape",
        cert.awarded_at,
        f"{TITLE} {cert.number}",
        f"{cert.product_name} - {cert.ikm_name}",
    )
    pdf.set_auto_page_break(False)
    pdf.set_margins(24, 18, 24)
    pdf.add_page()
    _frame(pdf)
    _heading(pdf, cert)
    _award(pdf, cert)
    _verification(pdf, url)
    _signatory(pdf, cert)
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, size: float, style: str = "", height: float | None = None) -> None:
    pdf.set_font("serif", style, size)
    pdf.multi_cell(0, height or size * 0.5, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, WIDTH - 20, HEIGHT - 20)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.rect(13, 13, WIDTH - 26, HEIGHT - 26)


def _heading(pdf: FPDF, cert: PublicCertificate) -> None:
    pdf.set_text_color(*NAVY)
    pdf.set_y(20)
    _line(pdf, MINISTRY.upper(), 12, "B")
    _line(pdf, ISSUER.upper(), 11, "B")
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(0.3)
    pdf.line(60, pdf.get_y() + 2, WIDTH - 60, pdf.get_y() + 2)
    pdf.set_y(pdf.get_y() + 7)
    _line(pdf, TITLE.upper(), 24, "B", 12)
    _line(pdf, f"Tahun {cert.cycle}", 13, "B")
    _line(pdf, f"Nomor: {cert.number}", 11)


def _award(pdf: FPDF, cert: PublicCertificate) -> None:
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(pdf.get_y() + 4)
    _line(pdf, "Diberikan kepada", 12, "I")
    pdf.set_text_color(*NAVY)
    _line(pdf, cert.ikm_name, 20, "B", 10)
    pdf.set_text_color(0, 0, 0)
    _line(pdf, "atas produk", 12, "I")
    _line(pdf, cert.product_name, 16, "B", 8)
    _line(
        pdf,
        f"komoditas {cert.commodity.label}, {cert.regency}, Provinsi {cert.province.value},",
        12,
    )
    _line(pdf, "yang ditetapkan sebagai produk unggulan IKM OVOP dengan peringkat", 12)
    pdf.set_y(pdf.get_y() + 1)
    pdf.set_font("sans", "B", 20)
    pdf.set_text_color(*GOLD)
    pdf.cell(0, 10, "★" * cert.stars, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*NAVY)
    _line(pdf, f"Bintang {cert.stars}", 14, "B")


def _verification(pdf: FPDF, url: str) -> None:
    top = HEIGHT - 20 - QR_SIZE
    pdf.image(io.BytesIO(qr_png(url)), x=22, y=top, w=QR_SIZE, h=QR_SIZE)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("serif", "", 8)
    pdf.set_xy(22 + QR_SIZE + 3, top + 12)
    pdf.multi_cell(
        100,
        4,
        "Keaslian sertifikat ini dapat diperiksa dengan memindai kode QR atau membuka "
        f"alamat berikut:\n{url}",
        align="L",
    )


def _signatory(pdf: FPDF, cert: PublicCertificate) -> None:
    left, width = 185, 90
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("serif", "", 11)
    pdf.set_xy(left, HEIGHT - 62)
    lines = ["Ditetapkan di Jakarta", f"pada tanggal {full_date(cert.awarded_at)}", *SIGNATORY]
    for text in lines:
        pdf.set_x(left)
        pdf.cell(width, 5.5, text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    pdf.line(left + 15, HEIGHT - 22, left + width - 15, HEIGHT - 22)
