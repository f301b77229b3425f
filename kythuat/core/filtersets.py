"""Base FilterSet shared by the pages and the API: search ``q`` and unit-subtree filters."""

import django_filters
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .forms import quick_selects
from .models import AuditAction, AuditEntry
from .scoping import UNIT_MODEL


def crosses_to_many(model, path: str) -> bool:
    """Whether the lookup ``path`` from ``model`` passes through a to-many relation (then a filter on
    it can repeat rows); an unknown path counts as crossing."""
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return True
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


class BaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # django-filter makes multiple-choice filters SELECT DISTINCT in case of a to-many join; over
        # to-one joins no row can repeat, and DISTINCT over every column costs a sort of the whole list.
        for flt in self.filters.values():
            if flt.distinct and not flt.method and not crosses_to_many(self._meta.model, flt.field_name):
                flt.distinct = False

    @property
    def form(self):
        if not hasattr(self, "_form"):
            quick_selects(super().form)  # the unit drop-down of a province has a thousand options
        return super().form

    def filter_search(self, queryset, name, value):
        rows, self.search_relaxed = queryset.search_with_fallback(value)
        return rows


def unit_choices(request):
    """Units the requesting user may see, for filter drop-downs."""
    Unit = apps.get_model(UNIT_MODEL)
    user = getattr(request, "user", None)
    return Unit.objects.visible_to(user).only("id", "name", "path", "depth")


@extend_schema_field(OpenApiTypes.INT)
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
        if self.unit_lookup in ("", "id", "pk"):  # a list of units itself
            return qs.filter(path__startswith=value.path)
        # A subquery on the units rather than a join: the planner then reads the rows of those units
        # through the index on the unit column (SQLite cannot use an index for the LIKE of a join).
        units = apps.get_model(UNIT_MODEL).objects.filter(path__startswith=value.path).values("pk")
        return qs.filter(**{f"{self.unit_lookup}__in": units})


def _audited_types(request):
    from django.contrib.contenttypes.models import ContentType

    from .models import AuditedModel

    audited = [m for m in apps.get_models() if issubclass(m, AuditedModel)]
    ids = [ContentType.objects.get_for_model(m).pk for m in audited]
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


class ContentTypeChoice(django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_class = _ContentTypeField


class _ContentTypeField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        model = obj.model_class()
        return str(model._meta.verbose_name).capitalize() if model else obj.model


class AuditFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    content_type = ContentTypeChoice(queryset=_audited_types, label=_("Kind of record"))
    username = django_filters.CharFilter(label=_("User name"))
    since = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label=_("From date"))
    until = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte", label=_("To date"))
    request_id = django_filters.CharFilter(label=_("Request"), lookup_expr="startswith")

    class Meta:
        model = AuditEntry
        fields = ["q", "action", "content_type", "username", "since", "until", "request_id"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
