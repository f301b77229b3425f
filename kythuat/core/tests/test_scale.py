"""What makes large registers fast: ``bulk_insert`` writes what ``bulk_create`` writes and ``bulk_update``
what Django's ``bulk_update`` writes, audited; quick drop-downs write the HTML Django writes."""

import decimal

import pytest

from kythuat.core import bulk
from kythuat.core.audit import record_bulk
from kythuat.core.bulk import bulk_insert, bulk_update
from kythuat.core.context import acting
from kythuat.core.models import AuditEntry
from kythuat.core.testing.factories import EquipmentTypeFactory
from kythuat.equipment.models import Item

pytestmark = pytest.mark.django_db

FIELDS = ("type_id", "unit_id", "serial", "quantity", "year_made", "original_price", "km", "grade", "usage_state",
          "missing_parts", "search_text", "version")


def _items(kind, unit, prefix, count):
    return [Item(type=kind, unit=unit, serial=f"{prefix}-{n:03d}", grade=1 + n % 5, year_made=2000 + n % 20,
                 original_price=decimal.Decimal("12500000") if n % 2 else None,
                 km=decimal.Decimal("1234.5") if n % 3 else None, search_text=f"{prefix.lower()} {n}")
            for n in range(count)]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(bulk, "_sqlite_batch", lambda connection, columns: 7)
    monkeypatch.setattr(bulk, "POSTGRESQL_BATCH", 7)


def test_bulk_insert_writes_what_bulk_create_writes_and_sets_the_ids(org, small_batches):
    kind = EquipmentTypeFactory(has_km=True)
    fast = bulk_insert(_items(kind, org.team1, "F", 120))  # several batches
    slow = Item.objects.bulk_create(_items(kind, org.team1, "S", 120))
    assert all(item.pk and not item._state.adding for item in fast)
    assert len({item.pk for item in fast}) == 120
    stored = {item.pk: item for item in Item.objects.filter(pk__in=[i.pk for i in fast + slow])}
    for made_fast, made_slow in zip(fast, slow, strict=True):
        a, b = stored[made_fast.pk], stored[made_slow.pk]
        assert a.serial == made_fast.serial and a.created_at is not None and a.updated_at is not None
        assert [getattr(a, f) for f in FIELDS if f not in ("serial", "search_text")] == \
               [getattr(b, f) for f in FIELDS if f not in ("serial", "search_text")]
    assert bulk_insert([]) == []


def test_bulk_update_writes_what_django_bulk_update_writes(org, small_batches):
    kind = EquipmentTypeFactory(has_km=True)
    fast, slow = bulk_insert(_items(kind, org.team1, "F", 40)), bulk_insert(_items(kind, org.team1, "S", 40))
    for made in (fast, slow):
        for n, item in enumerate(made):
            item.km = decimal.Decimal("99.5") + n if n % 4 else None
            item.grade, item.notes, item.unit = 1 + (n + 2) % 5, f"Kiểm kê {n} — ‘đủ’", org.team2
            item.version += 1
    names = ["km", "grade", "notes", "unit", "version"]
    assert bulk_update(fast, names) == 40
    Item.objects.bulk_update(slow, names, batch_size=7)  # Django's own, through the manager's parent
    stored = {item.pk: item for item in Item.objects.filter(pk__in=[i.pk for i in fast + slow])}
    for made_fast, made_slow in zip(fast, slow, strict=True):
        a, b = stored[made_fast.pk], stored[made_slow.pk]
        assert [getattr(a, f) for f in (*names, "unit_id", "serial")] == \
               [getattr(made_fast, f) for f in (*names, "unit_id", "serial")]
        assert [getattr(a, f) for f in names] == [getattr(b, f) for f in names]
    untouched = Item.objects.filter(serial__startswith="F-", type=kind).values_list("missing_parts", flat=True)
    assert set(untouched) == {""}
    assert bulk_update([], names) == 0


def test_bulk_writes_are_audited_with_one_request_id(org):
    kind = EquipmentTypeFactory()
    with acting(source="command"):
        items = bulk_insert(_items(kind, org.team2, "A", 30))
        record_bulk(items)
    entries = AuditEntry.objects.filter(content_type__model="item", object_id__in=[str(i.pk) for i in items])
    assert entries.count() == 30
    assert len(set(entries.values_list("request_id", flat=True))) == 1
    assert set(entries.values_list("scope_unit_id", flat=True)) == {org.team2.pk}
    entry = entries.get(object_id=str(items[1].pk))
    assert entry.changes["serial"] == [None, "A-001"] and entry.changes["km"] == [None, "1234.5"]


def test_quick_drop_downs_write_the_same_html_as_django(org):
    from django import forms
    from django.test import SimpleTestCase

    from kythuat.core.forms import QuickSelect, QuickSelectMultiple, UnitChoiceField
    from kythuat.org.models import Unit

    field = UnitChoiceField(queryset=Unit.objects.all())
    grouped = [("Quân khí", [("1", "Súng <AK>"), ("2", "Đạn")]), ("3", "Khác & xe")]
    check = SimpleTestCase()
    for plain, quick, value, choices in (
            (forms.Select, QuickSelect, org.post1.pk, field.choices),
            (forms.SelectMultiple, QuickSelectMultiple, ["2", "3"], grouped)):
        expected = plain(attrs={"id": "x"}, choices=choices).render("unit", value)
        check.assertHTMLEqual(quick(attrs={"id": "x"}, choices=choices).render("unit", value), expected)

