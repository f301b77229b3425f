"""Reading spreadsheets row by row (core.sheets): the streaming .xlsx reader gives what calamine gives
for the same file, reads a sheet a chunk at a time, and copes with what other writers than Excel
produce; .xls and .ods are still read (by calamine)."""

import datetime
import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from django.utils import translation
from python_calamine import CalamineWorkbook

from kythuat.core import sheets
from kythuat.core.importer import ImportFileError, Sheet
from kythuat.core.sheets import XlsxWorkbook, is_date_format, open_workbook
from kythuat.core.testing.sheets import xlsx

from .test_importer import HEADER, PersonImporter

FIXTURES = Path(__file__).parent / "fixtures"


def rows_of(content: bytes, index: int = 0) -> list[tuple[int, list]]:
    book = open_workbook(io.BytesIO(content))
    try:
        return list(list(book.worksheets())[index].rows())
    finally:
        book.close()


def calamine_rows(content: bytes) -> list[tuple[int, list]]:
    found = []
    with CalamineWorkbook.from_filelike(io.BytesIO(content)) as book:
        for number, cells in enumerate(book.get_sheet_by_index(0).iter_rows(), start=1):
            while cells and cells[-1] == "":
                cells.pop()  # calamine fills every row to the sheet's width
            if cells:
                found.append((number, cells))
    return found


def raw_xlsx(sheet_xml: str, *, shared: list[str] | None = None, styles: str = "", workbook_pr: str = "") -> bytes:
    """An .xlsx made of the given sheet XML, as writers other than Excel may produce it."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rel}">{workbook_pr}<sheets>'
                                            f'<sheet name="Ẩn" sheetId="2" state="hidden" r:id="rId2"/>'
                                            f'<sheet name="Trang 1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="/xl/worksheets/data.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/worksheet" Target="worksheets/hidden.xml"/></Relationships>'))
        archive.writestr("xl/worksheets/hidden.xml", f'<worksheet xmlns="{main}"><sheetData><row r="1">'
                                                     '<c r="A1" t="inlineStr"><is><t>Mã đơn vị</t></is></c></row>'
                                                     "</sheetData></worksheet>")
        archive.writestr("xl/worksheets/data.xml", sheet_xml)
        if shared is not None:
            items = "".join(f"<si><t>{text}</t></si>" for text in shared)
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">{items}</sst>')
        if styles:
            archive.writestr("xl/styles.xml", f'<styleSheet xmlns="{main}">{styles}</styleSheet>')
    return buffer.getvalue()


def test_values_are_those_calamine_reads(org):
    """Numbers (whole ones as int), text kept as typed ("12345" stays text), booleans, dates, date-times,
    times, formulas' results; empty leading rows and columns keep the sheet's own numbering."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    page = book.add_worksheet()
    day, moment = book.add_format({"num_format": "dd/mm/yyyy"}), book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    clock = book.add_format({"num_format": "hh:mm"})
    page.write_row(2, 1, [1, 1.5, True, "12345", " có dấu ", -3])
    page.write_datetime(3, 0, datetime.date(2015, 3, 15), day)
    page.write_datetime(3, 1, datetime.datetime(2015, 3, 15, 10, 30), moment)
    page.write_datetime(3, 2, datetime.time(10, 30), clock)
    page.write_number(3, 3, 42000, day)
    page.write_formula(3, 4, "=1+1", None, 2)
    page.write_formula(3, 5, '="a"&"b"', None, "ab")
    page.write(5, 3, "x")
    book.close()
    content = buffer.getvalue()
    rows = rows_of(content)
    assert rows == [
        (3, ["", 1, 1.5, True, "12345", " có dấu ", -3]),
        (4, [datetime.date(2015, 3, 15), datetime.datetime(2015, 3, 15, 10, 30), datetime.time(10, 30),
             datetime.date(2014, 12, 27), 2, "ab"]),
        (6, ["", "", "", "x"]),
    ]
    assert rows == calamine_rows(content)  # the same values, 1 == 1.0 aside
    assert isinstance(rows[0][1][1], int) and rows[0][1][4] == "12345"


def test_shared_and_inline_strings_read_alike(org):
    rows = [HEADER, ["DBP1-VT", "Nguyễn Văn An", "Sĩ quan", "Đại úy", datetime.date(1990, 5, 2)]]
    shared = xlsx(rows)  # XlsxWriter in memory: a table of shared strings
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False})
    book.filename = buffer
    page = book.add_worksheet()
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    page.write_row(0, 0, rows[0])
    page.write_row(1, 0, rows[1][:4])
    page.write_datetime(1, 4, datetime.datetime(1990, 5, 2), date)
    book.close()
    inline = buffer.getvalue()
    archive = zipfile.ZipFile(io.BytesIO(inline))
    assert "xl/sharedStrings.xml" not in archive.namelist()
    assert b"inlineStr" in archive.read("xl/worksheets/sheet1.xml")
    assert rows_of(shared) == rows_of(inline) == [(1, HEADER), (2, rows[1])]


def test_a_1904_workbook_counts_dates_from_1904(org):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "date_1904": True})
    book.add_worksheet().write_datetime(0, 0, datetime.date(2015, 3, 15), book.add_format({"num_format": "d/m/yy"}))
    book.close()
    assert rows_of(buffer.getvalue()) == [(1, [datetime.date(2015, 3, 15)])]


def test_date_formats_are_recognised():
    for code in ("dd/mm/yyyy", "d-mmm-yy", "[$-42A]dd mmmm yyyy", "h:mm AM/PM", "yyyy\\-mm\\-dd", "[h]:mm:ss"):
        assert is_date_format(code), code
    for code in ("General", "0.00", '#,##0 "đ"', "[Red]#,##0", "0.00E+00", '"Ngày"0', "_(* #,##0_)"):
        assert not is_date_format(code), code


def test_other_writers_xml_is_read(org):
    """A namespace prefix on every tag, cells and rows without their reference, a formula, an error,
    an ISO date, a rich inline string, XML escapes, a shared string, a hidden sheet skipped, no
    <dimension> (the rows are then counted)."""
    sheet = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        '<x:row><x:c t="inlineStr"><x:is><x:t>Mã đơn vị</x:t></x:is></x:c>'
        '<x:c t="s"><x:v>0</x:v></x:c><x:c t="inlineStr"><x:is><x:r><x:t>Ngày </x:t></x:r>'
        '<x:r><x:t>sinh</x:t></x:r></x:is></x:c></x:row>'
        '<x:row r="3"><x:c r="A3" t="str"><x:f>A1&amp;"x"</x:f><x:v>DBP1 &amp; &lt;VT&gt;</x:v></x:c>'
        '<x:c r="B3" t="e"><x:v>#N/A</x:v></x:c><x:c r="C3" t="d"><x:v>1990-05-02T00:00:00</x:v></x:c>'
        '<x:c r="E3" t="b"><x:v>0</x:v></x:c><x:c r="F3" s="1"><x:v>32995</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>")
    styles = ('<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
              '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>')
    content = raw_xlsx(sheet, shared=["Họ và tên"], styles=styles)
    book = open_workbook(io.BytesIO(content))
    (only,) = list(book.worksheets())
    assert only.name == "Trang 1"
    assert list(only.rows()) == [
        (1, ["Mã đơn vị", "Họ và tên", "Ngày sinh"]),
        (3, ["DBP1 & <VT>", "#N/A", datetime.date(1990, 5, 2), "", False, datetime.date(1990, 5, 2)]),
    ]
    assert only.last_row() == 2  # counted: two <row> tags
    book.close()


def test_the_header_is_found_under_a_title_and_blank_rows(org):
    content = xlsx([[None, *HEADER], [None, "DBP1-VT", "Nguyễn Văn An", "Sĩ quan", "", "2/5/1990"]],
                   before=[["DANH SÁCH CÁN BỘ"], [], [None, "Ngày lập: 01/01/2026"], []])
    with Sheet(io.BytesIO(content), PersonImporter.columns) as sheet:
        assert (sheet.header_row, sheet.total) == (5, 1)
        assert [(row.number, row.values["full_name"]) for row in sheet.rows()] == [(6, "Nguyễn Văn An")]


def test_a_large_sheet_is_read_a_chunk_at_a_time(org, monkeypatch):
    """Rows come while the sheet's XML is still being read, and Python's memory stays that of a
    chunk: four times the rows, not four times the memory."""
    def write(rows):
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
        book.filename = buffer
        page = book.add_worksheet()
        page.write_row(0, 0, HEADER)
        for number in range(1, rows + 1):
            page.write_row(number, 0, ["DBP1-VT", f"Người thứ {number}", "Sĩ quan", "Đại úy", number])
        book.close()
        return buffer.getvalue()

    def peak(content):
        book = open_workbook(io.BytesIO(content))
        tracemalloc.start()
        count = sum(1 for _row in next(book.worksheets()).rows())
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        book.close()
        return count, top

    small, large = write(2_500), write(10_000)
    (small_rows, small_peak), (large_rows, large_peak) = peak(small), peak(large)
    assert (small_rows, large_rows) == (2_501, 10_001)
    assert large_peak < small_peak * 1.5

    monkeypatch.setattr(sheets, "CHUNK", 4096)
    book = open_workbook(io.BytesIO(large))
    worksheet = next(book.worksheets())
    reads = []
    real_open = book.archive.open

    def counting_open(*args, **kwargs):
        stream = real_open(*args, **kwargs)
        read = stream.read
        stream.read = lambda size=-1: reads.append(size) or read(size)
        return stream

    monkeypatch.setattr(book.archive, "open", counting_open)
    first = next(worksheet.rows())
    assert first[0] == 1 and len(reads) < 5  # the first rows come after a few chunks of XML
    book.close()


def test_a_file_larger_than_one_batch_is_imported_whole(org):
    rows = [HEADER] + [["DBP1-VT", f"Người {n}", "", "", ""] for n in range(2_345)]
    importer = PersonImporter(user=org.admin)
    importer.batch_size = 1_000
    seen = []
    summary = importer.run(io.BytesIO(xlsx(rows)), progress=lambda done, total: seen.append((done, total)))
    assert (summary.total, summary.added, summary.bad) == (2_345, 2_345, 0)
    assert seen == [(1_000, 2_345), (2_000, 2_345), (2_345, 2_345)]


def test_a_sheet_longer_than_it_says_is_still_limited(org):
    """A <dimension> that understates the rows does not get a file past the row limit."""
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>DBP1-VT</t></is></c>'
                   f'<c r="B{n}" t="inlineStr"><is><t>Người {n}</t></is></c></row>' for n in range(2, 32))
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:B2"/>'
             '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Mã đơn vị</t></is></c>'
             f'<c r="B1" t="inlineStr"><is><t>Họ và tên</t></is></c></row>{rows}</sheetData></worksheet>')
    with Sheet(io.BytesIO(raw_xlsx(sheet)), PersonImporter.columns, max_rows=25) as found:
        assert found.total == 19  # the rows seen while looking for the header: the sheet says 1
        with translation.override("en"), pytest.raises(ImportFileError, match="at most 25"):
            list(found.rows())


def test_a_damaged_file_is_refused(org):
    content = xlsx([HEADER] + [["DBP1-VT", f"Người {n}", "", "", ""] for n in range(3_000)])
    archive = zipfile.ZipFile(io.BytesIO(content))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as copy:
        for item in archive.infolist():
            data = archive.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # cut in the middle of a row
            copy.writestr(item, data)
    with translation.override("en"), pytest.raises(ImportFileError, match="damaged"):
        PersonImporter(user=org.admin).run(io.BytesIO(broken.getvalue()))


def test_xls_and_ods_are_still_read(org):
    xls = (FIXTURES / "people.xls").read_bytes()
    assert not isinstance(open_workbook(io.BytesIO(xls)), XlsxWorkbook)
    summary = PersonImporter(user=org.admin).run(io.BytesIO(xls))
    assert (summary.total, summary.added, summary.bad) == (2, 2, 0)
    assert summary.samples["add"][0]["row"] == 4
    with Sheet(FIXTURES / "people.xls", PersonImporter.columns) as sheet:
        row = next(sheet.rows())
        assert row.values["birth_date"] == datetime.date(1990, 5, 2) and sheet.total == 2
    from kythuat.core.testing.sheets import ods
    assert rows_of(ods([HEADER, ["DBP1-VT", "Nguyễn Văn An", "", "", 7]])) == [
        (1, HEADER), (2, ["DBP1-VT", "Nguyễn Văn An", "", "", 7.0])]
