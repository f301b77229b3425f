"""The maintenance figures of a page as an .xlsx workbook, one sheet per table."""

from django.utils.translation import gettext as _

from kythuat.core.export import Sheet, sheets_xlsx
from kythuat.equipment.choices import Condition

from .figures import COLUMNS, OPEN_STATUSES, PLACES, RATE, REPAIRS, cells


def figures_xlsx(report) -> bytes:
    where = report.unit.name if report.unit else _("All your units")
    heading = (f"{_('Maintenance figures')} — {where} "
               f"({report.start:%d/%m/%Y} – {report.end:%d/%m/%Y})")
    headers = [str(label) for _n, label, _s in COLUMNS]
    percent = tuple(index for index, (_n, _l, shown) in enumerate(COLUMNS) if shown == RATE)

    def table(name, first_headers, rows):
        return Sheet(name, heading, [*first_headers, *headers],
                     [[*first, *(value for value, _s in cells(figures))] for first, figures in rows],
                     percent=tuple(index + len(first_headers) for index in percent))

    total = report.total
    repairs = Sheet(_("Repairs"), heading, [_("Kind of repair"), *[str(label) for _p, label in PLACES], _("Total")],
                    [[str(label), *[total.repairs[place, kind] for place, _l in PLACES],
                      total.repairs_by_kind[kind]] for kind, label in REPAIRS])
    orders, items = _("Open work orders"), _("Items")  # outside the f-strings, where makemessages finds them
    now = Sheet(_("Now"), heading, [_("Figure"), _("Count")], [
        *[[f"{orders}: {label}", total.open_orders[status]] for status, label in OPEN_STATUSES],
        [_("Items in repair"), total.in_repair],
        *[[f"{items}: {label}", total.by_condition[condition]] for condition, label in Condition.choices],
        [_("Overdue now"), total.overdue], [_("Due within 7 days"), total.due_week],
        [_("Due in 8–30 days"), total.due_month], [_("Due by meter"), total.meter_due],
        [_("Open faults now"), total.open_faults],
    ])
    return sheets_xlsx([
        table(_("By branch"), [_("Branch")], [((branch.name,), f) for branch, f in report.branches]
              + [((_("All branches"),), total)]),
        table(_("By equipment type"), [_("Equipment type"), _("Branch")],
              [((kind.name, kind.branch.code), f) for kind, f in report.types]),
        table(_("By unit"), [_("Unit")], [((child.name,), f) for child, f in report.children]),
        repairs,
        now,
    ])
