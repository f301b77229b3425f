from collections import defaultdict

from django.db.models import Count
from django.shortcuts import render

from kythuat.core.scoping import scope_for
from kythuat.core.views import (
    ObjectDeleteView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ObjectView,
    ScopedView,
)

from . import filtersets, forms, tables
from .models import Person, Unit


class UnitListView(ObjectListView):
    model = Unit
    queryset = Unit.objects.select_related("parent").annotate(people_count=Count("people"))
    table = tables.UnitTable
    filterset = filtersets.UnitFilterSet


class UnitTreeView(ScopedView):
    """The unit tree, expandable, with the count of sub-units and of people in each subtree."""

    model = Unit

    def get(self, request):
        show_ended = request.GET.get("ended") == "1"
        units = self.get_queryset().annotate(people_count=Count("people")).order_by("depth", "sort_order", "name")
        if not show_ended:
            units = units.active_on()
        units = list(units)
        by_id = {u.pk: u for u in units}
        children = defaultdict(list)
        roots = []
        for unit in units:
            unit.children_list = children[unit.pk]
            (children[unit.parent_id] if unit.parent_id in by_id else roots).append(unit)
        # Totals of each subtree, summed bottom-up in memory (one query for the whole tree).
        for unit in sorted(units, key=lambda u: -u.depth):
            unit.subtree_people = unit.people_count + sum(c.subtree_people for c in unit.children_list)
            unit.subtree_units = len(unit.children_list) + sum(c.subtree_units for c in unit.children_list)
        context = self.base_context(roots=roots, show_ended=show_ended, total=len(units),
                                    open_depth=1 if len(units) > 40 else 9)
        return render(request, "org/unit_tree.html", context)


class UnitView(ObjectView):
    model = Unit

    def extra_context(self, obj):
        user = self.request.user
        visible_ids = scope_for(user).unit_ids()
        ancestors = [(a, visible_ids is None or a.pk in visible_ids) for a in obj.ancestors()]
        children = (Unit.objects.visible_to(user).filter(parent=obj).annotate(people_count=Count("people"))
                    .order_by("sort_order", "name"))
        people = Person.objects.visible_to(user).filter(unit=obj).order_by("full_name")
        subtree_people = Person.objects.visible_to(user).filter(unit__path__startswith=obj.path).count()
        predecessors = Unit.objects.visible_to(user).filter(successor=obj)
        return {
            "ancestors": ancestors,
            "children": children,
            "people": people,
            "subtree_people": subtree_people,
            "predecessors": predecessors,
            "successor_visible": bool(obj.successor_id)
            and Unit.objects.visible_to(user).filter(pk=obj.successor_id).exists(),
            "add_child_url": f"{add_url}?parent={obj.pk}" if (add_url := self.base_context()["add_url"]) else None,
        }


class UnitEditView(ObjectEditView):
    model = Unit
    form_class = forms.UnitForm


class UnitDeleteView(ObjectDeleteView):
    model = Unit


class UnitHistoryView(ObjectHistoryView):
    model = Unit


class PersonListView(ObjectListView):
    model = Person
    queryset = Person.objects.select_related("unit")
    table = tables.PersonTable
    filterset = filtersets.PersonFilterSet


class PersonView(ObjectView):
    model = Person
    queryset = Person.objects.select_related("unit", "user")


class PersonEditView(ObjectEditView):
    model = Person
    form_class = forms.PersonForm


class PersonDeleteView(ObjectDeleteView):
    model = Person


class PersonHistoryView(ObjectHistoryView):
    model = Person


