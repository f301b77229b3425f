"""The equipment catalogue (branches, types, kits, grade wording) and the register of items."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kythuat.core.models import AuditedModel, DomainModel, ScopedQuerySet
from kythuat.core.roles import Perm
from kythuat.core.text import fold

from .choices import (
    Completeness,
    Condition,
    DocumentStatus,
    Grade,
    LocationClass,
    StrikeOffReason,
    StrikeOffStatus,
    TrackedBy,
    TransferStatus,
    UsageState,
)

CATALOGUE_PERMS = {
    "view": Perm.VIEW,
    "add": Perm.MANAGE_CATALOGUES,
    "change": Perm.MANAGE_CATALOGUES,
    "delete": Perm.MANAGE_CATALOGUES,
}


class Branch(DomainModel):
    """Ngành kỹ thuật: quân khí, xe – máy, tàu thuyền, thông tin, …"""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    scope_field = None
    search_fields = ("code", "name")
    action_perms = CATALOGUE_PERMS

    class Meta:
        verbose_name = _("technical branch")
        verbose_name_plural = _("technical branches")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("equipment:branch", args=[self.pk])


class GradeDefinition(DomainModel):
    """The wording of a quality grade, in general or for one branch (rules are data, DESIGN.md §3.6)."""

    branch = models.ForeignKey(Branch, verbose_name=_("branch"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="grade_definitions", help_text=_("Empty: the general wording."))
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"))
    typical_action = models.CharField(_("typical action"), max_length=255, blank=True)

    scope_field = None
    search_fields = ("name", "description")
    action_perms = CATALOGUE_PERMS

    class Meta:
        verbose_name = _("grade definition")
        verbose_name_plural = _("grade definitions")
        ordering = ["branch__sort_order", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "grade"], name="grade_definition_unique_per_branch"),
            models.UniqueConstraint(fields=["grade"], condition=Q(branch__isnull=True),
                                    name="grade_definition_unique_general"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=5), name="grade_definition_grade_1_5"),
        ]

    def __str__(self):
        return f"{self.name} — {self.branch or _('general')}"

    def build_search_text(self) -> str:
        return fold(f"{self.name} {self.description} {self.branch or ''}")

    def get_absolute_url(self):
        return reverse("equipment:gradedefinition", args=[self.pk])


class EquipmentType(DomainModel):
    """Chủng loại: what a register line is an item of."""

    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="types")
    group = models.CharField(_("group"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=20, default="chiếc")
    tracked_by = models.CharField(_("tracked"), max_length=10, choices=TrackedBy.choices, default=TrackedBy.SERIAL)
    has_km = models.BooleanField(_("counts km"), default=False)
    has_engine_hours = models.BooleanField(_("counts engine hours"), default=False)
    has_rounds = models.BooleanField(_("counts rounds fired"), default=False)
    service_life_years = models.PositiveSmallIntegerField(_("service life (years)"), null=True, blank=True)
    original_price = models.DecimalField(_("original price (VND)"), max_digits=16, decimal_places=0, null=True,
                                         blank=True, validators=[MinValueValidator(0)])
    country = models.CharField(_("country of origin"), max_length=60, blank=True)
    maker = models.CharField(_("maker"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    scope_field = None
    search_fields = ("code", "name", "group")
    action_perms = CATALOGUE_PERMS

    class Meta:
        verbose_name = _("equipment type")
        verbose_name_plural = _("equipment types")
        ordering = ["branch__sort_order", "group", "name"]
        indexes = [
            models.Index(fields=["branch", "group", "name"], name="type_branch_idx"),
            # The register sorted by type reads the types in this order, then each type's items.
            models.Index(fields=["name", "code"], name="type_name_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("equipment:equipmenttype", args=[self.pk])


class KitComponent(models.Model):
    """One line of a type's kit list (đồng bộ): accessories, spare parts, tools, documents."""

    type = models.ForeignKey(EquipmentType, on_delete=models.CASCADE, related_name="kit")
    name = models.CharField(_("component"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("kit component")
        verbose_name_plural = _("kit")
        ordering = ["sort_order", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="kit_quantity_positive")]

    def __str__(self):
        return f"{self.name} × {self.quantity}"


METERS = ("km", "engine_hours", "rounds")


class ItemQuerySet(ScopedQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Bulk registration opens each line's history too (imports, demo data)."""
        from kythuat.core.bulk import bulk_insert

        from . import history

        with transaction.atomic(using=self.db):
            if args or kwargs:  # conflict handling and the like: Django's own
                made = super().bulk_create(objs, *args, **kwargs)
            else:
                made = bulk_insert(list(objs), using=self.db)
            history.record(made, created=True)
        return made

    def bulk_update(self, objs, fields, *args, **kwargs):
        from kythuat.core.bulk import bulk_update

        from . import history

        objs = list(objs)
        with transaction.atomic(using=self.db):
            if args or kwargs:
                count = super().bulk_update(objs, fields, *args, **kwargs)
            else:
                count = bulk_update(objs, fields, using=self.db)
            if set(fields) & set(history.TRACKED):
                history.record(objs, created=False)
        return count

    def active(self):
        """The register as it stands: items not struck off."""
        return self.exclude(usage_state=UsageState.STRUCK_OFF)

    def service_life_expired(self, year: int | None = None):
        year = year or timezone.localdate().year
        return self.filter(type__service_life_years__isnull=False, year_in_service__isnull=False).filter(
            year_in_service__lte=year - F("type__service_life_years"))


class Item(DomainModel):
    """One line of the register: a serialised item, or a lot of a quantity-tracked type."""

    type = models.ForeignKey(EquipmentType, verbose_name=_("equipment type"), on_delete=models.PROTECT,
                             related_name="items")
    unit = models.ForeignKey("org.Unit", verbose_name=_("holding unit"), on_delete=models.PROTECT,
                             related_name="items")
    serial = models.CharField(_("serial / registration / lot number"), max_length=64, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    year_made = models.PositiveSmallIntegerField(_("year made"), null=True, blank=True,
                                                 validators=[MinValueValidator(1900), MaxValueValidator(2100)])
    year_in_service = models.PositiveSmallIntegerField(_("year into service"), null=True, blank=True,
                                                       validators=[MinValueValidator(1900), MaxValueValidator(2100)])
    original_price = models.DecimalField(_("original price (VND)"), max_digits=16, decimal_places=0, null=True,
                                         blank=True, validators=[MinValueValidator(0)])
    km = models.DecimalField(_("km run"), max_digits=12, decimal_places=1, null=True, blank=True,
                             validators=[MinValueValidator(0)])
    engine_hours = models.DecimalField(_("engine hours"), max_digits=10, decimal_places=1, null=True, blank=True,
                                       validators=[MinValueValidator(0)])
    rounds = models.PositiveIntegerField(_("rounds fired"), null=True, blank=True)
    grade = models.PositiveSmallIntegerField(_("quality grade"), choices=Grade.choices)
    condition = models.CharField(_("technical condition"), max_length=10, choices=Condition.choices,
                                 default=Condition.READY)
    usage_state = models.CharField(_("usage state"), max_length=20, choices=UsageState.choices,
                                   default=UsageState.IN_USE)
    location_class = models.CharField(_("location"), max_length=16, choices=LocationClass.choices,
                                      default=LocationClass.IN_USE)
    completeness = models.CharField(_("completeness"), max_length=10, choices=Completeness.choices,
                                    default=Completeness.COMPLETE)
    missing_parts = models.TextField(_("missing kit parts"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    registered_on = models.DateField(_("entered in the register"), default=timezone.localdate,
                                     help_text=_("From this date the line counts in the figures of past dates."))

    search_fields = ("serial",)
    action_perms = {
        "view": Perm.VIEW,
        "add": Perm.MANAGE_REGISTER,
        "change": Perm.MANAGE_REGISTER,
        "delete": Perm.MANAGE_REGISTER,
    }
    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("register of equipment")
        # The type's code breaks ties between types of one name, so that the database can walk
        # type_name_idx type by type instead of sorting the whole register.
        ordering = ["type__name", "type__code", "serial", "id"]
        indexes = [
            # Holds every column the count and the totals by grade of a unit subtree read (filtered by
            # type too), so those are answered from the index without reading the table's rows.
            models.Index(fields=["unit", "grade", "type", "usage_state", "quantity"], name="item_unit_totals_idx"),
            models.Index(fields=["type", "grade"], name="item_type_grade_idx"),
            models.Index(fields=["usage_state"], name="item_usage_idx"),
            # The same for a whole province.
            models.Index(fields=["grade", "usage_state", "quantity"], name="item_grade_totals_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["type", "serial"], condition=~Q(serial=""),
                                    name="item_serial_unique_per_type",
                                    violation_error_message=_("This type already has an item with this number.")),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=5), name="item_grade_1_5",
                                   violation_error_message=_("The quality grade is 1 to 5.")),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="item_quantity_positive",
                                   violation_error_message=_("The quantity must be at least 1.")),
            models.CheckConstraint(
                condition=Q(year_made__isnull=True) | Q(year_in_service__isnull=True)
                | Q(year_in_service__gte=F("year_made")),
                name="item_service_after_made",
                violation_error_message=_("The year into service cannot be before the year made."),
            ),
            models.CheckConstraint(condition=Q(km__isnull=True) | Q(km__gte=0), name="item_km_not_negative"),
            models.CheckConstraint(condition=Q(engine_hours__isnull=True) | Q(engine_hours__gte=0),
                                   name="item_hours_not_negative"),
        ]

    def __str__(self):
        number = self.serial or _("no number")
        return f"{self.type.name} — {number}" if self.type_id else str(number)

    def get_absolute_url(self):
        return reverse("equipment:item", args=[self.pk])

    def save(self, *args, **kwargs):
        """Every change of a fact the figures count (unit, grade, quantity, condition, usage state) opens
        a new period of the item's history, dated by the document that made it (``history.effective_on``)."""
        from . import history

        before = self.audit_snapshot()
        adding = self._state.adding
        with transaction.atomic():
            super().save(*args, **kwargs)
            if adding or history.changed(before, self):
                history.record([self], created=adding)

    def delete(self, *args, **kwargs):
        from . import history

        result = super().delete(*args, **kwargs)
        history.register_changed.send(sender=Item, since=self.registered_on)
        return result

    def build_search_text(self) -> str:
        type_text = f"{self.type.code} {self.type.name}" if self.type_id else ""
        return fold(f"{self.serial} {type_text}")

    @property
    def service_life_end(self) -> int | None:
        if self.year_in_service and self.type.service_life_years:
            return self.year_in_service + self.type.service_life_years
        return None

    def clean(self):
        super().clean()
        before = None
        if self.pk and self.type_id:
            before = Item.objects.filter(pk=self.pk).values(*METERS).first()
        errors = self.rule_errors(before=before)
        if errors:
            raise ValidationError(errors)

    def rule_errors(self, *, before: dict | None = None) -> dict[str, str]:
        """The register's rules across fields, shared by forms, API (through ``clean``) and the importer,
        which passes ``before`` (the meters as saved) itself instead of a query per line."""
        errors = {}
        if self.type_id:
            if self.type.tracked_by == TrackedBy.SERIAL:
                if self.quantity != 1:
                    errors["quantity"] = _("An item tracked by serial number has quantity 1.")
                if not self.serial:
                    errors["serial"] = _("Give the serial or registration number.")
            for meter, flag in zip(METERS, ("has_km", "has_engine_hours", "has_rounds"), strict=True):
                if getattr(self, meter) is not None and not getattr(self.type, flag):
                    errors[meter] = _("This type does not count this meter.")
        if self.completeness == Completeness.MISSING and not self.missing_parts.strip():
            errors["missing_parts"] = _("List the missing kit parts.")
        if self.completeness == Completeness.COMPLETE and self.missing_parts.strip():
            errors["missing_parts"] = _("A complete item has no missing parts.")
        if before and self.type_id:
            for meter in METERS:
                old, new = before.get(meter), getattr(self, meter)
                if old is not None and (new is None or new < old):
                    errors[meter] = _("A meter cannot go backwards (it was %(value)s).") % {"value": old}
        return errors


class GradeChange(DomainModel):
    """Biên bản chuyển cấp chất lượng: the only way an item's grade changes. Drafted by a technical
    officer, it takes effect when a commander of the unit approves it."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="grade_changes",
                             help_text=_("The unit whose items are assessed (with its sub-units)."))
    number = models.CharField(_("record number"), max_length=50)
    date = models.DateField(_("date"), default=timezone.localdate)
    reason = models.TextField(_("reason"))
    basis = models.TextField(_("basis"), blank=True, help_text=_("Inspection, repair result, yearly assessment…"))
    assessors = models.CharField(_("assessed by"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus.choices,
                              default=DocumentStatus.DRAFT)
    approved_by = models.ForeignKey("auth.User", verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    search_fields = ("number", "reason", "assessors")
    action_perms = {
        "view": Perm.VIEW,
        "add": Perm.MANAGE_REGISTER,
        "change": Perm.MANAGE_REGISTER,
        "delete": Perm.MANAGE_REGISTER,
        "cancel": Perm.MANAGE_REGISTER,
        "approve": Perm.APPROVE,
    }

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="grade_change_number_unique",
                                    violation_error_message=_("This unit already has a record with this number.")),
            models.CheckConstraint(
                condition=Q(status="approved", approved_by__isnull=False, approved_at__isnull=False)
                | ~Q(status="approved"),
                name="grade_change_approved_has_approver"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("equipment:gradechange", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    @property
    def locked_reason(self) -> str | None:
        """Why the record can no longer be edited or deleted (the generic views honour it)."""
        if self.status == DocumentStatus.APPROVED:
            return _("The record is approved: it can no longer be changed or deleted.")
        if self.status == DocumentStatus.CANCELLED:
            return _("The record is cancelled: it can no longer be changed or deleted.")
        return None


class GradeChangeLine(AuditedModel):
    scope_field = "grade_change__unit"

    grade_change = models.ForeignKey(GradeChange, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="grade_lines")
    grade_before = models.PositiveSmallIntegerField(_("grade before"), choices=Grade.choices)
    grade_after = models.PositiveSmallIntegerField(_("grade after"), choices=Grade.choices)

    class Meta:
        verbose_name = _("grade change line")
        verbose_name_plural = _("grade change lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["grade_change", "item"], name="grade_line_item_once"),
            models.CheckConstraint(condition=Q(grade_before__gte=1, grade_before__lte=5, grade_after__gte=1,
                                               grade_after__lte=5), name="grade_line_grades_1_5"),
            models.CheckConstraint(condition=~Q(grade_before=F("grade_after")), name="grade_line_changes_grade"),
        ]

    def __str__(self):
        return f"{self.item}: {self.grade_before} → {self.grade_after}"


class Transfer(DomainModel):
    """Lệnh điều chuyển: items (or quantities of lots) moved from one unit to another. Drafted by the
    sending unit's officer, approved by a commander of the sending unit, completed when handed over."""

    number = models.CharField(_("order number"), max_length=50)
    date = models.DateField(_("date"), default=timezone.localdate)
    from_unit = models.ForeignKey("org.Unit", verbose_name=_("from unit"), on_delete=models.PROTECT,
                                  related_name="transfers_out")
    to_unit = models.ForeignKey("org.Unit", verbose_name=_("to unit"), on_delete=models.PROTECT,
                                related_name="transfers_in")
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TransferStatus.choices,
                              default=TransferStatus.DRAFT)
    approved_by = models.ForeignKey("auth.User", verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("handed over at"), null=True, blank=True)

    scope_field = "from_unit"
    search_fields = ("number", "reason")
    action_perms = {
        "view": Perm.VIEW,
        "add": Perm.MANAGE_REGISTER,
        "change": Perm.MANAGE_REGISTER,
        "delete": Perm.MANAGE_REGISTER,
        "cancel": Perm.MANAGE_REGISTER,
        "approve": Perm.APPROVE,
        "complete": Perm.MANAGE_REGISTER,
    }

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["from_unit", "number"], name="transfer_number_unique",
                                    violation_error_message=_("This unit already has an order with this number.")),
            models.CheckConstraint(condition=~Q(from_unit=F("to_unit")), name="transfer_to_another_unit",
                                   violation_error_message=_("A transfer goes to another unit.")),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("equipment:transfer", args=[self.pk])

    @property
    def locked_reason(self) -> str | None:
        if self.status != TransferStatus.DRAFT:
            return _("Only a draft order can be changed or deleted.")
        return None


class TransferLine(AuditedModel):
    """One item, or a quantity of a lot; on completion ``moved_item`` is the line that arrived."""

    scope_field = "transfer__from_unit"

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="transfer_lines")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    moved_item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "item"], name="transfer_line_item_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="transfer_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity}"


# TT 32/2026/TT-BQP Điều 6 khoản 7: repair is not worthwhile when it costs over 30 % of the original price.
REPAIR_NOT_WORTHWHILE = Decimal("0.30")


class StrikeOff(DomainModel):
    """Kế hoạch loại khỏi biên chế: a unit's yearly plan of items to strike off, each with its reason.
    The unit plans; the level above consolidates and approves; the unit then carries it out, and the
    items leave the active register (they stay in history and in figures of earlier dates)."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="strike_offs")
    year = models.PositiveSmallIntegerField(_("plan year"), validators=[MinValueValidator(2000),
                                                                        MaxValueValidator(2100)])
    number = models.CharField(_("plan number"), max_length=50)
    date = models.DateField(_("date"), default=timezone.localdate)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=14, choices=StrikeOffStatus.choices,
                              default=StrikeOffStatus.PLAN)
    consolidated_by = models.ForeignKey("auth.User", verbose_name=_("consolidated by"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    consolidated_at = models.DateTimeField(_("consolidated at"), null=True, blank=True)
    approved_by = models.ForeignKey("auth.User", verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    done_on = models.DateField(_("struck off on"), null=True, blank=True)
    done_by = models.ForeignKey("auth.User", verbose_name=_("carried out by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")

    search_fields = ("number", "year", "notes")
    action_perms = {
        "view": Perm.VIEW,
        "add": Perm.MANAGE_REGISTER,
        "change": Perm.MANAGE_REGISTER,
        "delete": Perm.MANAGE_REGISTER,
        "cancel": Perm.MANAGE_REGISTER,
        "consolidate": Perm.MANAGE_REGISTER,
        "approve": Perm.APPROVE,
        "complete": Perm.MANAGE_REGISTER,
    }
    # The level above the unit consolidates and approves its plan.
    higher_level_actions = ("consolidate", "approve")

    class Meta:
        verbose_name = _("strike-off plan")
        verbose_name_plural = _("strike-off plans")
        ordering = ["-year", "-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="strike_off_number_unique",
                                    violation_error_message=_("This unit already has a plan with this number.")),
            models.CheckConstraint(condition=~Q(status="done") | Q(done_on__isnull=False, done_by__isnull=False),
                                   name="strike_off_done_has_date"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "done"]) | Q(approved_by__isnull=False),
                name="strike_off_approved_has_approver"),
        ]

    def __str__(self):
        return f"{self.number} ({self.year})"

    def get_absolute_url(self):
        return reverse("equipment:strikeoff", args=[self.pk])

    def action_unit_id(self, action: str):
        """The unit whose subtree a user must hold the action's permission on."""
        if action in self.higher_level_actions and self.unit.parent_id:
            return self.unit.parent_id
        return self.unit_id

    @property
    def locked_reason(self) -> str | None:
        if self.status != StrikeOffStatus.PLAN:
            return _("Only a unit plan not yet consolidated can be changed or deleted.")
        return None


class StrikeOffLine(AuditedModel):
    """One item, or a quantity of a lot, with the reason it leaves the register."""

    scope_field = "strike_off__unit"

    strike_off = models.ForeignKey(StrikeOff, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="strike_off_lines")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    reason = models.CharField(_("reason"), max_length=16, choices=StrikeOffReason.choices)
    repair_cost = models.DecimalField(_("estimated repair cost (VND)"), max_digits=16, decimal_places=0, null=True,
                                      blank=True, validators=[MinValueValidator(0)])
    note = models.CharField(_("note"), max_length=255, blank=True)
    struck_item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("strike-off line")
        verbose_name_plural = _("strike-off lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["strike_off", "item"], name="strike_off_line_item_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="strike_off_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity}"


class ItemHistory(models.Model):
    """One period of a register line's counted facts: from ``valid_from`` (the date of the document that
    made them) until ``valid_to`` (the date of the next one), open while current. "The state at 0h on
    1 January" is the periods with ``valid_from < day <= valid_to`` (DESIGN.md §3.5): one scan, no replay.
    Written only by ``equipment.history`` from ``Item.save`` and the bulk writes."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="history")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    type = models.ForeignKey(EquipmentType, on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    quantity = models.PositiveIntegerField()
    condition = models.CharField(max_length=10, choices=Condition.choices)
    usage_state = models.CharField(max_length=20, choices=UsageState.choices)

    class Meta:
        verbose_name = _("item history period")
        verbose_name_plural = _("item history")
        ordering = ["item", "valid_from", "id"]
        indexes = [models.Index(fields=["valid_from", "valid_to"], name="item_history_period_idx")]
        constraints = [
            models.UniqueConstraint(fields=["item"], condition=Q(valid_to__isnull=True),
                                    name="item_history_one_open_period"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                                   name="item_history_period_forward"),
        ]

    def __str__(self):
        return f"{self.item_id}: {self.valid_from} – {self.valid_to or '…'}"
