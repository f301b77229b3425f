"""Import of the register (sổ đăng ký VKTBKT) from Excel: its columns and what a row means. Reading
the file, the dry run and the all-or-nothing write are ``core.importer``'s.

A row whose type and number match a line of the user's units updates that line's ordinary
attributes; its grade and holding unit change only by their documents (DESIGN.md §3.5), so a row
that gives another grade or unit is refused and says which document to use. Any other row is a
new line. Units are looked up among those whose register the user keeps: any other code is
unknown, so a file reveals nothing of other units.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kythuat.core.importer import Choice, Column, Date, Importer, Text, Year, constraint_errors, register
from kythuat.core.roles import Perm
from kythuat.core.text import fold
from kythuat.org.models import Unit

from . import history
from .choices import Completeness, Condition, LocationClass, TrackedBy, UsageState
from .models import METERS, EquipmentType, Item

# Spellings met in the units' own sheets, beside each choice's label and value.
CONDITION = {Condition.READY: ("Tốt", "Sẵn sàng chiến đấu", "SSCĐ", "SS"),
             Condition.LIMITED: ("Hạn chế sử dụng", "HC"),
             Condition.UNUSABLE: ("Hỏng", "Không sử dụng", "Không SD được", "KSD")}
USAGE = {UsageState.IN_USE: ("Đang sử dụng", "Sử dụng", "Khai thác", "SD"),
         UsageState.RESERVE: ("Dự trữ", "Dự trữ sẵn sàng chiến đấu", "DT"),
         UsageState.SEALED: ("Niêm cất bảo quản", "Niêm cất dài hạn"),
         UsageState.IN_REPAIR: ("Sửa chữa", "Chờ sửa chữa"),
         UsageState.AWAITING_DISPOSAL: ("Chờ xử lý", "Chờ loại"),
         UsageState.STRUCK_OFF: ("Loại khỏi biên chế", "Đã loại")}
LOCATION = {LocationClass.IN_USE: ("Đơn vị sử dụng", "Tại đơn vị", "Sử dụng"),
            LocationClass.UNIT_DEPOT: ("Kho", "Kho của đơn vị"),
            LocationClass.HIGHER_DEPOT: ("Kho Bộ – Ngành", "Kho Bộ Ngành", "Kho trên", "Kho tỉnh")}
COMPLETENESS = {Completeness.COMPLETE: ("Đủ", "Đủ đồng bộ", "Có", "x"),
                Completeness.MISSING: ("Thiếu", "Không đồng bộ", "Không")}

COLUMNS = (
    Column.of(Item, "unit", "Mã đơn vị", parse=Text(32), required=True, example="DBP01",
              aliases=("Đơn vị", "Mã ĐV", "Mã đơn vị quản lý", "Unit", "Unit code"),
              note=gettext_lazy("Code of a unit whose register you keep (sheet “Đơn vị”)")),
    Column.of(Item, "type", "Mã chủng loại", parse=Text(32), required=True, example="AK",
              aliases=("Mã loại", "Chủng loại", "Loại", "Mã VKTBKT", "Type", "Type code"),
              note=gettext_lazy("Code of the equipment type (sheet “Chủng loại”)")),
    Column.of(Item, "serial", "Số hiệu", example="AK-123456",
              aliases=("Số hiệu / số đăng ký", "Số đăng ký", "Số lô", "Số máy", "Số seri", "Số sê-ri", "Số series",
                       "Biển số", "Serial", "Serial number"),
              note=gettext_lazy("Required for types tracked by serial number; with the type it finds an "
                                "existing line")),
    Column.of(Item, "quantity", "Số lượng", aliases=("SL", "Qty"), example=1,
              note=gettext_lazy("1 for an item tracked by serial number; empty means 1")),
    Column.of(Item, "year_made", "Năm sản xuất", parse=Year(), aliases=("Năm SX", "NSX"), example=2015),
    Column.of(Item, "year_in_service", "Năm đưa vào sử dụng", parse=Year(), example=2016,
              aliases=("Năm sử dụng", "Năm SD", "Năm đưa vào SD", "Năm vào biên chế")),
    Column.of(Item, "original_price", "Nguyên giá (đồng)", aliases=("Nguyên giá", "Giá", "Price"), example=12500000),
    Column.of(Item, "km", "Số km", aliases=("Km", "Km đã chạy", "Số km đã chạy"),
              note=gettext_lazy("Only for types that count it; never less than recorded")),
    Column.of(Item, "engine_hours", "Giờ máy", aliases=("Số giờ máy", "Giờ nổ máy", "Giờ hoạt động", "Motohours"),
              note=gettext_lazy("Only for types that count it; never less than recorded")),
    Column.of(Item, "rounds", "Số phát đã bắn", aliases=("Số phát bắn", "Phát bắn", "Số viên đã bắn", "Rounds"),
              example=1200, note=gettext_lazy("Only for types that count it; never less than recorded")),
    Column.of(Item, "grade", "Cấp chất lượng", example="Cấp 2",
              parse=Choice(message=gettext_lazy("The quality grade is 1 to 5 (“2” or “Cấp 2”).")),
              aliases=("Cấp CL", "Cấp", "Phân cấp", "Phân cấp chất lượng", "Grade"),
              note=gettext_lazy("Required for a new line; an existing line changes grade only by a grade "
                                "change record")),
    Column.of(Item, "condition", "Tình trạng kỹ thuật", spellings=CONDITION, example="Sẵn sàng",
              aliases=("TTKT", "Tình trạng", "Tình trạng KT")),
    Column.of(Item, "usage_state", "Trạng thái sử dụng", spellings=USAGE, example="Đang khai thác",
              aliases=("Trạng thái", "Tình trạng sử dụng", "Trạng thái SD"),
              note=gettext_lazy("“Đã loại khỏi biên chế” only by a strike-off, not by import")),
    Column.of(Item, "location_class", "Vị trí", spellings=LOCATION, example="Đang sử dụng",
              aliases=("Vị trí bảo quản", "Nơi để", "Nơi cất giữ", "Location")),
    Column.of(Item, "completeness", "Tính đồng bộ", spellings=COMPLETENESS, example="Đồng bộ",
              aliases=("Đồng bộ", "Mức đồng bộ", "Completeness")),
    Column.of(Item, "missing_parts", "Phần thiếu đồng bộ", aliases=("Thiếu đồng bộ", "Phụ tùng thiếu", "Missing parts"),
              note=gettext_lazy("Required when the item is not complete")),
    Column.of(Item, "registered_on", "Ngày vào sổ", parse=Date(), example="15/03/2016",
              aliases=("Ngày đăng ký", "Ngày vào sổ đăng ký", "Ngày nhập sổ", "Registered on"),
              note=gettext_lazy("For a new line: from this date it counts in the figures of past dates (empty: "
                                "today)")),
    Column.of(Item, "notes", "Ghi chú", aliases=("GC", "Notes")),
)
# What an import may set on an existing line: everything but its keys and its official facts.
EDITABLE = ("quantity", "year_made", "year_in_service", "original_price", "km", "engine_hours", "rounds",
            "condition", "usage_state", "location_class", "completeness", "missing_parts", "notes")
NEW = ("serial", "grade", "registered_on") + EDITABLE
UNKNOWN_UNIT = gettext_lazy("Unknown unit “%(code)s”, or not a unit whose register you keep.")
UNKNOWN_TYPE = gettext_lazy("Unknown equipment type “%(code)s”.")


def code_table(rows) -> dict:
    """Rows (with ``code`` and ``name``) by folded code, and by folded name where the name is unique
    (a sheet may hold names)."""
    by_key, by_name = {}, {}
    for row in rows:
        by_key[fold(row.code)] = row
        by_name.setdefault(fold(row.name), []).append(row)
    for name, found in by_name.items():
        if len(found) == 1:
            by_key.setdefault(name, found[0])
    return by_key


def find_code(row, name, table, unknown):
    """The row of ``table`` (a ``code_table``) the cell ``name`` names, or None with the row's error."""
    text = row.values.get(name)
    if text is None:
        row.error(name, _("Give the code."))
        return None
    found = table.get(text)
    if found is None:
        found = table.get(fold(text))
        if found is not None:
            table[text] = found  # as spelled in this file, for the next rows
        else:
            row.error(name, unknown % {"code": text})
    return found


def items_by_number(rows, types: dict, *, for_update: bool) -> dict[tuple[int, str], Item]:
    """The register's lines that a batch of rows names by type (cell ``type``, looked up in ``types``)
    and number (cell ``serial``), by (type id, number); each row's type is kept in
    ``row.context["type"]``."""
    by_type = {}
    for row in rows:
        kind = find_code(row, "type", types, UNKNOWN_TYPE)
        row.context["type"] = kind
        if kind is not None and row.values.get("serial"):
            by_type.setdefault(kind.pk, set()).add(row.values["serial"])
    if not by_type:
        return {}
    # One probe of the unique index on (type, number) per line, whatever the mix of types;
    # "serial <> ''" is the index's condition, stated in each term so the database uses it.
    condition = Q()
    for type_id, serials in by_type.items():
        condition |= Q(type_id=type_id, serial__in=serials) & ~Q(serial="")
    items = Item.objects.filter(condition).order_by()
    if for_update:
        items = items.select_for_update()
    return {(item.type_id, item.serial): item for item in items}


@register
class ItemImporter(Importer):
    key = "equipment.item"
    model = Item
    columns = COLUMNS
    title = gettext_lazy("Register of equipment")
    perm = Perm.MANAGE_REGISTER

    def prepare(self):
        mine = Unit.objects.visible_to(self.user, Perm.MANAGE_REGISTER)
        self.unit_names = dict(mine.values_list("id", "name"))  # ended units too: they may still hold lines
        self.units = code_table(mine.active_on().only("id", "code", "name"))
        self.types = code_table(EquipmentType.objects.only(
            "id", "code", "name", "tracked_by", "has_km", "has_engine_hours", "has_rounds"))
        self.existing: dict[tuple[int, str], Item] = {}
        self.unique_message = str(next(c.violation_error_message for c in Item._meta.constraints
                                       if c.name == "item_serial_unique_per_type"))

    def prefetch(self, rows, *, for_update):
        self.existing = items_by_number(rows, self.types, for_update=for_update)
        # (type, number) → its first row in the file, kept on disk past this batch
        self.file_keys.load((row.context["type"].pk, row.values["serial"]) for row in rows
                            if row.context["type"] is not None and row.values.get("serial"))

    def check(self, row):
        values = row.values
        unit = find_code(row, "unit", self.units, UNKNOWN_UNIT)
        kind = row.context["type"]
        if values.get("usage_state") == UsageState.STRUCK_OFF:
            row.error("usage_state", _("Items are struck off only by a strike-off."))
        if unit is None or kind is None:
            return
        existing = None
        serial = values.get("serial")
        if serial:
            key = (kind.pk, serial)
            first = self.file_keys.first(key, row.number)
            if first != row.number:
                row.error("serial", _("This number is already on row %(row)s of the file.") % {"row": first})
                return
            existing = self.existing.get(key)
        if existing is None:
            self._new(row, unit, kind)
        else:
            self._change(row, existing, unit, kind)

    def _new(self, row, unit, kind):
        values = row.values
        if "grade" not in values:
            row.error("grade", _("A new line needs its quality grade (1 to 5)."))
            return
        if values.get("registered_on") and values["registered_on"] > timezone.localdate():
            row.error("registered_on", _("The date cannot be in the future."))
            return
        item = self.new(unit=unit, type=kind, **{name: values[name] for name in NEW if name in values})
        item.search_text = item.build_search_text()
        self._rules(row, item, before=None)
        row.add(item)

    def _change(self, row, item, unit, kind):
        values = row.values
        if item.unit_id not in self.unit_names:
            row.error("serial", self.unique_message)  # held outside the user's units: say no more
            return
        if item.usage_state == UsageState.STRUCK_OFF:
            row.error("serial", _("This item is struck off; its line no longer changes."))
            return
        if item.unit_id != unit.pk:
            row.error("unit", _("The holding unit changes only by a transfer order: the item is held by "
                                "%(unit)s.") % {"unit": self.unit_names[item.unit_id]})
        if "grade" in values and values["grade"] != item.grade:
            row.error("grade", _("The grade changes only by a grade change record: the item is grade %(grade)s "
                                 "now.") % {"grade": item.grade})
        before = {meter: getattr(item, meter) for meter in METERS}
        item.type = kind
        changed = []
        for name in EDITABLE:
            if name in values and values[name] != getattr(item, name):
                setattr(item, name, values[name])
                changed.append(name)
        if values.get("completeness") == Completeness.COMPLETE and "missing_parts" not in values \
                and item.missing_parts:
            item.missing_parts = ""  # complete again: the parts once missing are no longer listed
            changed.append("missing_parts")
        self._rules(row, item, before=before)
        row.update(item, changed)

    @staticmethod
    def _rules(row, item, *, before):
        for name, message in {**item.rule_errors(before=before), **constraint_errors(item)}.items():
            row.error(name, message)

    def describe(self, obj):
        return f"{obj} · {self.unit_names.get(obj.unit_id, '')}"

    def writing(self):
        return history.gathered()

    def template_lists(self):
        """Sheets of the codes the user may use, for the template's drop-down lists."""
        units = (Unit.objects.visible_to(self.user, Perm.MANAGE_REGISTER).active_on()
                 .order_by("path").values_list("code", "name"))
        types = EquipmentType.objects.select_related("branch").order_by("branch__sort_order", "group", "name")
        tracked = dict(TrackedBy.choices)
        return [
            ("unit", "Đơn vị", ["Mã đơn vị", "Tên đơn vị"], list(units)),
            ("type", "Chủng loại", ["Mã chủng loại", "Tên chủng loại", "Ngành", "Đơn vị tính", "Theo dõi"],
             [(t.code, t.name, t.branch.name, t.unit_of_measure, str(tracked[t.tracked_by])) for t in types]),
        ]
