import datetime

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from kythuat.core.export import xlsx_response
from kythuat.core.forms import PeriodForm
from kythuat.core.views import ObjectListView
from kythuat.equipment.choices import Condition, Grade, UsageState
from kythuat.maintenance import figures as maintenance_figures
from kythuat.org.models import Unit
from kythuat.org.selectors import top_units

from . import filtersets, tables
from .charts import coefficient_chart
from .exports import readiness_xlsx
from .models import CoefficientRule
from .selectors import readiness, trend


class ReadinessForm(PeriodForm):
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    on = forms.DateField(label=gettext_lazy("As of 0h on"), required=False, widget=forms.DateInput,
                         help_text=gettext_lazy("Empty: the register as it stands now."))

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class ReadinessView(View):
    """The readiness dashboard of a unit subtree (the province by default): hệ số kỹ thuật and counts by
    branch, type, grade, condition, usage state and child unit, now or as of a past date, with the
    coefficient at 0h on 1 January of past years."""

    def get(self, request):
        user = request.user
        tops = top_units(user)
        form = ReadinessForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            on, unit_id = None, None
            status = 400
        else:
            data = form.cleaned_data if form.is_bound else {}
            on, unit_id, status = data.get("on"), data.get("unit"), 200
        if unit_id:
            unit = Unit.objects.visible_to(user).filter(pk=unit_id).first()
            if unit is None:
                raise Http404
        elif tops:
            unit = tops[0]
        else:
            return render(request, "readiness/readiness.html", {"report": None})
        report = readiness(user, unit, on=on)
        points = trend(user, unit, now=report.total if on is None else None)
        conditions = Condition.choices
        usages = [u for u in UsageState.choices if u[0] != UsageState.STRUCK_OFF]
        if request.GET.get("export") == "xlsx":
            content = readiness_xlsx(report, points, conditions=conditions, usages=usages)
            return xlsx_response(content, name=f"{_('Technical coefficient')} {unit.code}")
        start, end = form.period() if form.is_bound else PeriodForm({}).period()
        # The register's counts (condition, in repair) are the roll-up's own, at 0h on ``on`` or now.
        upkeep = maintenance_figures.figures(user, unit=unit, start=start, end=end, register=False)
        visible_ids = set(Unit.objects.visible_to(user).filter(pk__in=[a.pk for a in unit.ancestors()])
                          .values_list("id", flat=True))
        context = {
            "form": form,
            "report": report,
            "points": points,
            "chart": coefficient_chart(points, label=_("Technical coefficient at 0h on 1 January"),
                                       now_label=_("Now")),
            "grades": Grade.choices,
            "conditions": conditions,
            "usages": usages,
            "ancestors": [a for a in unit.ancestors() if a.pk in visible_ids],
            "tops": tops,
            "new_year": datetime.date(timezone.localdate().year, 1, 1),
            "upkeep": upkeep,
            "child_rows": [(child, f, upkeep.child(child.pk)) for child, f in report.children],
        }
        return render(request, "readiness/readiness.html", context, status=status)


class CoefficientRuleListView(ObjectListView):
    model = CoefficientRule
    queryset = CoefficientRule.objects.select_related("branch")
    table = tables.CoefficientRuleTable
    filterset = filtersets.CoefficientRuleFilterSet
