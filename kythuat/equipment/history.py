"""The register's history as periods (``ItemHistory``), so the state on any past date is one query.

A change of a counted fact (unit, grade, quantity, condition, usage state) closes the line's open
period and opens a new one. The date is the date of the document that made the change: services run
their writes inside ``effective_on(record.date)``; anything else (an edit of the condition, a bulk
registration) takes today, or for a new line its ``registered_on``. History is never rewritten: a
change dated before the line's last recorded change is refused.
"""

import datetime
from array import array
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.core.exceptions import ValidationError
from django.dispatch import Signal
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kythuat.core.bulk import Maker, bulk_insert

# Sent with ``since`` (a date) whenever the register's state from that date on has changed; readiness
# drops its snapshots of later days (equipment knows nothing of readiness: DESIGN.md §2, apps).
register_changed = Signal()
# Sent with ``item_ids`` after lines were registered (``created`` True) or a counted fact of them changed
# (usage state, unit, type…): maintenance puts them under the regimes they now follow.
items_changed = Signal()

TRACKED = ("unit_id", "type_id", "grade", "quantity", "condition", "usage_state")

_effective: ContextVar[datetime.date | None] = ContextVar("kythuat_effective_date", default=None)


@contextmanager
def effective_on(day: datetime.date):
    """Date the register changes in the block by ``day`` (the date of the record, order or plan)."""
    token = _effective.set(day)
    try:
        yield
    finally:
        _effective.reset(token)


def effective_date() -> datetime.date:
    return _effective.get() or timezone.localdate()


def changed(before: dict | None, item) -> bool:
    """Whether a save changes a counted fact, from the values the item was read with."""
    if before is None:
        return True
    return any(before.get(name) != getattr(item, name) for name in TRACKED)


@cache
def _maker() -> Maker:
    from .models import ItemHistory

    return Maker(ItemHistory)


def _period(item, day):
    return _maker()(item_id=item.pk, valid_from=day, unit_id=item.unit_id, type_id=item.type_id, grade=item.grade,
                    quantity=item.quantity, condition=item.condition, usage_state=item.usage_state)


def record(items: Iterable, *, created: bool) -> None:
    """Open a period for each item at its current values; close the period it had (if any)."""
    from .models import ItemHistory

    items = list(items)
    if not items:
        return
    if created:
        context_day = _effective.get()
        periods = [_period(item, context_day or item.registered_on) for item in items]
        bulk_insert(periods)
        _changed(min(period.valid_from for period in periods), [item.pk for item in items], created=True)
        return
    day = effective_date()
    ids = [item.pk for item in items]
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        late = (ItemHistory.objects.filter(item_id__in=chunk, valid_to__isnull=True, valid_from__gt=day)
                .values_list("valid_from", flat=True).order_by("-valid_from").first())
        if late is not None:
            raise ValidationError(
                _("The register already holds a later change of these items (dated %(late)s); a document "
                  "dated %(day)s cannot go before it.") % {"late": date_format(late, "SHORT_DATE_FORMAT"),
                                                          "day": date_format(day, "SHORT_DATE_FORMAT")})
        ItemHistory.objects.filter(item_id__in=chunk, valid_to__isnull=True).update(valid_to=day)
    bulk_insert([_period(item, day) for item in items])
    _changed(day, ids, created=False)


_gathered: ContextVar[dict | None] = ContextVar("kythuat_history_gathered", default=None)


@contextmanager
def gathered():
    """Send the signals of the block's changes once, at its end (and not if it fails): an import of
    100,000 lines written 1,000 at a time syncs the maintenance schedules once, in large chunks."""
    pending = {"since": None, True: array("q"), False: array("q")}
    token = _gathered.set(pending)
    try:
        yield
    finally:
        _gathered.reset(token)
    if pending["since"] is not None:
        created = pending[True]
        _send(pending["since"], created, created=True)
        # Each changed item once, and not one registered in the block: its schedules were just made
        # for the state it ended the block in (the demo's fifteen years change most lines many times).
        changed = set(pending[False])
        pending[False] = array("q")
        if changed and len(created):
            changed.difference_update(created)
        _send(pending["since"], array("q", sorted(changed)), created=False)


def _changed(since: datetime.date, item_ids: list, *, created: bool) -> None:
    pending = _gathered.get()
    if pending is None:
        _send(since, item_ids, created=created)
        return
    pending["since"] = since if pending["since"] is None else min(pending["since"], since)
    pending[created].extend(item_ids)


def _send(since: datetime.date, item_ids, *, created: bool) -> None:
    from .models import ItemHistory

    if len(item_ids):
        register_changed.send(sender=ItemHistory, since=since)
        # An array stays an array (8 bytes an id): the ids of a whole import are not made into a list.
        items_changed.send(sender=ItemHistory, item_ids=item_ids if isinstance(item_ids, array) else list(item_ids),
                           created=created)


def last_change(item_ids) -> datetime.date | None:
    """The latest date a change of these items was recorded on (documents cannot be dated before it)."""
    from django.db.models import Max

    from .models import ItemHistory

    return ItemHistory.objects.filter(item_id__in=list(item_ids)).aggregate(day=Max("valid_from"))["day"]
