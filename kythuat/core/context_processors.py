from .roles import Perm
from .scoping import scope_for


def navigation(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    scope = scope_for(user)
    return {
        "nav_perms": {perm.value: scope.has_perm(perm) for perm in Perm},
    }
