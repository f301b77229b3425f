"""Kinds, levels and states of preservation, maintenance and repair (DOMAIN.md §2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The level of a regime (chế độ): what a rule asks for and what a piece of work performs."""

    DAILY = "daily", _("Daily care (technical hour)")
    TECH_DAY = "tech_day", _("Technical day (weekly)")
    MONTHLY = "monthly", _("Monthly preservation")
    QUARTERLY = "quarterly", _("Quarterly preservation")
    SEASONAL = "seasonal", _("Seasonal preservation (before the rainy season)")
    TECH_MONTH = "tech_month", _("Technical month (yearly)")
    MAINT_1 = "maint_1", _("Maintenance level 1")
    MAINT_2 = "maint_2", _("Maintenance level 2")
    SEALED_CHECK = "sealed_check", _("Sealed-storage check")
    REPRESERVE = "represerve", _("Re-preservation")


# The levels a technical day form may record (the calendar regimes done unit-wide).
CALENDAR_LEVELS = (Level.DAILY, Level.TECH_DAY, Level.MONTHLY, Level.QUARTERLY, Level.SEASONAL,
                   Level.TECH_MONTH, Level.SEALED_CHECK)
CALENDAR_LEVEL_CHOICES = [(level.value, level.label) for level in CALENDAR_LEVELS]


class WorkKind(models.TextChoices):
    PRESERVATION = "preservation", _("Preservation")
    MAINT_1 = "maint_1", _("Maintenance level 1")
    MAINT_2 = "maint_2", _("Maintenance level 2")
    REPAIR_MINOR = "repair_minor", _("Minor repair")
    REPAIR_MEDIUM = "repair_medium", _("Medium repair")
    REPAIR_MAJOR = "repair_major", _("Major repair")
    SEAL = "seal", _("Sealing for storage")
    UNSEAL = "unseal", _("Unsealing")


REPAIR_KINDS = (WorkKind.REPAIR_MINOR, WorkKind.REPAIR_MEDIUM, WorkKind.REPAIR_MAJOR)
# Sending an item to these repairs takes it out of use until the work is done.
SHOP_REPAIRS = (WorkKind.REPAIR_MEDIUM, WorkKind.REPAIR_MAJOR)
# The level of regime a kind of work performs by itself (preservation names its level on the order).
KIND_LEVEL = {WorkKind.MAINT_1: Level.MAINT_1, WorkKind.MAINT_2: Level.MAINT_2, WorkKind.SEAL: Level.REPRESERVE}


class Place(models.TextChoices):
    """Who does the work: minor repair at the unit, medium at the provincial workshop, major at a factory."""

    UNIT = "unit", _("Unit")
    WORKSHOP = "workshop", _("Provincial workshop")
    FACTORY = "factory", _("Factory")


class WorkStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_PARTS = "waiting_parts", _("Waiting for parts")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_WORK = (WorkStatus.PLANNED, WorkStatus.IN_PROGRESS, WorkStatus.WAITING_PARTS)
FINISHED_WORK = (WorkStatus.DONE, WorkStatus.VERIFIED)


class Severity(models.TextChoices):
    UNUSABLE = "unusable", _("Makes it unusable")
    LIMITING = "limiting", _("Limits its use")


class FaultStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FIXED = "fixed", _("Fixed")
    CANCELLED = "cancelled", _("Cancelled (not a fault)")


class Meter(models.TextChoices):
    KM = "km", _("km")
    HOURS = "engine_hours", _("engine hours")
    ROUNDS = "rounds", _("rounds")
