import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kythuat.core.filtersets import BaseFilterSet, SubtreeFilter
from kythuat.org.models import Unit

from .choices import (
    Completeness,
    Condition,
    DocumentStatus,
    Grade,
    LocationClass,
    StrikeOffStatus,
    TrackedBy,
    TransferStatus,
    UsageState,
)
from .models import Branch, EquipmentType, GradeChange, GradeDefinition, Item, StrikeOff, Transfer


class BranchFilterSet(BaseFilterSet):
    class Meta:
        model = Branch
        fields = ["q"]


class GradeDefinitionFilterSet(BaseFilterSet):
    branch = django_filters.ModelChoiceFilter(queryset=Branch.objects.all(), label=_("Branch"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"))

    class Meta:
        model = GradeDefinition
        fields = ["q", "branch", "grade"]


class EquipmentTypeFilterSet(BaseFilterSet):
    branch = django_filters.ModelMultipleChoiceFilter(queryset=Branch.objects.all(), label=_("Branch"))
    tracked_by = django_filters.ChoiceFilter(choices=TrackedBy.choices, label=_("Tracked"))
    group = django_filters.CharFilter(lookup_expr="icontains", label=_("Group"))

    class Meta:
        model = EquipmentType
        fields = ["q", "branch", "group", "tracked_by"]


class ItemFilterSet(BaseFilterSet):
    unit = SubtreeFilter()
    branch = django_filters.ModelMultipleChoiceFilter(field_name="type__branch", queryset=Branch.objects.all(),
                                                      label=_("Branch"))
    type = django_filters.ModelChoiceFilter(queryset=EquipmentType.objects.all(), label=_("Equipment type"))
    grade = django_filters.MultipleChoiceFilter(choices=Grade.choices, label=_("Quality grade"))
    condition = django_filters.MultipleChoiceFilter(choices=Condition.choices, label=_("Technical condition"))
    usage_state = django_filters.MultipleChoiceFilter(choices=UsageState.choices, label=_("Usage state"))
    location_class = django_filters.MultipleChoiceFilter(choices=LocationClass.choices, label=_("Location"))
    completeness = django_filters.ChoiceFilter(choices=Completeness.choices, label=_("Completeness"))
    expired = django_filters.BooleanFilter(method="filter_expired", label=_("Service life ended"))

    class Meta:
        model = Item
        fields = ["q", "unit", "branch", "type", "grade", "condition", "usage_state", "location_class",
                  "completeness", "expired"]

    def filter_expired(self, queryset, name, value):
        if value is None:
            return queryset
        expired = queryset.service_life_expired(timezone.localdate().year)
        return expired if value else queryset.exclude(pk__in=expired.values("pk"))

    @property
    def qs(self):
        rows = super().qs
        # Struck-off items leave the register unless asked for (they stay in history and reports).
        asked = self.data.getlist("usage_state") if hasattr(self.data, "getlist") else self.data.get("usage_state")
        return rows if asked else rows.active()


class GradeChangeFilterSet(BaseFilterSet):
    unit = SubtreeFilter()
    status = django_filters.MultipleChoiceFilter(choices=DocumentStatus.choices, label=_("Status"))
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From date"))
    until = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To date"))

    class Meta:
        model = GradeChange
        fields = ["q", "unit", "status", "since", "until"]


class TransferFilterSet(BaseFilterSet):
    unit = SubtreeFilter(unit_lookup="from_unit", label=_("From unit (with sub-units)"))
    to_unit = django_filters.ModelChoiceFilter(queryset=lambda request: Unit.objects.all(), label=_("To unit"))
    status = django_filters.MultipleChoiceFilter(choices=TransferStatus.choices, label=_("Status"))
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From date"))
    until = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To date"))

    class Meta:
        model = Transfer
        fields = ["q", "unit", "to_unit", "status", "since", "until"]


class StrikeOffFilterSet(BaseFilterSet):
    unit = SubtreeFilter()
    year = django_filters.NumberFilter(label=_("Plan year"))
    status = django_filters.MultipleChoiceFilter(choices=StrikeOffStatus.choices, label=_("Status"))

    class Meta:
        model = StrikeOff
        fields = ["q", "unit", "year", "status"]
