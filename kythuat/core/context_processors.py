from .roles import Perm
from .scoping import scope_for


def navigation(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    scope = scope_for(user)
    match = getattr(request, "resolver_match", None)
    name = (match.url_name or "") if match else ""
    return {
        "nav_perms": {perm.value: scope.has_perm(perm) for perm in Perm},
        # The menu entry of the page: the model part of the URL name ("item_edit" → "item").
        "nav_section": SECTIONS.get(name.split("_")[0], name),
    }


SECTIONS = {"equipmenttype": "catalogue", "branch": "catalogue", "gradedefinition": "catalogue",
            "coefficientrule": "readiness",
            "schedule": "maintenance", "calendar": "maintenance", "maintenancerule": "maintenance",
            "workorder": "maintenance", "technicalday": "maintenance", "usagelog": "maintenance",
            "fault": "maintenance",
            "user": "users", "membership": "users", "password": "users"}
