"""Walks every URL route of the project so generic tests cover each page and API endpoint.

A route with a ``pk`` is filled with a row of the route's model, made by the model's factory in
``FACTORIES`` inside a given unit. Routes that are not generic model pages name their parameters
in ``SPECIAL_PARAMS``; a route that neither explains fails the tests, so none is forgotten. A route
that serves a row only in some state (a record of an approved order) names it in ``ROW_STATES``.
"""

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .factories import FACTORIES, MembershipFactory, UserFactory

# Routes that take no part in the walk, with the reason.
SKIPPED = {
    "set_language": "POST-only language switch, tested on its own",
    "logout": "POST-only, tested on its own",
    "login": "public by design",
    "healthz": "public liveness probe without data",
    "password_change_done": "static confirmation page",
}


@dataclass
class Route:
    name: str  # namespaced, e.g. "org:unit_edit"
    pattern: str
    callback: object
    params: list[str] = field(default_factory=list)

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)

    @property
    def model(self):
        cls = self.view_class
        model = getattr(cls, "model", None)
        if not isinstance(model, type) and getattr(cls, "queryset", None) is not None:
            model = cls.queryset.model
        return model

    @property
    def api_actions(self) -> dict:
        return getattr(self.callback, "actions", None) or {}

    def url(self, **kwargs) -> str:
        return reverse(self.name, kwargs={k: v for k, v in kwargs.items() if k in self.params} or None)


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if entry.namespace and namespace:
                ns = f"{namespace}:{entry.namespace}"
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            regex = entry.pattern.regex
            params = list(regex.groupindex)
            if "format" in params:  # DRF's format-suffix duplicates
                continue
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(name=name, pattern=prefix + str(entry.pattern), callback=entry.callback, params=params)


def all_routes() -> list[Route]:
    seen, routes = set(), []
    for route in _walk(get_resolver().url_patterns):
        if route.name in seen or route.name in SKIPPED:
            continue
        seen.add(route.name)
        routes.append(route)
    return routes


# Routes that serve a row only in some state (the handover record of an approved order…): the
# keyword arguments the model's factory makes such a row with.
ROW_STATES = {
    "equipment:transfer_handover": {"approved": True},
}


def make_in_unit(model, unit, **state):
    """A row of ``model`` that belongs to ``unit`` (for scope tests), made with ``state``."""
    factory = FACTORIES[model]
    if hasattr(factory, "in_unit"):
        return factory.in_unit(unit, **state)
    scope_field = model.scope_field
    if scope_field is None:  # a catalogue: belongs to no unit
        return factory(**state)
    if scope_field in ("id", "pk"):
        return factory(parent=unit, **state)
    return factory(**{scope_field: unit}, **state)


def row_for(route: Route, unit):
    """A row of the route's model inside ``unit``, in the state the route serves."""
    return make_in_unit(route.model, unit, **ROW_STATES.get(route.name, {}))


def _user_in(unit):
    account = UserFactory()
    MembershipFactory(user=account, unit=unit)
    return account


def _own_token(unit, user):
    from kythuat.core.models import ApiToken

    token, _key = ApiToken.issue(user=user, name="test")
    return token


def _audit_entry_in(unit):
    from kythuat.core.models import AuditEntry

    from .factories import PersonFactory

    person = PersonFactory(unit=unit)
    return AuditEntry.objects.filter(object_id=str(person.pk), content_type__model="person").latest("id")


def _import_run_of(unit, user):
    """A checked import run uploaded by ``user`` (runs belong to their uploader, not to a unit)."""
    from kythuat.core.importer import IMPORTERS
    from kythuat.core.models import ImportRun, ImportStatus

    return ImportRun.objects.create(importer=next(iter(IMPORTERS)), created_by=user, file_name="so-dang-ky.xlsx",
                                    status=ImportStatus.CHECKED, total=1, added=1)


def _attachable_in(unit, user):
    """The label and id of a row inside ``unit`` of the first model that takes attachments."""
    model = next(m for m in FACTORIES if getattr(m, "has_attachments", False))
    obj = make_in_unit(model, unit)
    return {"label": f"{model._meta.app_label}.{model._meta.model_name}", "pk": obj.pk}


# name -> function(unit, acting_user) returning {param: value}: rows of routes that are not generic.
SPECIAL_PARAMS = {
    "users:user": lambda unit, user: {"pk": _user_in(unit).pk},
    "users:membership_add": lambda unit, user: {"pk": _user_in(unit).pk},
    "users:password_reset": lambda unit, user: {"pk": _user_in(unit).pk},
    "users:user_active": lambda unit, user: {"pk": _user_in(unit).pk},
    "users:membership_delete": lambda unit, user: (
        lambda m: {"pk": m.user_id, "membership_pk": m.pk}
    )(MembershipFactory(user=UserFactory(), unit=unit)),
    "api_token_revoke": lambda unit, user: {"pk": _own_token(unit, user).pk},
    "core-api:token-detail": lambda unit, user: {"pk": _own_token(unit, user).pk},
    "core-api:auditentry-detail": lambda unit, user: {"pk": _audit_entry_in(unit).pk},
    "attachment_add": _attachable_in,
    "import_run": lambda unit, user: {"pk": _import_run_of(unit, user).pk},
    "import_run_progress": lambda unit, user: {"pk": _import_run_of(unit, user).pk},
    "import_run_apply": lambda unit, user: {"pk": _import_run_of(unit, user).pk},
    "core-api:importrun-detail": lambda unit, user: {"pk": _import_run_of(unit, user).pk},
    "core-api:importrun-apply": lambda unit, user: {"pk": _import_run_of(unit, user).pk},
}


def params_for(route: Route, unit, user) -> dict:
    """Parameters that make ``route`` point at a row inside ``unit``."""
    if not route.params:
        return {}
    if route.name in SPECIAL_PARAMS:
        return SPECIAL_PARAMS[route.name](unit, user)
    model = route.model
    if model is None or model not in FACTORIES:
        raise LookupError(
            f"Route {route.name} ({route.pattern}) has parameters {route.params} but no model with a factory: "
            "add the model's factory to kythuat/core/testing/factories.py FACTORIES, "
            "or the route to SPECIAL_PARAMS in kythuat/core/testing/routes.py."
        )
    return {"pk": row_for(route, unit).pk}
