"""Vietnamese official documents as .docx, laid out after Nghị định 30/2020/NĐ-CP, Phụ lục I (thể thức
văn bản hành chính): A4, margins, Times New Roman 13–14 pt, the two-column header (issuing body and
number | national title, motto, place and date), a centred title, body paragraphs, tables and a
signature block. Every app's official records and reports are built with it:

    doc = OfficialDocument(title="Biên bản giao nhận")
    doc.header(bodies=["BAN CHỈ HUY BỘ ĐỘI BIÊN PHÒNG TỈNH …", "ĐỒN BIÊN PHÒNG …"], number="Số: …/BB",
               place="Biên Hải", day=date)
    doc.title("BIÊN BẢN GIAO NHẬN …")
    doc.paragraph("Căn cứ …")
    doc.table([Column("STT", 1, "center"), Column("Tên", 4)], rows, total=["Cộng", "3"])
    doc.signatures([Signature("ĐẠI DIỆN BÊN GIAO"), Signature("ĐẠI DIỆN BÊN NHẬN")])
    response = docx_response(doc.to_bytes(), name="Biên bản giao nhận")

Only the font's name is written: Times New Roman is on every office machine, nothing is embedded.
"""

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from .export import file_response

FONT = "Times New Roman"
BLANK = "……"  # a gap the signatories fill in by hand
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# NĐ 30/2020 Phụ lục I, Mục I: A4; top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
PAGE = (Mm(210), Mm(297))
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
HEADER_SPLIT = (0.4, 0.6)  # the header's two columns, as shares of the text width

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


@dataclass(frozen=True)
class Text:
    """A run of a paragraph with its own emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # relative: the columns share the text width in these proportions
    align: str = "left"


@dataclass(frozen=True)
class Signature:
    title: str  # written in capitals; "\n" splits it into lines
    name: str = ""  # empty: written by hand
    note: str = "(Ký, ghi rõ họ tên)"


def vietnamese_date(day: datetime.date | None) -> str:
    """"ngày 05 tháng 02 năm 2026", or blanks to fill in by hand. NĐ 30/2020 Phụ lục I, Mục II.4:
    days below 10 and the months 1 and 2 take a leading zero, other months do not."""
    if day is None:
        return f"ngày {BLANK} tháng {BLANK} năm {BLANK}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _set(element, tag: str, **attrs) -> None:
    """Set ``w:<tag>`` with ``attrs`` as the (only) child of that name of ``element``."""
    child = element.find(qn(f"w:{tag}"))
    if child is None:
        child = OxmlElement(f"w:{tag}")
        element.append(child)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), str(value))


class OfficialDocument:
    """A Vietnamese official document on A4; methods add its parts in reading order."""

    def __init__(self, *, title: str = "", font_size: float = 14, table_font_size: float = 12):
        self.document = Document()
        self.font_size = font_size
        self.table_font_size = table_font_size
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE
        for side, length in MARGINS.items():
            setattr(section, f"{side}_margin", length)
        section.header_distance = section.footer_distance = Mm(10)
        self.width = section.page_width - section.left_margin - section.right_margin
        self._defaults()
        self._page_numbers(section)
        properties = self.document.core_properties
        properties.title, properties.author, properties.language = title, "Kỹ thuật", "vi-VN"

    def _defaults(self) -> None:
        """Times New Roman for every script (Vietnamese letters are in the "hAnsi" range), Vietnamese
        proofing, single line spacing with 6 pt between paragraphs (NĐ 30/2020: at least 6 pt)."""
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        run = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = run.find(qn("w:rFonts"))
        fonts.attrib.clear()  # drop the template's theme fonts, which would win over a plain name
        _set(run, "rFonts", ascii=FONT, hAnsi=FONT, eastAsia=FONT, cs=FONT)
        _set(run, "sz", val=round(self.font_size * 2))
        _set(run, "szCs", val=round(self.font_size * 2))
        _set(run, "lang", val="vi-VN", eastAsia="vi-VN", bidi="ar-SA")
        _set(defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")), "spacing", after=0, line=240, lineRule="auto")
        normal = self.document.styles["Normal"]
        normal.font.name, normal.font.size = FONT, Pt(self.font_size)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.0

    def _page_numbers(self, section) -> None:
        """Page numbers centred in the top margin from the second page on (NĐ 30/2020 Phụ lục I)."""
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for kind in ("begin", "instruction", "separate", "end"):
            run = paragraph.add_run("2" if kind == "separate" else None)  # "2": shown until fields update
            if kind == "instruction":
                instruction = OxmlElement("w:instrText")
                instruction.set(qn("xml:space"), "preserve")
                instruction.text = " PAGE "
                run._r.append(instruction)
            else:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.insert(0, char)

    # --- parts -------------------------------------------------------------------------------------

    def header(self, *, bodies: Sequence[str], number: str, place: str = "", day: datetime.date | None = None):
        """The two-column header. ``bodies``: the issuing body's superiors, top first, then the issuing
        body itself (bold, with a short rule under it); ``number``: "Số: 12/BB-…" under it, level with
        the place and date in italics on the right."""
        table = self._table(2, [share * self.width for share in HEADER_SPLIT], borders=False)
        left, right = table.rows[0].cells
        *superiors, issuer = bodies
        for line in superiors:  # NĐ 30/2020: names of bodies and the national title 12–13 pt, motto 13–14 pt
            self._add(left, line.upper(), size=12)
        self._add(left, issuer.upper(), size=12, bold=True)
        self._rule(left, HEADER_SPLIT[0] * self.width / 3)
        self._add(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
        motto = self._add(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True)
        motto.runs[0].underline = True
        left, right = table.add_row().cells
        self._add(left, number, size=13).paragraph_format.space_before = Pt(6)
        dated = self._add(right, f"{place or BLANK * 3}, {vietnamese_date(day)}", italic=True)
        dated.paragraph_format.space_before = Pt(6)
        self._first_paragraphs_used(table)

    def title(self, text: str) -> None:
        """The document's kind and subject, centred in bold capitals."""
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_before = Pt(18)
        paragraph.paragraph_format.space_after = Pt(12)
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run(text.upper()).bold = True

    def paragraph(self, *parts: str | Text, align: str = "justify", indent: bool = True,
                  keep_with_next: bool = False):
        """A body paragraph: justified, first line indented 1 cm (NĐ 30/2020: 1–1,27 cm)."""
        paragraph = self.document.add_paragraph()
        paragraph.alignment = ALIGN[align]
        if indent:
            paragraph.paragraph_format.first_line_indent = Mm(10)
        paragraph.paragraph_format.keep_with_next = keep_with_next
        for part in parts:
            part = Text(part) if isinstance(part, str) else part
            run = paragraph.add_run(part.text)
            run.bold, run.italic = part.bold or None, part.italic or None
        return paragraph

    def blanks(self, *labels: str, shares: Sequence[float] | None = None, indent: bool = True):
        """A line to fill in by hand: each label followed by dots up to its share of the line,
        e.g. ``blanks("- Họ và tên:", "Chức vụ:", shares=(0.6, 0.4))``."""
        paragraph = self.paragraph(indent=indent)
        shares = shares or [1 / len(labels)] * len(labels)
        stops = paragraph.paragraph_format.tab_stops
        start = Mm(10) if indent else 0
        position = 0.0
        for index, (label, share) in enumerate(zip(labels, shares, strict=True)):
            position += share
            stops.add_tab_stop(round((self.width - start) * position) - Pt(1), WD_TAB_ALIGNMENT.LEFT,
                               WD_TAB_LEADER.DOTS)
            paragraph.add_run(f"{' ' if index else ''}{label}\t")
        return paragraph

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence], *, total: Sequence | None = None):
        """A bordered table: a bold header row repeated on every page, then ``rows`` and a bold
        ``total`` row. A cell given as None joins the cell on its left (``["Cộng", None, None, "12"]``)."""
        scale = self.width / sum(column.width for column in columns)
        table = self._table(len(columns), [column.width * scale for column in columns], borders=True)
        self._cell_margins(table, Mm(1))  # instead of Word's 1.9 mm: room for narrow columns
        head = table.rows[0]
        _set(head._tr.get_or_add_trPr(), "tblHeader")
        for cell, column in zip(head.cells, columns, strict=True):
            self._add(cell, column.header, size=self.table_font_size, bold=True, align="center")
        body = [(row, False) for row in rows] + ([(total, True)] if total else [])
        for values, bold in body:
            cells = table.add_row().cells
            for index, (cell, value, column) in enumerate(zip(cells, values, columns, strict=True)):
                if value is None:
                    continue
                span = 1
                while index + span < len(values) and values[index + span] is None:
                    span += 1
                if span > 1:
                    cell = cell.merge(cells[index + span - 1])
                self._add(cell, str(value), size=self.table_font_size, bold=bold,
                          align="center" if span > 1 else column.align)
        for row in table.rows:
            _set(row._tr.get_or_add_trPr(), "cantSplit")
            for cell in row.cells:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        self._first_paragraphs_used(table)
        self.document.add_paragraph().paragraph_format.space_after = Pt(0)
        return table

    def signatures(self, signatures: Sequence[Signature]) -> None:
        """Side-by-side signature blocks: title in bold capitals, the note in italics, room to sign
        and stamp, then the name in bold; kept on one page. A block with a longer line gets a wider column."""
        # Bold capitals at 13 pt and a bold name at 14 pt take about the same width a letter.
        weights = [max(18, len(signature.name), *map(len, signature.title.split("\n"))) + 4
                   for signature in signatures]
        table = self._table(len(signatures), [self.width * w / sum(weights) for w in weights], borders=False)
        self._cell_margins(table, 0)
        _set(table.rows[0]._tr.get_or_add_trPr(), "cantSplit")
        for cell, signature in zip(table.rows[0].cells, signatures, strict=True):
            self._add(cell, signature.title.upper(), bold=True, align="center", size=13)
            self._add(cell, signature.note, italic=True, align="center", size=13)
            name = self._add(cell, signature.name or " ", bold=True, align="center")
            name.paragraph_format.space_before = Mm(25)
        self._first_paragraphs_used(table)
        previous = table._tbl.getprevious()
        if previous is not None and previous.tag == qn("w:p"):
            Paragraph(previous, table._parent).paragraph_format.keep_with_next = True

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()

    # --- helpers -----------------------------------------------------------------------------------

    def _table(self, count: int, widths: Sequence[int], *, borders: bool):
        table = self.document.add_table(rows=1, cols=count)
        table.style = self.document.styles["Table Grid" if borders else "Normal Table"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = round(width)
            for cell in column.cells:
                cell.width = round(width)
        return table

    def _add(self, cell, text: str, *, size: float | None = None, bold: bool = False, italic: bool = False,
             align: str = "center"):
        """A paragraph in a table cell (the cell's own empty first paragraph is removed afterwards)."""
        paragraph = cell.add_paragraph()
        paragraph.alignment = ALIGN[align]
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
        return paragraph

    @staticmethod
    def _cell_margins(table, length: int) -> None:
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            _set(margins, side, w=round(length / 635), type="dxa")  # EMU to twentieths of a point
        table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")

    @staticmethod
    def _first_paragraphs_used(table) -> None:
        """Drop the empty paragraph python-docx puts first in every cell, where the cell has others."""
        for row in table.rows:
            for cell in row.cells:
                first = cell.paragraphs[0]
                if len(cell.paragraphs) > 1 and not first.text:
                    first._p.getparent().remove(first._p)

    @staticmethod
    def _rule(cell, length: int) -> None:
        """A short centred rule (the line under the issuing body's name), as a paragraph border."""
        paragraph = cell.add_paragraph()
        indent = round((cell.width - length) / 2)
        paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = indent
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.line_spacing = Pt(4)
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
            bottom.set(qn(f"w:{key}"), value)
        borders.append(bottom)
        paragraph._p.get_or_add_pPr().insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind",
                                                             "w:jc", "w:rPr")


def docx_response(content: bytes, *, name: str):
    """A download of a .docx; the file name is ``name`` folded to ASCII, with today's date."""
    return file_response(content, name=name, extension="docx", content_type=DOCX_TYPE)
