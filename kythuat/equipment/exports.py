"""The register in the layout of a register book (sổ đăng ký VKTBKT): lines grouped by branch and type,
the quantity written under its grade, totals per type, per branch and in all. Streamed row by row
(XlsxWriter's constant-memory mode), so memory stays flat however many lines are exported."""

import io

import xlsxwriter
from django.utils import timezone

from kythuat.core.export import xlsx_response

GRADES = range(1, 6)
HEADERS = ["STT", "Tên vũ khí, trang bị kỹ thuật", "Số hiệu / số đăng ký / số lô", "Nước sản xuất", "Năm sản xuất",
           "Năm đưa vào sử dụng", "Đơn vị tính", "Số lượng", "Cấp 1", "Cấp 2", "Cấp 3", "Cấp 4", "Cấp 5",
           "Tình trạng kỹ thuật", "Trạng thái sử dụng", "Nơi để", "Đồng bộ", "Đơn vị quản lý", "Ghi chú"]
WIDTHS = [6, 34, 22, 12, 8, 10, 8, 10, 8, 8, 8, 8, 8, 14, 16, 14, 18, 28, 24]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]
FIRST_GRADE_COLUMN = HEADERS.index("Cấp 1")


def register_book_xlsx(items, *, title_unit: str, filters_text: str = "") -> bytes:
    """``items``: register lines ordered by branch, type, unit and number, with type, branch and unit."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("So dang ky VKTBKT")
    f = {
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center"}),
        "sub": book.add_format({"italic": True, "align": "center"}),
        "head": book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                 "text_wrap": True, "bg_color": "#DDE5D0"}),
        "cell": book.add_format({"border": 1, "valign": "top", "text_wrap": True}),
        "num": book.add_format({"border": 1, "valign": "top", "num_format": "#,##0"}),
        "branch": book.add_format({"bold": True, "border": 1, "bg_color": "#EEF2EA"}),
        "branch_num": book.add_format({"bold": True, "border": 1, "bg_color": "#EEF2EA", "num_format": "#,##0"}),
        "type": book.add_format({"bold": True, "italic": True, "border": 1}),
        "type_num": book.add_format({"bold": True, "italic": True, "border": 1, "num_format": "#,##0"}),
        "unit": book.add_format({"bold": True}),
    }
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width)
    last = len(HEADERS) - 1
    sheet.write(0, 0, title_unit.upper(), f["unit"])
    sheet.merge_range(2, 0, 2, last, "SỔ ĐĂNG KÝ VŨ KHÍ, TRANG BỊ KỸ THUẬT", f["title"])
    sheet.merge_range(3, 0, 3, last, f"Tính đến ngày {timezone.localdate():%d/%m/%Y}"
                      + (f" — {filters_text}" if filters_text else ""), f["sub"])
    header_row = 5
    for col, text in enumerate(HEADERS):
        sheet.write(header_row, col, text, f["head"])
    sheet.set_row(header_row, 32)
    sheet.freeze_panes(header_row + 1, 2)
    sheet.repeat_rows(header_row)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)

    row = header_row + 1
    state = {"branch": None, "type": None, "number": 0}
    totals = {"all": [0] * 6}

    def subtotal(key, label, fmt_text, fmt_num):
        nonlocal row
        counts = totals.pop(key)
        sheet.write(row, 1, label, f[fmt_text])
        for col in range(len(HEADERS)):
            if col not in (1, 7) and not FIRST_GRADE_COLUMN <= col < FIRST_GRADE_COLUMN + 5:
                sheet.write_blank(row, col, None, f[fmt_text])
        sheet.write_number(row, 7, counts[0], f[fmt_num])
        for grade in GRADES:
            sheet.write_number(row, FIRST_GRADE_COLUMN + grade - 1, counts[grade], f[fmt_num])
        row += 1

    def close_type():
        if state["type"] is not None:
            subtotal("type", f"Cộng {state['type']}", "type", "type_num")

    def close_branch():
        close_type()
        if state["branch"] is not None:
            subtotal("branch", f"Cộng ngành {state['branch']}", "branch", "branch_num")

    branches = 0
    for item in items:
        kind, branch = item.type, item.type.branch
        if branch.name != state["branch"]:
            close_branch()
            state["type"] = None
            sheet.merge_range(row, 0, row, last, f"{ROMAN[branches % len(ROMAN)]}. Ngành {branch.name}", f["branch"])
            branches += 1
            row += 1
            state["branch"], totals["branch"] = branch.name, [0] * 6
        if kind.name != state["type"]:
            close_type()
            state["type"], totals["type"] = kind.name, [0] * 6
        state["number"] += 1
        values = [state["number"], kind.name, item.serial, kind.country, item.year_made, item.year_in_service,
                  kind.unit_of_measure, item.quantity]
        for col, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(row, col, value, f["num"])
            elif value is None:
                sheet.write_blank(row, col, None, f["cell"])
            else:
                sheet.write_string(row, col, str(value), f["cell"])
        for grade in GRADES:
            col = FIRST_GRADE_COLUMN + grade - 1
            if grade == item.grade:
                sheet.write_number(row, col, item.quantity, f["num"])
            else:
                sheet.write_blank(row, col, None, f["num"])
        completeness = item.get_completeness_display() + (f": {item.missing_parts}" if item.missing_parts else "")
        for col, value in enumerate([item.get_condition_display(), item.get_usage_state_display(),
                                     item.get_location_class_display(), completeness, item.unit.name, item.notes],
                                    start=FIRST_GRADE_COLUMN + 5):
            sheet.write_string(row, col, str(value), f["cell"])
        for key in ("type", "branch", "all"):
            totals[key][0] += item.quantity
            totals[key][item.grade] += item.quantity
        row += 1
    close_branch()
    subtotal("all", "TỔNG CỘNG", "branch", "branch_num")
    row += 1
    sheet.write(row, 12, f"…, ngày {timezone.localdate():%d} tháng {timezone.localdate():%m} năm "
                         f"{timezone.localdate():%Y}", book.add_format({"italic": True}))
    sheet.write(row + 1, 1, "NGƯỜI LẬP SỔ", f["unit"])
    sheet.write(row + 1, 12, "THỦ TRƯỞNG ĐƠN VỊ", f["unit"])
    book.close()
    return buffer.getvalue()


def register_book_response(items, *, title_unit: str, filters_text: str = ""):
    content = register_book_xlsx(items, title_unit=title_unit, filters_text=filters_text)
    return xlsx_response(content, name=f"So dang ky VKTBKT {title_unit}")
