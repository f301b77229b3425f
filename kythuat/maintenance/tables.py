import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kythuat.core.tables import BaseTable, DateColumn, LinkColumn

from .models import Fault, MaintenanceRule, Schedule, TechnicalDay, UsageLog, WorkOrder

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class MaintenanceRuleTable(BaseTable):
    name = LinkColumn()
    target = tables.Column(verbose_name=_("Applies to"), orderable=False, empty_values=())

    class Meta(BaseTable.Meta):
        model = MaintenanceRule
        fields = ("name", "target", "level", "interval_days", "interval_km", "interval_hours", "interval_rounds",
                  "tolerance_percent", "usage_states", "active")
        order_by = ("name",)

    def render_usage_states(self, record):
        return record.usage_state_labels


def _due_text(record) -> str:
    if record.next_due_on is None:
        return "—"
    days = (record.next_due_on - timezone.localdate()).days
    if days < 0:
        return ngettext("%(n)s day late", "%(n)s days late", -days) % {"n": -days}
    if days == 0:
        return _("today")
    return ngettext("in %(n)s day", "in %(n)s days", days) % {"n": days}


class ScheduleTable(BaseTable):
    """The due list: one row per item and regime due."""

    # Ticked rows give their items to a new work order (an item due under two regimes counts once).
    pick = tables.CheckBoxColumn(accessor="item_id", attrs={"input": {"name": "items", "form": "bulk-form"},
                                                            "th__input": {"aria-label": _("Tick all")}},
                                 exclude_from_export=True)

    item_type = tables.Column(accessor="item__type__name", verbose_name=_("Equipment type"),
                              linkify=lambda record: record.item.get_absolute_url(),
                              order_by=("item__type__name", "item__serial"))
    serial = tables.Column(accessor="item__serial", verbose_name=_("Serial / registration / lot number"),
                           linkify=lambda record: record.item.get_absolute_url())
    unit = tables.Column(accessor="unit", verbose_name=_("Holding unit"), order_by=("unit__name",))
    rule = tables.Column(verbose_name=_("Regime"), order_by=("rule__name",))
    level = tables.Column(accessor="rule__level", verbose_name=_("Level"), order_by=("rule__level",))
    # The id breaks ties of a date (thousands of schedules fall due on one day), so pages neither repeat
    # nor skip rows; the partial index schedule_active_due_idx gives that order on both databases.
    next_due_on = DateColumn(verbose_name=_("Next due"), order_by=("next_due_on", "id"))
    when = tables.Column(verbose_name=_("When"), empty_values=(), order_by=("next_due_on", "id"))
    meter = tables.Column(verbose_name=_("By meter"), empty_values=(), order_by=("-meter_due", "next_due_on", "id"))
    last_done_on = DateColumn(verbose_name=_("Last done"))

    class Meta(BaseTable.Meta):
        model = Schedule
        fields = ("pick", "item_type", "serial", "unit", "rule", "level", "next_due_on", "when", "meter",
                  "last_done_on")
        order_by = ("next_due_on",)
        row_attrs = {"class": lambda record: "overdue" if record.next_due_on and
                     record.next_due_on < timezone.localdate() else ""}

    def render_level(self, record):
        return record.rule.get_level_display()

    def render_when(self, record):
        text = _due_text(record)
        late = record.next_due_on and record.next_due_on < timezone.localdate()
        return format_html('<span class="{}">{}</span>', "late" if late else "", text)

    def value_when(self, record):
        return _due_text(record)

    def render_meter(self, record):
        parts = []
        for label, value in ((_("km"), record.next_km), (_("engine hours"), record.next_engine_hours),
                             (_("rounds"), record.next_rounds)):
            if value is not None:
                # 74.227 km, 1.250,5 giờ máy: Vietnamese grouping and decimal comma, no ".0".
                whole = value == int(value)
                parts.append(f"{number_format(value, decimal_pos=0 if whole else 1, force_grouping=True)} {label}")
        text = ", ".join(parts) or "—"
        return format_html("<strong class=\"late\">{} {}</strong>", _("due:"), text) if record.meter_due else text

    def value_meter(self, record):
        return ("!" if record.meter_due else "") + ", ".join(
            str(v) for v in (record.next_km, record.next_engine_hours, record.next_rounds) if v is not None)


class WorkOrderTable(BaseTable):
    number = LinkColumn()
    unit = tables.Column(linkify=True, order_by=("unit__name",))
    line_count = tables.Column(verbose_name=_("Items"), attrs=NUM)

    class Meta(BaseTable.Meta):
        model = WorkOrder
        fields = ("number", "kind", "level", "unit", "place", "status", "planned_start", "started_on",
                  "finished_on", "line_count")
        order_by = ("-planned_start",)


class TechnicalDayTable(BaseTable):
    date = DateColumn(linkify=True)
    unit = tables.Column(linkify=True, order_by=("unit__name",))

    class Meta(BaseTable.Meta):
        model = TechnicalDay
        fields = ("date", "level", "unit", "item_count", "problem_count", "notes")
        order_by = ("-date",)


class UsageLogTable(BaseTable):
    date = DateColumn(linkify=True)
    item = tables.Column(linkify=lambda record: record.item.get_absolute_url(), order_by=("item__serial",))
    unit = tables.Column(order_by=("unit__name",))

    class Meta(BaseTable.Meta):
        model = UsageLog
        fields = ("date", "item", "unit", "km", "engine_hours", "rounds", "km_after", "engine_hours_after",
                  "operator", "purpose")
        order_by = ("-date",)


class FaultTable(BaseTable):
    reported_on = DateColumn(linkify=True)
    item = tables.Column(linkify=lambda record: record.item.get_absolute_url(), order_by=("item__serial",))
    unit = tables.Column(order_by=("unit__name",))
    description = tables.Column(linkify=True)
    work_order = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Fault
        fields = ("reported_on", "item", "unit", "severity", "description", "status", "fixed_on", "work_order")
        order_by = ("-reported_on",)
