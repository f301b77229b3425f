"""Import of maintenance from Excel: the regimes (one row a rule) and the past work (one row an item
and a piece of work done). Reading the file, the dry run and the all-or-nothing write are
``core.importer``'s; the columns are in ``docs/maintenance-import.md``.

Rules: a row whose equipment type and level (or branch, group and level) match a rule changes it,
any other row adds one; the schedules of the types a rule touches follow (as when a rule is edited).

Past work: rows become work orders already done, one per unit and order number (rows without a
number: one per unit, kind, level, date and place), with a line per item. History never changes an
item's grade, unit or usage state; meters only move up to a reading the item had not reached; each
schedule moves on only when the imported work is newer than its last work (``schedules.mark_work``).
Units and items are looked up among those the uploader logs work for: any other is unknown.
"""

from collections import defaultdict
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kythuat.core.audit import record_bulk
from kythuat.core.bulk import bulk_insert
from kythuat.core.importer import Choice, Column, Importer, Maker, Text, constraint_errors, register
from kythuat.core.models import AuditAction
from kythuat.core.roles import Perm
from kythuat.core.text import fold
from kythuat.equipment.choices import UsageState
from kythuat.equipment.importers import COLUMNS as ITEM_COLUMNS
from kythuat.equipment.importers import UNKNOWN_TYPE, USAGE, code_table, find_code, items_by_number
from kythuat.equipment.models import Branch, EquipmentType, Item
from kythuat.org.models import Person, Unit

from . import schedules
from .choices import KIND_LEVEL, Level, Meter, Place, WorkKind, WorkStatus
from .models import INTERVAL_FIELDS, METER_FIELDS, MaintenanceRule, RuleTask, WorkOrder, WorkOrderItem
from .services import NUMBER_PREFIX

# Spellings met in the units' own books, beside each choice's label and value.
LEVELS = {Level.DAILY: ("Bảo quản hằng ngày", "Hằng ngày", "Giờ kỹ thuật", "Giờ bảo quản"),
          Level.TECH_DAY: ("Ngày kỹ thuật", "Hằng tuần", "Bảo quản hằng tuần", "NKT"),
          Level.MONTHLY: ("Bảo quản hằng tháng", "Hằng tháng", "Bảo quản định kỳ hằng tháng"),
          Level.QUARTERLY: ("Bảo quản hằng quý", "Hằng quý"),
          Level.SEASONAL: ("Bảo quản trước mùa mưa bão", "Trước mùa mưa bão", "Mùa mưa bão", "Theo mùa"),
          Level.TECH_MONTH: ("Tháng kỹ thuật", "Hằng năm", "TKT"),
          Level.MAINT_1: ("Bảo dưỡng cấp 1", "BDC1", "BD1", "Cấp 1"),
          Level.MAINT_2: ("Bảo dưỡng cấp 2", "BDC2", "BD2", "Cấp 2"),
          Level.SEALED_CHECK: ("Kiểm tra niêm cất", "Kiểm tra định kỳ niêm cất"),
          Level.REPRESERVE: ("Bảo quản lại", "Niêm cất lại", "Bảo quản lại niêm cất")}
# Each kind also by the prefix of its work orders' numbers (BD1, SCN…).
KINDS = {kind: (NUMBER_PREFIX[kind], *spellings) for kind, spellings in {
    WorkKind.PRESERVATION: ("Bảo quản",), WorkKind.MAINT_1: ("Bảo dưỡng cấp 1", "BDC1"),
    WorkKind.MAINT_2: ("Bảo dưỡng cấp 2", "BDC2"), WorkKind.REPAIR_MINOR: ("Sửa chữa nhỏ", "Tiểu tu"),
    WorkKind.REPAIR_MEDIUM: ("Sửa chữa vừa", "Trung tu"), WorkKind.REPAIR_MAJOR: ("Sửa chữa lớn", "Đại tu"),
    WorkKind.SEAL: ("Niêm cất", "Niêm cất bảo quản"), WorkKind.UNSEAL: ("Mở niêm cất", "Mở niêm")}.items()}
PLACES = {Place.UNIT: ("Đơn vị", "Tại đơn vị", "Đơn vị tự làm", "Phân đội"),
          Place.WORKSHOP: ("Xưởng", "Xưởng tỉnh", "Xưởng sửa chữa", "Trạm sửa chữa", "Xưởng BĐBP tỉnh"),
          Place.FACTORY: ("Nhà máy", "Nhà máy sửa chữa", "Z")}
YES_NO = ((True, gettext_lazy("yes")), (False, gettext_lazy("no")))
ACTIVE = {True: ("Có", "Còn hiệu lực", "Hiệu lực", "Áp dụng", "x", "1"),
          False: ("Không", "Hết hiệu lực", "Ngừng áp dụng", "Bỏ", "0")}
SEPARATORS = ("\n", ";", ",")


def _parts(text: str, separators=SEPARATORS) -> list[str]:
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    return [part.strip() for part in text.split(separators[0]) if part.strip()]


class ChoiceList(Choice):
    """Several choices in one cell, separated by commas, semicolons or new lines; kept as the model
    keeps them (values joined by commas)."""

    def __call__(self, raw):
        text = raw if isinstance(raw, str) else str(raw)
        chosen = {super(ChoiceList, self).__call__(part) for part in _parts(text)}
        return ",".join(value for value, _label in self.choices if value in chosen)  # in the choices' order

    def describe(self):
        return _("one or more of, separated by commas: %(list)s") % {"list": super().describe()}


# --- rules ----------------------------------------------------------------------------------------

RULE_STATES = [(value, label) for value, label in UsageState.choices if value != UsageState.STRUCK_OFF]
RULE_COLUMNS = (
    Column.of(MaintenanceRule, "name", "Tên chế độ", example="Bảo dưỡng cấp 1 ô tô",
              aliases=("Tên", "Chế độ", "Tên chế độ bảo quản, bảo dưỡng", "Name"),
              note=gettext_lazy("Required for a new rule")),
    Column.of(MaintenanceRule, "branch", "Ngành", parse=Text(100), example="XM",
              aliases=("Mã ngành", "Ngành kỹ thuật", "Branch"),
              note=gettext_lazy("Code or name of the branch (sheet “Ngành”): a rule for a branch or a group of "
                                "its types")),
    Column.of(MaintenanceRule, "group", "Nhóm chủng loại", example="Ô tô",
              aliases=("Nhóm", "Nhóm loại", "Nhóm VKTBKT", "Group"),
              note=gettext_lazy("With a branch: only its types of this group; empty: all its types")),
    Column.of(MaintenanceRule, "type", "Chủng loại", parse=Text(200),
              aliases=("Mã chủng loại", "Loại", "Mã loại", "Type"),
              note=gettext_lazy("Code or name of the equipment type (sheet “Chủng loại”): a rule for one type")),
    Column.of(MaintenanceRule, "level", "Cấp chế độ", required=True, spellings=LEVELS, example="Bảo dưỡng cấp 1",
              aliases=("Cấp", "Mức", "Loại chế độ", "Level")),
    Column.of(MaintenanceRule, "interval_days", "Chu kỳ (ngày)", example=180,
              aliases=("Số ngày", "Chu kỳ ngày", "Ngày", "Every (days)")),
    Column.of(MaintenanceRule, "interval_km", "Chu kỳ (km)", example=5000,
              aliases=("Số km", "Chu kỳ km", "Every (km)")),
    Column.of(MaintenanceRule, "interval_hours", "Chu kỳ (giờ máy)",
              aliases=("Số giờ máy", "Chu kỳ giờ máy", "Giờ máy", "Every (engine hours)")),
    Column.of(MaintenanceRule, "interval_rounds", "Chu kỳ (phát bắn)",
              aliases=("Số phát bắn", "Chu kỳ phát bắn", "Every (rounds)")),
    Column.of(MaintenanceRule, "tolerance_percent", "Dung sai (%)", example=10,
              aliases=("Dung sai", "Sai số cho phép (%)", "Tolerance")),
    Column.of(MaintenanceRule, "usage_states", "Áp dụng khi", example="Đang sử dụng, Dự trữ",
              parse=ChoiceList(RULE_STATES, spellings=USAGE),
              aliases=("Trạng thái áp dụng", "Trạng thái sử dụng", "Usage states"),
              note=gettext_lazy("Empty for a new rule: in use and reserve")),
    Column.of(MaintenanceRule, "covers_levels", "Tính luôn cho cấp", parse=ChoiceList(Level.choices, spellings=LEVELS),
              aliases=("Tính luôn", "Bao gồm cấp", "Thay cho cấp", "Also counts as")),
    Column.of(MaintenanceRule, "active", "Hiệu lực", parse=Choice(YES_NO, spellings=ACTIVE), example="Có",
              aliases=("Còn hiệu lực", "Áp dụng", "In force"), note=gettext_lazy("Empty for a new rule: yes")),
    Column(field="tasks", header="Nội dung công việc", parse=Text(),
           example="Thay dầu máy; Kiểm tra phanh",
           aliases=("Nội dung", "Các bước", "Danh mục công việc", "Checklist"),
           note=gettext_lazy("One task a line, or tasks separated by “;”; replaces the rule's checklist")),
    Column.of(MaintenanceRule, "notes", "Ghi chú", aliases=("GC", "Notes")),
)
RULE_FIELDS = ("name", "group", "level", "interval_days", "interval_km", "interval_hours", "interval_rounds",
               "tolerance_percent", "usage_states", "covers_levels", "active", "notes")
UNKNOWN_BRANCH = gettext_lazy("Unknown branch “%(code)s”.")


def _tasks(text: str) -> list[str]:
    return [task[:255] for task in _parts(text, ("\n", ";"))]


@register
class MaintenanceRuleImporter(Importer):
    key = "maintenance.rule"
    model = MaintenanceRule
    columns = RULE_COLUMNS
    title = gettext_lazy("Maintenance rules")
    perm = Perm.MANAGE_CATALOGUES

    def prepare(self):
        self.branches = code_table(Branch.objects.only("id", "code", "name"))
        self.types = code_table(EquipmentType.objects.only(
            "id", "code", "name", "branch_id", "group", "has_km", "has_engine_hours", "has_rounds"))
        # A group is named as its types name it ("Ô tô"), however the file spells it ("o to").
        self.groups = {(kind.branch_id, fold(kind.group)): kind.group for kind in set(self.types.values())
                       if kind.group}
        self.rules = None
        self.seen: dict[tuple, int] = {}  # a rule's key → its row in the file

    def prefetch(self, rows, *, for_update):
        if self.rules is None:  # a catalogue of a few hundred rows: read once, locked when writing
            rules = MaintenanceRule.objects.select_related("branch", "type").prefetch_related("tasks")
            if for_update:
                rules = rules.select_for_update(of=("self",))
            self.rules = {self._key(rule.type_id, rule.branch_id, rule.group, rule.level): rule for rule in rules}

    @staticmethod
    def _key(type_id, branch_id, group, level) -> tuple:
        return ("type", type_id, level) if type_id else ("branch", branch_id, fold(group or ""), level)

    def check(self, row):
        values = row.values
        branch = kind = None
        if "type" in values:
            kind = find_code(row, "type", self.types, UNKNOWN_TYPE)
            if kind is not None and "branch" in values:
                branch = find_code(row, "branch", self.branches, UNKNOWN_BRANCH)
                if branch is not None and branch.pk != kind.branch_id:
                    row.error("branch", _("The type is not of this branch."))
                branch = None  # a rule for one type: its branch is the type's
        elif "branch" in values:
            branch = find_code(row, "branch", self.branches, UNKNOWN_BRANCH)
            if branch is not None and "group" in values:
                group = self.groups.get((branch.pk, fold(values["group"])))
                if group is None:
                    row.error("group", _("No type of this branch is in the group “%(group)s”.")
                              % {"group": values["group"]})
                values["group"] = group or values["group"]
        else:
            row.error("branch", _("Give the branch, or the equipment type."))
        if "level" not in values or (kind is None and branch is None) or row.errors:
            return
        group = values.get("group", "")
        key = self._key(kind and kind.pk, branch and branch.pk, group, values["level"])
        first = self.seen.setdefault(key, row.number)
        if first != row.number:
            row.error("level", _("This rule is already on row %(row)s of the file.") % {"row": first})
            return
        rule = self.rules.get(key)
        tasks = _tasks(values["tasks"]) if "tasks" in values else None
        if rule is None:
            if "name" not in values:
                row.error("name", _("A new rule needs its name."))
                return
            rule = self.new(type=kind, branch=branch, **{name: values[name] for name in RULE_FIELDS
                                                         if name in values})
            rule.search_text = rule.build_search_text()
            rule.new_tasks = tasks or []
            if self._rules(row, rule):
                row.add(rule)
            return
        changed = [name for name in RULE_FIELDS if name in values and values[name] != getattr(rule, name)]
        for name in changed:
            setattr(rule, name, values[name])
        old_tasks = [task.text for task in rule.tasks.all()]
        rule.new_tasks = old_tasks if tasks is None else tasks
        if rule.new_tasks != old_tasks:
            changed.append("tasks")
        if self._rules(row, rule):
            row.update(rule, changed)

    @staticmethod
    def _rules(row, rule) -> bool:
        """The model's own rules (its clean and its check constraints), each as an error of the row."""
        errors = dict(constraint_errors(rule))
        try:
            rule.clean()
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors.update({name: " ".join(messages) for name, messages in error.message_dict.items()})
            else:  # the type does not count a meter the rule triggers on
                errors.setdefault("type", " ".join(error.messages))
        for name, message in errors.items():
            row.error(None if name == "__all__" else name, message)
        return not errors

    def display(self, obj, name):
        if name == "tasks":
            return "; ".join(obj.new_tasks)
        return super().display(obj, name)

    def _display_before(self, obj, name, before):
        # The checklist is not a column of the rule: its old tasks are the rule's rows, still unchanged.
        if name == "tasks":
            return "; ".join(task.text for task in obj.tasks.all())
        return super()._display_before(obj, name, before)

    def describe(self, obj):
        return f"{obj.name} · {obj.target} · {obj.get_level_display()}"

    def write(self, added, updated):
        """The rules, their checklists, then the schedules of the types they touch before and after
        (as ``MaintenanceRuleForm.save`` does for one rule)."""
        olds = []
        for row in updated:
            snapshot = row.obj.audit_snapshot() or {}
            olds.append(MaintenanceRule(**{name: value for name, value in snapshot.items()}))
            row.obj.search_text = row.obj.build_search_text()
            row.changed = [name for name in row.changed if name != "tasks"] + ["search_text"]
        kinds = set().union(*schedules.rule_types(olds).values()) if olds else set()
        super().write(added, updated)
        rules = [*added, *(row.obj for row in updated)]
        RuleTask.objects.filter(rule__in=[row.obj for row in updated]).delete()
        RuleTask.objects.bulk_create(RuleTask(rule=rule, text=text, sort_order=order)
                                     for rule in rules for order, text in enumerate(rule.new_tasks, start=1))
        for kinds_after in schedules.rule_types(rules).values():
            kinds |= kinds_after
        schedules.sync(Item.objects.filter(type__in=kinds).values_list("id", flat=True))
        intervals = {"interval_days", *INTERVAL_FIELDS.values()}
        for row in updated:
            if intervals & set(row.changed):
                schedules.reschedule_rule(row.obj)

    def template_lists(self):
        types = EquipmentType.objects.select_related("branch").order_by("branch__sort_order", "group", "name")
        return [
            ("branch", "Ngành", ["Mã ngành", "Tên ngành"], list(Branch.objects.order_by("sort_order")
                                                               .values_list("code", "name"))),
            ("type", "Chủng loại", ["Mã chủng loại", "Tên chủng loại", "Ngành", "Nhóm chủng loại"],
             [(t.code, t.name, t.branch.code, t.group) for t in types]),
        ]


# --- past work ------------------------------------------------------------------------------------

def _item_column(name: str) -> Column:
    return next(column for column in ITEM_COLUMNS if column.field == name)


LOG_COLUMNS = (
    Column.of(WorkOrder, "unit", "Mã đơn vị", parse=Text(100), required=True, example="DBP01",
              aliases=_item_column("unit").aliases,
              note=gettext_lazy("Code or name of the unit that did the work, one whose work you log (sheet "
                                "“Đơn vị”)")),
    Column.of(Item, "type", "Mã chủng loại", parse=Text(200), required=True, example="UAZ469",
              aliases=_item_column("type").aliases,
              note=gettext_lazy("Code or name of the equipment type (sheet “Chủng loại”)")),
    Column.of(Item, "serial", "Số hiệu", required=True, example="BP-50-01",
              aliases=_item_column("serial").aliases,
              note=gettext_lazy("Serial, registration or lot number of the item, as in the register")),
    Column.of(WorkOrder, "kind", "Loại công việc", required=True, spellings=KINDS, example="Bảo dưỡng cấp 1",
              aliases=("Công việc", "Loại hình", "Hình thức", "Nội dung công việc", "Kind of work")),
    Column.of(WorkOrder, "level", "Cấp chế độ", spellings=LEVELS, example="",
              aliases=("Chế độ", "Cấp bảo quản", "Level"),
              note=gettext_lazy("Required for preservation; maintenance levels 1 and 2 and sealing give their own")),
    Column.of(WorkOrder, "finished_on", "Ngày hoàn thành", required=True, example="15/03/2024",
              aliases=("Ngày", "Ngày thực hiện", "Ngày làm", "Ngày xong", "Date", "Finished on"),
              note=gettext_lazy("Not in the future")),
    Column.of(WorkOrder, "place", "Nơi thực hiện", spellings=PLACES, example="Đơn vị",
              aliases=("Cấp thực hiện", "Nơi làm", "Đơn vị thực hiện", "Done by"),
              note=gettext_lazy("Empty: the unit")),
    Column.of(WorkOrderItem, "km", "Số km", aliases=_item_column("km").aliases, example=12500,
              note=gettext_lazy("Reading when the work was done; only for types that count it")),
    Column.of(WorkOrderItem, "engine_hours", "Giờ máy", aliases=_item_column("engine_hours").aliases,
              note=gettext_lazy("Reading when the work was done; only for types that count it")),
    Column.of(WorkOrderItem, "rounds", "Số phát đã bắn", aliases=_item_column("rounds").aliases,
              note=gettext_lazy("Reading when the work was done; only for types that count it")),
    Column.of(WorkOrder, "labour_hours", "Giờ công", aliases=("Số giờ công", "Công", "Labour hours"), example=4,
              note=gettext_lazy("Of this item; the work order holds the sum of its rows")),
    Column.of(WorkOrder, "other_cost", "Chi phí (đồng)", aliases=("Chi phí", "Kinh phí", "Thành tiền", "Cost"),
              example=350000, note=gettext_lazy("Of this item; the work order holds the sum of its rows")),
    Column.of(WorkOrder, "technicians", "Người thực hiện", parse=Text(), example="Trần Quốc Tuấn",
              aliases=("Thợ thực hiện", "Thợ", "Nhân viên kỹ thuật", "Người làm", "Technicians"),
              note=gettext_lazy("Full names of people of your units, separated by commas or new lines")),
    Column.of(WorkOrderItem, "note", "Ghi chú", aliases=("GC", "Kết quả", "Note")),
    Column.of(WorkOrder, "number", "Số phiếu", aliases=("Số phiếu công việc", "Số lệnh", "Số phiếu BQ/BD/SC",
                                                        "Order number"),
              note=gettext_lazy("Rows of a unit with the same number are one work order; empty: one order per "
                                "unit, kind, level, date and place")),
)
# What every row of one work order must agree on.
ORDER_FIELDS = ("kind", "level", "finished_on", "place")
UNKNOWN_LOG_UNIT = gettext_lazy("Unknown unit “%(code)s”, or not a unit whose work you log.")
UNKNOWN_ITEM = gettext_lazy("No item “%(number)s” of this type in your units.")
METER_NAMES = dict(Meter.choices)


@register
class WorkLogImporter(Importer):
    """Past preservation, maintenance and repair, from the units' books: rows → work orders done."""

    key = "maintenance.log"
    model = WorkOrder
    columns = LOG_COLUMNS
    title = gettext_lazy("Past maintenance log")
    perm = Perm.LOG_WORK

    def prepare(self):
        self.unit_ids = set(Unit.objects.visible_to(self.user, Perm.LOG_WORK).values_list("id", flat=True))
        self.units = code_table(Unit.objects.filter(pk__in=self.unit_ids).only("id", "code", "name", "path"))
        self.types = code_table(EquipmentType.objects.only(
            "id", "code", "name", "has_km", "has_engine_hours", "has_rounds"))
        self.people = defaultdict(list)
        for person in Person.objects.visible_to(self.user).select_related("unit").only("id", "full_name",
                                                                                        "unit__path"):
            self.people[fold(person.full_name)].append(person)
        self.line = Maker(WorkOrderItem)
        self.today = timezone.localdate()
        self.orders: dict[tuple, dict] = {}  # a work order's key → what its rows say, once written its row
        self.numbers: dict[tuple[int, str], set[str]] = {}  # (unit, prefix) → numbers taken

    def prefetch(self, rows, *, for_update):
        self.items = items_by_number(rows, self.types, for_update=for_update)
        wanted = defaultdict(set)
        for row in rows:
            unit = find_code(row, "unit", self.units, UNKNOWN_LOG_UNIT)
            row.context["unit"] = unit
            if unit is not None and row.values.get("number"):
                wanted[unit.pk].add(row.values["number"])
        condition = Q(pk__in=[])
        for unit_id, numbers in wanted.items():
            condition |= Q(unit_id=unit_id, number__in=numbers)
        self.taken = set(WorkOrder.objects.filter(condition).values_list("unit_id", "number"))

    def check(self, row):
        values = row.values
        unit, kind = row.context["unit"], row.context["type"]
        item = None
        if kind is not None and "serial" in values:
            item = self.items.get((kind.pk, values["serial"]))
            if item is None or item.unit_id not in self.unit_ids:  # another's item: say no more
                row.error("serial", UNKNOWN_ITEM % {"number": values["serial"]})
                item = None
            else:
                item.type = kind  # named in samples and the audit log without a query each
        day = values.get("finished_on")
        if day is not None and day > self.today:
            row.error("finished_on", _("The date cannot be in the future."))
        level = values.get("level") or KIND_LEVEL.get(values.get("kind"), "")
        if values.get("kind") == WorkKind.PRESERVATION and not level:
            row.error("level", _("Say which regime level the preservation fulfils."))
        readings = {meter: values[meter] for meter in METER_FIELDS if meter in values}
        if kind is not None:
            counts = {"km": kind.has_km, "engine_hours": kind.has_engine_hours, "rounds": kind.has_rounds}
            for meter in readings:
                if not counts[meter]:
                    row.error(meter, _("This type does not count %(meter)s.") % {"meter": METER_NAMES[meter]})
        technicians = self._technicians(row, unit)
        if unit is None or item is None or row.errors or "kind" not in values or day is None:
            return
        header = {"kind": values["kind"], "level": level, "finished_on": day,
                  "place": values.get("place") or Place.UNIT}
        number = values.get("number", "")
        key = (unit.pk, number) if number else (unit.pk, "", *header.values())
        order = self.orders.get(key)
        if order is None:
            if number and (unit.pk, number) in self.taken:
                row.error("number", _("This unit already has a work order with this number."))
                return
            order = self.orders[key] = {**header, "row": row.number, "unit": unit, "number": number,
                                        "items": {}, "people": set(), "labour_hours": None, "other_cost": None}
        else:
            for name in ORDER_FIELDS:
                if order[name] != header[name]:
                    row.error(name, _("Row %(row)s of the same work order says otherwise.") % {"row": order["row"]})
            if item.pk in order["items"]:
                row.error("serial", _("This item is already on row %(row)s of the same work order.")
                          % {"row": order["items"][item.pk]})
            if row.errors:
                return
        order["items"][item.pk] = row.number
        order["people"].update(technicians)
        for name in ("labour_hours", "other_cost"):
            if name in values:
                order[name] = (order[name] or 0) + values[name]
        line = self.line(item=item, grade_before=item.grade, note=values.get("note", ""), **readings)
        line.order_key, line.level = key, level
        for name, message in constraint_errors(line).items():
            row.error(name, message)
        row.add(line)

    def _technicians(self, row, unit) -> set[int]:
        """The people named in the cell; a name two people share is taken from the unit's subtree."""
        found = set()
        for name in _parts(row.values.get("technicians", "")):
            people = self.people.get(fold(name), [])
            if len(people) > 1 and unit is not None:
                people = [person for person in people if person.unit.path.startswith(unit.path)] or people
            if len(people) != 1:
                row.error("technicians", (_("No one named “%(name)s” in your units.") if not people else
                                          _("Several people are named “%(name)s”: give the unit of the work."))
                          % {"name": name})
            else:
                found.add(people[0].pk)
        return found

    def describe(self, obj):
        order = self.orders[obj.order_key]
        return (f"{obj.item} · {dict(WorkKind.choices)[order['kind']]} · {order['finished_on']:%d/%m/%Y} · "
                f"{order['unit'].name}")

    def _number(self, order) -> str:
        """A number for rows that gave none, in the series of its kind and year (BD1-2024-LS0007), kept
        apart from the orders entered day by day with an "LS" (lịch sử, history) mark."""
        prefix = f"{NUMBER_PREFIX[order['kind']]}-{order['finished_on'].year}-LS"
        key = (order["unit"].pk, prefix)
        taken = self.numbers.get(key)
        if taken is None:
            taken = self.numbers[key] = set(WorkOrder.objects.filter(
                unit=order["unit"], number__startswith=prefix).values_list("number", flat=True))
        number = len(taken) + 1
        while f"{prefix}{number:04d}" in taken:
            number += 1
        taken.add(f"{prefix}{number:04d}")
        return f"{prefix}{number:04d}"

    def write(self, added, updated):
        """The batch's work orders (done), their lines and technicians; then the items' meters (up
        only) and their schedules (forward only)."""
        new_orders, grown = [], []
        for line in added:
            order = self.orders[line.order_key]
            if "obj" not in order:
                order["obj"] = WorkOrder(
                    unit=order["unit"], number=order["number"] or self._number(order), kind=order["kind"],
                    level=order["level"], place=order["place"], status=WorkStatus.DONE,
                    planned_start=order["finished_on"], started_on=order["finished_on"],
                    finished_on=order["finished_on"], labour_hours=order["labour_hours"],
                    other_cost=order["other_cost"], done_by=self.user,
                    description=_("Entered from past records"))
                order["obj"].search_text = order["obj"].build_search_text()
                order["written_people"] = set()
                new_orders.append(order)
            elif (order["obj"].labour_hours, order["obj"].other_cost) != (order["labour_hours"], order["other_cost"]):
                grown.append(order)  # an order whose rows go on in this batch
        bulk_insert([order["obj"] for order in new_orders])
        record_bulk([order["obj"] for order in new_orders])
        for line in added:
            line.work_order = self.orders[line.order_key]["obj"]
        for order in grown:
            order["obj"].labour_hours, order["obj"].other_cost = order["labour_hours"], order["other_cost"]
        WorkOrder.objects.bulk_update([order["obj"] for order in grown], ["labour_hours", "other_cost"])
        record_bulk([order["obj"] for order in grown], AuditAction.UPDATE)
        through = WorkOrder.technicians.through
        people = []
        for key in dict.fromkeys(line.order_key for line in added):
            order = self.orders[key]
            people += [through(workorder_id=order["obj"].pk, person_id=person_id)
                       for person_id in order["people"] - order["written_people"]]
            order["written_people"] |= order["people"]
        through.objects.bulk_create(people)
        bulk_insert(added)
        record_bulk(added)
        self._follow(added)

    def _follow(self, lines):
        """Meters up to the highest reading not yet reached; then each schedule moves on with work
        newer than its last (in date order, so the newest wins), and due-by-meter flags are set
        from the items' meters as they are now."""
        items = {line.item_id: line.item for line in lines}
        raised = {}
        for line in lines:
            item = line.item
            for meter in METER_FIELDS:
                reading, current = getattr(line, meter), getattr(item, meter)
                if reading is not None and (current is None or reading > current):
                    setattr(item, meter, reading)
                    raised[item.pk] = item
        raised = list(raised.values())
        if raised:
            now = timezone.now()
            for item in raised:
                item.version += 1
                item.updated_at = now
            Item.objects.bulk_update(raised, [*METER_FIELDS, "version", "updated_at"])
            record_bulk(raised, AuditAction.UPDATE)
        ids = list(items)
        schedules.sync(ids)
        # Readings at the time of the work; one not given counts as the item's reading now.
        schedules.mark_work(
            (SimpleNamespace(pk=line.item_id, **{meter: getattr(line, meter) if getattr(line, meter) is not None
                                                 else getattr(items[line.item_id], meter) for meter in METER_FIELDS}),
             line.level, self.orders[line.order_key]["finished_on"])
            for line in lines if line.level)
        schedules.refresh_meters(ids)

    def template_lists(self):
        units = (Unit.objects.visible_to(self.user, Perm.LOG_WORK).order_by("path").values_list("code", "name"))
        types = EquipmentType.objects.select_related("branch").order_by("branch__sort_order", "group", "name")
        return [
            ("unit", "Đơn vị", ["Mã đơn vị", "Tên đơn vị"], list(units)),
            ("type", "Chủng loại", ["Mã chủng loại", "Tên chủng loại", "Ngành", "Số km", "Giờ máy", "Số phát"],
             [(t.code, t.name, t.branch.name, *("x" if has else "" for has in (
                 t.has_km, t.has_engine_hours, t.has_rounds))) for t in types]),
        ]

