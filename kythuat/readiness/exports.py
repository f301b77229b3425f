"""The readiness figures of a page as an .xlsx workbook, one sheet per table, for reports."""

import io

import xlsxwriter
from django.utils.translation import gettext as _

GRADES = range(1, 6)


def readiness_xlsx(report, points, *, conditions, usages) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#DDE5D0", "border": 1, "text_wrap": True})
    title = book.add_format({"bold": True, "font_size": 13})
    percent = book.add_format({"num_format": "0.0%"})
    when = (_("at 0h on %(day)s") % {"day": report.on.strftime("%d/%m/%Y")}) if report.on else _("now")
    heading = f"{_('Technical coefficient')} — {report.unit.name} ({when})"

    def sheet(name, first_header, rows, extra_headers=()):
        ws = book.add_worksheet(name[:31])
        ws.write(0, 0, heading, title)
        headers = [first_header, *extra_headers, _("Total"), *[_("Grade %(n)s") % {"n": g} for g in GRADES],
                   *[str(label) for _c, label in conditions], _("Good"), _("Coefficient")]
        for col, text in enumerate(headers):
            ws.write(2, col, str(text), bold)
        ws.set_column(0, 0, 40)
        ws.set_column(1, len(headers), 13)
        for number, (cells, figures) in enumerate(rows, start=3):
            values = [*cells, figures.total, *[figures.by_grade[g] for g in GRADES],
                      *[figures.by_condition.get(c, 0) for c, _l in conditions], figures.good]
            for col, value in enumerate(values):
                ws.write(number, col, value)
            if figures.coefficient is not None:
                ws.write_number(number, len(values), figures.coefficient, percent)
        ws.freeze_panes(3, 1)
        return ws

    sheet(_("By branch"), _("Branch"), [((branch.name,), f) for branch, f in report.branches]
          + [((_("All branches"),), report.total)])
    sheet(_("By unit"), _("Unit"), [((child.name,), f) for child, f in report.children])
    sheet(_("By equipment type"), _("Equipment type"),
          [((kind.name, kind.branch.code, kind.unit_of_measure), f) for kind, f in report.types],
          extra_headers=(_("Branch"), _("Unit of measure")))
    usage = book.add_worksheet(_("By usage state")[:31])
    usage.write(0, 0, heading, title)
    usage.set_column(0, 0, 30)
    for number, (code, label) in enumerate(usages, start=2):
        usage.write(number, 0, str(label))
        usage.write(number, 1, report.total.by_usage.get(code, 0))
    years = book.add_worksheet(_("Over the years")[:31])
    years.write(0, 0, f"{_('Technical coefficient at 0h on 1 January')} — {report.unit.name}", title)
    for col, text in enumerate((_("At 0h on"), _("Total"), _("Good"), _("Coefficient"))):
        years.write(2, col, str(text), bold)
    years.set_column(0, 3, 16)
    for number, point in enumerate(points, start=3):
        years.write(number, 0, point.day.strftime("%d/%m/%Y") if point.day else _("Now"))
        years.write(number, 1, point.total)
        years.write(number, 2, point.good)
        if point.coefficient is not None:
            years.write_number(number, 3, point.coefficient, percent)
    book.close()
    return buffer.getvalue()
