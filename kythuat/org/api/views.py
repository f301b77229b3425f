import django_filters

from kythuat.core.api.viewsets import ScopedModelViewSet
from kythuat.core.filtersets import SubtreeFilter
from kythuat.core.roles import Role
from kythuat.org import filtersets
from kythuat.org.models import Membership, Person, Unit

from .serializers import MembershipSerializer, PersonSerializer, UnitSerializer


class UnitViewSet(ScopedModelViewSet):
    queryset = Unit.objects.all()
    serializer_class = UnitSerializer
    filterset_class = filtersets.UnitFilterSet
    ordering_fields = ["code", "name", "sort_order", "path", "valid_from", "valid_to"]


class PersonViewSet(ScopedModelViewSet):
    queryset = Person.objects.select_related("unit")
    serializer_class = PersonSerializer
    filterset_class = filtersets.PersonFilterSet
    ordering_fields = ["full_name", "rank", "category", "unit__name"]


class MembershipFilterSet(django_filters.FilterSet):
    unit = SubtreeFilter()
    role = django_filters.ChoiceFilter(choices=Role.choices)
    user = django_filters.CharFilter(field_name="user__username")

    class Meta:
        model = Membership
        fields = ["unit", "role", "user"]


class MembershipViewSet(ScopedModelViewSet):
    queryset = Membership.objects.select_related("user", "unit")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    ordering_fields = ["user__username", "unit__path", "role"]
