"""Base FilterSet shared by the pages and the API: search ``q`` and unit-subtree filters."""

import django_filters
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .scoping import UNIT_MODEL


class BaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")

    def filter_search(self, queryset, name, value):
        rows, self.search_relaxed = queryset.search_with_fallback(value)
        return rows


def unit_choices(request):
    """Units the requesting user may see, for filter drop-downs."""
    Unit = apps.get_model(UNIT_MODEL)
    user = getattr(request, "user", None)
    return Unit.objects.visible_to(user).only("id", "name", "path", "depth")


class SubtreeFilter(django_filters.ModelChoiceFilter):
    """Rows of a unit and everything under it (one prefix query on the path)."""

    def __init__(self, *args, unit_lookup="unit", **kwargs):
        self.unit_lookup = unit_lookup
        kwargs.setdefault("queryset", unit_choices)
        kwargs.setdefault("label", _("Unit (with sub-units)"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        prefix = f"{self.unit_lookup}__" if self.unit_lookup not in ("", "id", "pk") else ""
        return qs.filter(**{f"{prefix}path__startswith": value.path})
