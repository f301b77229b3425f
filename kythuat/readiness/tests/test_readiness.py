"""Hệ số kỹ thuật and the roll-up: every figure matches a count of the register's rows."""

import datetime

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kythuat.core.testing.factories import BranchFactory, EquipmentTypeFactory, ItemFactory
from kythuat.equipment import services
from kythuat.equipment.models import Item
from kythuat.readiness.models import CoefficientRule, Snapshot
from kythuat.readiness.selectors import readiness, trend

pytestmark = pytest.mark.django_db
LONG_AGO = datetime.date(2018, 5, 1)


@pytest.fixture
def register(org):
    weapons, vehicles = BranchFactory(code="T-QK"), BranchFactory(code="T-XM")
    rifle = EquipmentTypeFactory(branch=weapons)
    ammo = EquipmentTypeFactory(branch=weapons, tracked_by="quantity", has_rounds=False)
    truck = EquipmentTypeFactory(branch=vehicles, has_rounds=False, has_km=True)
    items = [
        ItemFactory(type=rifle, unit=org.team1, grade=1, registered_on=LONG_AGO),
        ItemFactory(type=rifle, unit=org.team1, grade=2, condition="limited", registered_on=LONG_AGO),
        ItemFactory(type=rifle, unit=org.post1, grade=3, registered_on=LONG_AGO),
        ItemFactory(type=ammo, unit=org.team1, grade=2, quantity=1000, registered_on=LONG_AGO),
        ItemFactory(type=truck, unit=org.team2, grade=2, registered_on=LONG_AGO),
        ItemFactory(type=truck, unit=org.post2, grade=4, condition="unusable", registered_on=LONG_AGO),
        ItemFactory(type=rifle, unit=org.team2, grade=5, usage_state="struck_off", registered_on=LONG_AGO),
    ]
    return weapons, vehicles, items


def _count(**filters):
    return Item.objects.active().filter(**filters).aggregate(n=Sum("quantity"))["n"] or 0


def test_figures_match_a_count_of_the_rows(org, register):
    weapons, vehicles, _items = register
    report = readiness(org.head, org.root)
    assert report.total.total == _count() == 1 + 1 + 1 + 1000 + 1 + 1
    good = _count(grade__in=[1, 2], condition="ready")
    assert report.total.good == good == 1 + 1000 + 1
    assert report.total.coefficient == good / _count()
    by_branch = {branch.code: f for branch, f in report.branches}
    assert by_branch["T-QK"].total == _count(type__branch=weapons)
    assert by_branch["T-XM"].good == _count(type__branch=vehicles, grade__in=[1, 2], condition="ready")
    children = {unit.code: f for unit, f in report.children}
    assert children["DBP1"].total == _count(unit__path__startswith=org.post1.path)
    assert children["DBP2"].total == _count(unit__path__startswith=org.post2.path)
    assert report.total.by_grade[2] == _count(grade=2)
    assert sum(f.total for _t, f in report.types) == report.total.total


def test_coefficient_rule_is_data(org, register):
    weapons, _vehicles, _items = register
    before = readiness(org.head, org.root).total.good
    CoefficientRule.objects.create(branch=weapons, good_grades="1,2,3", good_conditions="ready,limited")
    after = readiness(org.head, org.root).total.good
    assert after == before + 2  # the limited grade-2 rifle and the grade-3 rifle now count


def test_officer_sees_only_their_post(org, register):
    report = readiness(org.officer1, org.post1)
    assert report.total.total == _count(unit__path__startswith=org.post1.path)
    client = Client()
    client.force_login(org.officer1)
    assert client.get(reverse("readiness:readiness"), {"unit": org.post2.pk}).status_code == 404
    page = client.get(reverse("readiness:readiness"))
    assert page.status_code == 200 and page.context["report"].unit == org.post1
    api = APIClient()
    api.force_authenticate(org.officer1)
    assert api.get("/api/readiness/", {"unit": org.post2.pk}).status_code == 404
    assert api.get("/api/readiness/", {"unit": org.post1.pk}).json()["total"]["total"] == report.total.total


def test_as_of_a_past_first_of_january(org, register):
    _weapons, _vehicles, items = register
    rifle = items[0]
    old = readiness(org.head, org.root, on=datetime.date(2026, 1, 1))
    record = services.draft_grade_change(user=org.officer1, unit=org.post1, number="1/BB",
                                         date=datetime.date(2026, 3, 1), reason="Kiểm tra", lines=[(rifle.pk, 4)])
    services.approve_grade_change(grade_change=record, user=org.commander1)
    then = readiness(org.head, org.root, on=datetime.date(2026, 1, 1))
    now = readiness(org.head, org.root)
    assert then.total.good == old.total.good == now.total.good + 1
    # The line struck off was counted in no year here (struck off from registration), the others were.
    assert then.total.total == now.total.total
    assert readiness(org.head, org.root, on=LONG_AGO).total.total == 0
    # A document dated before a snapshot's day drops that snapshot: figures are rebuilt, not stale.
    Snapshot.objects.get(day=datetime.date(2026, 1, 1))
    late = services.draft_grade_change(user=org.officer1, unit=org.post1, number="2/BB",
                                       date=datetime.date(2025, 12, 1), reason="Bổ sung", lines=[(items[2].pk, 2)])
    services.approve_grade_change(grade_change=late, user=org.commander1)
    assert not Snapshot.objects.filter(day=datetime.date(2026, 1, 1)).exists()
    assert readiness(org.head, org.root, on=datetime.date(2026, 1, 1)).total.good == old.total.good + 1


def test_trend_over_the_years(org, register):
    points = trend(org.head, org.root)
    assert points[0].day == datetime.date(2019, 1, 1)  # first 1 January after the first registration
    assert points[-1].day is None and points[-1].total == _count()
    assert all(p.total == _count() for p in points)


def test_readiness_page_and_bad_date(org, register):
    client = Client()
    client.force_login(org.head)
    page = client.get(reverse("readiness:readiness"), {"unit": org.root.pk, "on": "01/01/2026"})
    assert page.status_code == 200 and page.context["report"].on == datetime.date(2026, 1, 1)
    assert b"<svg class=\"chart\"" in page.content and b"<polyline" in page.content
    bad = client.get(reverse("readiness:readiness"), {"on": "31/12/2999"})
    assert bad.status_code == 400 and bad.context["form"].errors
    api = APIClient()
    api.force_authenticate(org.head)
    assert api.get("/api/readiness/", {"on": "not a date"}).status_code == 400


def test_readiness_exports_the_page_figures(org, register):
    import io

    from python_calamine import CalamineWorkbook

    client = Client()
    client.force_login(org.head)
    response = client.get(reverse("readiness:readiness"), {"unit": org.root.pk, "export": "xlsx"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    branches = book.get_sheet_by_index(0).to_python()
    total_row = branches[-1]
    assert total_row[1] == _count() and total_row[-2] == readiness(org.head, org.root).total.good
    units = {row[0]: row[1] for row in book.get_sheet_by_index(1).to_python()[3:]}
    assert units[org.post1.name] == _count(unit__path__startswith=org.post1.path)
    years = book.get_sheet_by_index(4).to_python()
    assert years[-1][1] == _count()
    officer = Client()
    officer.force_login(org.officer1)
    assert officer.get(reverse("readiness:readiness"), {"unit": org.post2.pk, "export": "xlsx"}).status_code == 404


def test_snapshot_command_makes_the_yearly_snapshots(org, register):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("readiness-snapshot", "--years", "2", stdout=out)
    today = datetime.date.today()
    days = set(Snapshot.objects.values_list("day", flat=True))
    assert {datetime.date(today.year - 1, 1, 1), datetime.date(today.year, 1, 1), today} <= days
    assert "[3/3]" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("readiness-snapshot", "31/12/2999", stdout=out)


def test_roll_up_of_one_tree_leaves_out_another_tree(org, register):
    """A tree holding every unit is read without a unit filter; beside another tree it keeps one."""
    from kythuat.core.testing.factories import UnitFactory, UserFactory

    everyone = UserFactory(is_superuser=True)  # sees every unit, so only the subtree narrows the rows
    whole = readiness(everyone, org.root)
    assert whole.total.total == _count()
    other = UnitFactory(code="BCH2", name="Ban Chỉ huy tỉnh bên")
    ItemFactory(type=register[2][0].type, unit=other, grade=1, quantity=7, registered_on=LONG_AGO)
    assert readiness(everyone, org.root).total.total == whole.total.total
    assert readiness(everyone, other).total.total == 7
    day = datetime.date(2026, 1, 1)
    assert readiness(everyone, org.root, on=day).total.total == readiness(org.head, org.root, on=day).total.total
    assert readiness(everyone, other, on=day).total.good == 7
