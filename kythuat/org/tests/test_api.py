"""The REST API follows the same rules as the pages: scope, roles, validation, locking, audit."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from kythuat.core.models import ApiToken, AuditEntry
from kythuat.core.roles import Role
from kythuat.org.models import Membership, Person, Unit

pytestmark = pytest.mark.django_db


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_anonymous_gets_401_with_token_challenge(org):
    response = APIClient().get("/api/org/units/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_auth_create_use_revoke(org):
    client = api(org.officer1)
    response = client.post("/api/core/tokens/", {"name": "Đồng bộ Excel"}, format="json")
    assert response.status_code == 201
    key = response.json()["key"]
    token_id = response.json()["id"]
    assert len(key) > 30
    assert client.get(f"/api/core/tokens/{token_id}/").json()["key"] is None  # shown once
    stored = ApiToken.objects.get(pk=token_id)
    assert key not in (stored.key_hash, stored.prefix) and stored.prefix == key[:8]

    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    names = {row["name"] for row in caller.get("/api/org/units/").json()["results"]}
    assert names == {"Đồn Biên phòng Bắc Phong", "Đội Vũ trang"}
    assert ApiToken.objects.get(pk=token_id).last_used_at is not None

    assert api(org.officer2).delete(f"/api/core/tokens/{token_id}/").status_code == 404  # not theirs
    assert client.delete(f"/api/core/tokens/{token_id}/").status_code == 204
    assert caller.get("/api/org/units/").status_code == 401


def test_token_of_deactivated_user_is_refused(org):
    _token, key = ApiToken.issue(user=org.officer1, name="x")
    org.officer1.is_active = False
    org.officer1.save()
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert caller.get("/api/org/units/").status_code == 401


def test_officer_gets_404_on_other_posts_rows_and_never_lists_them(org):
    client = api(org.officer1)
    assert client.get(f"/api/org/units/{org.post2.pk}/").status_code == 404
    assert client.get(f"/api/org/people/{org.person2.pk}/").status_code == 404
    rows = client.get("/api/org/people/", {"q": "le thi hang"}).json()
    assert rows["count"] == 0
    rows = client.get("/api/org/units/", {"q": "dong bien phong"}).json()["results"]
    assert [row["code"] for row in rows] == ["DBP1"]


def test_filters_and_ordering_match_the_pages(org):
    rows = api(org.head).get("/api/org/units/", {"kind": "team", "ordering": "-code"}).json()["results"]
    assert [row["code"] for row in rows] == ["DBP2-VT", "DBP1-VT"]
    rows = api(org.head).get("/api/org/people/", {"unit": org.post1.pk}).json()["results"]
    assert [row["full_name"] for row in rows] == ["Trần Quốc Tuấn"]


def test_viewer_cannot_write(org):
    client = api(org.viewer)
    assert client.post("/api/org/units/", {"code": "N", "name": "N", "parent": org.root.pk}).status_code == 403
    response = client.patch(f"/api/org/people/{org.person1.pk}/", {"position": "x", "version": 1}, format="json")
    assert response.status_code == 403
    assert Person.objects.get(pk=org.person1.pk).position == "Trợ lý kỹ thuật"


def test_stale_version_is_409_and_missing_version_is_400(org):
    client = api(org.officer1)
    url = f"/api/org/people/{org.person1.pk}/"
    response = client.patch(url, {"position": "Thợ sửa chữa vũ khí"}, format="json")
    assert response.status_code == 400 and "version" in response.json()
    assert client.patch(url, {"position": "Thợ sửa chữa vũ khí", "version": 1}, format="json").status_code == 200
    response = client.patch(url, {"position": "Lái xe", "version": 1}, format="json")
    assert response.status_code == 409 and "version" in response.json()
    assert Person.objects.get(pk=org.person1.pk).position == "Thợ sửa chữa vũ khí"


def test_bad_input_is_400_naming_the_field(org):
    client = api(org.head)
    response = client.post("/api/org/units/", {"code": "X", "name": "X", "kind": "castle", "parent": org.root.pk},
                           format="json")
    assert response.status_code == 400 and "kind" in response.json()
    response = client.post("/api/org/units/", {"code": "X", "name": "X", "parent": org.root.pk,
                                                "valid_from": "2025-07-01", "valid_to": "2025-01-01"}, format="json")
    assert response.status_code == 400
    response = client.post("/api/org/units/", {"code": "DBP1", "name": "Trùng mã", "parent": org.root.pk},
                           format="json")
    assert response.status_code == 400 and "code" in response.json()
    response = client.post("/api/org/people/", {"full_name": "A", "category": "defence_worker", "rank": "dai_uy",
                                                 "unit": org.team1.pk}, format="json")
    assert response.status_code == 400
    response = client.post("/api/org/people/", {"full_name": "A", "category": "officer", "unit": 999999},
                           format="json")
    assert response.status_code == 400 and "unit" in response.json()
    response = client.post("/api/org/people/", "not json", content_type="application/json")
    assert response.status_code == 400


def test_parent_outside_scope_looks_like_a_missing_row(org):
    client = api(org.officer1)
    response = client.post("/api/org/people/", {"full_name": "A", "category": "officer", "unit": org.team2.pk},
                           format="json")
    missing = client.post("/api/org/people/", {"full_name": "A", "category": "officer", "unit": 987654},
                          format="json")
    assert response.status_code == missing.status_code == 400
    assert response.json()["unit"][0].replace(str(org.team2.pk), "N") == missing.json()["unit"][0].replace(
        "987654", "N")


def test_unit_cannot_be_moved_under_itself(org):
    response = api(org.head).patch(f"/api/org/units/{org.post1.pk}/", {"parent": org.team1.pk, "version": 1},
                                   format="json")
    assert response.status_code == 400 and "parent" in response.json()
    assert Unit.objects.get(pk=org.post1.pk).parent == org.root


def test_delete_unit_with_children_is_409(org):
    response = api(org.head).delete(f"/api/org/units/{org.post1.pk}/")
    assert response.status_code == 409
    assert "Đội Vũ trang" in response.json()["detail"]


def test_api_write_is_audited_with_user_and_request_id(org):
    _token, key = ApiToken.issue(user=org.officer1, name="x")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_X_REQUEST_ID="req-0123456789")
    response = client.post("/api/org/people/", {"full_name": "Vũ Đình Khoa", "category": "enlisted",
                                                 "rank": "binh_nhat", "unit": org.team1.pk}, format="json")
    assert response.status_code == 201
    assert response["X-Request-ID"] == "req0123456789"
    entry = AuditEntry.objects.get(object_id=str(response.json()["id"]), content_type__model="person")
    assert entry.username == "don1" and entry.source == "api" and entry.request_id == "req0123456789"


def test_audit_log_is_read_only_in_api(org):
    client = api(org.admin)
    entry_id = client.get("/api/core/audit/").json()["results"][0]["id"]
    assert client.post("/api/core/audit/", {}).status_code == 405
    assert client.put(f"/api/core/audit/{entry_id}/", {}).status_code == 405
    assert client.delete(f"/api/core/audit/{entry_id}/").status_code == 405
    assert AuditEntry.objects.filter(pk=entry_id).exists()


def test_membership_api_grants_roles_within_scope(org):
    client = api(org.admin)
    response = client.post("/api/org/memberships/", {"user": "don1", "unit": org.post2.pk, "role": Role.VIEWER},
                           format="json")
    assert response.status_code == 201
    assert Membership.objects.filter(user=org.officer1, unit=org.post2).exists()
    assert api(org.head).get("/api/org/memberships/").json()["count"] == 0  # heads do not manage users


def test_openapi_schema_and_docs_are_served_locally(org):
    client = Client()
    client.force_login(org.viewer)
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200 and schema["Content-Type"].startswith("application/")
    paths = schema.json()["paths"]
    assert "/api/org/units/" in paths and "/api/org/people/{id}/" in paths
    docs = client.get("/api/docs/").content.decode()
    assert "swagger" in docs.lower() and "http://" not in docs and "https://" not in docs
    root = client.get("/api/").json()
    assert set(root["org"]) == {"unit", "person", "membership"}
