"""QR label sheets: A4, 3 × 8 labels of 70 × 37 mm (the common A4 sheet of 24 labels). Each label
holds a QR code of the item's address in the system, its type, number and unit."""

import io

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from kythuat.core.pdf import register_fonts

COLUMNS, ROWS = 3, 8
LABEL_W, LABEL_H = 70 * mm, 37 * mm
MARGIN_X = (A4[0] - COLUMNS * LABEL_W) / 2
MARGIN_Y = (A4[1] - ROWS * LABEL_H) / 2
PAD = 3 * mm
QR_SIZE = LABEL_H - 2 * PAD


def _draw_qr(pdf, data: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares: sharp at any printer resolution."""
    code = segno.make(data, error="m")
    matrix = code.matrix
    border = 2
    modules = len(matrix) + 2 * border
    cell = size / modules
    pdf.setFillColorRGB(0, 0, 0)
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                pdf.rect(x + (col + border) * cell, y + size - (row + border + 1) * cell, cell, cell,
                         stroke=0, fill=1)


def _fit(pdf, text: str, font: str, size: float, width: float) -> list[str]:
    """Wrap ``text`` into at most two lines that fit ``width``."""
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if pdf.stringWidth(candidate, font, size) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
        while pdf.stringWidth(lines[1] + "…", font, size) > width and len(lines[1]) > 1:
            lines[1] = lines[1][:-1]
        lines[1] += "…"
    return lines


def label_sheet(items, url_for, *, title: str) -> bytes:
    """PDF of labels for ``items``; ``url_for(item)`` gives the address the QR code opens."""
    regular, bold = register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    for index, item in enumerate(items):
        slot = index % (COLUMNS * ROWS)
        if index and slot == 0:
            pdf.showPage()
        col, row = slot % COLUMNS, slot // COLUMNS
        x = MARGIN_X + col * LABEL_W
        y = A4[1] - MARGIN_Y - (row + 1) * LABEL_H
        _draw_qr(pdf, url_for(item), x + PAD, y + PAD, QR_SIZE)
        text_x = x + PAD + QR_SIZE + 2 * mm
        width = LABEL_W - (text_x - x) - PAD
        line_y = y + LABEL_H - PAD - 3.2 * mm
        pdf.setFont(bold, 8)
        for line in _fit(pdf, item.type.name, bold, 8, width):
            pdf.drawString(text_x, line_y, line)
            line_y -= 3.6 * mm
        serial = item.serial or "—"
        size = 9.0
        while size > 5 and pdf.stringWidth(serial, bold, size) > width:  # numbers have no spaces to wrap at
            size -= 0.5
        pdf.setFont(bold, size)
        for line in _fit(pdf, serial, bold, size, width):
            pdf.drawString(text_x, line_y, line)
            line_y -= 4 * mm
        pdf.setFont(regular, 6.5)
        for line in _fit(pdf, item.unit.short_name or item.unit.name, regular, 6.5, width):
            pdf.drawString(text_x, line_y, line)
            line_y -= 3 * mm
        pdf.drawString(text_x, y + PAD, f"ID {item.pk}")
    pdf.save()
    return buffer.getvalue()


def qr_svg(data: str) -> str:
    """An SVG data URI of a QR code for the item page (CSP allows data: images)."""
    return segno.make(data, error="m").svg_data_uri(scale=4, border=2)
