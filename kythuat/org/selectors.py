"""Reads of the unit tree that dashboards share: where a user's overview starts, and which child unit
each unit of a subtree rolls up into (paths, no recursion: DESIGN.md §5)."""

from .models import Unit


def top_units(user) -> list[Unit]:
    """The units a user sees that have no visible parent: where the overview starts."""
    visible = Unit.objects.visible_to(user).active_on()
    ids = set(visible.values_list("id", flat=True))
    return [u for u in visible.order_by("depth", "sort_order", "name") if u.parent_id not in ids]


def roll_up_map(user, unit: Unit | None) -> tuple[list[Unit], dict[int, int]]:
    """The visible children of ``unit`` (with no unit: the user's top units) and, for every visible unit
    below them, the child whose subtree holds it ({unit id: child id}, a child maps to itself)."""
    visible = Unit.objects.visible_to(user)
    if unit is None:
        children = top_units(user)
        units = visible
    else:
        children = list(visible.filter(parent=unit).order_by("sort_order", "name"))
        units = visible.filter(path__startswith=unit.path)
    child_paths = {child.path: child.pk for child in children}
    child_of = {}
    for unit_id, path in units.values_list("id", "path"):
        parts = path.strip("/").split("/")
        for end in range(1, len(parts) + 1):
            child = child_paths.get("/" + "/".join(parts[:end]) + "/")
            if child is not None:
                child_of[unit_id] = child
                break
    return children, child_of
