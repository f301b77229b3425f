"""The five separate attributes of a register line (DOMAIN.md §1.3) and the catalogue's kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TrackedBy(models.TextChoices):
    SERIAL = "serial", _("By serial number (one item a line)")
    QUANTITY = "quantity", _("By quantity (lots, ammunition, spare parts)")


class Grade(models.IntegerChoices):
    """Quality grade (cấp chất lượng) 1–5; the wording of each grade is catalogue data."""

    G1 = 1, _("Grade 1")
    G2 = 2, _("Grade 2")
    G3 = 3, _("Grade 3")
    G4 = 4, _("Grade 4")
    G5 = 5, _("Grade 5")


class Condition(models.TextChoices):
    READY = "ready", _("Ready")
    LIMITED = "limited", _("Limited")
    UNUSABLE = "unusable", _("Unusable")


class UsageState(models.TextChoices):
    IN_USE = "in_use", _("In use")
    RESERVE = "reserve", _("Combat reserve")
    SEALED = "sealed", _("Sealed storage")
    IN_REPAIR = "in_repair", _("In repair")
    AWAITING_DISPOSAL = "awaiting_disposal", _("Awaiting disposal")
    STRUCK_OFF = "struck_off", _("Struck off")


class LocationClass(models.TextChoices):
    IN_USE = "in_use", pgettext_lazy("location", "In use")
    UNIT_DEPOT = "unit_depot", _("Unit depot")
    HIGHER_DEPOT = "higher_depot", _("Higher depot")


class Completeness(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    MISSING = "missing", _("Missing kit parts")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    CANCELLED = "cancelled", _("Cancelled")


class TransferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    COMPLETED = "completed", _("Handed over")
    CANCELLED = "cancelled", _("Cancelled")


class StrikeOffStatus(models.TextChoices):
    """The yearly cycle of TT 32/2026/TT-BQP Điều 7: units plan (before 15/10), the higher level
    consolidates (before 15/11), the plan is approved (before 15/12), then carried out."""

    PLAN = "plan", _("Unit plan")
    CONSOLIDATED = "consolidated", _("Consolidated")
    APPROVED = "approved", _("Approved")
    DONE = "done", _("Struck off")
    CANCELLED = "cancelled", _("Cancelled")


class StrikeOffReason(models.TextChoices):
    GRADE_5 = "grade_5", _("Grade 5")
    SERVICE_LIFE = "service_life", _("Service life ended")
    REPAIR_COST = "repair_cost", _("Repair not worthwhile (over 30 percent of the original price)")
    OTHER = "other", _("Other reason")
