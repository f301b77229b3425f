"""Panels an app adds to a page of an app it stands above: the home page gets the maintenance
reminders, the item page its regimes, work and faults. The page's app imports nothing of the apps
above it (DESIGN.md §2): those register here in their ``AppConfig.ready``.

    panels.register("equipment.item", "maintenance/item_panel.html", item_maintenance, order=10)

A panel's function takes the request (and the page's object) and returns the template's context,
or None to leave the panel out.
"""

from collections import defaultdict
from collections.abc import Callable

_PANELS: dict[str, list[tuple[int, str, Callable]]] = defaultdict(list)


def register(page: str, template: str, context: Callable, *, order: int = 50) -> None:
    entries = [entry for entry in _PANELS[page] if entry[1] != template]
    entries.append((order, template, context))
    _PANELS[page] = sorted(entries, key=lambda entry: entry[0])


def for_page(page: str, request, obj=None) -> list[tuple[str, dict]]:
    """(template, context) of each panel of ``page`` that has something to show."""
    shown = []
    for _order, template, context in _PANELS.get(page, []):
        data = context(request, obj) if obj is not None else context(request)
        if data is not None:
            shown.append((template, data))
    return shown


# Actions on the rows ticked in a list, offered by an app above the list's app: the register's list
# offers "Plan work for the ticked items" of maintenance. (label, url name, permission held anywhere)
_ACTIONS: dict[str, list[tuple[object, str, str]]] = defaultdict(list)


def register_action(page: str, *, label, url_name: str, perm: str) -> None:
    if all(entry[1] != url_name for entry in _ACTIONS[page]):
        _ACTIONS[page].append((label, url_name, perm))


def actions_for(page: str, request) -> list[tuple[str, str]]:
    """(url, label) of the actions on ticked rows of ``page`` the user's role allows somewhere."""
    from django.urls import reverse

    from .scoping import scope_for

    scope = scope_for(request.user)
    return [(reverse(url_name), str(label)) for label, url_name, perm in _ACTIONS.get(page, [])
            if scope.has_perm(perm)]
