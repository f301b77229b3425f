"""The register's history: the state at 0h on any past day, from the documents' dates (DESIGN.md §3.5)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kythuat.core.testing.factories import EquipmentTypeFactory, ItemFactory, UnitFactory
from kythuat.equipment import history, services
from kythuat.equipment.models import Item, ItemHistory
from kythuat.equipment.selectors import register_on

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def _state(item, day):
    return register_on(day).filter(item=item).values_list("unit_id", "grade", "quantity").first()


def test_state_on_a_past_day_follows_grade_changes_and_transfers(org):
    truck = ItemFactory(unit=org.team1, grade=2, registered_on=datetime.date(2015, 3, 1))
    record = services.draft_grade_change(user=org.officer1, unit=org.post1, number="01/BB",
                                         date=datetime.date(2020, 6, 1), reason="Kiểm tra", lines=[(truck.pk, 3)])
    services.approve_grade_change(grade_change=record, user=org.commander1)
    order = services.draft_transfer(user=org.officer1, from_unit=org.post1, to_unit=org.post2, number="7/LĐC",
                                    date=datetime.date(2022, 2, 1), lines=[(truck.pk, None)])
    services.approve_transfer(transfer=order, user=org.commander1)
    services.complete_transfer(transfer=order, user=org.officer1, on=datetime.date(2022, 2, 10))
    assert _state(truck, datetime.date(2015, 3, 1)) is None  # registered that day: not yet at 0h
    assert _state(truck, datetime.date(2016, 1, 1)) == (org.team1.pk, 2, 1)
    assert _state(truck, datetime.date(2020, 6, 1)) == (org.team1.pk, 2, 1)  # a change dated D counts from D+1
    assert _state(truck, datetime.date(2021, 1, 1)) == (org.team1.pk, 3, 1)
    assert _state(truck, datetime.date(2022, 2, 10)) == (org.team1.pk, 3, 1)
    assert _state(truck, datetime.date(2023, 1, 1)) == (org.post2.pk, 3, 1)
    assert ItemHistory.objects.filter(item=truck, valid_to__isnull=True).count() == 1


def test_split_lot_counts_once_on_every_day(org):
    ammo = EquipmentTypeFactory(tracked_by="quantity", has_rounds=False)
    lot = ItemFactory(type=ammo, unit=org.team1, quantity=5000, registered_on=datetime.date(2019, 1, 5))
    order = services.draft_transfer(user=org.officer1, from_unit=org.post1, to_unit=org.post2, number="8/LĐC",
                                    date=datetime.date(2024, 5, 1), lines=[(lot.pk, 1200)])
    services.approve_transfer(transfer=order, user=org.commander1)
    services.complete_transfer(transfer=order, user=org.officer1, on=datetime.date(2024, 5, 3))
    part = order.lines.get().moved_item
    assert part.registered_on == datetime.date(2024, 5, 3)
    for day, expected in ((datetime.date(2024, 1, 1), {org.team1.pk: 5000}),
                          (datetime.date(2025, 1, 1), {org.team1.pk: 3800, org.post2.pk: 1200})):
        rows = register_on(day).filter(type=ammo).values_list("unit_id", "quantity")
        assert dict(rows) == expected


def test_history_is_never_rewritten(org):
    rifle = ItemFactory(unit=org.team1, grade=2, registered_on=datetime.date(2024, 1, 1))
    later = services.draft_grade_change(user=org.officer1, unit=org.post1, number="02/BB",
                                        date=datetime.date(2025, 3, 1), reason="Kiểm tra", lines=[(rifle.pk, 3)])
    earlier = services.draft_grade_change(user=org.officer1, unit=org.post1, number="03/BB",
                                          date=datetime.date(2025, 1, 1), reason="Kiểm tra", lines=[(rifle.pk, 4)])
    services.approve_grade_change(grade_change=later, user=org.commander1)
    earlier.refresh_from_db()
    with pytest.raises(ValidationError):
        services.approve_grade_change(grade_change=earlier, user=org.commander1)  # graded meanwhile
    rifle.refresh_from_db()
    # A document dated before the last recorded change of the item cannot go in.
    with pytest.raises(ValidationError, match="later change"), history.effective_on(datetime.date(2025, 2, 1)):
        rifle.condition = "limited"
        rifle.save()
    assert Item.objects.get(pk=rifle.pk).condition == "ready"


def test_bulk_writes_open_and_move_history(org):
    kind = EquipmentTypeFactory()
    unit = UnitFactory(parent=org.post1)
    made = Item.objects.bulk_create([Item(type=kind, unit=unit, serial=f"B-{n}", grade=2,
                                          registered_on=datetime.date(2023, 4, 1)) for n in range(5)])
    assert ItemHistory.objects.filter(item__in=made, valid_from=datetime.date(2023, 4, 1)).count() == 5
    for item in made:
        item.condition = "limited"
    with history.effective_on(datetime.date(2024, 1, 10)):
        Item.objects.bulk_update(made, ["condition"])
    assert register_on(datetime.date(2024, 1, 10)).filter(type=kind, condition="ready").count() == 5
    assert register_on(datetime.date(2024, 1, 11)).filter(type=kind, condition="limited").count() == 5
    Item.objects.bulk_update(made, ["notes"])  # no counted fact: no new period
    assert ItemHistory.objects.filter(item__in=made).count() == 10


def test_an_edit_of_a_counted_fact_is_dated_today(org):
    rifle = ItemFactory(unit=org.team1, registered_on=datetime.date(2024, 1, 1))
    rifle.condition = "limited"
    rifle.save()
    rifle.notes = "Đã lau chùi"
    rifle.save()
    periods = list(ItemHistory.objects.filter(item=rifle).order_by("id").values_list("valid_from", "condition"))
    assert periods == [(datetime.date(2024, 1, 1), "ready"), (datetime.date.today(), "limited")]


def test_changes_gathered_in_a_block_are_sent_once_at_its_end():
    sent = []

    def receiver(sender, item_ids, created=False, **kwargs):
        sent.append((created, list(item_ids)))

    history.items_changed.connect(receiver, dispatch_uid="test_gathered")
    try:
        day = datetime.date(2020, 1, 1)
        with history.gathered():
            history._changed(day, [1, 2], created=True)
            history._changed(day, [2, 5, 4], created=False)
            history._changed(day, [5, 1, 3, 5], created=False)
            assert sent == []
    finally:
        history.items_changed.disconnect(dispatch_uid="test_gathered")
    # Each changed line once, in order, and none of those registered in the block (made for their end state).
    assert sent == [(True, [1, 2]), (False, [3, 4, 5])]
