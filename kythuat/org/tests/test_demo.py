"""`kythuat demo` builds a realistic province, deterministically and idempotently."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kythuat.core.models import AuditEntry
from kythuat.core.roles import Role
from kythuat.org.demo import DEFAULT_PASSWORD, build_demo
from kythuat.org.models import Membership, Person, Unit, UnitKind

pytestmark = pytest.mark.django_db


def _paths_are_consistent():
    for unit in Unit.objects.select_related("parent"):
        expected = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        assert unit.path == expected and unit.depth == expected.count("/") - 2, unit.code


def test_demo_builds_a_province_with_posts_squadrons_and_history():
    out = io.StringIO()
    call_command("demo", items=300, stdout=out)
    active = Unit.objects.active_on()
    assert active.filter(kind=UnitKind.BORDER_POST).count() == 12
    assert active.filter(kind=UnitKind.SQUADRON).count() == 2
    assert active.filter(kind=UnitKind.BATTALION).count() == 1
    assert active.filter(kind=UnitKind.WORKSHOP).count() == 1
    assert active.filter(kind=UnitKind.STATION).count() >= 12
    post = Unit.objects.get(code="DBP01")
    assert Unit.objects.filter(parent=post, kind=UnitKind.TEAM).count() >= 4
    ended = Unit.objects.exclude(valid_to=None)
    assert ended.exists() and all(u.successor_id for u in ended)
    assert 300 <= Person.objects.count() <= 700
    assert not Person.objects.filter(category="defence_worker").exclude(rank="").exists()
    assert all(p.full_name.count(" ") >= 2 for p in Person.objects.all()[:50])
    _paths_are_consistent()
    text = out.getvalue()
    assert DEFAULT_PASSWORD in text and "don1" in text and "chunhiem" in text


def test_demo_accounts_have_their_roles_and_can_sign_in():
    build_demo()
    expected = {"admin": (Role.ADMIN, "BCH"), "chunhiem": (Role.HEAD, "BCH"), "don1": (Role.OFFICER, "DBP01"),
                "don2": (Role.OFFICER, "DBP02"), "xem": (Role.VIEWER, "BCH"), "tho1": (Role.TECHNICIAN, "DBP01"),
                "chihuy1": (Role.COMMANDER, "DBP01")}
    for username, (role, code) in expected.items():
        assert Membership.objects.filter(user__username=username, unit__code=code, role=role).exists()
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302 and "_auth_user_id" in client.session, username
    assert Person.objects.get(user__username="don1").unit.code == "DBP01"
    # don1 sees only the first border post.
    client = Client()
    client.post(reverse("login"), {"username": "don1", "password": DEFAULT_PASSWORD})
    codes = {row.code for row in client.get(reverse("org:unit_list"), {"page_size": 500}).context["table"].data}
    assert "DBP01" in codes and "DBP02" not in codes and all(c.startswith("DBP01") for c in codes)


def test_demo_twice_changes_nothing():
    build_demo()
    counts = (Unit.objects.count(), Person.objects.count(), Membership.objects.count(), AuditEntry.objects.count())
    build_demo()
    assert (Unit.objects.count(), Person.objects.count(), Membership.objects.count(),
            AuditEntry.objects.count()) == counts


def test_same_seed_same_data_other_seed_other_names():
    build_demo(seed=7)
    first = sorted(Person.objects.values_list("service_number", "full_name"))
    Person.objects.all().delete()
    build_demo(seed=7)
    assert sorted(Person.objects.values_list("service_number", "full_name")) == first
    Person.objects.all().delete()
    build_demo(seed=8)
    assert sorted(Person.objects.values_list("service_number", "full_name")) != first


def test_units_option_scales_the_tree():
    build_demo(units=300)
    assert Unit.objects.count() == 300
    assert AuditEntry.objects.filter(content_type__model="unit", action="create").count() == 300
    _paths_are_consistent()
    build_demo(units=300)
    assert Unit.objects.count() == 300
