import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kythuat.core.filtersets import BaseFilterSet, SubtreeFilter
from kythuat.core.text import search_terms
from kythuat.equipment.models import Branch, EquipmentType

from .choices import FaultStatus, Level, Place, Severity, WorkKind, WorkStatus
from .models import Fault, MaintenanceRule, Schedule, TechnicalDay, UsageLog, WorkOrder

BUCKETS = [("overdue", _("Overdue")), ("week", _("Due within 7 days")), ("month", _("Due in 8–30 days")),
           ("meter", _("Due by meter")), ("all", _("Everything followed"))]


class MaintenanceRuleFilterSet(BaseFilterSet):
    branch = django_filters.ModelChoiceFilter(queryset=Branch.objects.all(), label=_("Branch"),
                                              method="filter_branch")
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"))
    active = django_filters.BooleanFilter(label=_("In force"))

    class Meta:
        model = MaintenanceRule
        fields = ["q", "branch", "level", "active"]

    def filter_branch(self, queryset, name, value):
        return queryset.filter(Q(branch=value) | Q(type__branch=value)) if value else queryset


class ScheduleFilterSet(BaseFilterSet):
    """The due list: what is due by a date or by a meter, in a unit subtree, by branch, type and level."""

    bucket = django_filters.ChoiceFilter(choices=BUCKETS, label=_("Due"), method="filter_bucket",
                                         empty_label=_("Within 30 days or by meter"))
    unit = SubtreeFilter(unit_lookup="unit")
    branch = django_filters.ModelChoiceFilter(field_name="item__type__branch", queryset=Branch.objects.all(),
                                              label=_("Branch"))
    type = django_filters.ModelChoiceFilter(field_name="item__type", queryset=EquipmentType.objects.all(),
                                            label=_("Equipment type"))
    level = django_filters.MultipleChoiceFilter(field_name="rule__level", choices=Level.choices, label=_("Level"))
    due_from = django_filters.DateFilter(field_name="next_due_on", lookup_expr="gte", label=_("Due from"))
    due_until = django_filters.DateFilter(field_name="next_due_on", lookup_expr="lte", label=_("Due until"))

    class Meta:
        model = Schedule
        fields = ["q", "bucket", "unit", "branch", "type", "level", "due_from", "due_until"]

    def filter_search(self, queryset, name, value):
        for term in search_terms(value):
            queryset = queryset.filter(item__search_text__contains=term)
        return queryset

    def filter_bucket(self, queryset, name, value):
        return queryset  # applied in ``qs``, after the counts by bucket are taken (``unbucketed``)

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            rows = super().qs.filter(active=True)  # a struck-off item has no schedule in force
            self.unbucketed = rows
            today = timezone.localdate()
            bucket = self.form.cleaned_data.get("bucket") if self.is_bound and self.is_valid() else ""
            explicit = self.is_bound and self.is_valid() and (self.form.cleaned_data.get("due_from")
                                                              or self.form.cleaned_data.get("due_until"))
            # Which of ``selectors.due_counts`` counts this list (the page's count), None if none does.
            self.count_key = {"overdue": "overdue", "week": "due_week", "month": "due_month",
                              "meter": "meter_due"}.get(bucket) if not explicit else None
            if bucket == "overdue":
                rows = rows.filter(next_due_on__lt=today)
            elif bucket == "week":  # the same buckets as the counts above the list (selectors.due_counts)
                rows = rows.filter(next_due_on__gte=today, next_due_on__lte=today + datetime.timedelta(days=7))
            elif bucket == "month":
                rows = rows.filter(next_due_on__gt=today + datetime.timedelta(days=7),
                                   next_due_on__lte=today + datetime.timedelta(days=30))
            elif bucket == "meter":
                rows = rows.filter(meter_due=True)
            elif bucket != "all" and not explicit:
                rows = rows.due_by(today + datetime.timedelta(days=30))
                self.count_key = "due"
            self._qs = rows
        return self._qs


class WorkOrderFilterSet(BaseFilterSet):
    unit = SubtreeFilter()
    kind = django_filters.MultipleChoiceFilter(choices=WorkKind.choices, label=_("Kind of work"))
    status = django_filters.MultipleChoiceFilter(choices=WorkStatus.choices, label=_("Status"))
    place = django_filters.ChoiceFilter(choices=Place.choices, label=_("Done by"))
    since = django_filters.DateFilter(field_name="planned_start", lookup_expr="gte", label=_("From date"))
    until = django_filters.DateFilter(field_name="planned_start", lookup_expr="lte", label=_("To date"))

    class Meta:
        model = WorkOrder
        fields = ["q", "unit", "kind", "status", "place", "since", "until"]


class TechnicalDayFilterSet(BaseFilterSet):
    unit = SubtreeFilter()
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From date"))
    until = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To date"))

    class Meta:
        model = TechnicalDay
        fields = ["q", "unit", "since", "until"]


class UsageLogFilterSet(BaseFilterSet):
    unit = SubtreeFilter()
    item = django_filters.NumberFilter(label=_("Item (id)"))
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From date"))
    until = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To date"))

    class Meta:
        model = UsageLog
        fields = ["q", "unit", "item", "since", "until"]


class FaultFilterSet(BaseFilterSet):
    unit = SubtreeFilter()
    status = django_filters.MultipleChoiceFilter(choices=FaultStatus.choices, label=_("Status"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    item = django_filters.NumberFilter(label=_("Item (id)"))
    since = django_filters.DateFilter(field_name="reported_on", lookup_expr="gte", label=_("From date"))
    until = django_filters.DateFilter(field_name="reported_on", lookup_expr="lte", label=_("To date"))

    class Meta:
        model = Fault
        fields = ["q", "unit", "status", "severity", "item", "since", "until"]
