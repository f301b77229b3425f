"""Preservation, maintenance and repair (DESIGN.md §4 maintenance): the regimes as data, each item's
schedule under each regime it follows, the work that keeps them, technical days, usage and faults.

The due list reads ``Schedule.next_due_on`` and ``Schedule.meter_due``, kept current by
``maintenance.schedules`` whenever work is done, meters move or an item changes usage state, so it
is one indexed query at any size (DESIGN.md §5).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kythuat.core.models import AuditedModel, DomainModel, ScopedQuerySet
from kythuat.core.roles import Perm
from kythuat.core.text import fold
from kythuat.equipment.choices import Grade, UsageState

from .choices import (
    CALENDAR_LEVELS,
    FaultStatus,
    Level,
    Place,
    Severity,
    WorkKind,
    WorkStatus,
)

RULE_PERMS = {"view": Perm.VIEW, "add": Perm.MANAGE_CATALOGUES, "change": Perm.MANAGE_CATALOGUES,
              "delete": Perm.MANAGE_CATALOGUES}
# Technicians log work, usage and faults; officers plan, verify and cancel.
WORK_PERMS = {"view": Perm.VIEW, "add": Perm.LOG_WORK, "change": Perm.LOG_WORK, "delete": Perm.MANAGE_REGISTER,
              "start": Perm.LOG_WORK, "wait": Perm.LOG_WORK, "complete": Perm.LOG_WORK,
              "verify": Perm.MANAGE_REGISTER, "cancel": Perm.MANAGE_REGISTER}
METER_FIELDS = ("km", "engine_hours", "rounds")
INTERVAL_FIELDS = {"km": "interval_km", "engine_hours": "interval_hours", "rounds": "interval_rounds"}


def _words(text: str) -> list[str]:
    return [part for part in (text or "").replace(" ", "").split(",") if part]


class MaintenanceRule(DomainModel):
    """A regime (chế độ): for a type, a group of types of a branch or a whole branch, a level, triggers
    by days / km / engine hours / rounds (whichever comes first), a tolerance, a checklist and the usage
    states it applies to. Of the rules of one level, an item follows its type's, else its group's, else
    its branch's."""

    name = models.CharField(_("name"), max_length=200)
    branch = models.ForeignKey("equipment.Branch", verbose_name=_("branch"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="maintenance_rules")
    group = models.CharField(_("group of types"), max_length=100, blank=True,
                             help_text=_("With a branch: only its types of this group (e.g. “Ô tô”). Empty: all."))
    type = models.ForeignKey("equipment.EquipmentType", verbose_name=_("equipment type"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="maintenance_rules")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    interval_days = models.PositiveIntegerField(_("every (days)"), null=True, blank=True,
                                                validators=[MinValueValidator(1)])
    interval_km = models.PositiveIntegerField(_("every (km)"), null=True, blank=True,
                                              validators=[MinValueValidator(1)])
    interval_hours = models.PositiveIntegerField(_("every (engine hours)"), null=True, blank=True,
                                                 validators=[MinValueValidator(1)])
    interval_rounds = models.PositiveIntegerField(_("every (rounds fired)"), null=True, blank=True,
                                                  validators=[MinValueValidator(1)])
    tolerance_percent = models.PositiveSmallIntegerField(
        _("tolerance (percent)"), default=10, validators=[MaxValueValidator(50)],
        help_text=_("Work done up to this share of the interval after the due point is still on time."))
    usage_states = models.CharField(
        _("applies in usage states"), max_length=100, default="in_use,reserve",
        help_text=_("Comma-separated: in_use, reserve, sealed, in_repair, awaiting_disposal."))
    covers_levels = models.CharField(
        _("also counts as"), max_length=120, blank=True,
        help_text=_("Levels this work also fulfils, comma-separated (maintenance level 2 counts as level 1: "
                    "maint_1)."))
    active = models.BooleanField(_("in force"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    scope_field = None
    search_fields = ("name", "notes")
    action_perms = RULE_PERMS

    class Meta:
        verbose_name = _("maintenance rule")
        verbose_name_plural = _("maintenance rules")
        ordering = ["branch__sort_order", "type__name", "level", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(branch__isnull=True) ^ Q(type__isnull=True),
                                   name="maintenance_rule_branch_or_type",
                                   violation_error_message=_("A rule is for one equipment type or one branch.")),
            models.CheckConstraint(
                condition=Q(interval_days__isnull=False) | Q(interval_km__isnull=False)
                | Q(interval_hours__isnull=False) | Q(interval_rounds__isnull=False),
                name="maintenance_rule_has_trigger",
                violation_error_message=_("Give at least one interval: days, km, engine hours or rounds.")),
            models.UniqueConstraint(fields=["type", "level"], condition=Q(type__isnull=False),
                                    name="maintenance_rule_one_per_type_level",
                                    violation_error_message=_("This type already has a rule of this level.")),
            models.UniqueConstraint(fields=["branch", "group", "level"], condition=Q(branch__isnull=False),
                                    name="maintenance_rule_one_per_branch_level",
                                    violation_error_message=_("This branch (or group) already has a rule of this "
                                                              "level.")),
            models.CheckConstraint(condition=Q(group="") | Q(branch__isnull=False),
                                   name="maintenance_rule_group_in_branch",
                                   violation_error_message=_("A group is a group of a branch's types.")),
            models.CheckConstraint(condition=Q(tolerance_percent__lte=50), name="maintenance_rule_tolerance_50"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("maintenance:maintenancerule", args=[self.pk])

    def build_search_text(self) -> str:
        return fold(f"{self.name} {self.target} {self.get_level_display()} {self.notes}")

    @property
    def states(self) -> set[str]:
        return set(_words(self.usage_states))

    @property
    def usage_state_labels(self) -> str:
        """The usage states the rule applies in, as people read them."""
        return ", ".join(str(choice.label) for choice in UsageState if choice.value in self.states)

    @property
    def target(self) -> str:
        if self.type_id:
            return str(self.type)
        return f"{self.branch} — {self.group}" if self.group else str(self.branch)

    @property
    def covered(self) -> list[str]:
        return _words(self.covers_levels)

    def intervals(self) -> dict[str, int]:
        """{meter: interval} of the meter triggers the rule has."""
        return {meter: getattr(self, name) for meter, name in INTERVAL_FIELDS.items() if getattr(self, name)}

    def tolerance_days(self) -> int:
        return (self.interval_days or 0) * self.tolerance_percent // 100

    def clean(self):
        super().clean()
        valid = {choice.value for choice in UsageState if choice != UsageState.STRUCK_OFF}
        bad = [word for word in _words(self.usage_states) if word not in valid]
        if bad or not _words(self.usage_states):
            raise ValidationError({"usage_states": _("Use these words, comma-separated: %(list)s.")
                                   % {"list": ", ".join(sorted(valid))}})
        self.usage_states = ",".join(_words(self.usage_states))
        bad = [word for word in self.covered if word not in Level.values or word == self.level]
        if bad:
            raise ValidationError({"covers_levels": _("Use other levels than the rule's own, comma-separated: "
                                                      "%(list)s.") % {"list": ", ".join(Level.values)}})
        self.covers_levels = ",".join(self.covered)
        if self.group and self.type_id:
            raise ValidationError({"group": _("A rule for one type has no group.")})
        if self.type_id:
            kind = self.type
            missing = [label for meter, label, has in (("km", _("km"), kind.has_km),
                                                        ("engine_hours", _("engine hours"), kind.has_engine_hours),
                                                        ("rounds", _("rounds"), kind.has_rounds))
                       if meter in self.intervals() and not has]
            if missing:
                raise ValidationError(_("This type does not count %(list)s.") % {"list": ", ".join(map(str, missing))})


class RuleTask(models.Model):
    """One line of a rule's checklist."""

    rule = models.ForeignKey(MaintenanceRule, on_delete=models.CASCADE, related_name="tasks")
    text = models.CharField(_("task"), max_length=255)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("checklist task")
        verbose_name_plural = _("checklist")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.text


class ScheduleQuerySet(ScopedQuerySet):
    def due_by(self, day: datetime.date):
        """Schedules in force due on or before ``day`` by date, or due now by a meter."""
        return self.filter(active=True).filter(Q(next_due_on__lte=day) | Q(meter_due=True))


class Schedule(models.Model):
    """One item under one rule: when it was last done and when it is next due, by date and by meter.
    Rows are kept when an item leaves a regime (sealed, struck off): ``active`` is then false, and the
    last work done is there when it comes back."""

    item = models.ForeignKey("equipment.Item", on_delete=models.CASCADE, related_name="schedules")
    rule = models.ForeignKey(MaintenanceRule, on_delete=models.CASCADE, related_name="schedules")
    # The item's holding unit, copied so that a unit's due list reads one index (unit, due date) and not
    # the register: ``schedules.sync`` keeps it current whenever an item moves (a transfer, an import).
    # No index of its own: ``schedule_unit_due_idx`` leads with it.
    unit = models.ForeignKey("org.Unit", verbose_name=_("holding unit"), on_delete=models.PROTECT,
                             related_name="+", db_index=False)
    active = models.BooleanField(default=True)
    since = models.DateField(_("followed since"))
    last_done_on = models.DateField(_("last done"), null=True, blank=True)
    last_km = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)
    last_engine_hours = models.DecimalField(max_digits=10, decimal_places=1, null=True, blank=True)
    last_rounds = models.PositiveIntegerField(null=True, blank=True)
    next_due_on = models.DateField(_("next due"), null=True, blank=True)
    next_km = models.DecimalField(_("next due at km"), max_digits=12, decimal_places=1, null=True, blank=True)
    next_engine_hours = models.DecimalField(_("next due at engine hours"), max_digits=10, decimal_places=1,
                                            null=True, blank=True)
    next_rounds = models.PositiveIntegerField(_("next due at rounds"), null=True, blank=True)
    meter_due = models.BooleanField(_("due by meter"), default=False)

    objects = ScheduleQuerySet.as_manager()
    scope_field = "unit"  # the holding unit's people see and do what is due
    action_perms = {"view": Perm.VIEW}

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["next_due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "rule"], name="schedule_item_rule_once")]
        indexes = [
            # Only the schedules in force, by due date: Django writes ``active=True`` as ``WHERE "active"``,
            # which SQLite cannot match to an (active, next_due_on) index, but matches a partial one.
            models.Index(fields=["next_due_on"], condition=Q(active=True), name="schedule_active_due_idx"),
            models.Index(fields=["meter_due"], condition=Q(meter_due=True), name="schedule_meter_due_idx"),
            # The due list of a border post or a few units: their schedules in force in date order.
            models.Index(fields=["unit", "next_due_on"], condition=Q(active=True), name="schedule_unit_due_idx"),
        ]

    def __str__(self):
        return str(self.item)

    @classmethod
    def perm_for(cls, action: str) -> str:
        return cls.action_perms.get(action, "")

    def audit_scope_unit_id(self):
        """The unit whose subtree sees this schedule (the item's holder), as ``core.scoping.can`` asks."""
        return self.unit_id


class WorkOrder(DomainModel):
    """Phiếu bảo quản / bảo dưỡng / sửa chữa: one piece of work on one or many items of a unit."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="work_orders")
    number = models.CharField(_("number"), max_length=50)
    kind = models.CharField(_("kind of work"), max_length=16, choices=WorkKind.choices)
    level = models.CharField(_("regime level"), max_length=16, choices=Level.choices, blank=True,
                             help_text=_("For preservation: which regime the work fulfils."))
    place = models.CharField(_("done by"), max_length=10, choices=Place.choices, default=Place.UNIT)
    status = models.CharField(_("status"), max_length=14, choices=WorkStatus.choices, default=WorkStatus.PLANNED)
    planned_start = models.DateField(_("planned start"), default=timezone.localdate)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    finished_on = models.DateField(_("finished on"), null=True, blank=True)
    technicians = models.ManyToManyField("org.Person", verbose_name=_("technicians"), blank=True,
                                         related_name="work_orders")
    labour_hours = models.DecimalField(_("labour hours"), max_digits=8, decimal_places=1, null=True, blank=True,
                                       validators=[MinValueValidator(0)])
    other_cost = models.DecimalField(_("other cost (VND)"), max_digits=14, decimal_places=0, null=True,
                                     blank=True, validators=[MinValueValidator(0)])
    description = models.TextField(_("work to do"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("completed by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    search_fields = ("number", "description", "findings")
    action_perms = WORK_PERMS
    has_attachments = True  # photos of the work, reports of the workshop (core.attachments)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-planned_start", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "planned_start"], name="work_order_unit_idx"),
            models.Index(fields=["status", "planned_start"], name="work_order_status_idx"),
            models.Index(fields=["kind", "finished_on"], name="work_order_kind_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="work_order_number_unique",
                                    violation_error_message=_("This unit already has a work order with this number.")),
            models.CheckConstraint(condition=~Q(status__in=["done", "verified"]) | Q(finished_on__isnull=False),
                                   name="work_order_done_has_date"),
            models.CheckConstraint(condition=Q(finished_on__isnull=True) | Q(started_on__isnull=True)
                                   | Q(finished_on__gte=F("started_on")), name="work_order_finish_after_start",
                                   violation_error_message=_("The work cannot finish before it starts.")),
            models.CheckConstraint(condition=Q(planned_end__isnull=True) | Q(planned_end__gte=F("planned_start")),
                                   name="work_order_plan_forward",
                                   violation_error_message=_("The planned end cannot be before the planned start.")),
            models.CheckConstraint(condition=~Q(kind="preservation") | ~Q(level=""),
                                   name="work_order_preservation_has_level",
                                   violation_error_message=_("Say which regime level the preservation fulfils.")),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("maintenance:workorder", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (WorkStatus.PLANNED, WorkStatus.IN_PROGRESS, WorkStatus.WAITING_PARTS)

    @property
    def accepts_attachments(self) -> bool:
        """Photos and reports may still be added once the work is done, until it is verified."""
        return self.status not in (WorkStatus.VERIFIED, WorkStatus.CANCELLED)

    @property
    def locked_reason(self) -> str | None:
        if self.status in (WorkStatus.DONE, WorkStatus.VERIFIED):
            return _("The work is done: its record can no longer be changed or deleted.")
        if self.status == WorkStatus.CANCELLED:
            return _("The work order is cancelled: it can no longer be changed or deleted.")
        return None

    @property
    def parts_cost(self) -> Decimal:
        return sum((part.total for part in self.parts.all()), Decimal(0))

    @property
    def total_cost(self) -> Decimal:
        return self.parts_cost + (self.other_cost or 0)

    def clean(self):
        super().clean()
        if self.kind == WorkKind.PRESERVATION and not self.level:
            raise ValidationError({"level": _("Say which regime level the preservation fulfils.")})


class WorkOrderItem(AuditedModel):
    """One item of a work order: its grade before and after, the meters read when the work was done,
    the checklist ticked, and whether it was done on time against the item's schedule."""

    scope_field = "work_order__unit"

    work_order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE,
                                   related_name="lines")
    item = models.ForeignKey("equipment.Item", verbose_name=_("item"), on_delete=models.PROTECT,
                             related_name="work_lines")
    grade_before = models.PositiveSmallIntegerField(_("grade before"), choices=Grade.choices)
    grade_after = models.PositiveSmallIntegerField(_("grade after"), choices=Grade.choices, null=True, blank=True)
    usage_before = models.CharField(_("usage state before"), max_length=20, choices=UsageState.choices, blank=True)
    km = models.DecimalField(_("km reading"), max_digits=12, decimal_places=1, null=True, blank=True,
                             validators=[MinValueValidator(0)])
    engine_hours = models.DecimalField(_("engine hours reading"), max_digits=10, decimal_places=1, null=True,
                                       blank=True, validators=[MinValueValidator(0)])
    rounds = models.PositiveIntegerField(_("rounds reading"), null=True, blank=True)
    checklist = models.JSONField(_("checklist results"), default=dict, blank=True)
    ok = models.BooleanField(_("in order"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    due_on = models.DateField(_("was due"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True)
    grade_change = models.ForeignKey("equipment.GradeChange", verbose_name=_("grade change"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("work order item")
        verbose_name_plural = _("work order items")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "item"], name="work_item_once"),
            models.CheckConstraint(condition=Q(grade_after__isnull=True) | Q(grade_after__gte=1, grade_after__lte=5),
                                   name="work_item_grade_1_5"),
        ]
        indexes = [models.Index(fields=["item", "work_order"], name="work_item_item_idx")]

    def __str__(self):
        return str(self.item)


class WorkOrderPart(models.Model):
    """A spare part or material used."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(_("part or material"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2,
                                   validators=[MinValueValidator(Decimal("0.01"))])
    unit_of_measure = models.CharField(_("unit of measure"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price (VND)"), max_digits=14, decimal_places=0, default=0,
                                     validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="work_part_quantity_positive")]

    def __str__(self):
        return f"{self.name} × {self.quantity}"

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal(1))


class TechnicalDay(DomainModel):
    """Ngày kỹ thuật: one unit, one date, every item of the unit (or of chosen branches) ticked at once.
    Saving records the work as one work order with a line per ticked item."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="technical_days")
    date = models.DateField(_("date"), default=timezone.localdate)
    level = models.CharField(_("regime level"), max_length=16, default=Level.TECH_DAY,
                             choices=[(level.value, level.label) for level in CALENDAR_LEVELS])
    branches = models.ManyToManyField("equipment.Branch", verbose_name=_("branches"), blank=True,
                                      help_text=_("Empty: every branch."))
    work_order = models.OneToOneField(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT,
                                      related_name="technical_day")
    item_count = models.PositiveIntegerField(_("items done"), default=0)
    problem_count = models.PositiveIntegerField(_("items with a problem"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    search_fields = ("notes",)
    action_perms = {"view": Perm.VIEW, "add": Perm.LOG_WORK, "change": Perm.LOG_WORK, "delete": ""}

    class Meta:
        verbose_name = _("technical day")
        verbose_name_plural = _("technical days")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "-date"], name="technical_day_unit_idx")]

    def __str__(self):
        return f"{self.get_level_display()} {self.date:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("maintenance:technicalday", args=[self.pk])


class UsageLog(DomainModel):
    """Khai thác: a trip or a use of an item, with what it added to its meters. The readings after the
    use are kept, so a meter can never go backwards."""

    item = models.ForeignKey("equipment.Item", verbose_name=_("item"), on_delete=models.PROTECT,
                             related_name="usage_logs")
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+",
                             help_text=_("The unit that used it (holding it at the time)."))
    date = models.DateField(_("date"), default=timezone.localdate)
    km = models.DecimalField(_("km run"), max_digits=10, decimal_places=1, null=True, blank=True,
                             validators=[MinValueValidator(0)])
    engine_hours = models.DecimalField(_("engine hours run"), max_digits=8, decimal_places=1, null=True,
                                       blank=True, validators=[MinValueValidator(0)])
    rounds = models.PositiveIntegerField(_("rounds fired"), null=True, blank=True)
    km_after = models.DecimalField(_("km reading after"), max_digits=12, decimal_places=1, null=True, blank=True)
    engine_hours_after = models.DecimalField(_("engine hours reading after"), max_digits=10, decimal_places=1,
                                             null=True, blank=True)
    rounds_after = models.PositiveIntegerField(_("rounds reading after"), null=True, blank=True)
    operator = models.CharField(_("operator"), max_length=120, blank=True)
    purpose = models.CharField(_("purpose"), max_length=255, blank=True)
    route = models.CharField(_("route"), max_length=255, blank=True)

    search_fields = ("operator", "purpose", "route")
    action_perms = {"view": Perm.VIEW, "add": Perm.LOG_WORK, "change": Perm.LOG_WORK, "delete": ""}

    class Meta:
        verbose_name = _("usage log")
        verbose_name_plural = _("usage logs")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["item", "-date"], name="usage_item_idx"),
                   models.Index(fields=["unit", "-date"], name="usage_unit_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(km__isnull=False) | Q(engine_hours__isnull=False)
                                   | Q(rounds__isnull=False), name="usage_has_a_meter",
                                   violation_error_message=_("Give the km, engine hours or rounds of the use.")),
            models.CheckConstraint(condition=Q(km__isnull=True) | Q(km__gte=0), name="usage_km_not_negative"),
            models.CheckConstraint(condition=Q(engine_hours__isnull=True) | Q(engine_hours__gte=0),
                                   name="usage_hours_not_negative"),
        ]

    def __str__(self):
        return f"{self.item} — {self.date:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("maintenance:usagelog", args=[self.pk])

    def build_search_text(self) -> str:
        return fold(f"{self if self.item_id else ''} {self.operator} {self.purpose} {self.route}")


class Fault(DomainModel):
    """Hỏng hóc: reported on an item; while open it limits the item or makes it unusable (the item's
    technical condition follows its open faults); closed by the repair that fixes it."""

    item = models.ForeignKey("equipment.Item", verbose_name=_("item"), on_delete=models.PROTECT,
                             related_name="faults")
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+",
                             help_text=_("The unit holding the item when the fault was reported."))
    reported_on = models.DateField(_("reported on"), default=timezone.localdate)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("what is wrong"))
    status = models.CharField(_("status"), max_length=10, choices=FaultStatus.choices, default=FaultStatus.OPEN)
    fixed_on = models.DateField(_("fixed on"), null=True, blank=True)
    work_order = models.ForeignKey(WorkOrder, verbose_name=_("repair work order"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="faults")

    search_fields = ("description",)
    action_perms = {"view": Perm.VIEW, "add": Perm.LOG_WORK, "change": Perm.LOG_WORK, "delete": "",
                    "repair": Perm.LOG_WORK, "cancel": Perm.MANAGE_REGISTER}
    has_attachments = True  # a photo of what is wrong

    class Meta:
        verbose_name = _("fault")
        verbose_name_plural = _("faults")
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["item", "status"], name="fault_item_idx"),
                   models.Index(fields=["unit", "status", "-reported_on"], name="fault_unit_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(status="fixed") | Q(fixed_on__isnull=False),
                                   name="fault_fixed_has_date"),
            models.CheckConstraint(condition=Q(fixed_on__isnull=True) | Q(fixed_on__gte=F("reported_on")),
                                   name="fault_fixed_after_reported",
                                   violation_error_message=_("A fault cannot be fixed before it was reported.")),
        ]

    def __str__(self):
        return f"{self.item} — {self.get_severity_display().lower()}" if self.item_id else str(self.description)

    def get_absolute_url(self):
        return reverse("maintenance:fault", args=[self.pk])

    def build_search_text(self) -> str:
        return fold(f"{self if self.item_id else ''} {self.description}")

    @property
    def locked_reason(self) -> str | None:
        if self.status != FaultStatus.OPEN:
            return _("The fault is closed: it can no longer be changed.")
        return None


class DueSummary(models.Model):
    """What a unit's own items have due, computed each day (``kythuat maintenance-daily``) for the
    reminders people see when they log in; the subtree's figures are summed from these in memory."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    overdue = models.PositiveIntegerField(default=0)
    due_week = models.PositiveIntegerField(default=0)
    due_month = models.PositiveIntegerField(default=0)
    meter_due = models.PositiveIntegerField(default=0)
    open_faults = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("due summary")
        verbose_name_plural = _("due summaries")
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="due_summary_once_a_day")]
        indexes = [models.Index(fields=["day"], name="due_summary_day_idx")]

    def __str__(self):
        return f"{self.unit_id} {self.day}"
