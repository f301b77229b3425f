"""Roles and what each may do: the one permission table of the system (docs/roles.md mirrors it).

A membership gives a role on a unit subtree. A permission held through a membership applies to
rows whose unit is in that subtree. Outside every subtree a row does not exist for the user (404);
inside the view scope but without the permission for an action, the action is refused (403).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    TECHNICIAN = "technician", _("Technician")
    OFFICER = "officer", _("Technical officer")
    COMMANDER = "commander", _("Commander")
    HEAD = "head", _("Head of technical department")
    ADMIN = "admin", _("Administrator")


class Perm(models.TextChoices):
    VIEW = "view", _("View data of the subtree")
    LOG_WORK = "log_work", _("Log preservation, maintenance, usage and faults")
    MANAGE_PEOPLE = "manage_people", _("Add and edit people")
    MANAGE_REGISTER = "manage_register", _("Keep registers, plan, grade, inspect")
    APPROVE = "approve", _("Approve grade changes, transfers, strike-offs, reports")
    MANAGE_UNITS = "manage_units", _("Add, edit, merge and end units")
    MANAGE_CATALOGUES = "manage_catalogues", _("Edit catalogues and rules")
    MANAGE_USERS = "manage_users", _("Manage users and memberships")
    VIEW_AUDIT = "view_audit", _("Read the audit log of the subtree")


_VIEWER = {Perm.VIEW}
_TECHNICIAN = _VIEWER | {Perm.LOG_WORK}
_OFFICER = _TECHNICIAN | {Perm.MANAGE_PEOPLE, Perm.MANAGE_REGISTER}
_COMMANDER = _OFFICER | {Perm.APPROVE, Perm.VIEW_AUDIT}
_HEAD = _COMMANDER | {Perm.MANAGE_UNITS, Perm.MANAGE_CATALOGUES}
_ADMIN = _HEAD | {Perm.MANAGE_USERS}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.VIEWER: frozenset(_VIEWER),
    Role.TECHNICIAN: frozenset(_TECHNICIAN),
    Role.OFFICER: frozenset(_OFFICER),
    Role.COMMANDER: frozenset(_COMMANDER),
    Role.HEAD: frozenset(_HEAD),
    Role.ADMIN: frozenset(_ADMIN),
}


def roles_with(perm: str) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]
