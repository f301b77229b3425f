"""The one scoping mechanism (DESIGN.md §3.1): which units a user may see or act on.

A user's memberships give roles on unit subtrees. ``scope_for(user).unit_ids(perm)`` is the set of
unit ids where the user holds ``perm`` — or ``None`` when that is every unit, so no filter is
needed. Subtrees are found with one indexed prefix query on the units' materialised path.
"""

import contextlib

from django.apps import apps
from django.db.models import Q

from .roles import ROLE_PERMISSIONS, Perm

UNIT_MODEL = "org.Unit"
MEMBERSHIP_MODEL = "org.Membership"


class Scope:
    def __init__(self, user):
        self.user = user
        self._memberships: list[tuple[str, int, str]] | None = None
        self._ids: dict[str, frozenset[int] | None] = {}
        self._roots: set[str] | None = None

    @property
    def is_everything(self) -> bool:
        return bool(self.user and self.user.is_active and self.user.is_superuser)

    def memberships(self) -> list[tuple[str, int, str]]:
        """(role, unit id, unit path) for each membership of the user."""
        if self._memberships is None:
            if not (self.user and self.user.is_authenticated and self.user.is_active):
                self._memberships = []
            else:
                Membership = apps.get_model(MEMBERSHIP_MODEL)
                self._memberships = list(
                    Membership.objects.filter(user=self.user).values_list("role", "unit_id", "unit__path")
                )
        return self._memberships

    def roles(self) -> set[str]:
        return {role for role, _unit, _path in self.memberships()}

    def has_perm(self, perm: str) -> bool:
        """Whether the user holds ``perm`` anywhere (menus, buttons)."""
        if not perm:
            return False
        if self.is_everything:
            return True
        return any(perm in ROLE_PERMISSIONS.get(role, ()) for role, _u, _p in self.memberships())

    def unit_ids(self, perm: str = Perm.VIEW) -> frozenset[int] | None:
        if not perm:
            return frozenset()
        if self.is_everything:
            return None
        if perm not in self._ids:
            self._ids[perm] = self._compute(perm)
        return self._ids[perm]

    def _compute(self, perm: str) -> frozenset[int] | None:
        prefixes = {path for role, _u, path in self.memberships() if perm in ROLE_PERMISSIONS.get(role, ())}
        # A prefix inside another prefix adds nothing.
        prefixes = {p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)}
        if not prefixes:
            return frozenset()
        Unit = apps.get_model(UNIT_MODEL)
        if self._roots is None:  # once per request, whatever the permissions asked
            self._roots = set(Unit.objects.filter(parent__isnull=True).values_list("path", flat=True))
        roots = self._roots
        if roots and roots <= prefixes:
            return None
        condition = Q()
        for prefix in prefixes:
            condition |= Q(path__startswith=prefix)
        return frozenset(Unit.objects.filter(condition).values_list("id", flat=True))

    def allows(self, perm: str, unit_id) -> bool:
        ids = self.unit_ids(perm)
        return ids is None or unit_id in ids


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    if user is None:
        return Scope(None)
    scope = getattr(user, "_kythuat_scope", None)
    if scope is None:
        scope = Scope(user)
        with contextlib.suppress(AttributeError):
            user._kythuat_scope = scope
    return scope


def can(user, action: str, obj) -> bool:
    """Whether ``user`` may do ``action`` (view/add/change/delete) on ``obj`` (a scoped model row)."""
    perm = type(obj).perm_for(action)
    if getattr(type(obj), "scope_field", "") is None:  # catalogues: the permission anywhere
        return scope_for(user).has_perm(perm)
    # A document acted on by the level above (a plan consolidated and approved higher up) names that unit.
    unit_id = obj.action_unit_id(action) if hasattr(obj, "action_unit_id") else obj.audit_scope_unit_id()
    return scope_for(user).allows(perm, unit_id)


def within(rows, user, unit=None, *, field: str = "unit", perm: str = Perm.VIEW):
    """``rows`` whose unit (reached by the lookup ``field``) lies in ``unit``'s subtree (any unit when
    None) and where ``user`` holds ``perm``: the scoping of roll-ups over rows that are not the model's
    own (history periods, lines of a work order)."""
    if unit is not None:
        # Units by a subquery rather than a join, and none at all when the subtree holds every unit (a
        # province's own tree): a roll-up then reads its rows exactly as the raw GROUP BY does.
        units = apps.get_model(UNIT_MODEL).objects
        if units.exclude(path__startswith=unit.path).exists():
            rows = rows.filter(**{f"{field}__in": units.filter(path__startswith=unit.path).values("pk")})
    ids = scope_for(user).unit_ids(perm)
    return rows if ids is None else rows.filter(**{f"{field}__in": ids})
