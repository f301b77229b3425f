"""Grade change records: the only way a grade changes; drafted by officers, approved by commanders."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kythuat.core.models import AuditEntry
from kythuat.core.testing.factories import ItemFactory
from kythuat.equipment import services
from kythuat.equipment.models import GradeChange, Item

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def _draft(org, items, grade=3, user=None):
    return services.draft_grade_change(user=user or org.officer1, unit=org.post1, number="01/BB-CCCL",
                                       date=datetime.date(2026, 11, 20), reason="Kiểm tra kỹ thuật cuối năm",
                                       lines=[(item.pk, grade) for item in items])


def test_grade_change_needs_commander_approval(org):
    items = [ItemFactory(unit=org.team1, grade=2) for _ in range(3)]
    record = _draft(org, items)
    assert {i.grade for i in Item.objects.filter(pk__in=[i.pk for i in items])} == {2}  # nothing yet
    with pytest.raises(PermissionDenied):
        services.approve_grade_change(grade_change=record, user=org.officer1)
    services.approve_grade_change(grade_change=record, user=org.commander1)
    record.refresh_from_db()
    assert record.status == "approved" and record.approved_by == org.commander1 and record.approved_at
    assert {i.grade for i in Item.objects.filter(pk__in=[i.pk for i in items])} == {3}
    changes = AuditEntry.objects.filter(content_type__model="item", object_id=str(items[0].pk), action="update")
    assert changes.get().changes["grade"] == [2, 3] and changes.get().username == "chihuy1"


def test_draft_refuses_bad_lines_and_writes_nothing(org):
    own = ItemFactory(unit=org.team1, grade=2)
    other = ItemFactory(unit=org.team2, grade=2)
    struck = ItemFactory(unit=org.team1, grade=5, usage_state="struck_off")
    for lines in ([(other.pk, 3)], [(own.pk, 2)], [(own.pk, 6)], [(struck.pk, 4)], [(own.pk, 3), (own.pk, 4)], []):
        with pytest.raises(ValidationError):
            services.draft_grade_change(user=org.officer1, unit=org.post1, number="X", date=datetime.date.today(),
                                        reason="r", lines=lines)
    assert not GradeChange.objects.exists()
    with pytest.raises(PermissionDenied):
        _draft(org, [own], user=org.viewer)


def test_approval_refused_when_an_item_was_graded_meanwhile(org):
    item = ItemFactory(unit=org.team1, grade=2)
    first = _draft(org, [item], grade=3)
    second = services.draft_grade_change(user=org.officer1, unit=org.post1, number="02/BB", date=datetime.date.today(),
                                         reason="r", lines=[(item.pk, 4)])
    services.approve_grade_change(grade_change=second, user=org.commander1)
    with pytest.raises(ValidationError):
        services.approve_grade_change(grade_change=first, user=org.commander1)
    item.refresh_from_db()
    assert item.grade == 4
    first.refresh_from_db()
    assert first.status == "draft"


def test_bulk_grade_change_from_the_register_pages(org):
    items = [ItemFactory(unit=org.team1, grade=2) for _ in range(4)]
    officer = login(org.officer1)
    response = officer.get(reverse("equipment:gradechange_add"), {"items": [i.pk for i in items], "grade": 3})
    assert response.status_code == 200 and len(response.context["lines"]) == 4
    data = {"unit": org.post1.pk, "number": "05/BB-CCCL", "date": "20/11/2026", "reason": "Đánh giá hằng năm",
            "items": [i.pk for i in items], **{f"grade_{i.pk}": 3 for i in items}}
    data[f"grade_{items[0].pk}"] = 4
    response = officer.post(reverse("equipment:gradechange_add"), data)
    assert response.status_code == 302
    record = GradeChange.objects.get(number="05/BB-CCCL")
    assert sorted(record.lines.values_list("grade_after", flat=True)) == [3, 3, 3, 4]
    page = officer.get(record.get_absolute_url())
    assert not page.context["can_approve"] and page.context["can_cancel"]
    assert officer.post(reverse("equipment:gradechange_approve", args=[record.pk])).status_code == 403
    commander = login(org.commander1)
    response = commander.post(reverse("equipment:gradechange_approve", args=[record.pk]), {"version": record.version})
    assert response.status_code == 302
    assert sorted(Item.objects.filter(pk__in=[i.pk for i in items]).values_list("grade", flat=True)) == [3, 3, 3, 4]
    item_page = officer.get(items[0].get_absolute_url())
    assert [line.grade_after for line in item_page.context["grade_history"]] == [4]
    # An approved record is history: no edit, no delete.
    assert officer.get(reverse("equipment:gradechange_edit", args=[record.pk])).status_code == 403
    assert officer.post(reverse("equipment:gradechange_delete", args=[record.pk])).status_code == 403


def test_grade_change_api_draft_approve(org):
    item = ItemFactory(unit=org.team1, grade=2)
    officer = APIClient()
    officer.force_authenticate(org.officer1)
    response = officer.post("/api/equipment/grade-changes/", {
        "unit": org.post1.pk, "number": "07/BB", "date": "2026-11-21", "reason": "Sau sửa chữa",
        "lines": [{"item": item.pk, "grade_after": 1}]}, format="json")
    assert response.status_code == 201, response.json()
    record_id = response.json()["id"]
    assert response.json()["lines"] == [{"item": item.pk, "grade_before": 2, "grade_after": 1}]
    bad = officer.post("/api/equipment/grade-changes/", {
        "unit": org.post1.pk, "number": "08/BB", "reason": "x", "lines": [{"item": item.pk, "grade_after": 9}]},
        format="json")
    assert bad.status_code == 400 and "lines" in bad.json()
    assert officer.post(f"/api/equipment/grade-changes/{record_id}/approve/").status_code == 403
    commander = APIClient()
    commander.force_authenticate(org.commander1)
    response = commander.post(f"/api/equipment/grade-changes/{record_id}/approve/", {"version": 1}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    item.refresh_from_db()
    assert item.grade == 1
    response = commander.post(f"/api/equipment/grade-changes/{record_id}/approve/", format="json")
    assert response.status_code == 400
    assert officer.delete(f"/api/equipment/grade-changes/{record_id}/").status_code == 403


def test_ids_over_a_thousand_survive_the_vietnamese_number_format(org):
    """In Vietnamese 1234 prints as 1.234; ids in forms and links must not."""
    item = ItemFactory(id=12345, unit=org.team1, grade=2)
    page = login(org.officer1).get(reverse("equipment:gradechange_add"), {"items": [item.pk]}).content.decode()
    assert 'value="12345"' in page and 'name="grade_12345"' in page and "12.345" not in page
