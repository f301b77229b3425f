"""Rules of the shared machinery: audit, optimistic locking, search, scoping, security, languages."""

import io
import unicodedata

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from kythuat.core.audit import record_bulk
from kythuat.core.context import acting
from kythuat.core.models import AuditAction, AuditEntry, StaleObjectError
from kythuat.core.roles import Perm
from kythuat.core.scoping import scope_for
from kythuat.core.testing.factories import PASSWORD, UnitFactory
from kythuat.core.text import fold, search_terms
from kythuat.org.models import Person, Unit

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


# --- search folding -------------------------------------------------------------------------------

def test_fold_strips_vietnamese_diacritics_and_case():
    assert fold("Đồn Biên phòng Cửa khẩu Quốc tế") == "don bien phong cua khau quoc te"
    assert fold("  SÚNG   tiểu liên AK  ") == "sung tieu lien ak"
    assert search_terms("Đội  vũ trang") == ["doi", "vu", "trang"]


@given(st.text())
def test_fold_is_idempotent_and_ascii_for_vietnamese(text):
    once = fold(text)
    assert fold(once) == once


def _fold_by_the_definition(text):
    folded = str(text)
    for _ in range(2):
        decomposed = unicodedata.normalize("NFD", folded.casefold().translate(str.maketrans({"đ": "d", "Đ": "d",
                                                                                            "ð": "d"})))
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(folded.split())


@given(st.text() | st.sampled_from(["Súng tiểu liên AK — SN-0001 đồn1", "Ǆ ẞ Å K ﬁ Ὰͅ", "Đội ͏vũ trang"]))
def test_fold_fast_path_gives_the_same_text_as_the_definition(text):
    """Search text stored by earlier versions must still match: the fast path changes nothing."""
    assert fold(text) == _fold_by_the_definition(text)


def test_search_ignores_diacritics_on_this_backend(org):
    assert list(Unit.objects.search("nam son bac phong")) == []
    assert list(Unit.objects.search("bien phong bac")) == [org.post1]
    assert set(Unit.objects.search("doi vu trang")) == {org.team1, org.team2}
    rows, relaxed = Unit.objects.search_with_fallback("dong bien phong")
    assert relaxed and org.post1 in rows and org.post2 in rows and org.team1 not in rows


# --- audit ----------------------------------------------------------------------------------------

def test_every_change_is_audited_with_user_request_and_values(org):
    with acting(user=org.officer1, request_id="abc123", source="web"):
        person = Person.objects.create(full_name="Phạm Văn Đồng", unit=org.team1, category="enlisted",
                                       rank="trung_si")
        person.position = "Lái xe"
        person.save()
        person_pk = person.pk
        person.delete()
    entries = list(AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(person_pk)).order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert all(e.username == "don1" and e.request_id == "abc123" and e.user == org.officer1 for e in entries)
    assert entries[0].changes["full_name"] == [None, "Phạm Văn Đồng"]
    assert entries[1].changes == {"position": ["", "Lái xe"]}
    assert entries[2].changes["position"] == ["Lái xe", None]
    assert all(e.scope_unit_id == org.team1.pk for e in entries)


def test_bulk_writes_are_audited_like_saves(org):
    """record_bulk writes the same entry a save would: who, from where, which values; an update
    records only what changed since the rows were loaded, old and new."""
    with acting(user=org.officer1, source="command", request_id="bulk0001"):
        people = Person.objects.bulk_create([Person(full_name="Hoàng Văn Bình", unit=org.team1, position="Lái xe",
                                                    category="officer")])
        assert record_bulk(people) == 1
        entry = AuditEntry.objects.get(object_id=str(people[0].pk), content_type__model="person")
        assert (entry.user, entry.username, entry.source, entry.request_id, entry.action) == (
            org.officer1, "don1", "command", "bulk0001", "create")
        assert entry.scope_unit_id == org.team1.pk and entry.object_repr == str(people[0])
        assert entry.changes["full_name"] == [None, "Hoàng Văn Bình"] and "hoang van binh" in entry.search_text
        loaded = list(Person.objects.filter(pk__in=[people[0].pk, org.person1.pk]).order_by("pk"))
        loaded[-1].position = "Thủ kho"
        Person.objects.bulk_update(loaded, ["position"])
        assert record_bulk(loaded, AuditAction.UPDATE) == 1  # the unchanged row is not recorded
        assert record_bulk(loaded, AuditAction.UPDATE) == 0  # recorded changes are not recorded twice
    entry = AuditEntry.objects.filter(object_id=str(loaded[-1].pk), content_type__model="person").latest("id")
    assert entry.action == "update" and entry.changes == {"position": ["Lái xe", "Thủ kho"]}


def test_bulk_insert_stores_what_a_save_would_and_keeps_the_sequence(org):
    """bulk_insert (COPY on PostgreSQL, multi-row INSERT on SQLite): every value as a save stores it —
    text with tabs, newlines, quotes and backslashes, JSON, decimals, nulls — the ids set on the objects,
    and the table's next row after them; record_bulk's entries likewise."""
    import datetime
    from decimal import Decimal

    from kythuat.core.bulk import bulk_insert
    from kythuat.core.testing.factories import ItemFactory, WorkOrderFactory
    from kythuat.maintenance.models import WorkOrderItem

    order = WorkOrderFactory(unit=org.team1)
    items = [ItemFactory(unit=org.team1) for _ in range(3)]
    tricky = 'Nòng gỉ\tcò "kẹt"\n\\N ống ngắm, 5\\'
    values = [dict(grade_before=2, ok=True, note="", checklist={}),
              dict(grade_before=3, ok=False, note=tricky, checklist={"Lau nòng": False, tricky: [1, None, "\\N"]}),
              dict(grade_before=4, ok=True, note="\\N", checklist={"x": 1.5}, km=Decimal("74227.5"), rounds=0,
                   due_on=datetime.date(2026, 2, 28), on_time=False)]
    rows = [WorkOrderItem(work_order=order, item=item, **value) for item, value in zip(items, values, strict=True)]
    with acting(user=org.officer1, source="command"):
        bulk_insert(rows)
        assert record_bulk(rows) == 3
    assert all(row.pk and not row._state.adding for row in rows)
    for row, value in zip(rows, values, strict=True):
        stored = WorkOrderItem.objects.get(pk=row.pk)
        assert (stored.item_id, stored.work_order_id) == (row.item_id, order.pk)
        assert {name: getattr(stored, name) for name in value} == value
        assert (stored.km, stored.rounds, stored.due_on) == (row.km, row.rounds, row.due_on)
        entry = AuditEntry.objects.get(content_type__model="workorderitem", object_id=str(row.pk))
        assert entry.changes.get("note", [None, ""])[1] == value["note"] or not value["note"]
        assert entry.changes.get("checklist", [None, {}])[1] == value["checklist"]
    later = WorkOrderItem.objects.create(work_order=order, item=ItemFactory(unit=org.team1), grade_before=2)
    assert later.pk > max(row.pk for row in rows)


def test_audit_log_cannot_be_changed_or_deleted(org):
    entry = AuditEntry.objects.first()
    entry.object_repr = "forged"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(object_repr="forged")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_audit_log_is_scoped_like_the_rows(org):
    org.person2.position = "Thủ kho"
    org.person2.save()
    officer_view = AuditEntry.objects.visible_to(org.commander1)
    assert not officer_view.filter(object_id=str(org.person2.pk), content_type__model="person").exists()
    assert AuditEntry.objects.visible_to(org.head).filter(object_id=str(org.person2.pk)).exists()
    assert not AuditEntry.objects.visible_to(org.viewer).exists()  # viewers have no view_audit


def test_history_tab_shows_changes_with_labels(org):
    org.person1.rank = "dai_uy"
    org.person1.save()
    response = login(org.officer1).get(reverse("org:person_history", args=[org.person1.pk]))
    assert response.status_code == 200
    assert "Đại úy" in response.content.decode()


# --- optimistic locking ---------------------------------------------------------------------------

def test_stale_save_is_refused(org):
    first = Unit.objects.get(pk=org.post1.pk)
    second = Unit.objects.get(pk=org.post1.pk)
    first.short_name = "Đồn Bắc Phong"
    first.save()
    second.short_name = "Đồn BP"
    with pytest.raises(StaleObjectError):
        second.save()
    assert Unit.objects.get(pk=org.post1.pk).short_name == "Đồn Bắc Phong"


def test_stale_form_is_refused_with_message_and_409(org):
    client = login(org.officer1)
    url = reverse("org:person_edit", args=[org.person1.pk])
    data = {"full_name": "Trần Quốc Tuấn", "category": "officer", "unit": org.team1.pk, "version": 1,
            "position": "Trợ lý xe – máy"}
    org.person1.position = "changed meanwhile"
    org.person1.save()  # now version 2
    response = client.post(url, data)
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode() or "người khác" in response.content.decode()
    assert Person.objects.get(pk=org.person1.pk).position == "changed meanwhile"
    data["version"] = 2
    response = client.post(url, data)
    assert response.status_code == 302
    assert Person.objects.get(pk=org.person1.pk).position == "Trợ lý xe – máy"


# --- scoping --------------------------------------------------------------------------------------

def test_scope_covers_subtree_only(org):
    ids = scope_for(org.officer1).unit_ids(Perm.VIEW)
    assert ids == {org.post1.pk, org.team1.pk}
    assert scope_for(org.viewer).unit_ids(Perm.VIEW) is None  # the whole tree: no filter needed
    assert scope_for(org.viewer).unit_ids(Perm.MANAGE_PEOPLE) == frozenset()


def test_moving_a_unit_moves_its_subtree_and_scope(org):
    org.post1.parent = org.dept
    org.post1.save()
    team = Unit.objects.get(pk=org.team1.pk)
    assert team.path == f"/{org.root.pk}/{org.dept.pk}/{org.post1.pk}/{org.team1.pk}/"
    assert team.depth == 3
    fresh = type(org.officer1).objects.get(pk=org.officer1.pk)
    assert org.team1.pk in scope_for(fresh).unit_ids(Perm.VIEW)


def test_inactive_user_has_no_scope(org):
    org.officer1.is_active = False
    org.officer1.save()
    fresh = type(org.officer1).objects.get(pk=org.officer1.pk)
    assert Unit.objects.visible_to(fresh).count() == 0


# --- security -------------------------------------------------------------------------------------

def test_security_headers_and_csp_without_external_sources(org):
    response = login(org.viewer).get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "http" not in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_pages_reference_only_local_assets(org):
    html = login(org.admin).get("/org/units/").content.decode()
    assert "http://" not in html and "https://" not in html and "//cdn" not in html


def test_login_is_throttled_after_repeated_failures(org):
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "don1", "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": "don1", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_works_and_production_hashes_with_argon2(org):
    from django.conf import settings as live
    client = Client()
    response = client.post(reverse("login"), {"username": "don1", "password": PASSWORD})
    assert response.status_code == 302
    from kythuat import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    from django.contrib.auth.hashers import Argon2PasswordHasher

    assert Argon2PasswordHasher().encode("x", Argon2PasswordHasher().salt()).startswith("argon2")
    assert live.SESSION_COOKIE_HTTPONLY and live.SESSION_COOKIE_AGE == 8 * 3600


def test_weak_password_is_refused_on_create(org):
    response = login(org.admin).post(reverse("users:user_add"), {
        "username": "newbie", "password1": "12345678", "password2": "12345678",
        "unit": org.post1.pk, "role": "viewer"})
    assert response.status_code == 400
    assert not type(org.admin).objects.filter(username="newbie").exists()


# --- language and formats -------------------------------------------------------------------------

def test_vietnamese_is_default_even_for_english_browsers(org):
    client = login(org.viewer)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get("/")
    assert '<html lang="en">' in response.content.decode()


def test_dates_and_numbers_in_vietnamese_format():
    import datetime

    from django.utils.formats import date_format, number_format

    with translation.override("vi"):
        assert date_format(datetime.date(2026, 1, 1), "SHORT_DATE_FORMAT") == "01/01/2026"
        assert number_format(1234.5, decimal_pos=1, force_grouping=True) == "1.234,5"


# --- export ---------------------------------------------------------------------------------------

def test_export_keeps_filters_and_vietnamese_text(org):
    UnitFactory(code="XYZ", name="Trạm Biên phòng Cửa khẩu Đông Hưng", parent=org.post2)
    response = login(org.head).get(reverse("org:unit_list"), {"q": "cua khau", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    flat = [str(cell) for row in rows for cell in row]
    assert "Trạm Biên phòng Cửa khẩu Đông Hưng" in flat
    assert "Đồn Biên phòng Bắc Phong" not in flat  # filtered out by the search
