"""Strike-off plans (TT 32/2026/TT-BQP): the unit plans, the level above consolidates and approves, the
unit carries it out; items leave the active register but stay in history and earlier figures."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from kythuat.core.testing.factories import EquipmentTypeFactory, ItemFactory
from kythuat.equipment import services
from kythuat.equipment.models import Item, StrikeOff
from kythuat.equipment.selectors import register_on

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield
DAY = datetime.date(2026, 10, 10)


def _plan(org, lines, unit=None, number="01/KH-LKBC"):
    return services.draft_strike_off(user=org.officer1, unit=unit or org.post1, year=2026, number=number, date=DAY,
                                     notes="Kế hoạch năm 2026", lines=lines)


def _through_approval(org, plan):
    services.consolidate_strike_off(strike_off=plan, user=org.head)
    services.approve_strike_off(strike_off=plan, user=org.head)
    return StrikeOff.objects.get(pk=plan.pk)


def test_strike_off_goes_through_the_yearly_cycle_and_the_items_leave_the_register(org):
    rifle = ItemFactory(unit=org.team1, grade=5)
    plan = _plan(org, [{"item": rifle.pk, "reason": "grade_5"}])
    assert Item.objects.active().filter(pk=rifle.pk).exists()
    with pytest.raises(ValidationError):
        services.complete_strike_off(strike_off=plan, user=org.officer1)  # not approved
    # The post's own officer and commander cannot consolidate or approve their post's plan: the level above does.
    with pytest.raises(PermissionDenied):
        services.consolidate_strike_off(strike_off=plan, user=org.officer1)
    services.consolidate_strike_off(strike_off=plan, user=org.head)
    with pytest.raises(PermissionDenied):
        services.approve_strike_off(strike_off=plan, user=org.commander1)
    services.approve_strike_off(strike_off=plan, user=org.head)
    services.complete_strike_off(strike_off=plan, user=org.officer1, on=datetime.date(2026, 11, 1))
    plan.refresh_from_db()
    rifle.refresh_from_db()
    assert plan.status == "done" and plan.done_on == datetime.date(2026, 11, 1) and plan.done_by == org.officer1
    assert rifle.usage_state == "struck_off"
    assert not Item.objects.active().filter(pk=rifle.pk).exists()
    # Figures of earlier dates still count it; from the day after the strike-off they do not.
    assert register_on(datetime.date(2026, 11, 1)).filter(item=rifle).exists()
    assert not register_on(datetime.date(2026, 11, 2)).filter(item=rifle).exists()


def test_plan_of_a_team_is_consolidated_by_its_post(org):
    rifle = ItemFactory(unit=org.team1, grade=5)
    plan = _plan(org, [{"item": rifle.pk, "reason": "grade_5"}], unit=org.team1)
    services.consolidate_strike_off(strike_off=plan, user=org.officer1)
    services.approve_strike_off(strike_off=plan, user=org.commander1)
    assert StrikeOff.objects.get(pk=plan.pk).status == "approved"


def test_strike_off_reasons_must_hold(org):
    kind = EquipmentTypeFactory(service_life_years=20, original_price=Decimal("10000000"))
    good = ItemFactory(type=kind, unit=org.team1, grade=2, year_in_service=2015)
    old = ItemFactory(type=kind, unit=org.team1, grade=3, year_in_service=2000)
    cases = [
        ({"item": good.pk, "reason": "grade_5"}, "not grade 5"),
        ({"item": good.pk, "reason": "service_life"}, "service life ends in 2035"),
        ({"item": good.pk, "reason": "repair_cost"}, "estimated repair cost"),
        ({"item": good.pk, "reason": "repair_cost", "repair_cost": Decimal("3000000")}, "not over 30"),
        ({"item": good.pk, "reason": "other"}, "explain the reason"),
        ({"item": good.pk, "reason": ""}, "choose the reason"),
        ({"item": good.pk, "reason": "grade_5", "quantity": 2}, "quantity must be 1 to 1"),
    ]
    for line, message in cases:
        with pytest.raises(ValidationError) as error:
            _plan(org, [line])
        assert message in " ".join(error.value.messages), (line, error.value.messages)
    assert not StrikeOff.objects.exists()
    # Each reason, when it holds, is accepted.
    plan = _plan(org, [{"item": old.pk, "reason": "service_life"},
                       {"item": good.pk, "reason": "repair_cost", "repair_cost": Decimal("3000001")}])
    assert plan.lines.count() == 2


def test_item_already_struck_off_or_on_an_open_plan_is_refused(org):
    rifle = ItemFactory(unit=org.team1, grade=5)
    plan = _plan(org, [{"item": rifle.pk, "reason": "grade_5"}])
    with pytest.raises(ValidationError, match="already on an open strike-off plan"):
        _plan(org, [{"item": rifle.pk, "reason": "grade_5"}], number="02/KH-LKBC")
    services.complete_strike_off(strike_off=_through_approval(org, plan), user=org.officer1)
    with pytest.raises(ValidationError, match="already struck off"):
        _plan(org, [{"item": rifle.pk, "reason": "grade_5"}], number="03/KH-LKBC")
    with pytest.raises(ValidationError, match="Only an approved plan"):
        services.complete_strike_off(strike_off=plan, user=org.officer1)


def test_part_of_a_lot_is_struck_off(org):
    ammo = EquipmentTypeFactory(tracked_by="quantity", has_rounds=False, unit_of_measure="viên")
    lot = ItemFactory(type=ammo, unit=org.team1, serial="LO-1998-02", quantity=1000, grade=5)
    plan = _plan(org, [{"item": lot.pk, "quantity": 300, "reason": "grade_5"}])
    services.complete_strike_off(strike_off=_through_approval(org, plan), user=org.officer1)
    lot.refresh_from_db()
    struck = plan.lines.get().struck_item
    assert lot.quantity == 700 and lot.usage_state != "struck_off"
    assert struck.quantity == 300 and struck.usage_state == "struck_off" and struck.serial == "LO-1998-02/LKBC-2026"
    assert struck.unit == org.team1


def test_strike_off_cannot_be_dated_in_the_future_or_before_the_plan(org):
    rifle = ItemFactory(unit=org.team1, grade=5)
    plan = _through_approval(org, _plan(org, [{"item": rifle.pk, "reason": "grade_5"}]))
    with pytest.raises(ValidationError, match="future"):
        services.complete_strike_off(strike_off=plan, user=org.officer1,
                                     on=datetime.date.today() + datetime.timedelta(days=3))
    with pytest.raises(ValidationError, match="before the plan"):
        services.complete_strike_off(strike_off=plan, user=org.officer1, on=DAY - datetime.timedelta(days=1))
    assert Item.objects.get(pk=rifle.pk).usage_state != "struck_off"


def test_strike_off_pages(org):
    rifle = ItemFactory(unit=org.team1, grade=5)
    client = Client()
    client.force_login(org.officer1)
    page = client.get(reverse("equipment:strikeoff_add"), {"items": [rifle.pk]})
    assert page.status_code == 200 and page.context["lines"][0][1]["reason"] == "grade_5"
    data = {"unit": org.post1.pk, "year": 2026, "number": "05/KH", "date": "10/10/2026", "items": [rifle.pk],
            f"reason_{rifle.pk}": "", f"quantity_{rifle.pk}": "1"}
    response = client.post(reverse("equipment:strikeoff_add"), data)
    assert response.status_code == 400 and "hãy chọn lý do" in str(response.context["form"].non_field_errors())
    data[f"reason_{rifle.pk}"] = "grade_5"
    response = client.post(reverse("equipment:strikeoff_add"), data)
    plan = StrikeOff.objects.get(number="05/KH")
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    head = Client()
    head.force_login(org.head)
    assert head.get(plan.get_absolute_url()).context["can_consolidate"]
    head.post(reverse("equipment:strikeoff_consolidate", args=[plan.pk]), {"version": plan.version})
    plan.refresh_from_db()
    head.post(reverse("equipment:strikeoff_approve", args=[plan.pk]), {"version": plan.version})
    plan.refresh_from_db()
    assert plan.status == "approved"
    response = client.post(reverse("equipment:strikeoff_complete", args=[plan.pk]),
                           {"version": plan.version, "on": "31/12/2099"}, follow=True)
    assert "future" in response.content.decode() or "tương lai" in response.content.decode()
    client.post(reverse("equipment:strikeoff_complete", args=[plan.pk]), {"version": plan.version, "on": ""})
    assert Item.objects.get(pk=rifle.pk).usage_state == "struck_off"
    assert client.get(rifle.get_absolute_url()).context["strike_offs"][0].strike_off == plan


def test_strike_off_api(org):
    rifle = ItemFactory(unit=org.team1, grade=5)
    api = APIClient()
    api.force_authenticate(org.officer1)
    bad = api.post("/api/equipment/strike-offs/", {"unit": org.post1.pk, "year": 2026, "number": "9/KH",
                                                   "date": "2026-10-10",
                                                   "lines": [{"item": rifle.pk, "reason": "nonsense"}]}, format="json")
    assert bad.status_code == 400 and "lines" in bad.json()
    made = api.post("/api/equipment/strike-offs/", {"unit": org.post1.pk, "year": 2026, "number": "9/KH",
                                                    "date": "2026-10-10",
                                                    "lines": [{"item": rifle.pk, "reason": "grade_5"}]},
                    format="json")
    assert made.status_code == 201, made.json()
    plan_id = made.json()["id"]
    assert api.post(f"/api/equipment/strike-offs/{plan_id}/consolidate/", {}, format="json").status_code == 403
    head = APIClient()
    head.force_authenticate(org.head)
    for step in ("consolidate", "approve"):
        assert head.post(f"/api/equipment/strike-offs/{plan_id}/{step}/", {}, format="json").status_code == 200
    stale = api.post(f"/api/equipment/strike-offs/{plan_id}/complete/", {"version": 1}, format="json")
    assert stale.status_code == 409
    done = api.post(f"/api/equipment/strike-offs/{plan_id}/complete/", {"on": "2026-11-02"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["done_on"] == "2026-11-02"
    assert api.delete(f"/api/equipment/strike-offs/{plan_id}/").status_code == 403


def test_plan_year_is_written_as_a_year(org):
    rifle = ItemFactory(unit=org.team1, grade=5)
    _plan(org, [{"item": rifle.pk, "reason": "grade_5"}])
    client = Client()
    client.force_login(org.officer1)
    page = client.get(reverse("equipment:strikeoff_list")).content.decode()
    assert ">2026<" in page and "2.026" not in page
