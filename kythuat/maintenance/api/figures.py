"""The maintenance figures as JSON: the figures of the page /maintenance/figures/ (see
docs/maintenance-figures.md for each figure's definition)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from kythuat.maintenance.figures import as_dict, figures
from kythuat.maintenance.forms import FiguresForm


class MaintenanceFiguresSerializer(serializers.Serializer):
    unit = serializers.IntegerField(allow_null=True)
    start = serializers.DateField()
    end = serializers.DateField()
    total = serializers.DictField()
    branches = serializers.ListField(child=serializers.DictField())
    types = serializers.ListField(child=serializers.DictField())
    children = serializers.ListField(child=serializers.DictField())


class MaintenanceFiguresApiView(APIView):
    """On-time rate, what is due, faults, MTTR, MTBF, downtime, repairs by place and kind and open work
    of a unit subtree (``unit``; default: the user's top unit, or all the user's units) over the days
    ``start`` … ``end`` (YYYY-MM-DD; default: 1 January to today), by branch, type and child unit."""

    @extend_schema(parameters=[OpenApiParameter("unit", int), OpenApiParameter("start", str),
                               OpenApiParameter("end", str)], responses=MaintenanceFiguresSerializer)
    def get(self, request):
        form = FiguresForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        unit = form.unit_for(request.user)
        report = figures(request.user, unit=unit, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
        return Response({
            "unit": unit.pk if unit else None, "start": report.start, "end": report.end,
            "total": as_dict(report.total),
            "branches": [{"branch": branch.pk, "code": branch.code, **as_dict(f)} for branch, f in report.branches],
            "types": [{"type": kind.pk, "code": kind.code, **as_dict(f)} for kind, f in report.types],
            "children": [{"unit": child.pk, "name": child.name, **as_dict(f)} for child, f in report.children],
        })
