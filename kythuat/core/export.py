"""Export of a filtered list to .xlsx, streaming rows so memory stays flat as the list grows."""

import datetime
import io
import re
from dataclasses import dataclass, field

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import slugify
from django_tables2.rows import BoundRow

from .text import fold


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool | int | float | datetime.date):
        return value
    return force_str(value)


def _sheet_name(text) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", force_str(text))[:31] or "Sheet1"


def table_xlsx(table, rows, *, title: str) -> bytes:
    """Write ``rows`` (an iterable of model instances) with the columns of ``table``."""
    columns = [col for col in table.columns if col.column.exclude_from_export is False and col.name != "actions"]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet(_sheet_name(title))
    bold = book.add_format({"bold": True, "bg_color": "#DDE5D0", "border": 1, "text_wrap": True})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    datetime_format = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write(0, 0, force_str(title), book.add_format({"bold": True, "font_size": 13}))
    header_row = 2
    # The first column is the row's id, so an exported sheet can be matched back to the system.
    sheet.write(header_row, 0, "ID", bold)
    sheet.set_column(0, 0, 9)
    for index, column in enumerate(columns, start=1):
        sheet.write(header_row, index, force_str(column.header), bold)
        sheet.set_column(index, index, 22)
    for number, record in enumerate(rows, start=header_row + 1):
        bound = BoundRow(record, table=table)
        sheet.write_number(number, 0, record.pk)
        for index, column in enumerate(columns, start=1):
            value = _cell(bound.get_cell_value(column.name))
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(number, index, value, datetime_format)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(number, index, datetime.datetime.combine(value, datetime.time()), date)
            else:
                sheet.write(number, index, value)
    sheet.freeze_panes(header_row + 1, 0)
    book.close()
    return buffer.getvalue()


@dataclass
class Sheet:
    """One table of a figures workbook: a title line, a header row, then rows of cells (numbers stay
    numbers; ``None`` is an empty cell; the columns in ``percent`` hold ratios shown as percentages)."""

    name: str
    title: str
    headers: list
    rows: list = field(default_factory=list)
    percent: tuple = ()


def sheets_xlsx(sheets: list[Sheet]) -> bytes:
    """A workbook of computed figures (dashboards, roll-ups), one sheet per table, in one layout."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#DDE5D0", "border": 1, "text_wrap": True})
    title = book.add_format({"bold": True, "font_size": 13})
    percent = book.add_format({"num_format": "0.0%"})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    for sheet in sheets:
        ws = book.add_worksheet(_sheet_name(sheet.name))
        ws.write(0, 0, force_str(sheet.title), title)
        for col, text in enumerate(sheet.headers):
            ws.write(2, col, force_str(text), bold)
        ws.set_column(0, 0, 40)
        ws.set_column(1, max(len(sheet.headers), 1), 13)
        for number, cells in enumerate(sheet.rows, start=3):
            for col, value in enumerate(cells):
                value = _cell(value)
                if value == "":
                    continue
                if col in sheet.percent:
                    ws.write_number(number, col, value, percent)
                elif isinstance(value, datetime.date):
                    ws.write_datetime(number, col, datetime.datetime.combine(value, datetime.time()), date)
                else:
                    ws.write(number, col, value)
        ws.freeze_panes(3, 1)
    book.close()
    return buffer.getvalue()


def file_response(content: bytes, *, name: str, extension: str, content_type: str) -> HttpResponse:
    """A download named after ``name`` folded to ASCII (any browser, any file system), with today's date."""
    words = re.sub(r"\W+", " ", fold(name))  # "01/LĐC" → "01-ldc", not "01ldc"
    filename = f"{slugify(words) or 'export'}-{timezone.localdate():%Y%m%d}.{extension}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(content: bytes, *, name: str) -> HttpResponse:
    return file_response(content, name=name, extension="xlsx",
                         content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
