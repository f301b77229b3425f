import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from kythuat.core.tables import BaseTable, LinkColumn

from .models import Branch, EquipmentType, GradeChange, GradeDefinition, Item, StrikeOff, Transfer

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class BranchTable(BaseTable):
    name = LinkColumn()
    type_count = tables.Column(verbose_name=_("Types"), attrs=NUM)

    class Meta(BaseTable.Meta):
        model = Branch
        fields = ("code", "name", "type_count")
        order_by = ("code",)


class GradeDefinitionTable(BaseTable):
    name = LinkColumn()

    class Meta(BaseTable.Meta):
        model = GradeDefinition
        fields = ("grade", "name", "branch", "description", "typical_action")


class EquipmentTypeTable(BaseTable):
    name = LinkColumn()
    branch = tables.Column(order_by=("branch__sort_order",))
    item_count = tables.Column(verbose_name=_("Lines in register"), attrs=NUM)

    class Meta(BaseTable.Meta):
        model = EquipmentType
        fields = ("code", "name", "branch", "group", "unit_of_measure", "tracked_by", "service_life_years",
                  "original_price", "item_count")
        order_by = ("branch", "group", "name")


class ItemTable(BaseTable):
    pick = tables.CheckBoxColumn(accessor="pk", attrs={"input": {"name": "items", "form": "bulk-form"},
                                                       "th__input": {"aria-label": _("Tick all")}},
                                 exclude_from_export=True)
    # As Item.Meta.ordering: the code, the number and the id break ties, so that pages follow each other
    # without repeating a row, in the order of the indexes.
    type = tables.Column(linkify=lambda record: record.get_absolute_url(),
                         order_by=("type__name", "type__code", "serial", "id"))
    serial = tables.Column(linkify=lambda record: record.get_absolute_url())
    branch = tables.Column(accessor="type__branch__code", verbose_name=_("Branch"), order_by=("type__branch__code",))
    unit = tables.Column(linkify=True, order_by=("unit__name",))
    quantity = tables.Column(attrs=NUM)
    uom = tables.Column(accessor="type__unit_of_measure", verbose_name=_("Unit of measure"), orderable=False)

    class Meta(BaseTable.Meta):
        model = Item
        fields = ("pick", "type", "serial", "branch", "unit", "quantity", "uom", "grade", "condition", "usage_state",
                  "location_class", "completeness", "year_in_service")
        order_by = ("type",)


class GradeChangeTable(BaseTable):
    number = LinkColumn()
    unit = tables.Column(linkify=True, order_by=("unit__name",))
    line_count = tables.Column(verbose_name=_("Items"), attrs=NUM)

    class Meta(BaseTable.Meta):
        model = GradeChange
        fields = ("number", "date", "unit", "reason", "line_count", "status", "approved_by", "approved_at")
        order_by = ("-date",)


class TransferTable(BaseTable):
    number = LinkColumn()
    from_unit = tables.Column(linkify=True, order_by=("from_unit__name",))
    to_unit = tables.Column(linkify=True, order_by=("to_unit__name",))
    line_count = tables.Column(verbose_name=_("Lines"), attrs=NUM)

    class Meta(BaseTable.Meta):
        model = Transfer
        fields = ("number", "date", "from_unit", "to_unit", "line_count", "status", "approved_at", "completed_at")
        order_by = ("-date",)


class StrikeOffTable(BaseTable):
    number = LinkColumn()
    year = tables.Column(localize=False)  # 2026, not 2.026
    unit = tables.Column(linkify=True, order_by=("unit__name",))
    line_count = tables.Column(verbose_name=_("Lines"), attrs=NUM)

    class Meta(BaseTable.Meta):
        model = StrikeOff
        fields = ("number", "year", "date", "unit", "line_count", "status", "approved_at", "done_on")
        order_by = ("-year", "-date")
