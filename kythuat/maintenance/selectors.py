"""Reads of maintenance for pages, API, dashboards and other apps (readiness reads these)."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from kythuat.org.models import Unit

from .choices import FaultStatus
from .models import DueSummary, Fault, Schedule

WEEK = datetime.timedelta(days=7)
MONTH = datetime.timedelta(days=30)


def subtree_ids(unit) -> list[int]:
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("id", flat=True))


def due_schedules(user, *, unit=None, until: datetime.date | None = None, today: datetime.date | None = None):
    """Schedules in force of the user's units (or of ``unit``'s subtree) due by ``until`` (default: a
    month from ``today``) or due now by a meter, soonest first: one query, on ``schedule_active_due_idx``
    for the whole province and on ``schedule_unit_due_idx`` (the holder's copy on the schedule) for a
    few units.
    No rule follows a struck-off item (``MaintenanceRule.clean``), so its schedules are not in force
    (``schedules.sync``) and no join with the register is needed to leave it out."""
    today = today or timezone.localdate()
    rows = Schedule.objects.visible_to(user).due_by(until or today + MONTH)
    if unit is not None:
        rows = rows.filter(unit__in=subtree_ids(unit))
    return rows


def due_counts(schedules, today: datetime.date | None = None) -> dict[str, int]:
    """Overdue, due this week, due this month (by date) and due by meter of ``schedules``: one query,
    over the due ones only (the range of ``schedule_active_due_idx`` and the partial index of the
    meters), not every schedule of the scope; ``due`` counts them all (the default list)."""
    today = today or timezone.localdate()
    due = schedules.due_by(today + MONTH)
    figures = due.order_by().aggregate(due=Count("id"), **due_annotations(today))
    return {key: value or 0 for key, value in figures.items()}


def due_annotations(today: datetime.date) -> dict:
    """The counts of ``due_counts`` as aggregates, for a whole set or a GROUP BY (per unit, per type)."""
    return {
        "overdue": Count("id", filter=Q(next_due_on__lt=today)),
        "due_week": Count("id", filter=Q(next_due_on__gte=today, next_due_on__lte=today + WEEK)),
        "due_month": Count("id", filter=Q(next_due_on__gt=today + WEEK, next_due_on__lte=today + MONTH)),
        "meter_due": Count("id", filter=Q(meter_due=True)),
    }


def summarise_due(day: datetime.date | None = None) -> int:
    """The day's due figures of every unit's own items (``DueSummary``), for the reminders: one GROUP BY
    over the schedules and one over the open faults. Returns the units summarised."""
    day = day or timezone.localdate()
    rows = (Schedule.objects.filter(active=True)
            .values("unit_id").order_by().annotate(**due_annotations(day)))
    summaries = {row["unit_id"]: DueSummary(unit_id=row["unit_id"], day=day, overdue=row["overdue"],
                                            due_week=row["due_week"], due_month=row["due_month"],
                                            meter_due=row["meter_due"]) for row in rows}
    for unit_id, count in (Fault.objects.filter(status=FaultStatus.OPEN).values_list("item__unit_id")
                           .order_by().annotate(n=Count("id"))):
        summaries.setdefault(unit_id, DueSummary(unit_id=unit_id, day=day)).open_faults = count
    DueSummary.objects.filter(day=day).delete()
    DueSummary.objects.bulk_create(summaries.values(), batch_size=2000)
    DueSummary.objects.filter(day__lt=day - MONTH).delete()
    return len(summaries)


def reminders(user, day: datetime.date | None = None) -> list[dict]:
    """For each unit the user is a member of: what its subtree has overdue and due, summed from the
    day's summaries (the latest computed); units with nothing due are left out."""
    from kythuat.org.models import Membership

    latest = DueSummary.objects.filter(day__lte=day or timezone.localdate()).order_by("-day").values_list(
        "day", flat=True).first()
    if latest is None:
        return []
    paths = dict(Unit.objects.values_list("id", "path"))
    totals = defaultdict(lambda: defaultdict(int))
    memberships = list(Membership.objects.filter(user=user).select_related("unit"))
    summaries = DueSummary.objects.filter(day=latest)
    for summary in summaries:
        path = paths.get(summary.unit_id, "")
        for membership in memberships:
            if path.startswith(membership.unit.path):
                for key in ("overdue", "due_week", "due_month", "meter_due", "open_faults"):
                    totals[membership.unit_id][key] += getattr(summary, key)
    result = []
    for membership in memberships:
        figures = totals.get(membership.unit_id)
        if figures and any(figures.values()):
            result.append({"unit": membership.unit, "day": latest, **figures})
    return result
