import django_filters
from django.utils.translation import gettext_lazy as _

from kythuat.core.filtersets import BaseFilterSet, SubtreeFilter, unit_choices

from .models import Person, PersonCategory, Rank, Unit, UnitKind


class UnitFilterSet(BaseFilterSet):
    within = SubtreeFilter(unit_lookup="", label=_("Within unit"))
    kind = django_filters.MultipleChoiceFilter(choices=UnitKind.choices, label=_("Kind"))
    parent = django_filters.ModelChoiceFilter(queryset=unit_choices, label=_("Parent unit"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("Still existing"))

    class Meta:
        model = Unit
        fields = ["q", "within", "kind", "parent", "active"]

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        active = queryset.active_on()
        return active if value else queryset.exclude(pk__in=active.values("pk"))


class PersonFilterSet(BaseFilterSet):
    unit = SubtreeFilter()
    category = django_filters.MultipleChoiceFilter(choices=PersonCategory.choices, label=_("Category"))
    rank = django_filters.MultipleChoiceFilter(choices=Rank.choices, label=_("Rank"))

    class Meta:
        model = Person
        fields = ["q", "unit", "category", "rank"]
