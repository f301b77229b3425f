from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from kythuat.core.api.viewsets import ScopedModelViewSet
from kythuat.org.models import Unit
from kythuat.readiness.filtersets import CoefficientRuleFilterSet
from kythuat.readiness.models import CoefficientRule
from kythuat.readiness.selectors import readiness
from kythuat.readiness.views import ReadinessForm, top_units

from .serializers import CoefficientRuleSerializer


class CoefficientRuleViewSet(ScopedModelViewSet):
    """The coefficient formula as data: which grades and conditions count as good, per branch."""

    queryset = CoefficientRule.objects.select_related("branch")
    serializer_class = CoefficientRuleSerializer
    filterset_class = CoefficientRuleFilterSet


class FiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    good = serializers.IntegerField()
    coefficient = serializers.FloatField(allow_null=True)
    by_grade = serializers.DictField(child=serializers.IntegerField())
    by_condition = serializers.DictField(child=serializers.IntegerField())
    by_usage = serializers.DictField(child=serializers.IntegerField())


class ReadinessSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    on = serializers.DateField(allow_null=True)
    total = FiguresSerializer()
    branches = serializers.ListField(child=serializers.DictField())
    types = serializers.ListField(child=serializers.DictField())
    children = serializers.ListField(child=serializers.DictField())


def _figures(figures) -> dict:
    return {"total": figures.total, "good": figures.good, "coefficient": figures.coefficient,
            "by_grade": {str(k): v for k, v in figures.by_grade.items()},
            "by_condition": dict(figures.by_condition), "by_usage": dict(figures.by_usage)}


class ReadinessApiView(APIView):
    """Hệ số kỹ thuật and counts of a unit subtree (default: the user's top unit) by branch, type and
    child unit, as the register stands or at 0h on ``on`` (YYYY-MM-DD) — the figures of the page."""

    @extend_schema(parameters=[OpenApiParameter("unit", int), OpenApiParameter("on", str)],
                   responses=ReadinessSerializer)
    def get(self, request):
        form = ReadinessForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        unit_id, on = form.cleaned_data.get("unit"), form.cleaned_data.get("on")
        if unit_id:
            unit = Unit.objects.visible_to(request.user).filter(pk=unit_id).first()
        else:
            unit = next(iter(top_units(request.user)), None)
        if unit is None:
            raise NotFound()
        report = readiness(request.user, unit, on=on)
        return Response({
            "unit": unit.pk, "on": on,
            "total": _figures(report.total),
            "branches": [{"branch": branch.pk, "code": branch.code, **_figures(f)} for branch, f in report.branches],
            "types": [{"type": kind.pk, "code": kind.code, **_figures(f)} for kind, f in report.types],
            "children": [{"unit": child.pk, "name": child.name, **_figures(f)} for child, f in report.children],
        })
