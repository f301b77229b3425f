from django.db.models import Count, F, Q, Sum

from kythuat.core.views import ObjectListView, ObjectView

from . import filtersets, tables
from .choices import Grade
from .models import Branch, EquipmentType, GradeDefinition, Item


def totals_by_grade(items) -> list[tuple[str, int, int]]:
    """(label, grade, quantity) for grades 1–5 of ``items``: one GROUP BY query."""
    counts = dict(items.order_by().values_list("grade").annotate(n=Sum("quantity")))
    return [(grade.label, grade.value, counts.get(grade.value, 0) or 0) for grade in Grade]


class BranchListView(ObjectListView):
    model = Branch
    queryset = Branch.objects.annotate(type_count=Count("types"))
    table = tables.BranchTable
    filterset = filtersets.BranchFilterSet


class BranchView(ObjectView):
    model = Branch

    def extra_context(self, obj):
        return {"types": obj.types.annotate(item_count=Count("items")).order_by("group", "name"),
                "grades": obj.grade_definitions.order_by("grade")}


class GradeDefinitionListView(ObjectListView):
    model = GradeDefinition
    queryset = GradeDefinition.objects.select_related("branch")
    table = tables.GradeDefinitionTable
    filterset = filtersets.GradeDefinitionFilterSet


class EquipmentTypeListView(ObjectListView):
    model = EquipmentType
    queryset = EquipmentType.objects.select_related("branch").annotate(item_count=Count("items"))
    table = tables.EquipmentTypeTable
    filterset = filtersets.EquipmentTypeFilterSet


class EquipmentTypeView(ObjectView):
    model = EquipmentType
    queryset = EquipmentType.objects.select_related("branch").prefetch_related("kit")

    def extra_context(self, obj):
        items = Item.objects.visible_to(self.request.user).active().filter(type=obj)
        totals = totals_by_grade(items)
        return {"by_grade": totals, "total": sum(n for _l, _g, n in totals)}


class ItemListView(ObjectListView):
    """The register (sổ đăng ký): filters, search on number and type, totals by grade."""

    model = Item
    queryset = Item.objects.select_related("type__branch", "unit")
    table = tables.ItemTable
    filterset = filtersets.ItemFilterSet
    template_name = "equipment/item_list.html"

    def extra_context(self, rows):
        totals = totals_by_grade(rows)
        return {"by_grade": totals, "total": sum(n for _l, _g, n in totals)}


class ItemView(ObjectView):
    model = Item
    queryset = Item.objects.select_related("type__branch", "unit").prefetch_related("type__kit")

    def extra_context(self, obj):
        # The branch's own wording of the grade if it has one, else the general wording.
        definition = (GradeDefinition.objects.filter(grade=obj.grade)
                      .filter(Q(branch=obj.type.branch_id) | Q(branch__isnull=True))
                      .order_by(F("branch").asc(nulls_last=True)).first())
        return {"grade_definition": definition}
