"""Reads of the register that other apps use (readiness, reports)."""

import datetime

from django.db.models import Q

from .choices import UsageState
from .models import Item, ItemHistory


def register_now():
    """The active register: lines not struck off, as they stand."""
    return Item.objects.active()


def register_on(day: datetime.date):
    """The register at 0h on ``day``: the history periods in force then (a change dated ``day`` is not
    yet), struck-off lines left out. Same field names as ``Item`` (unit, type, grade, condition,
    usage_state, quantity)."""
    return (ItemHistory.objects.filter(valid_from__lt=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .exclude(usage_state=UsageState.STRUCK_OFF))


def first_registration() -> datetime.date | None:
    """The first day anything was in the register (where trends can start)."""
    return ItemHistory.objects.order_by("valid_from").values_list("valid_from", flat=True).first()


def periods_between(start: datetime.date, end: datetime.date):
    """History periods in force during some day of ``start`` … ``end`` (both included). A period holds
    from ``valid_from`` (the day of the change) up to the day before ``valid_to``."""
    return ItemHistory.objects.filter(valid_from__lte=end).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
