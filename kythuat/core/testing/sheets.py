"""Spreadsheets for import tests, written in memory: .xlsx with XlsxWriter, .ods by hand (a zip with
one XML part is all calamine needs)."""

import datetime
import io
import zipfile
from xml.sax.saxutils import escape

import xlsxwriter


def xlsx(rows: list[list], *, sheet: str = "Sổ đăng ký", before: list[list] | None = None) -> bytes:
    """An .xlsx whose first sheet holds ``before`` (title lines) then ``rows`` (header first)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    page = book.add_worksheet(sheet)
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    for number, cells in enumerate([*(before or []), *rows]):
        for column, value in enumerate(cells):
            if isinstance(value, datetime.date):
                page.write_datetime(number, column, datetime.datetime.combine(value, datetime.time()), date)
            elif value is not None:
                page.write(number, column, value)
    book.close()
    return buffer.getvalue()


def ods(rows: list[list]) -> bytes:
    """A minimal OpenDocument spreadsheet (strings and numbers)."""
    def cell(value):
        if value is None or value == "":
            return "<table:table-cell/>"
        if isinstance(value, int | float):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join(f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
