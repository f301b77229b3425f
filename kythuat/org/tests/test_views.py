"""Business rules of the organisation pages and of user management."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from kythuat.core.models import AuditEntry
from kythuat.core.roles import Role
from kythuat.core.testing.factories import MembershipFactory, PersonFactory, UnitFactory, UserFactory
from kythuat.org.models import Membership, Person, Unit

pytestmark = pytest.mark.django_db
User = get_user_model()


def login(user):
    client = Client()
    client.force_login(user)
    return client


# --- people and units -----------------------------------------------------------------------------

def test_officer_adds_person_only_in_own_post(org):
    client = login(org.officer1)
    data = {"full_name": "Hoàng Văn Thụ", "category": "enlisted", "rank": "ha_si", "position": "Lái xe"}
    response = client.post(reverse("org:person_add"), {**data, "unit": org.team2.pk})
    assert response.status_code == 400
    assert not Person.objects.filter(full_name="Hoàng Văn Thụ").exists()
    response = client.post(reverse("org:person_add"), {**data, "unit": org.team1.pk})
    assert response.status_code == 302
    person = Person.objects.get(full_name="Hoàng Văn Thụ")
    assert person.unit == org.team1
    assert AuditEntry.objects.filter(object_id=str(person.pk), action="create", username="don1").exists()


def test_defence_worker_has_no_rank(org):
    response = login(org.officer1).post(reverse("org:person_add"), {
        "full_name": "Ngô Thị Lan", "category": "defence_worker", "rank": "thieu_uy", "unit": org.team1.pk})
    assert response.status_code == 400
    assert "CNQP" in response.content.decode()


def test_officer_cannot_add_or_edit_units(org):
    client = login(org.officer1)
    assert client.get(reverse("org:unit_add")).status_code == 403
    assert client.get(reverse("org:unit_edit", args=[org.post1.pk])).status_code == 403


def test_head_adds_unit_under_a_post(org):
    response = login(org.head).post(reverse("org:unit_add"), {
        "code": "DBP1-TR", "name": "Trạm Biên phòng Khe Lạn", "kind": "station", "parent": org.post1.pk,
        "sort_order": 5, "valid_from": "01/07/2025"})
    assert response.status_code == 302, response.content.decode()[:2000]
    station = Unit.objects.get(code="DBP1-TR")
    assert station.path == f"{org.post1.path}{station.pk}/"
    assert station.valid_from == datetime.date(2025, 7, 1)


def test_unit_needs_a_parent_and_cannot_go_under_itself(org):
    client = login(org.head)
    base = {"code": "X1", "name": "Đơn vị thử", "kind": "team", "sort_order": 0}
    assert client.post(reverse("org:unit_add"), base).status_code == 400
    response = client.post(reverse("org:unit_edit", args=[org.post1.pk]), {
        "code": org.post1.code, "name": org.post1.name, "kind": "border_post", "parent": org.team1.pk,
        "sort_order": 0, "version": org.post1.version})
    assert response.status_code == 400
    assert Unit.objects.get(pk=org.post1.pk).parent == org.root


def test_end_date_not_before_start_and_successor_needs_end(org):
    client = login(org.head)
    url = reverse("org:unit_edit", args=[org.post2.pk])
    base = {"code": org.post2.code, "name": org.post2.name, "kind": "border_post", "parent": org.root.pk,
            "sort_order": 0, "version": org.post2.version}
    response = client.post(url, {**base, "valid_from": "01/07/2025", "valid_to": "01/01/2025"})
    assert response.status_code == 400
    response = client.post(url, {**base, "successor": org.post1.pk})
    assert response.status_code == 400
    response = client.post(url, {**base, "valid_to": "28/06/2025", "successor": org.post1.pk})
    assert response.status_code == 302


def test_delete_asks_for_confirmation_first(org):
    person = PersonFactory(unit=org.team1)
    client = login(org.officer1)
    url = reverse("org:person_delete", args=[person.pk])
    response = client.get(url)
    assert response.status_code == 200 and 'name="version"' in response.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()
    response = client.post(url, {"version": person.version})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(person.pk), action="delete").exists()


def test_unit_with_sub_units_or_people_cannot_be_deleted(org):
    response = login(org.head).post(reverse("org:unit_delete", args=[org.post1.pk]), {"version": org.post1.version})
    assert response.status_code == 409
    assert Unit.objects.filter(pk=org.post1.pk).exists()


def test_ended_unit_stays_in_history_with_successor(org):
    old = UnitFactory(code="OLD", name="Đồn Biên phòng Cũ", parent=org.root, valid_from=datetime.date(2010, 1, 1),
                      valid_to=datetime.date(2025, 6, 28), successor=org.post1)
    client = login(org.head)
    assert "Đồn Biên phòng Cũ" not in client.get(reverse("org:unit_tree")).content.decode()
    assert "Đồn Biên phòng Cũ" in client.get(reverse("org:unit_tree"), {"ended": "1"}).content.decode()
    page = client.get(reverse("org:unit", args=[old.pk])).content.decode()
    assert "Đồn Biên phòng Bắc Phong" in page
    assert old in Unit.objects.active_on(datetime.date(2020, 1, 1))
    assert old not in Unit.objects.active_on(datetime.date(2025, 7, 1))


def test_tree_counts_people_of_each_subtree(org):
    PersonFactory(unit=org.post1)
    response = login(org.head).get(reverse("org:unit_tree"))
    roots = response.context["roots"]
    assert [u.pk for u in roots] == [org.root.pk]
    post1 = next(u for u in roots[0].children_list if u.pk == org.post1.pk)
    assert post1.subtree_people == 2 and post1.subtree_units == 1
    assert roots[0].subtree_people == 3 and roots[0].subtree_units == 5


def test_officer_tree_starts_at_own_post(org):
    response = login(org.officer1).get(reverse("org:unit_tree"))
    assert [u.pk for u in response.context["roots"]] == [org.post1.pk]


# --- user management ------------------------------------------------------------------------------

def test_admin_creates_account_with_role(org):
    response = login(org.admin).post(reverse("users:user_add"), {
        "username": "thokt2", "last_name": "Đỗ Văn", "first_name": "Hùng", "email": "",
        "password1": "Tho-ky-thuat-26", "password2": "Tho-ky-thuat-26", "unit": org.post2.pk,
        "role": Role.TECHNICIAN})
    assert response.status_code == 302
    account = User.objects.get(username="thokt2")
    assert Membership.objects.filter(user=account, unit=org.post2, role=Role.TECHNICIAN).exists()
    assert account.check_password("Tho-ky-thuat-26")
    assert AuditEntry.objects.filter(object_id=str(account.pk), content_type__model="user", action="create").exists()


def test_admin_sets_password_and_deactivates(org):
    client = login(org.admin)
    response = client.post(reverse("users:password_reset", args=[org.officer2.pk]),
                           {"new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"})
    assert response.status_code == 302
    org.officer2.refresh_from_db()
    assert org.officer2.check_password("Mat-khau-moi-2026")
    response = client.post(reverse("users:user_active", args=[org.officer2.pk]), {"active": "0"})
    assert response.status_code == 302
    org.officer2.refresh_from_db()
    assert not org.officer2.is_active
    anonymous = Client()
    anonymous.post(reverse("login"), {"username": "don2", "password": "Mat-khau-moi-2026"})
    assert "_auth_user_id" not in anonymous.session
    changes = [e.changes for e in AuditEntry.objects.filter(object_id=str(org.officer2.pk), content_type__model="user")]
    assert {"is_active": [True, False]} in changes


def test_admin_cannot_deactivate_self(org):
    login(org.admin).post(reverse("users:user_active", args=[org.admin.pk]), {"active": "0"})
    org.admin.refresh_from_db()
    assert org.admin.is_active


def test_only_administrators_manage_users(org):
    for user in (org.head, org.viewer, org.officer1):
        assert login(user).get(reverse("users:user_list")).status_code == 403


def test_admin_of_a_post_manages_only_accounts_of_that_post(org):
    post_admin = UserFactory(username="qtdon1")
    MembershipFactory(user=post_admin, unit=org.post1, role=Role.ADMIN)
    client = login(post_admin)
    listed = {u.username for u in client.get(reverse("users:user_list")).context["page_obj"]}
    assert "don1" in listed and "don2" not in listed and "xem" not in listed
    assert client.get(reverse("users:user", args=[org.officer2.pk])).status_code == 404
    response = client.post(reverse("users:membership_add", args=[org.officer1.pk]),
                           {"unit": org.post2.pk, "role": Role.ADMIN})
    assert response.status_code == 400
    assert not Membership.objects.filter(user=org.officer1, unit=org.post2).exists()


def test_role_removed_and_given_is_audited(org):
    client = login(org.admin)
    membership = Membership.objects.get(user=org.officer1)
    client.post(reverse("users:membership_delete", args=[org.officer1.pk, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    client.post(reverse("users:membership_add", args=[org.officer1.pk]), {"unit": org.post2.pk, "role": Role.VIEWER})
    assert Membership.objects.filter(user=org.officer1, unit=org.post2, role=Role.VIEWER).exists()
    actions = set(AuditEntry.objects.filter(content_type__model="membership").values_list("action", flat=True))
    assert {"create", "delete"} <= actions


def test_list_page_size_is_not_set_by_the_url(org):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(org.head)
    response = client.get(reverse("org:unit_list"), {"per_page": 100000})
    assert response.status_code == 200 and response.context["table"].paginator.per_page == 50
