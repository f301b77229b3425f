"""The API's JSON is DRF's: ``DomainModelSerializer`` works out once how to read each field (bench/
api_load.py), and every list endpoint still answers exactly what DRF's own loop over its fields gives."""

import datetime
import decimal
import json

import pytest
from django.urls import NoReverseMatch, reverse
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from kythuat.core.api.serializers import DomainModelSerializer
from kythuat.core.testing.factories import EquipmentTypeFactory, ItemFactory
from kythuat.core.testing.routes import all_routes, make_in_unit
from kythuat.equipment.api.serializers import ItemSerializer
from kythuat.equipment.models import EquipmentType, Item, KitComponent

pytestmark = pytest.mark.django_db


def _plain_url(self, obj):
    meta = obj._meta
    try:
        path = reverse(f"{meta.app_label}-api:{meta.model_name}-detail", args=[obj.pk])
    except NoReverseMatch:
        return None
    return self.context["request"].build_absolute_uri(path)


def _stock(serializer_class, instance, request) -> dict:
    """What the serializer gives with DRF's own ``Serializer.to_representation`` and the address made
    the plain way (a subclass's own additions kept)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DomainModelSerializer, "to_representation", serializers.Serializer.to_representation)
        patch.setattr(DomainModelSerializer, "get_url", _plain_url)
        data = serializer_class(instance, context={"request": request}).data
    return json.loads(JSONRenderer().render(data))


def _list_routes():
    return [route for route in all_routes() if route.is_api and route.name.endswith("-list")
            and issubclass(getattr(route.view_class, "serializer_class", object), DomainModelSerializer)]


def test_every_list_endpoint_gives_what_drf_gives(org):
    request = Request(APIRequestFactory().get("/"))
    api = APIClient()
    api.force_authenticate(org.admin)
    routes = _list_routes()
    assert {"equipment-api:item-list", "equipment-api:equipmenttype-list", "org-api:membership-list"} <= {
        route.name for route in routes}
    for route in routes:
        viewset = route.view_class
        model = viewset.queryset.model
        made = [make_in_unit(model, org.team1) for _ in range(2)]
        if model is EquipmentType:  # a type with its kit (a nested serializer)
            KitComponent.objects.create(type=made[0], name="Hộp tiếp đạn", quantity=3)
        rows = {row["id"]: row for row in api.get(route.url(), {"page_size": 1000}).json()["results"]}
        for instance in made:
            expected = _stock(viewset.serializer_class, viewset.queryset.get(pk=instance.pk), request)
            assert rows[instance.pk] == expected, route.name
            assert list(rows[instance.pk]) == list(expected), route.name  # the same order of keys


def test_register_rows_of_every_kind_read_the_same(org):
    kind = EquipmentTypeFactory(has_km=True)
    items = [
        ItemFactory(type=kind, unit=org.team1, serial="", quantity=40, grade=3, condition="limited"),
        ItemFactory(type=kind, unit=org.team1, km=decimal.Decimal("12345.6"), engine_hours=decimal.Decimal("0.0"),
                    original_price=decimal.Decimal("125000000"), year_made=2001, year_in_service=2003,
                    notes="Ghi chú có dấu: Đồn", missing_parts="Lưỡi lê", completeness="missing"),
        ItemFactory(type=kind, unit=org.post1, usage_state="stored", location_class="store",
                    registered_on=datetime.date(2019, 12, 31)),
    ]
    api = APIClient()
    api.force_authenticate(org.head)
    response = api.get("/api/equipment/items/", {"unit": org.post1.pk, "page_size": 2})
    assert response.status_code == 200
    request = Request(APIRequestFactory().get("/"))
    body = response.json()
    assert body["count"] == 3 and len(body["results"]) == 2
    page2 = api.get(body["next"]).json()["results"]
    rows = {row["id"]: row for row in body["results"] + page2}
    for item in items:
        expected = _stock(ItemSerializer, Item.objects.select_related("type").get(pk=item.pk), request)
        assert rows[item.pk] == expected
    assert rows[items[1].pk]["km"] == "12345.6" and rows[items[1].pk]["original_price"] == "125000000"
    assert rows[items[0].pk]["url"] == f"http://testserver/api/equipment/items/{items[0].pk}/"


def test_a_page_of_items_builds_no_drf_fields(org):
    items = [ItemFactory(unit=org.team1) for _ in range(3)]
    request = Request(APIRequestFactory().get("/"))
    page = ItemSerializer(Item.objects.filter(pk__in=[i.pk for i in items]), many=True, context={"request": request})
    assert len(page.data) == 3
    assert "fields" not in page.child.__dict__  # read through the class's shared plan
    # A serializer that shows a related row by name (a slug) reads it DRF's way, with its own fields.
    from kythuat.org.api.serializers import MembershipSerializer
    from kythuat.org.models import Membership

    memberships = MembershipSerializer(Membership.objects.all(), many=True, context={"request": request})
    assert {row["user"] for row in memberships.data} >= {"chunhiem", "admin"}
    assert "fields" in memberships.child.__dict__
