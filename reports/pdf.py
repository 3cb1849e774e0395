"""What the ministry's PDFs share: A4 pages, the DejaVu fonts embedded, the issuer in the
metadata, and the date the document carries as its creation date (so the same record gives
the same bytes)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

import matplotlib
from fpdf import FPDF

from domain.certificates import ISSUER

MINISTRY = "Kementerian Perindustrian Republik Indonesia"

# DejaVu, shipped with matplotlib (already a dependency): every Latin letter a name may
# hold, and the star, embedded so that the PDF reads the same everywhere.
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def ministry_pdf(
    orientation: Literal["portrait", "landscape"], dated: datetime, title: str, subject: str
) -> FPDF:
    """An empty A4 document of the Directorate General, dated `dated`, with its fonts:
    `serif` (regular, bold, italic) and `sans` (bold)."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_creation_date(dated)
    pdf.set_title(title)
    pdf.set_author(f"{ISSUER}, {MINISTRY}")
    pdf.set_subject(subject)
    pdf.set_lang("id")
    pdf.add_font("serif", "", FONTS / "DejaVuSerif.ttf")
    pdf.add_font("serif", "B", FONTS / "DejaVuSerif-Bold.ttf")
    pdf.add_font("serif", "I", FONTS / "DejaVuSerif-Italic.ttf")
    pdf.add_font("sans", "B", FONTS / "DejaVuSans-Bold.ttf")
    return pdf
