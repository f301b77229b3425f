"""Generic security tests over EVERY route and API endpoint, for every role (DESIGN.md §3.1).

Nothing here names a model: a later app's pages and endpoints are walked the same way as soon as
its URLs are included and its model has a factory.
"""

import io

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook
from rest_framework.test import APIClient

from kythuat.core.models import AuditEntry, DomainModel
from kythuat.core.scoping import can
from kythuat.core.testing.factories import FACTORIES
from kythuat.core.testing.routes import SPECIAL_PARAMS, all_routes, make_in_unit, params_for, row_for
from kythuat.core.views import ObjectActionView, ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView

ROLES = ["admin", "head", "viewer", "officer1", "officer2", "technician1", "commander1"]
# Routes that act only on the user's own account; every role may use them.
OWN_ACCOUNT = {"api_token_revoke", "api_tokens", "password_change", "core-api:token-list", "core-api:token-detail"}

pytestmark = pytest.mark.django_db


def _view_action(route):
    cls = route.view_class
    if cls is None:
        return None
    if issubclass(cls, ObjectActionView):
        return "action"
    if issubclass(cls, ObjectDeleteView):
        return "delete"
    if issubclass(cls, ObjectEditView):
        return "change" if "pk" in route.params else "add"
    if issubclass(cls, ObjectView | ObjectListView):
        return "view"
    return None


def _clients(user):
    """A page client and an API client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    return client, api


def _is_domain(route):
    return route.model is not None and issubclass(route.model, DomainModel) and route.name not in SPECIAL_PARAMS


def test_every_route_with_parameters_is_understood(org):
    routes = all_routes()
    assert any(r.is_api for r in routes) and any(not r.is_api for r in routes)
    for route in routes:
        params_for(route, org.team1, org.admin)  # raises naming the route if it cannot be walked


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_every_route_requires_login(org, method):
    client = Client()
    for route in all_routes():
        url = route.url(**params_for(route, org.team1, org.admin))
        response = getattr(client, method)(url)
        if route.is_api:
            assert response.status_code == 401, (route.name, method, response.status_code)
        else:
            assert response.status_code == 302, (route.name, method, response.status_code)
            assert response.url.startswith("/login/"), route.name


def fresh(user):
    """The user as a new request sees it: the scope is computed once per user object."""
    user._kythuat_scope = None
    return user


def _expected_get_status(route, user, obj):
    """200 where the role may do the route's action on the row, 403 inside scope without it, else 404."""
    user = fresh(user)
    action = _view_action(route)
    if action == "action":
        return 405  # POST-only: GET is refused whatever the row, which reveals nothing
    if not can(user, "view", obj):
        return 404
    if action in (None, "view"):
        return 200
    return 200 if can(user, action, obj) else 403


@pytest.mark.parametrize("role", ROLES)
def test_object_pages_enforce_scope_and_role(org, role):
    user = org.users[role]
    client, api = _clients(user)
    checked = 0
    for route in all_routes():
        if "pk" not in route.params or not _is_domain(route):
            continue
        for unit in (org.team1, org.team2):
            obj = row_for(route, unit)
            url = route.url(pk=obj.pk)
            expected = _expected_get_status(route, user, obj)
            if route.is_api and "get" not in route.api_actions:  # an action endpoint (approve…)
                response = api.post(url, {}, format="json")
                assert response.status_code in ((404,) if expected == 404 else (200, 201, 400, 403, 409)), (
                    role, route.name, unit.code, response.status_code)
            elif route.is_api:
                response = api.get(url)
                assert response.status_code == (404 if expected == 404 else 200), (role, route.name, unit.code)
                for method in ("patch", "delete"):
                    before = type(obj).objects.filter(pk=obj.pk).values_list("version", flat=True).first()
                    visible = expected != 404
                    allowed = visible and can(fresh(user), "change" if method == "patch" else "delete", obj)
                    response = getattr(api, method)(url, {"version": obj.version}, format="json")
                    if not visible:
                        assert response.status_code == 404, (role, route.name, method)
                    elif not allowed:
                        assert response.status_code == 403, (role, route.name, method)
                    if not allowed:
                        after = type(obj).objects.filter(pk=obj.pk).values_list("version", flat=True).first()
                        assert after == before, (role, route.name, method, "changed without right")
            else:
                response = client.get(url)
                assert response.status_code == expected, (role, route.name, unit.code, response.status_code)
                if not can(fresh(user), "view", obj):
                    assert str(obj).encode() not in response.content
                    before = type(obj).objects.get(pk=obj.pk).version
                    response = client.post(url, {"version": before})
                    assert response.status_code in (404, 405), (role, route.name, "POST outside scope")
                    assert type(obj).objects.filter(pk=obj.pk, version=before).exists()
            checked += 1
    assert checked > 0


def _list_pks(route, response):
    if route.is_api:
        payload = response.json()
        return {row["id"] for row in payload["results"]}
    return {row.pk for row in response.context["table"].data.data}


@pytest.mark.parametrize("role", ROLES)
def test_lists_search_and_exports_hide_rows_outside_scope(org, role):
    user = org.users[role]
    client, api = _clients(user)
    checked = 0
    for route in all_routes():
        is_list = (route.view_class and not route.is_api and issubclass(route.view_class, ObjectListView)) or (
            route.is_api and route.api_actions.get("get") == "list"
        )
        if not is_list or route.model not in FACTORIES:
            continue
        inside = make_in_unit(route.model, org.team1)
        outside = make_in_unit(route.model, org.team2)
        fresh(user)
        sees_inside = can(user, "view", inside)
        sees_outside = can(user, "view", outside)
        get = api.get if route.is_api else client.get
        for query in ({}, {"q": str(outside)}, {"q": str(inside)}, {"page_size": 1000}):
            response = get(route.url(), query)
            if not sees_inside and not sees_outside and response.status_code == 403:
                continue
            assert response.status_code == 200, (role, route.name, query, response.status_code)
            pks = _list_pks(route, response)
            if not sees_outside:
                assert outside.pk not in pks, (role, route.name, query)
            if sees_inside and query.get("q") != str(outside):
                assert inside.pk in pks, (role, route.name, query)
        if not route.is_api and (sees_inside or sees_outside):
            response = client.get(route.url(), {"export": "xlsx"})
            assert response.status_code == 200
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
            assert sheet[2][0] == "ID"
            ids = {int(row[0]) for row in sheet[3:]}
            if not sees_outside:
                assert outside.pk not in ids, (role, route.name, "export")
            assert (inside.pk in ids) == sees_inside, (role, route.name, "export")
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("role", ROLES)
def test_every_unsafe_request_needs_csrf_token(org, role):
    user = org.users[role]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    for route in all_routes():
        url = route.url(**params_for(route, org.team1, user))
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url)
            assert response.status_code == 403, (role, route.name, method, response.status_code)
    assert not AuditEntry.objects.filter(user=user).exists()


def test_viewer_changes_nothing(org):
    """The viewer role sees everything and may change nothing: every write is refused."""
    viewer = org.viewer
    client, api = _clients(viewer)
    for route in all_routes():
        if route.name in OWN_ACCOUNT:
            continue
        params = params_for(route, org.team1, viewer)
        url = route.url(**params)
        if route.is_api:
            for method in ("post", "put", "patch", "delete"):
                response = getattr(api, method)(url, {}, format="json")
                assert response.status_code in (403, 404, 405), (route.name, method, response.status_code)
        else:
            response = client.post(url, {})
            assert response.status_code in (403, 405), (route.name, response.status_code)
    assert not AuditEntry.objects.filter(user=viewer).exists()
