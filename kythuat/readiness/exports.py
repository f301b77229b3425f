"""The readiness figures of a page as an .xlsx workbook, one sheet per table, for reports."""

from django.utils.translation import gettext as _

from kythuat.core.export import Sheet, sheets_xlsx

GRADES = range(1, 6)


def readiness_xlsx(report, points, *, conditions, usages) -> bytes:
    when = (_("at 0h on %(day)s") % {"day": report.on.strftime("%d/%m/%Y")}) if report.on else _("now")
    heading = f"{_('Technical coefficient')} — {report.unit.name} ({when})"

    def sheet(name, first_header, rows, extra_headers=()):
        headers = [first_header, *extra_headers, _("Total"), *[_("Grade %(n)s") % {"n": g} for g in GRADES],
                   *[str(label) for _c, label in conditions], _("Good"), _("Coefficient")]
        cells = [[*first, figures.total, *[figures.by_grade[g] for g in GRADES],
                  *[figures.by_condition.get(c, 0) for c, _l in conditions], figures.good, figures.coefficient]
                 for first, figures in rows]
        return Sheet(name, heading, headers, cells, percent=(len(headers) - 1,))

    return sheets_xlsx([
        sheet(_("By branch"), _("Branch"), [((branch.name,), f) for branch, f in report.branches]
              + [((_("All branches"),), report.total)]),
        sheet(_("By unit"), _("Unit"), [((child.name,), f) for child, f in report.children]),
        sheet(_("By equipment type"), _("Equipment type"),
              [((kind.name, kind.branch.code, kind.unit_of_measure), f) for kind, f in report.types],
              extra_headers=(_("Branch"), _("Unit of measure"))),
        Sheet(_("By usage state"), heading, [_("Usage state"), _("Total")],
              [[str(label), report.total.by_usage.get(code, 0)] for code, label in usages]),
        Sheet(_("Over the years"), f"{_('Technical coefficient at 0h on 1 January')} — {report.unit.name}",
              [_("At 0h on"), _("Total"), _("Good"), _("Coefficient")],
              [[point.day.strftime("%d/%m/%Y") if point.day else _("Now"), point.total, point.good,
                point.coefficient] for point in points], percent=(3,)),
    ])
